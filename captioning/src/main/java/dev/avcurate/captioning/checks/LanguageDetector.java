package dev.avcurate.captioning.checks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A language guess good enough to catch a VLM that answered in the prompt's other language or in its
 * own default (Qwen drifts into Chinese), without a model file or a dependency. Two steps:
 *
 * <ol>
 *   <li>Script shares over letters: Han/kana (kana present: ja, else zh), Hangul (ko), Cyrillic (ru),
 *       Arabic (ar), Greek (el), Hebrew (he), Devanagari (hi), Thai (th). Scripts shared by several
 *       languages get the most likely caption language; that is a limit, not a bug.</li>
 *   <li>For Latin script, function words: each token found in a language's list (~30 articles,
 *       prepositions, pronouns, auxiliaries) scores 1/k for each of the k languages listing it, so
 *       shared words ("de", "la", "in") split their weight and distinctive ones ("the", "und", "y") decide.</li>
 * </ol>
 *
 * Wrong-language rejections are expensive to get wrong, so the detector says "und" whenever it is not
 * sure: too few letters or words, no script holding {@value #MIN_SCRIPT_SHARE} of the letters, too few
 * function words, or a winner less than {@value #MIN_MARGIN} times the runner-up. Latin-script languages
 * outside the seven lists (Polish, Turkish, Vietnamese...) usually come out "und".
 */
final class LanguageDetector {
    private LanguageDetector() {}

    static final double MIN_SCRIPT_SHARE = 0.6;
    /** Han/kana characters needed to name a CJK language: about four words. */
    static final int MIN_CJK_LETTERS = 8;
    /** Letters needed in an alphabetic script. */
    static final int MIN_ALPHA_LETTERS = 20;
    /** Latin words needed before function words are trusted: "A man talks to the camera." (6) is "und". */
    static final int MIN_LATIN_TOKENS = 8;
    static final double MIN_FUNCTION_SCORE = 2.0;
    /** Function-word score per token; real prose sits at 0.3 to 0.5. */
    static final double MIN_FUNCTION_SHARE = 0.08;
    static final double MIN_MARGIN = 1.5;

    static final Map<String, List<String>> FUNCTION_WORDS = Map.of(
            "en", List.of("the", "a", "an", "and", "or", "but", "of", "in", "on", "at", "to", "from", "with", "by",
                    "into", "is", "are", "was", "were", "be", "has", "have", "his", "her", "their", "its", "he", "she",
                    "they", "it", "this", "that", "while", "who", "which"),
            "de", List.of("der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "und",
                    "oder", "ist", "sind", "mit", "von", "zu", "zum", "zur", "im", "auf", "aus", "bei", "sich",
                    "seine", "ihre", "er", "sie", "es", "nicht", "auch", "wird", "hat", "während"),
            "fr", List.of("le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "et", "ou", "est", "sont",
                    "dans", "sur", "avec", "pour", "par", "il", "elle", "ils", "elles", "son", "sa", "ses", "leur",
                    "qui", "que", "au", "aux", "ce", "cette", "en", "se", "pendant"),
            "es", List.of("el", "la", "los", "las", "un", "una", "unos", "unas", "y", "o", "de", "del", "al", "en",
                    "con", "por", "para", "es", "son", "está", "están", "su", "sus", "que", "se", "lo", "mientras",
                    "sobre", "hay", "este", "esta", "muy"),
            "it", List.of("il", "lo", "la", "i", "gli", "le", "un", "una", "uno", "e", "di", "del", "della", "dei",
                    "delle", "nel", "nella", "in", "con", "su", "per", "da", "è", "sono", "sta", "suo", "sua", "che",
                    "si", "mentre", "al", "alla"),
            "pt", List.of("o", "a", "os", "as", "um", "uma", "e", "de", "do", "da", "dos", "das", "em", "no", "na",
                    "nos", "nas", "com", "por", "para", "é", "são", "está", "seu", "sua", "que", "se", "ao",
                    "enquanto", "pelo", "pela"),
            "nl", List.of("de", "het", "een", "en", "of", "van", "in", "op", "met", "aan", "voor", "door", "is",
                    "zijn", "was", "heeft", "hij", "zij", "ze", "haar", "hun", "die", "dat", "deze", "dit", "niet",
                    "ook", "bij", "naar", "uit", "wordt", "terwijl"));

    private static final List<String> LATIN_LANGUAGES = List.of("en", "de", "fr", "es", "it", "pt", "nl");
    /** Token -> weight per language, in {@link #LATIN_LANGUAGES} order. */
    private static final Map<String, double[]> WEIGHTS = weights();

    private enum Script { LATIN, CJ, HANGUL, CYRILLIC, ARABIC, GREEK, HEBREW, DEVANAGARI, THAI, OTHER }

    private static final String[] SCRIPT_LANGUAGE = {null, null, "ko", "ru", "ar", "el", "he", "hi", "th", null};

    /**
     * @param text   the cleaned caption
     * @param tokens its lowercase letter runs ({@link CaptionChecks#letterTokens})
     */
    static String detect(String text, List<String> tokens) {
        int[] counts = new int[Script.values().length];
        int kana = 0;
        int letters = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) continue;
            letters++;
            Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
            Script s = switch (sc) {
                case LATIN -> Script.LATIN;
                case HAN -> Script.CJ;
                case HIRAGANA, KATAKANA -> {
                    kana++;
                    yield Script.CJ;
                }
                case HANGUL -> Script.HANGUL;
                case CYRILLIC -> Script.CYRILLIC;
                case ARABIC -> Script.ARABIC;
                case GREEK -> Script.GREEK;
                case HEBREW -> Script.HEBREW;
                case DEVANAGARI -> Script.DEVANAGARI;
                case THAI -> Script.THAI;
                default -> Script.OTHER;
            };
            counts[s.ordinal()]++;
        }
        if (letters == 0) return CaptionChecks.UNDETERMINED;
        Script top = Script.LATIN;
        for (Script s : Script.values()) if (counts[s.ordinal()] > counts[top.ordinal()]) top = s;
        int n = counts[top.ordinal()];
        if (n < MIN_SCRIPT_SHARE * letters) return CaptionChecks.UNDETERMINED;
        switch (top) {
            case CJ:
                if (n < MIN_CJK_LETTERS) return CaptionChecks.UNDETERMINED;
                return kana >= 0.1 * n ? "ja" : "zh";
            case LATIN:
                return n < MIN_ALPHA_LETTERS ? CaptionChecks.UNDETERMINED : latin(tokens);
            case OTHER:
                return CaptionChecks.UNDETERMINED;
            default:
                return n < MIN_ALPHA_LETTERS ? CaptionChecks.UNDETERMINED : SCRIPT_LANGUAGE[top.ordinal()];
        }
    }

    private static String latin(List<String> tokens) {
        double[] score = new double[LATIN_LANGUAGES.size()];
        int latinTokens = 0;
        for (String t : tokens) {
            if (Character.UnicodeScript.of(t.codePointAt(0)) != Character.UnicodeScript.LATIN) continue;
            latinTokens++;
            double[] w = WEIGHTS.get(t);
            if (w != null) for (int i = 0; i < score.length; i++) score[i] += w[i];
        }
        if (latinTokens < MIN_LATIN_TOKENS) return CaptionChecks.UNDETERMINED;
        int best = 0;
        for (int i = 1; i < score.length; i++) if (score[i] > score[best]) best = i;
        double second = 0;
        for (int i = 0; i < score.length; i++) if (i != best) second = Math.max(second, score[i]);
        double b = score[best];
        if (b < MIN_FUNCTION_SCORE || b < MIN_FUNCTION_SHARE * latinTokens || b < MIN_MARGIN * second)
            return CaptionChecks.UNDETERMINED;
        return LATIN_LANGUAGES.get(best);
    }

    private static Map<String, double[]> weights() {
        Map<String, double[]> w = new HashMap<>();
        for (int i = 0; i < LATIN_LANGUAGES.size(); i++)
            for (String word : FUNCTION_WORDS.get(LATIN_LANGUAGES.get(i)))
                w.computeIfAbsent(word, k -> new double[LATIN_LANGUAGES.size()])[i] = 1;
        for (double[] v : w.values()) {
            double k = 0;
            for (double x : v) k += x;
            for (int i = 0; i < v.length; i++) v[i] /= k;
        }
        return Map.copyOf(w);
    }
}
