package dev.avcurate.captioning.checks;

import static dev.avcurate.captioning.checks.CaptionChecks.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.captioning.checks.CaptionChecks.Result;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Known answers for each check, the cleaning contract (prefixes only, bytes otherwise intact) and the linear-time guarantee. */
class CaptionChecksTest {
    static final CaptionChecks CHECKS = new CaptionChecks(CaptionCheckConfig.defaults());

    static final String GOOD = "A medium close-up shot from a static camera at eye level. A middle-aged man with short gray hair"
            + " and a trimmed beard, wearing a navy blue suit over a white shirt, sits at a wooden desk and speaks toward"
            + " the camera while gesturing with his right hand. Behind him, a bookshelf filled with books and a potted"
            + " plant stand against a beige wall, lit by soft daylight from a window on the left.";

    static Result check(String caption) {
        return CHECKS.check(caption, "stop");
    }

    @Test
    void aGoodEnglishDenseCaptionPassesUnchanged() {
        Result r = check(GOOD);
        assertEquals(List.of(), r.codes());
        assertTrue(r.keep());
        assertEquals(GOOD, r.caption());
        assertEquals("en", r.language());
        assertEquals(73, r.wordCount());
        assertEquals(r, CHECKS.check("  \n" + GOOD + "\t\u00A0\n", null), "surrounding whitespace is trimmed, null finish reason is fine");
    }

    @Test
    void nullBlankAndPrefixOnlyAreEmpty() {
        Result n = CHECKS.check(null, null);
        assertEquals(new Result("", List.of(EMPTY), false, 0, UNDETERMINED), n);
        assertEquals(List.of(EMPTY), check(" \n\t\u3000 ").codes());
        assertEquals(List.of(EMPTY), check("").codes());
        Result prefixOnly = check("Sure! Here is the caption: Caption:");
        assertEquals(List.of(EMPTY, BOILERPLATE), prefixOnly.codes());
        assertEquals("", prefixOnly.caption());
        assertEquals(List.of(EMPTY, TRUNCATED), CHECKS.check(null, "length").codes());
    }

    @Test
    void truncatedByFinishReasonOrAMidSentenceEnding() {
        Result byReason = CHECKS.check(GOOD, "length");
        assertEquals(List.of(TRUNCATED), byReason.codes());
        assertFalse(byReason.keep());
        assertEquals(List.of(TRUNCATED), CHECKS.check(GOOD, " LENGTH ").codes());
        assertEquals(List.of(TRUNCATED), CHECKS.check(GOOD, "max_tokens").codes());

        String cut = GOOD.substring(0, GOOD.length() - " on the left.".length());
        assertEquals(List.of(TRUNCATED), check(cut).codes());
        assertEquals(List.of(TRUNCATED), check(GOOD + " 👋").codes(), "an emoji is not sentence-final");
        assertEquals(List.of(TRUNCATED), check(GOOD + "\u2026").codes(), "an ellipsis character reads as cut off");
        assertEquals(List.of(TRUNCATED), check(GOOD + ",").codes());
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "!", "?", ".\"", ".'", ".)", ".]", ".\u201D", "\u3002"})
    void sentenceFinalEndingsAreNotTruncated(String end) {
        String c = GOOD.substring(0, GOOD.length() - 1) + end;
        assertEquals(List.of(), check(c).codes(), c);
    }

    @Test
    void tooShortAndTooLong() {
        Result shortOne = check("A man talks to the camera.");
        assertEquals(List.of(TOO_SHORT), shortOne.codes(), "short English is not 'wrong language'");
        assertEquals(UNDETERMINED, shortOne.language());
        assertEquals(6, shortOne.wordCount());
        assertFalse(shortOne.keep());

        CaptionCheckConfig d = CaptionCheckConfig.defaults();
        CaptionChecks tight = new CaptionChecks(new CaptionCheckConfig(5, 20, "en", d.emotionWords(), d.refusalPatterns(),
                d.boilerplatePrefixes(), d.rejectCodes()));
        Result longOne = tight.check(GOOD, "stop");
        assertEquals(List.of(TOO_LONG), longOne.codes());
        assertTrue(longOne.keep(), "too long is a flag by default");

        CaptionChecks rejectLong = new CaptionChecks(new CaptionCheckConfig(5, 20, "en", d.emotionWords(),
                d.refusalPatterns(), d.boilerplatePrefixes(), List.of(TOO_LONG)));
        assertFalse(rejectLong.check(GOOD, "stop").keep());
        assertTrue(rejectLong.check("A man talks.", "stop").keep(), "too short is no longer a reject code there");
    }

    @Test
    void wordsAreWhitespaceTokensWithALetterOrDigitAndCjkCountsHalf() {
        assertEquals(3, wordCount("A man \u2014 \uD83D\uDC4B waves !!"));
        assertEquals(4, wordCount("Two\u00A0men, 3 chairs"));
        assertEquals(2, wordCount("e\u0301te\u0301 \u200F\u05E9\u05DC\u05D5\u05DD"), "combining marks and RTL marks inside tokens");
        assertEquals(2, wordCount("你好世界"));
        assertEquals(2, wordCount("你好世界。"), "the CJK full stop is not a letter");
        assertEquals(3, wordCount("你好世界们"), "5 characters round up to 3 words");
        assertEquals(3, wordCount("我用iPhone拍照"), "4 Han characters (2 words) and iPhone");
        assertEquals(0, wordCount("\u0007 \uD83D\uDE00 ..."));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            de | Eine Nahaufnahme zeigt eine junge Frau mit langen braunen Haaren, die in einem hellen Raum vor einer weißen Wand sitzt. Sie trägt einen roten Pullover und spricht direkt in die Kamera, während sie mit den Händen gestikuliert.
            fr | Un plan rapproché montre une jeune femme aux cheveux bruns longs, assise dans une pièce lumineuse devant un mur blanc. Elle porte un pull rouge et parle directement à la caméra en faisant des gestes avec les mains.
            es | Un plano medio muestra a un hombre de mediana edad con barba corta y camisa azul, sentado en una silla frente a la cámara. El hombre habla mientras mueve las manos y detrás de él hay una estantería con libros y una planta.
            it | Un'inquadratura a mezzo busto mostra un uomo di mezza età con la barba corta e una camicia azzurra, seduto su una sedia davanti alla telecamera. L'uomo parla mentre muove le mani e alle sue spalle c'è una libreria piena di libri.
            pt | Um plano médio mostra um homem de meia-idade com barba curta e uma camisa azul, sentado em uma cadeira em frente à câmera. O homem fala enquanto move as mãos e atrás dele há uma estante com livros e uma planta.
            nl | Een medium shot toont een man van middelbare leeftijd met een kort baardje en een blauw overhemd, zittend op een stoel voor de camera. De man praat terwijl hij met zijn handen beweegt en achter hem staat een boekenkast met boeken.
            zh | 一个中景镜头，摄像机固定在与视线平齐的位置。画面中一位留着黑色短发的年轻男子穿着白色衬衫，坐在木质书桌前，面对镜头说话，同时用右手做手势。背景是一面米色墙壁和一个摆满书的书架。
            ja | 固定カメラによるミディアムショット。短い黒髪の若い男性が白いシャツを着て木の机の前に座り、カメラに向かって話しながら右手で身振りをしている。背景にはベージュの壁と本棚がある。
            ko | 고정된 카메라로 촬영한 미디엄 샷이다. 짧은 검은 머리의 젊은 남성이 흰 셔츠를 입고 나무 책상 앞에 앉아 카메라를 보며 이야기하고 오른손으로 손짓을 한다.
            ru | Средний план, статичная камера на уровне глаз. Молодая женщина с длинными светлыми волосами сидит за столом в светлой комнате и говорит прямо в камеру, жестикулируя руками. На заднем плане видна белая стена и книжная полка.
            ar | لقطة متوسطة بكاميرا ثابتة على مستوى العين. رجل في منتصف العمر ذو لحية قصيرة يرتدي قميصا أزرق ويجلس على كرسي أمام الكاميرا ويتحدث بينما يحرك يديه.
            """)
    void otherLanguagesAreDetectedAndRejected(String lang, String caption) {
        Result r = check(caption);
        assertEquals(lang, r.language());
        assertEquals(List.of(WRONG_LANGUAGE), r.codes(), r.toString());
        assertFalse(r.keep());
        CaptionCheckConfig d = CaptionCheckConfig.defaults();
        CaptionChecks native_ = new CaptionChecks(new CaptionCheckConfig(d.minWords(), d.maxWords(), lang,
                d.emotionWords(), d.refusalPatterns(), d.boilerplatePrefixes(), d.rejectCodes()));
        assertEquals(List.of(), native_.check(caption, "stop").codes(), "the same caption passes when its language is configured");
        assertEquals(List.of(WRONG_LANGUAGE), native_.check(GOOD, "stop").codes(), "and then English is the wrong language");
    }

    @Test
    void unsureDetectionIsUndeterminedAndNeverFlags() {
        assertEquals(UNDETERMINED, check("A man talks to the camera.").language());
        assertEquals(UNDETERMINED, check("Ein Mann spricht.").language());
        assertEquals(UNDETERMINED, check("你好。").language());
        assertEquals(UNDETERMINED, check("12345 67890 !!! ??? ...").language());
        // Half English, half Russian: no script holds 60% of the letters.
        Result mixed = check("A young woman with long blond hair sits at a desk. Молодая женщина с длинными светлыми волосами.");
        assertEquals(UNDETERMINED, mixed.language());
        assertFalse(mixed.codes().contains(WRONG_LANGUAGE));
        // Latin script outside the seven lists (Polish): no confident winner.
        assertEquals(UNDETERMINED, check("Młoda kobieta z długimi jasnymi włosami siedzi przy biurku w jasnym pokoju i mówi prosto do kamery.").language());
        // English with a Spanish name and a Chinese sign is still English.
        assertEquals("en", check(GOOD + " A sign on the wall reads 欢迎光临 and a poster says Museo de la Ciudad.").language());
    }

    @Test
    void emotionWordsMatchWholeWordsWithInflectionsCaseInsensitively() {
        for (String w : List.of("happy", "Happily", "HAPPINESS", "happier", "sad", "sadly", "sadness", "sadder", "angrily",
                "nervously", "anxiousness", "confidence", "loneliness", "ecstatically", "cheerfully")) {
            Result r = check(GOOD.replace("a trimmed beard", "a trimmed beard, " + w + ","));
            assertEquals(List.of(EMOTION_WORDS), r.codes(), w);
            assertTrue(r.keep(), "emotion words are a flag by default");
        }
        // Substrings, visible expressions and neutral look-alikes are not emotion words.
        for (String w : List.of("Sadler", "crusade", "sadist", "unhappyish", "smiling", "frowning", "calm", "content",
                "focused", "surprised", "Gladstone", "proudfoot")) {
            assertEquals(List.of(), check(GOOD.replace("a trimmed beard", "a trimmed beard, " + w + ",")).codes(), w);
        }
        assertEquals(List.of(EMOTION_WORDS), check(GOOD.replace("navy blue", "happy-go-lucky")).codes(), "hyphen separates words");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "I'm sorry, but I can't view the video. Could you describe what happens in it so that I can help you better?",
            "I am sorry, but I am unable to process videos directly. If you share a few frames, I will describe each frame in detail.",
            "As an AI language model, I do not have the ability to watch videos, but I can help you write a caption for one.",
            "Unfortunately it seems that no video was provided with your request, so there is nothing for me to describe here.",
            "The frames are blank and black throughout, so I cannot see the video content and cannot describe the people in it.",
            "I’m unable to determine what happens in this clip because the file appears to be empty or corrupted in some way.",
            "Certainly! I apologize, but the attachment did not come through; please upload it again and I will describe it fully."})
    void refusalsAreRejected(String caption) {
        Result r = check(caption);
        assertTrue(r.codes().contains(REFUSAL), r.toString());
        assertFalse(r.keep());
    }

    @Test
    void refusalsAreOnlyLookedForAtTheStart() {
        String late = GOOD + " " + "The man keeps talking and gesturing. ".repeat(5) + "A handwritten note on the desk says I'm sorry.";
        assertTrue(late.indexOf("I'm sorry") > REFUSAL_WINDOW);
        assertFalse(check(late).codes().contains(REFUSAL));
        // "cannot be seen" of a visible detail is not a refusal.
        assertEquals(List.of(), check(GOOD.replace("a trimmed beard", "a beard whose color cannot be seen clearly")).codes());
    }

    @Test
    void boilerplatePrefixesAreStrippedRepeatedlyAndTheNextLetterCapitalized() {
        String body = "a woman with curly red hair sits on a gray sofa in a bright living room and talks to the camera, nodding"
                + " occasionally while holding a white mug in both hands.";
        String expected = "A" + body.substring(1);
        for (String prefix : List.of("The video shows ", "the video depicts ", "In this video, ", "In the video ",
                "This video captures ", "The footage shows ", "Sure! Here's a description: The video shows ",
                "Sure, here\u2019s a detailed caption of the clip: ", "Certainly! Here is a detailed description of the video: In this video, ",
                "Certainly. ", "Description: ", "Caption: Description: The scene depicts ", "Caption:\n\n")) {
            Result r = check(prefix + body);
            assertEquals(expected, r.caption(), prefix);
            assertEquals(List.of(BOILERPLATE), r.codes(), prefix);
            assertTrue(r.keep());
        }
        // Not a prefix when the words only begin the same way.
        assertEquals(List.of(), check("The video showcase on the wall behind " + body).codes());
        assertEquals("The video showcase on the wall behind " + body, check("The video showcase on the wall behind " + body).caption());
        // Already capitalized, or starting with a quote: left as it is.
        assertEquals("\"" + body, check("The video shows \"" + body).caption());
        assertEquals("Two" + body.substring(1), check("The video shows Two" + body.substring(1)).caption());
    }

    @Test
    void markupEntitiesQuotesAndControlCharactersArePreservedByteForByte() {
        String body = "A man in a <b>red</b> jacket holds a sign reading \"<script>alert(1)</script>\" &amp; 'Tom's &lt;cafe&gt;'"
                + " next to a\u0007bell\u0000 and a \u001B[31m terminal, \u202Eevil\u202C text, caf\u0065\u0301 and \uD83D\uDE00 faces"
                + " while the camera slowly pans from left to right across the busy street.";
        Result plain = check(body);
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), plain.caption().getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(), plain.codes());
        Result stripped = check("The video shows " + body);
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), stripped.caption().getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(BOILERPLATE), stripped.codes());
        // Control characters at the edges are not whitespace: they stay (and the caption then reads as cut off).
        assertEquals("\u0007" + body + "\u0007", check("  \u0007" + body + "\u0007 ").caption());
    }

    @Test
    void codesAreListedInTheFixedOrderAndOnlyRejectCodesRejectKeep() {
        Result r = CHECKS.check("The video shows I'm sorry, the happy", "length");
        assertEquals(List.of(TRUNCATED, TOO_SHORT, EMOTION_WORDS, REFUSAL, BOILERPLATE), r.codes());
        assertEquals("I'm sorry, the happy", r.caption());
        assertFalse(r.keep());
        Result flagsOnly = check(GOOD.replace("a trimmed beard", "a trimmed beard, happy,") + " " + GOOD.repeat(6));
        assertEquals(List.of(TOO_LONG, EMOTION_WORDS), flagsOnly.codes());
        assertTrue(flagsOnly.keep());
    }

    @Test
    void aMegabyteCaptionIsCheckedInLinearTime() {
        String sentence = "A man in a blue shirt talks to the camera while a happy dog runs behind him. ";
        String huge = "The video shows " + sentence.repeat(1_000_000 / sentence.length() + 1);
        // Adversarial for the prefix and refusal regexes: reluctant scans without the colon they look for, stacked prefixes,
        // and no whitespace at all.
        String noColon = "Here is a " + "description ".repeat(90_000);
        String stacked = "The video shows ".repeat(65_000) + "a man.";
        String oneToken = "x".repeat(1_048_576);
        String cjk = "一个男人在说话。".repeat(130_000);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Result r = check(huge);
            assertEquals(List.of(TOO_LONG, EMOTION_WORDS, BOILERPLATE), r.codes());
            assertTrue(r.caption().startsWith("A man in a blue shirt"));
            assertEquals("en", r.language());
            assertEquals(List.of(TRUNCATED, TOO_LONG), check(noColon).codes());
            Result s = check(stacked);
            assertEquals(stacked.length() - MAX_STRIPS * "The video shows ".length(), s.caption().length());
            assertTrue(s.codes().contains(BOILERPLATE));
            assertEquals(List.of(TRUNCATED, TOO_SHORT), check(oneToken).codes());
            assertEquals("zh", check(cjk).language());
        });
    }

    @Test
    void checksSurviveJavaSerializationForSparkClosures() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(CHECKS);
        }
        CaptionChecks copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (CaptionChecks) in.readObject();
        }
        assertEquals(CHECKS.config(), copy.config());
        assertEquals(CHECKS.config().version(), copy.config().version());
        for (String c : List.of(GOOD, "The video shows a happy man.", "I'm sorry, I cannot watch the video."))
            assertEquals(CHECKS.check(c, "stop"), copy.check(c, "stop"));
    }
}
