package dev.avcurate.captioning.checks;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The version tells stored check results apart from current ones; bad settings fail at construction. */
class CaptionCheckConfigTest {
    static final CaptionCheckConfig D = CaptionCheckConfig.defaults();

    static CaptionCheckConfig with(int min, int max, String lang, List<String> emo, List<String> ref, List<String> pre, List<String> rej) {
        return new CaptionCheckConfig(min, max, lang, emo, ref, pre, rej);
    }

    static List<String> plus(List<String> l, String s) {
        List<String> out = new ArrayList<>(l);
        out.add(s);
        return out;
    }

    static List<String> reversed(List<String> l) {
        List<String> out = new ArrayList<>(l);
        java.util.Collections.reverse(out);
        return out;
    }

    @Test
    void defaultsAreAsDocumented() {
        assertEquals(12, D.minWords());
        assertEquals(400, D.maxWords());
        assertEquals("en", D.language());
        assertEquals(List.of(CaptionChecks.EMPTY, CaptionChecks.TRUNCATED, CaptionChecks.TOO_SHORT,
                CaptionChecks.WRONG_LANGUAGE, CaptionChecks.REFUSAL), D.rejectCodes());
        assertTrue(D.emotionWords().size() >= 40);
        assertFalse(D.emotionWords().contains("smiling"), "visible, not an inner feeling");
    }

    @Test
    void versionIsAShortStableHashOfEveryField() {
        String v = D.version();
        assertTrue(v.matches("[0-9a-f]{12}"), v);
        assertEquals(v, CaptionCheckConfig.defaults().version());
        assertEquals(v, with(12, 400, "en", new ArrayList<>(D.emotionWords()), D.refusalPatterns(), D.boilerplatePrefixes(),
                D.rejectCodes()).version(), "equal settings, equal version");
        // Pinned so an accidental change to a default list or to CHECKS_REVISION shows up here; update it deliberately.
        assertEquals("b01e77b4cd9e", v);

        List<UnaryOperator<CaptionCheckConfig>> changes = List.of(
                c -> with(13, c.maxWords(), c.language(), c.emotionWords(), c.refusalPatterns(), c.boilerplatePrefixes(), c.rejectCodes()),
                c -> with(c.minWords(), 401, c.language(), c.emotionWords(), c.refusalPatterns(), c.boilerplatePrefixes(), c.rejectCodes()),
                c -> with(c.minWords(), c.maxWords(), "de", c.emotionWords(), c.refusalPatterns(), c.boilerplatePrefixes(), c.rejectCodes()),
                c -> with(c.minWords(), c.maxWords(), c.language(), plus(c.emotionWords(), "gloomy"), c.refusalPatterns(),
                        c.boilerplatePrefixes(), c.rejectCodes()),
                c -> with(c.minWords(), c.maxWords(), c.language(), c.emotionWords(), plus(c.refusalPatterns(), "\\bI won't\\b"),
                        c.boilerplatePrefixes(), c.rejectCodes()),
                c -> with(c.minWords(), c.maxWords(), c.language(), c.emotionWords(), c.refusalPatterns(),
                        plus(c.boilerplatePrefixes(), "Answer:"), c.rejectCodes()),
                c -> with(c.minWords(), c.maxWords(), c.language(), c.emotionWords(), c.refusalPatterns(), c.boilerplatePrefixes(),
                        plus(c.rejectCodes(), CaptionChecks.TOO_LONG)),
                c -> with(c.minWords(), c.maxWords(), c.language(), reversed(c.emotionWords()), c.refusalPatterns(),
                        c.boilerplatePrefixes(), c.rejectCodes()));
        for (int i = 0; i < changes.size(); i++)
            assertNotEquals(v, changes.get(i).apply(D).version(), "change " + i);

        // Length-prefixed: moving a character between neighbouring entries or fields is a different config.
        CaptionCheckConfig a = with(1, 2, "en", List.of("ab", "c"), List.of(), List.of(), List.of());
        CaptionCheckConfig b = with(1, 2, "en", List.of("a", "bc"), List.of(), List.of(), List.of());
        CaptionCheckConfig c = with(1, 2, "en", List.of("abc"), List.of(), List.of(), List.of());
        CaptionCheckConfig e = with(1, 2, "en", List.of(), List.of("abc"), List.of(), List.of());
        assertEquals(4, List.of(a.version(), b.version(), c.version(), e.version()).stream().distinct().count());
    }

    @Test
    void listsAreCopied() {
        List<String> words = new ArrayList<>(List.of("happy"));
        CaptionCheckConfig c = with(1, 2, "en", words, List.of(), List.of(), List.of());
        String v = c.version();
        words.add("sad");
        assertEquals(List.of("happy"), c.emotionWords());
        assertEquals(v, c.version());
        assertThrows(UnsupportedOperationException.class, () -> c.emotionWords().add("x"));
    }

    @Test
    void badSettingsFailAtConstruction() {
        List<String> e = List.of();
        assertThrows(IllegalArgumentException.class, () -> with(-1, 2, "en", e, e, e, e));
        assertThrows(IllegalArgumentException.class, () -> with(5, 4, "en", e, e, e, e));
        IllegalArgumentException lang = assertThrows(IllegalArgumentException.class, () -> with(1, 2, "eng", e, e, e, e));
        assertTrue(lang.getMessage().contains("eng"), lang.getMessage());
        assertThrows(IllegalArgumentException.class, () -> with(1, 2, "en", List.of("very happy"), e, e, e));
        assertThrows(IllegalArgumentException.class, () -> with(1, 2, "en", List.of(""), e, e, e));
        IllegalArgumentException regex = assertThrows(IllegalArgumentException.class, () -> with(1, 2, "en", e, List.of("(unclosed"), e, e));
        assertTrue(regex.getMessage().contains("refusalPatterns"), regex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> with(1, 2, "en", e, e, List.of("[a-"), e));
        IllegalArgumentException code = assertThrows(IllegalArgumentException.class, () -> with(1, 2, "en", e, e, e, List.of("caption_bad")));
        assertTrue(code.getMessage().contains("caption_bad"), code.getMessage());
        assertThrows(NullPointerException.class, () -> with(1, 2, null, e, e, e, e));
        assertThrows(NullPointerException.class, () -> with(1, 2, "en", null, e, e, e));
        assertThrows(NullPointerException.class, () -> with(1, 2, "en", e, e, e, java.util.Arrays.asList("caption_empty", null)));
    }

    @Test
    void anEmptyConfigChecksOnlyStructure() {
        CaptionChecks bare = new CaptionChecks(with(0, Integer.MAX_VALUE, "en", List.of(), List.of(), List.of(), List.of()));
        CaptionChecks.Result r = bare.check("The video shows a happy man. I'm sorry", "stop");
        assertEquals(List.of(CaptionChecks.TRUNCATED), r.codes());
        assertTrue(r.keep(), "no reject codes, nothing rejects");
        assertEquals("The video shows a happy man. I'm sorry", r.caption());
    }
}
