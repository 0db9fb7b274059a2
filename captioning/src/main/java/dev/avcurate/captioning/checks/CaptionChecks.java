package dev.avcurate.captioning.checks;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks one VLM caption before it becomes training text. A bad caption costs more than a missing one:
 * a refusal, a truncated sentence or a caption in the wrong language is learned as if it described the
 * clip, and "The video shows" framing or "happy"/"nervous" (a feeling no camera sees) teaches the
 * generator to expect words that are not grounded in pixels.
 *
 * <p>The cleaned caption is the input trimmed, with boilerplate prefixes stripped and the next letter
 * capitalized, and nothing else: markup, entities, quotes and control characters stay byte for byte.
 * The caption is data to be stored, never rendered or interpreted here, and silently "fixing" it would
 * hide what the model actually produced. Every code a caption earns is listed (not just the first),
 * so a stage can report why captions fail; which codes reject is the config's choice.
 *
 * <p>All work is linear in the caption's length: the regexes only ever see a bounded window (the first
 * 200 characters for refusals, 400 from the current start for each prefix), and the word, language and
 * emotion checks are single passes. A 1 MB caption takes about 0.1 s.
 *
 * <p>Thread-safe and serializable (for Spark closures): all state is immutable after construction.
 */
public final class CaptionChecks implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Null, blank, or nothing left after stripping boilerplate. The other text checks are then skipped. */
    public static final String EMPTY = "caption_empty";
    /** The server stopped at its token limit ({@code finish_reason} "length" or "max_tokens"), or the text ends mid-sentence. */
    public static final String TRUNCATED = "caption_truncated";
    public static final String TOO_SHORT = "caption_too_short";
    public static final String TOO_LONG = "caption_too_long";
    /** The detector is confident the caption is in another language than configured ("und" never flags). */
    public static final String WRONG_LANGUAGE = "caption_wrong_language";
    public static final String EMOTION_WORDS = "caption_emotion_words";
    public static final String REFUSAL = "caption_refusal";
    /** A boilerplate prefix was stripped; informative, the cleaned caption no longer has it. */
    public static final String BOILERPLATE = "caption_boilerplate";

    /** Every code, in the order {@link Result#codes()} lists them. */
    public static final List<String> CODES =
            List.of(EMPTY, TRUNCATED, TOO_SHORT, TOO_LONG, WRONG_LANGUAGE, EMOTION_WORDS, REFUSAL, BOILERPLATE);

    /** What the language detector can return, besides {@link #UNDETERMINED}. */
    public static final List<String> LANGUAGES =
            List.of("en", "de", "fr", "es", "it", "pt", "nl", "zh", "ja", "ko", "ru", "ar", "el", "he", "hi", "th");
    /** The detector's answer when it is not confident: too little text, mixed scripts, no clear winner. */
    public static final String UNDETERMINED = "und";

    static final int REGEX_FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    /** Refusals are opening lines; searching only the start keeps this cheap and avoids hits deep in a real description. */
    static final int REFUSAL_WINDOW = 200;
    /** The most text one prefix pattern can see, from where the caption (so far) starts. */
    static final int PREFIX_WINDOW = 400;
    /** Stacked prefixes are stripped at most this many times (each strip removes at least one character anyway). */
    static final int MAX_STRIPS = 16;

    /**
     * The outcome for one caption.
     *
     * @param caption   the cleaned caption; "" for null input, never null
     * @param codes     every failed check, in {@link #CODES} order
     * @param keep      false when any code is one of the config's reject codes
     * @param wordCount whitespace-separated tokens with a letter or digit, plus CJK characters / 2 (rounded up)
     * @param language  the detected language, or "und"
     */
    public record Result(String caption, List<String> codes, boolean keep, int wordCount, String language)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        public Result {
            codes = List.copyOf(codes);
        }
    }

    private final CaptionCheckConfig config;
    private final List<Pattern> boilerplate;
    private final List<Pattern> refusals;
    private final Set<String> emotionForms;
    private final Set<String> reject;

    public CaptionChecks(CaptionCheckConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.boilerplate = compile(config.boilerplatePrefixes());
        this.refusals = compile(config.refusalPatterns());
        Set<String> forms = new HashSet<>();
        for (String w : config.emotionWords()) forms.addAll(EmotionWords.inflections(normalize(w.toLowerCase(Locale.ROOT))));
        this.emotionForms = Set.copyOf(forms);
        this.reject = Set.copyOf(config.rejectCodes());
    }

    public CaptionCheckConfig config() {
        return config;
    }

    /**
     * @param rawCaption   the model's text as returned; may be null
     * @param finishReason the server's {@code finish_reason}; may be null
     */
    public Result check(String rawCaption, String finishReason) {
        Set<String> found = new HashSet<>();
        if (finishReason != null) {
            String f = finishReason.strip();
            if (f.equalsIgnoreCase("length") || f.equalsIgnoreCase("max_tokens")) found.add(TRUNCATED);
        }
        String text = rawCaption == null ? "" : trim(rawCaption);
        String caption = stripBoilerplate(text);
        if (caption.length() != text.length()) found.add(BOILERPLATE);

        int words = 0;
        String language = UNDETERMINED;
        if (caption.isEmpty()) {
            found.add(EMPTY);
        } else {
            if (!endsSentence(caption)) found.add(TRUNCATED);
            words = wordCount(caption);
            if (words < config.minWords()) found.add(TOO_SHORT);
            if (words > config.maxWords()) found.add(TOO_LONG);
            List<String> tokens = letterTokens(caption);
            language = LanguageDetector.detect(caption, tokens);
            if (!language.equals(UNDETERMINED) && !language.equals(config.language())) found.add(WRONG_LANGUAGE);
            for (String t : tokens) {
                if (emotionForms.contains(t)) {
                    found.add(EMOTION_WORDS);
                    break;
                }
            }
            if (isRefusal(caption)) found.add(REFUSAL);
        }
        List<String> codes = new ArrayList<>(found.size());
        boolean keep = true;
        for (String c : CODES) {
            if (found.contains(c)) {
                codes.add(c);
                if (reject.contains(c)) keep = false;
            }
        }
        return new Result(caption, codes, keep, words, language);
    }

    /**
     * Strips stacked prefixes ("Sure! Here's a description: The video shows a man" becomes "A man"). After
     * each match, whitespace and a separator (: , ;) are dropped too; once anything was stripped the first
     * character is title-cased if it is a lowercase letter (only that one code point, so a caption that
     * goes on with a quote or digit is left as it is).
     */
    String stripBoilerplate(String text) {
        int start = 0;
        for (int n = 0; n < MAX_STRIPS && start < text.length(); n++) {
            int end = -1;
            int windowEnd = safeEnd(text, Math.min(text.length(), start + PREFIX_WINDOW));
            for (Pattern p : boilerplate) {
                Matcher m = p.matcher(text).region(start, windowEnd).useTransparentBounds(true);
                if (m.lookingAt() && m.end() > start) {
                    end = m.end();
                    break;
                }
            }
            if (end < 0) break;
            start = end;
            while (start < text.length()) {
                int cp = text.codePointAt(start);
                if (!isSpace(cp) && cp != ':' && cp != ',' && cp != ';') break;
                start += Character.charCount(cp);
            }
        }
        if (start == 0) return text;
        String rest = text.substring(start);
        if (rest.isEmpty()) return rest;
        int cp = rest.codePointAt(0);
        if (!Character.isLowerCase(cp)) return rest;
        return new StringBuilder(rest.length()).appendCodePoint(Character.toTitleCase(cp))
                .append(rest, Character.charCount(cp), rest.length()).toString();
    }

    private boolean isRefusal(String caption) {
        int end = safeEnd(caption, Math.min(caption.length(), REFUSAL_WINDOW));
        for (Pattern p : refusals) {
            Matcher m = p.matcher(caption).region(0, end).useTransparentBounds(true);
            if (m.find()) return true;
        }
        return false;
    }

    /**
     * Sentence-final punctuation, closing quotes and brackets that may follow it, and the full stops of
     * the scripts the detector knows (CJK, Arabic, Urdu, Devanagari, Greek). An ellipsis character, an
     * emoji, markup or a control character at the end reads as cut off.
     */
    private static final String SENTENCE_END = ".!?\"')]"
            + "\u3002\uFF01\uFF1F\uFF0E\uFF61"   // 。！？．｡
            + "\u201D\u2019\u00BB\u300D\u300F\uFF09\uFF3D" // ” ’ » 」 』 ） ］
            + "\u061F\u06D4\u0964\u0965\u037E";   // ؟ ۔ । ॥ ;

    static boolean endsSentence(String caption) {
        int cp = caption.codePointBefore(caption.length());
        return SENTENCE_END.indexOf(cp) >= 0;
    }

    /**
     * Whitespace-separated tokens that contain a letter or digit (so a lone "—" or emoji is not a word). Han, kana and Hangul characters are not separated by spaces (or, in
     * Korean, spaced per phrase), so each is a token breaker and they count as characters / 2 words,
     * rounded up: about what a Chinese or Japanese word averages, and the same length budget as English.
     */
    static int wordCount(CharSequence s) {
        int tokens = 0;
        int cjk = 0;
        boolean wordy = false;
        for (int i = 0; i < s.length(); ) {
            int cp = Character.codePointAt(s, i);
            i += Character.charCount(cp);
            boolean han = isCjk(cp);
            if (han || isSpace(cp)) {
                if (wordy) tokens++;
                wordy = false;
                if (han) cjk++;
            } else if (Character.isLetterOrDigit(cp)) {
                wordy = true;
            }
        }
        if (wordy) tokens++;
        return tokens + (cjk + 1) / 2;
    }

    /** Runs of letters (and their combining marks), lowercased and NFC-normalized: the units word lists are matched against. */
    static List<String> letterTokens(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        boolean ascii = true;
        for (int i = 0; i <= s.length(); ) {
            int cp = i < s.length() ? s.codePointAt(i) : -1;
            boolean letter = cp >= 0 && (Character.isLetter(cp) || (start >= 0 && CaptionCheckConfig.isMark(cp)));
            if (letter) {
                if (start < 0) {
                    start = i;
                    ascii = true;
                }
                if (cp > 0x7F) ascii = false;
            } else if (start >= 0) {
                String t = s.substring(start, i).toLowerCase(Locale.ROOT);
                out.add(ascii ? t : normalize(t));
                start = -1;
            }
            i += cp >= 0 ? Character.charCount(cp) : 1;
        }
        return out;
    }

    static boolean isCjk(int cp) {
        if (cp < 0x1100) return false;
        Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
        return sc == Character.UnicodeScript.HAN || sc == Character.UnicodeScript.HIRAGANA
                || sc == Character.UnicodeScript.KATAKANA || sc == Character.UnicodeScript.HANGUL;
    }

    /** Java's whitespace plus Unicode space separators (no-break and ideographic spaces). Not control characters. */
    static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    static String trim(String s) {
        int b = 0;
        int e = s.length();
        while (b < e) {
            int cp = s.codePointAt(b);
            if (!isSpace(cp)) break;
            b += Character.charCount(cp);
        }
        while (e > b) {
            int cp = s.codePointBefore(e);
            if (!isSpace(cp)) break;
            e -= Character.charCount(cp);
        }
        return s.substring(b, e);
    }

    private static String normalize(String s) {
        return Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s : Normalizer.normalize(s, Normalizer.Form.NFC);
    }

    /** Keeps a window from ending between the halves of a surrogate pair. */
    private static int safeEnd(String s, int end) {
        return end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1)) ? end + 1 : end;
    }

    private static List<Pattern> compile(List<String> regexes) {
        List<Pattern> out = new ArrayList<>(regexes.size());
        for (String r : regexes) out.add(Pattern.compile(r, REGEX_FLAGS));
        return List.copyOf(out);
    }
}
