package dev.avcurate.captioning.embed;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our tokenizer and pooling against langchain4j's own pipeline for the same model (HF tokenizers
 * through DJL, its mean pooling), and the properties near-duplicate detection relies on.
 */
class MiniLmEmbedderTest {
    private static final MiniLmEmbedder EMBEDDER = new MiniLmEmbedder("cpu", 1, MiniLmEmbedder.DEFAULT_MAX_TOKENS);

    static final String LONG_CAPTION = "A middle-aged woman with shoulder-length curly brown hair sits at a wooden desk in a softly lit "
            + "home office, speaking directly to the camera. She wears a navy blue cardigan over a white blouse and small gold "
            + "earrings. Behind her, a bookshelf holds rows of hardcover books, a potted fern and a framed photograph. Her hands "
            + "move expressively as she explains something, occasionally pausing to smile. Warm afternoon light enters from a "
            + "window on the left, casting gentle shadows across her face. The camera is static, framed at mid-shot, and her lip "
            + "movements are clearly visible throughout the clip, with no other people present and no on-screen text.";

    static final List<String> SENTENCES = List.of(
            "A man in a red jacket is talking to the camera in a bright kitchen.",
            "Hello, world! It's 3:45 p.m.; the price is $1,299.99 (approx.).",
            "Café crème, naïve façade: Zoë and Björn meet in São Paulo.",
            "一个女人在公园里唱歌。 A woman sings in the park.",
            "The 2nd speaker (left) says: \"we'll meet at 10am\" — then laughs...",
            "ПРИВЕТ мир, Ελληνικά και 日本語のテキスト",
            "e-mail someone@example.com or see https://example.org/a?b=c&d=e#f",
            "Tabs\tand\nnewlines\r\nand  multiple   spaces\u00A0here",
            "Unbelievably unaffable antidisestablishmentarianism, state-of-the-art.",
            "hello [MASK] world [SEP] again",
            LONG_CAPTION);

    static final List<String> TRICKY = List.of(
            "", "   ", "\u0000", "hel\u0000lo\u200B wor\uFFFDld", "x".repeat(101), "x".repeat(100), "e\u0301te\u0301",
            "ＡＢＣ１２３ ｆｕｌｌｗｉｄｔｈ", "안녕하세요 สวัสดี مرحبا", "ΣΑΣ σας", "İstanbul ǅemal ß", "x²+y³≤z ½ ¼ ™ © ®",
            "^_^ |~` $5 <a> {b} #tag @user", "«quoted» „low“ ‘single’ …", "a\uD86E\uDC20b a\uD86E\uDD20b", "🥰 😀 👍🏽",
            "\u0085next\u000Bline\u000Cfeed\u2028sep", "don't U.S.A. 3.14159 1,000,000", "[CLS][PAD][UNK]x[MASK", "ɡʊd mɔːnɪŋ");

    /** Our ids equal the HF tokenizers crate's (no truncation) on every test text. */
    @Test
    void tokenIdsEqualHuggingFaceTokenizers() throws Exception {
        Path json = Files.createTempFile("minilm-tokenizer", ".json");
        try (InputStream in = MiniLmEmbedder.class.getResourceAsStream(MiniLmEmbedder.TOKENIZER_RESOURCE)) {
            Files.copy(in, json, StandardCopyOption.REPLACE_EXISTING);
        }
        // The json asks for truncation and padding at 128: off, to compare whole sequences.
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(json, Map.of("truncation", "false", "padding", "false"))) {
            List<String> texts = new ArrayList<>(SENTENCES);
            texts.addAll(TRICKY);
            for (String t : texts) {
                int[] expected = Arrays.stream(hf.encode(t).getIds()).mapToInt(Math::toIntExact).toArray();
                assertArrayEquals(expected, MiniLmEmbedder.tokenizer().encode(t, 512), t);
            }
        } finally {
            Files.delete(json);
        }
    }

    /**
     * langchain4j's model gives the same vectors. It keeps its tokenizer.json's truncation at 128
     * tokens, so the long caption (more than 128) is compared with our embedder cut at 128 too.
     */
    @Test
    void embeddingsEqualLangchain4jsForTheSameModel() {
        assertTrue(MiniLmEmbedder.tokenizer().encode(LONG_CAPTION, 512).length > 128, "the long caption is cut by both");
        MiniLmEmbedder ours128 = new MiniLmEmbedder("cpu", 1, 128);
        AllMiniLmL6V2QuantizedEmbeddingModel theirs = new AllMiniLmL6V2QuantizedEmbeddingModel();
        float[][] ours = ours128.embed(SENTENCES);
        double minCos = 1;
        double maxDiff = 0;
        for (int i = 0; i < SENTENCES.size(); i++) {
            float[] ref = theirs.embed(SENTENCES.get(i)).content().vector();
            double cos = MiniLmEmbedder.cosine(ours[i], ref);
            assertTrue(cos > 0.9999, SENTENCES.get(i) + ": cosine " + cos);
            minCos = Math.min(minCos, cos);
            for (int d = 0; d < MiniLmEmbedder.DIM; d++) maxDiff = Math.max(maxDiff, Math.abs(ours[i][d] - ref[d]));
        }
        System.out.printf("[minilm] vs langchain4j on %d sentences: min cosine %.9f, max |diff| %.3g%n", SENTENCES.size(), minCos, maxDiff);
        assertTrue(maxDiff < 1e-4, "max |diff| " + maxDiff);
    }

    @Test
    void theModelHasTheInputsAndOutputWeFeed() throws Exception {
        OrtSession s = EMBEDDER.session().session();
        assertEquals(java.util.Set.of("input_ids", "attention_mask", "token_type_ids"), s.getInputInfo().keySet());
        NodeInfo out = s.getOutputInfo().get("last_hidden_state");
        assertNotNull(out, s.getOutputInfo().toString());
        assertEquals(MiniLmEmbedder.DIM, ((TensorInfo) out.getInfo()).getShape()[2]);
        assertEquals("cpu", EMBEDDER.device());
    }

    @Test
    void aParaphraseIsCloserThanAnUnrelatedSentence() {
        float[][] e = EMBEDDER.embed(List.of("A man is playing a guitar on stage.", "Someone performs a song on an acoustic guitar in "
                + "front of an audience.", "The central bank raised interest rates by half a point."));
        double paraphrase = MiniLmEmbedder.cosine(e[0], e[1]);
        double unrelated = MiniLmEmbedder.cosine(e[0], e[2]);
        assertTrue(paraphrase > 0.5 && unrelated < 0.2 && paraphrase > unrelated, paraphrase + " vs " + unrelated);
    }

    @Test
    void vectorsHaveUnitNorm() {
        for (float[] v : EMBEDDER.embed(SENTENCES)) {
            assertEquals(MiniLmEmbedder.DIM, v.length);
            double n = 0;
            for (float x : v) n += x * (double) x;
            assertEquals(1, Math.sqrt(n), 1e-6);
        }
    }

    /** A caption's vector is its own: the same whatever else is in the call (see embed on batching). */
    @Test
    void aVectorDoesNotDependOnTheOtherTextsOfTheCall() {
        float[][] together = EMBEDDER.embed(SENTENCES);
        for (int i = 0; i < SENTENCES.size(); i++) {
            assertArrayEquals(EMBEDDER.embed(List.of(SENTENCES.get(i)))[0], together[i], SENTENCES.get(i));
        }
    }

    @Test
    void textsWithoutTokensGetNullAndKeepTheirPlace() {
        float[][] e = EMBEDDER.embed(Arrays.asList("a cat", null, "", " \n\u0000", "a dog"));
        assertEquals(5, e.length);
        assertNotNull(e[0]);
        assertNull(e[1]);
        assertNull(e[2]);
        assertNull(e[3]);
        assertArrayEquals(EMBEDDER.embed(List.of("a dog"))[0], e[4]);
        assertEquals(0, EMBEDDER.embed(List.of()).length);
    }

    /** Only settings travel to executors; the session is the JVM's, opened once. */
    @Test
    void aDeserializedEmbedderSharesTheSessionAndGivesTheSameVectors() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(EMBEDDER);
        }
        assertTrue(bytes.size() < 1000, "serialized size " + bytes.size());
        MiniLmEmbedder copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (MiniLmEmbedder) in.readObject();
        }
        assertSame(EMBEDDER.session().session(), copy.session().session());
        assertArrayEquals(EMBEDDER.embed(List.of("a dog"))[0], copy.embed(List.of("a dog"))[0]);
    }

    @Test
    void cosineOfKnownVectors() {
        assertEquals(1, MiniLmEmbedder.cosine(new float[] {1, 2}, new float[] {2, 4}), 1e-12);
        assertEquals(0, MiniLmEmbedder.cosine(new float[] {1, 0}, new float[] {0, 3}), 1e-12);
        assertEquals(-1, MiniLmEmbedder.cosine(new float[] {1, 1}, new float[] {-1, -1}), 1e-12);
    }
}
