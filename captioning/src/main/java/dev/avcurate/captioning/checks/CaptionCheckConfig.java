package dev.avcurate.captioning.checks;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What the caption checks look for. A record so that a run's settings can be stored next to its
 * results and compared: {@link #version()} changes whenever anything here (or the checks' own logic,
 * via {@link #CHECKS_REVISION}) changes, which tells a stage that stored check results are stale.
 *
 * <p>Invalid settings fail here, at construction, rather than on the first caption in a Spark task:
 * every regex must compile, every reject code must be a known code, every emotion word must be a
 * single word (letters only) and the language must be one the detector can return.
 *
 * @param minWords           fewer words than this is {@code caption_too_short}
 * @param maxWords           more words than this is {@code caption_too_long}
 * @param language           the ISO 639-1 code captions are expected in (see {@link CaptionChecks#LANGUAGES})
 * @param emotionWords       words that state an inner feeling; matched whole-word, case-insensitively, with simple inflections
 * @param refusalPatterns    regexes (case-insensitive) searched for in the caption's first 200 characters
 * @param boilerplatePrefixes regexes (case-insensitive) matched at the start of the caption and stripped, repeatedly
 * @param rejectCodes        codes that make {@code keep} false; the others are flags only
 */
public record CaptionCheckConfig(
        int minWords,
        int maxWords,
        String language,
        List<String> emotionWords,
        List<String> refusalPatterns,
        List<String> boilerplatePrefixes,
        List<String> rejectCodes) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Part of {@link #version()}: raise it when the checks' logic changes (detector word lists,
     * inflection rules, truncation punctuation...), so that results stored by the old logic read as stale
     * even though no setting changed.
     */
    public static final int CHECKS_REVISION = 1;

    /**
     * Feelings a camera cannot see. Visible expressions and postures ("smiling", "frowning", "crying",
     * "relaxed posture", "calm", "tense", "focused", "surprised") are deliberately absent: they describe
     * what is on screen. So are words with a common non-emotional sense ("content", "determined", "love").
     */
    public static final List<String> DEFAULT_EMOTION_WORDS = List.of(
            "happy", "unhappy", "sad", "angry", "joyful", "glad", "excited", "enthusiastic", "nervous", "anxious",
            "confident", "proud", "worried", "scared", "afraid", "fearful", "frightened", "terrified", "frustrated",
            "annoyed", "irritated", "furious", "delighted", "cheerful", "pleased", "satisfied", "depressed", "lonely",
            "upset", "miserable", "heartbroken", "disappointed", "embarrassed", "ashamed", "jealous", "bored",
            "hopeful", "grateful", "insecure", "stressed", "emotional", "ecstatic", "elated", "melancholy");

    /** What VLMs say when they did not get, or would not describe, the video. */
    public static final List<String> DEFAULT_REFUSAL_PATTERNS = List.of(
            "\\bI(?:['’]m|\\s+am)\\s+sorry\\b",
            "\\bI\\s+apologi[sz]e\\b",
            "\\bI(?:\\s+(?:cannot|can\\s+not|can['’]?t|am\\s+(?:unable|not\\s+able))|['’]m\\s+(?:unable|not\\s+able))\\b",
            "\\bAs\\s+an\\s+AI\\b",
            "\\b(?:cannot|can\\s+not|can['’]t|unable\\s+to|not\\s+able\\s+to)\\s+(?:view|see|process|watch|access|analy[sz]e|play|open)"
                    + "\\s+(?:the\\s+|this\\s+|that\\s+|any\\s+)?(?:video|image|clip|footage|file|media)s?\\b",
            "\\bno\\s+(?:video|image|clip|footage|media)\\s+(?:was\\s+|has\\s+been\\s+|is\\s+)?(?:provided|attached|uploaded|shared|included|available)\\b",
            "\\bplease\\s+(?:provide|upload|share|attach)\\b");

    /**
     * The VLM's framing around the description. Each is matched at the start of the (remaining) caption;
     * reluctant parts are bounded so a pattern cannot scan far, whatever the caption's length.
     */
    public static final List<String> DEFAULT_BOILERPLATE_PREFIXES = List.of(
            "The\\s+video\\s+(?:shows|depicts|features|captures|presents)\\b",
            "In\\s+(?:this|the)\\s+video\\b,?",
            "This\\s+video\\s+(?:shows|depicts|features|captures)\\b",
            "The\\s+(?:image|clip|footage|scene)\\s+(?:shows|depicts|features|captures)\\b",
            "Sure\\b[!.,]?\\s*Here(?:\\s+is|['’]s)\\b[^:\\n]{0,200}?:",
            "Here(?:\\s+is|['’]s)\\s+(?:a|an|the)\\b[^:\\n]{0,200}?description[^:\\n]{0,200}?:",
            "Certainly\\b[!.,]?",
            "Description:",
            "Caption:");

    /** A caption failing any of these is not trained on; too long and emotion words are left to the user. */
    public static final List<String> DEFAULT_REJECT_CODES = List.of(
            CaptionChecks.EMPTY, CaptionChecks.TRUNCATED, CaptionChecks.TOO_SHORT,
            CaptionChecks.WRONG_LANGUAGE, CaptionChecks.REFUSAL);

    public CaptionCheckConfig {
        if (minWords < 0) throw new IllegalArgumentException("minWords must be >= 0, got " + minWords);
        if (maxWords < minWords)
            throw new IllegalArgumentException("maxWords (" + maxWords + ") must be >= minWords (" + minWords + ")");
        Objects.requireNonNull(language, "language");
        if (!CaptionChecks.LANGUAGES.contains(language))
            throw new IllegalArgumentException("language '" + language + "' is not one the detector knows: " + CaptionChecks.LANGUAGES);
        emotionWords = copy(emotionWords, "emotionWords");
        refusalPatterns = copy(refusalPatterns, "refusalPatterns");
        boilerplatePrefixes = copy(boilerplatePrefixes, "boilerplatePrefixes");
        rejectCodes = copy(rejectCodes, "rejectCodes");
        for (String w : emotionWords)
            if (!w.codePoints().allMatch(cp -> Character.isLetter(cp) || isMark(cp)) || w.isEmpty())
                throw new IllegalArgumentException("emotion word must be one word of letters only: '" + w + "'");
        checkRegexes(refusalPatterns, "refusalPatterns");
        checkRegexes(boilerplatePrefixes, "boilerplatePrefixes");
        for (String c : rejectCodes)
            if (!CaptionChecks.CODES.contains(c))
                throw new IllegalArgumentException("unknown reject code '" + c + "'; known: " + CaptionChecks.CODES);
    }

    /** English captions of 12 to 400 words, with the default word and pattern lists above. */
    public static CaptionCheckConfig defaults() {
        return new CaptionCheckConfig(12, 400, "en", DEFAULT_EMOTION_WORDS, DEFAULT_REFUSAL_PATTERNS,
                DEFAULT_BOILERPLATE_PREFIXES, DEFAULT_REJECT_CODES);
    }

    /**
     * 12 hex digits of SHA-256 over {@link #CHECKS_REVISION} and every field, each string length-prefixed
     * so no two configs serialize alike. Stable across JVMs and runs; list order counts (it is the order
     * codes and prefixes are applied in).
     */
    public String version() {
        StringBuilder sb = new StringBuilder("caption-checks;rev=").append(CHECKS_REVISION)
                .append(";min=").append(minWords).append(";max=").append(maxWords).append(';');
        str(sb, "language", List.of(language));
        str(sb, "emotion", emotionWords);
        str(sb, "refusal", refusalPatterns);
        str(sb, "boilerplate", boilerplatePrefixes);
        str(sb, "reject", rejectCodes);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void str(StringBuilder sb, String name, List<String> values) {
        sb.append(name).append('[').append(values.size()).append(']');
        for (String v : values) sb.append(v.length()).append(':').append(v);
        sb.append(';');
    }

    private static List<String> copy(List<String> l, String name) {
        Objects.requireNonNull(l, name);
        for (String s : l) Objects.requireNonNull(s, () -> name + " contains null");
        return List.copyOf(l);
    }

    private static void checkRegexes(List<String> regexes, String name) {
        for (String r : regexes) {
            try {
                Pattern.compile(r, CaptionChecks.REGEX_FLAGS);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(name + ": invalid regex '" + r + "': " + e.getDescription(), e);
            }
        }
    }

    static boolean isMark(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK || t == Character.ENCLOSING_MARK;
    }
}
