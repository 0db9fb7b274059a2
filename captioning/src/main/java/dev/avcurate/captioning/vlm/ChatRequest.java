package dev.avcurate.captioning.vlm;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The JSON body of one chat-completions request as vLLM and SGLang take it for Qwen2.5-VL: a
 * system message, then a user message whose content is the frames followed by the text. Frames go
 * either as one {@code video_url} part whose URL is {@code data:video/jpeg;base64,<f1>,<f2>,...}
 * (vLLM splits it at the commas and treats the frames as one video) or as one {@code image_url}
 * part per frame. Written by hand into one buffer: a request carries megabytes of base64 and a
 * tree of nodes would copy it twice.
 */
public final class ChatRequest {
    private ChatRequest() {}

    public static byte[] body(String model, String system, String userText, List<byte[]> jpegs, String framesAs, int maxTokens,
                              double temperature) {
        long b64 = 0;
        for (byte[] j : jpegs) b64 += 4L * ((j.length + 2) / 3) + 1;
        StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, b64 + system.length() + userText.length() + 512));
        sb.append("{\"model\":");
        string(sb, model);
        sb.append(",\"messages\":[{\"role\":\"system\",\"content\":");
        string(sb, system);
        sb.append("},{\"role\":\"user\",\"content\":[");
        Base64.Encoder enc = Base64.getEncoder();
        if (framesAs.equals("image_url")) {
            for (byte[] j : jpegs) {
                sb.append("{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/jpeg;base64,").append(enc.encodeToString(j)).append("\"}},");
            }
        } else {
            sb.append("{\"type\":\"video_url\",\"video_url\":{\"url\":\"data:video/jpeg;base64,");
            for (int i = 0; i < jpegs.size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(enc.encodeToString(jpegs.get(i)));
            }
            sb.append("\"}},");
        }
        sb.append("{\"type\":\"text\",\"text\":");
        string(sb, userText);
        sb.append("}]}],\"max_tokens\":").append(maxTokens).append(",\"temperature\":").append(temperature).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal: quotes, backslashes and every control character escaped. */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
