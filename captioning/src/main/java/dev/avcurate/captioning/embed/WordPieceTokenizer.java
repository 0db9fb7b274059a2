package dev.avcurate.captioning.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A BERT tokenizer read from a Hugging Face {@code tokenizer.json} (BertNormalizer, BertPreTokenizer,
 * WordPiece, template {@code [CLS] A [SEP]}), in plain Java so executors need no native tokenizers
 * library. It reproduces the Rust {@code tokenizers} crate id for id, including its quirks (the
 * CJK ranges, special tokens typed in the text), because the model was trained on those ids.
 * Immutable and thread-safe.
 */
public final class WordPieceTokenizer {
    private static final String SUBWORD_PREFIX = "##";

    private final Map<String, Integer> vocab;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int maxInputCharsPerWord;
    private final int longestVocabEntry;
    private final boolean cleanText;
    private final boolean handleChineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;
    /** Added tokens that match the raw text before normalization (HF {@code normalized: false}), e.g. "[SEP]". */
    private final Map<String, Integer> rawSpecialTokens;

    private WordPieceTokenizer(JsonNode json) {
        JsonNode model = json.path("model");
        JsonNode normalizer = json.path("normalizer");
        require(model.path("type").asText().equals("WordPiece"), "model.type is not WordPiece");
        require(normalizer.path("type").asText().equals("BertNormalizer"), "normalizer.type is not BertNormalizer");
        require(json.path("pre_tokenizer").path("type").asText().equals("BertPreTokenizer"), "pre_tokenizer.type is not BertPreTokenizer");
        require(model.path("continuing_subword_prefix").asText(SUBWORD_PREFIX).equals(SUBWORD_PREFIX), "subword prefix is not ##");

        vocab = new HashMap<>();
        int longest = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
            longest = Math.max(longest, e.getKey().codePointCount(0, e.getKey().length()));
        }
        longestVocabEntry = longest;
        unkId = id(model.path("unk_token").asText("[UNK]"));
        clsId = id("[CLS]");
        sepId = id("[SEP]");
        maxInputCharsPerWord = model.path("max_input_chars_per_word").asInt(100);

        cleanText = normalizer.path("clean_text").asBoolean(true);
        handleChineseChars = normalizer.path("handle_chinese_chars").asBoolean(true);
        lowercase = normalizer.path("lowercase").asBoolean(true);
        JsonNode strip = normalizer.path("strip_accents");
        stripAccents = strip.isBoolean() ? strip.asBoolean() : lowercase;

        rawSpecialTokens = new HashMap<>();
        for (JsonNode t : json.path("added_tokens")) {
            if (!t.path("normalized").asBoolean(false)) rawSpecialTokens.put(t.path("content").asText(), t.path("id").asInt());
        }
    }

    /** Reads a {@code tokenizer.json}; fails on one this class does not implement. */
    public static WordPieceTokenizer fromJson(InputStream json) throws IOException {
        return new WordPieceTokenizer(new ObjectMapper().readTree(json));
    }

    /**
     * Token ids of {@code [CLS] text [SEP]}, the text's tokens cut at the right so that the whole is at
     * most {@code maxTokens} long (as the HF tokenizer truncates with {@code max_length}).
     */
    public int[] encode(String text, int maxTokens) {
        if (maxTokens < 2) throw new IllegalArgumentException("maxTokens must leave room for [CLS] and [SEP]: " + maxTokens);
        List<Integer> ids = new ArrayList<>();
        tokenize(text, ids, maxTokens - 2);
        int[] out = new int[ids.size() + 2];
        out[0] = clsId;
        for (int i = 0; i < ids.size(); i++) out[i + 1] = ids.get(i);
        out[out.length - 1] = sepId;
        return out;
    }

    /** The text's tokens, special tokens excluded, up to {@code limit} of them. */
    private void tokenize(String text, List<Integer> ids, int limit) {
        int start = 0;
        for (int i = 0; i < text.length() && ids.size() < limit; ) {
            String special = rawSpecialTokenAt(text, i);
            if (special == null) {
                i++;
                continue;
            }
            tokenizeSegment(text.substring(start, i), ids, limit);
            if (ids.size() < limit) ids.add(rawSpecialTokens.get(special));
            i += special.length();
            start = i;
        }
        if (ids.size() < limit && start < text.length()) tokenizeSegment(text.substring(start), ids, limit);
    }

    /** The longest special token starting at {@code i}, or null. */
    private String rawSpecialTokenAt(String text, int i) {
        String found = null;
        for (String t : rawSpecialTokens.keySet()) {
            if (text.startsWith(t, i) && (found == null || t.length() > found.length())) found = t;
        }
        return found;
    }

    private void tokenizeSegment(String segment, List<Integer> ids, int limit) {
        String normalized = normalize(segment);
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < normalized.length() && ids.size() < limit; ) {
            int c = normalized.codePointAt(i);
            i += Character.charCount(c);
            if (isWhitespace(c) || isPunctuation(c)) {
                wordPiece(word.toString(), ids, limit);
                word.setLength(0);
                if (!isWhitespace(c)) wordPiece(Character.toString(c), ids, limit);
            } else {
                word.appendCodePoint(c);
            }
        }
        wordPiece(word.toString(), ids, limit);
    }

    /** BertNormalizer in the crate's order: clean, pad CJK, strip accents, lowercase. */
    private String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(c -> {
            if (cleanText) {
                if (c == 0 || c == 0xFFFD || isControl(c)) return;
                if (isWhitespace(c)) c = ' ';
            }
            if (handleChineseChars && isChineseChar(c)) {
                out.append(' ').appendCodePoint(c).append(' ');
            } else {
                out.appendCodePoint(c);
            }
        });
        String s = out.toString();
        if (stripAccents) {
            StringBuilder stripped = new StringBuilder(s.length());
            Normalizer.normalize(s, Normalizer.Form.NFD).codePoints()
                    .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
                    .forEach(stripped::appendCodePoint);
            s = stripped.toString();
        }
        if (lowercase) {
            // Per code point as the crate does: String.toLowerCase would turn a final Σ into ς.
            StringBuilder lower = new StringBuilder(s.length());
            s.codePoints().forEach(c -> lower.appendCodePoint(Character.toLowerCase(c)));
            s = lower.toString();
        }
        return s;
    }

    /** Greedy longest-match-first; a word with any piece missing from the vocabulary is one [UNK]. */
    private void wordPiece(String word, List<Integer> ids, int limit) {
        if (word.isEmpty()) return;
        int[] cps = word.codePoints().toArray();
        if (cps.length > maxInputCharsPerWord) {
            ids.add(unkId);
            return;
        }
        List<Integer> pieces = new ArrayList<>();
        for (int start = 0; start < cps.length; ) {
            Integer piece = null;
            int end = Math.min(cps.length, start + longestVocabEntry);
            for (; end > start; end--) {
                String sub = new String(cps, start, end - start);
                piece = vocab.get(start > 0 ? SUBWORD_PREFIX + sub : sub);
                if (piece != null) break;
            }
            if (piece == null) {
                ids.add(unkId);
                return;
            }
            pieces.add(piece);
            start = end;
        }
        for (int p : pieces) {
            if (ids.size() == limit) return;
            ids.add(p);
        }
    }

    /** Cc, Cf, Cn, Co, Cs except tab, newline and carriage return, which count as whitespace. */
    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') return false;
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED
                || t == Character.PRIVATE_USE || t == Character.SURROGATE;
    }

    /** Unicode White_Space, as Rust's char::is_whitespace (Java's isWhitespace leaves out no-break spaces). */
    private static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** Every ASCII symbol (so $, +, ^, | split words too) and the Unicode P* categories. */
    private static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The crate's ranges, which start Extension E at U+2B920 where Google's BERT has U+2B820. */
    private static boolean isChineseChar(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    private int id(String token) {
        Integer id = vocab.get(token);
        require(id != null, "vocab has no " + token);
        return id;
    }

    private static void require(boolean ok, String what) {
        if (!ok) throw new IllegalArgumentException("tokenizer.json: " + what);
    }
}
