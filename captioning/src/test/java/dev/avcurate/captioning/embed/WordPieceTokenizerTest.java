package dev.avcurate.captioning.embed;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Known ids of the BERT uncased vocabulary (101 [CLS], 102 [SEP], 100 [UNK]). */
class WordPieceTokenizerTest {
    private static final WordPieceTokenizer TOK = MiniLmEmbedder.tokenizer();

    private static int[] ids(String text) {
        return TOK.encode(text, 512);
    }

    @Test
    void punctuationIsSplitOffAndTheTextLowercased() {
        assertArrayEquals(new int[] {101, 7592, 1010, 2088, 999, 102}, ids("Hello, world!"));
        assertArrayEquals(ids("hello , world !"), ids("HELLO,WORLD!"));
    }

    @Test
    void aWordOutsideTheVocabularyIsSplitIntoContinuationPieces() {
        assertArrayEquals(new int[] {101, 14477, 20961, 3468, 102}, ids("unaffable"), "un ##aff ##able");
    }

    @Test
    void accentsAreStripped() {
        assertArrayEquals(new int[] {101, 7668, 102}, ids("cafe"));
        assertArrayEquals(ids("cafe"), ids("Café"));
        assertArrayEquals(ids("cafe"), ids("cafe\u0301"), "a combining accent goes too");
    }

    @Test
    void eachCjkIdeographIsAWordOfItsOwn() {
        // 世 is in the vocabulary, 你 好 界 are not: one [UNK] each, not one for the whole run.
        assertArrayEquals(new int[] {101, 100, 100, 1745, 100, 102}, ids("你好世界"));
        assertArrayEquals(new int[] {101, 1037, 1745, 1038, 102}, ids("a世b"));
    }

    @Test
    void controlAndFormatCharactersAreDroppedAndOtherSpacesSplit() {
        assertArrayEquals(ids("hello"), ids("hel\u0000lo"));
        assertArrayEquals(ids("hello"), ids("hel\u200Blo"), "zero-width space is a format character");
        assertArrayEquals(ids("a b c"), ids("a\u00A0b\tc"));
    }

    @Test
    void aWordLongerThan100CharactersIsOneUnknownToken() {
        assertArrayEquals(new int[] {101, 100, 102}, ids("x".repeat(101)));
        assertFalse(Arrays.equals(new int[] {101, 100, 102}, ids("x".repeat(100))), "100 characters are still split into pieces");
    }

    @Test
    void specialTokensTypedInTheTextKeepTheirIds() {
        assertArrayEquals(new int[] {101, 103, 7632, 102, 1060, 102}, ids("[MASK] hi[SEP]x"));
    }

    @Test
    void truncationCutsTheRightEndAndKeepsClsAndSep() {
        String text = "the quick brown fox jumps over the lazy dog";
        int[] full = ids(text);
        int[] cut = TOK.encode(text, 5);
        assertEquals(5, cut.length);
        assertEquals(101, cut[0]);
        assertEquals(102, cut[4]);
        assertArrayEquals(Arrays.copyOfRange(full, 1, 4), Arrays.copyOfRange(cut, 1, 4));
        assertArrayEquals(new int[] {101, 14477, 20961, 102}, TOK.encode("unaffable", 4), "a word can be cut between its pieces");
        assertArrayEquals(full, TOK.encode(text, full.length));
    }

    @Test
    void emptyTextIsJustClsAndSep() {
        assertArrayEquals(new int[] {101, 102}, ids(""));
        assertArrayEquals(new int[] {101, 102}, ids(" \u0000\n"));
    }

    @Test
    void aTokenizerJsonOfAnotherKindIsRefused() {
        String json = "{\"model\":{\"type\":\"BPE\",\"vocab\":{}},\"normalizer\":{\"type\":\"BertNormalizer\"},"
                + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WordPieceTokenizer.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("WordPiece"), e.getMessage());
    }
}
