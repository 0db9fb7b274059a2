package dev.avcurate.captioning.vlm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The parts of a chat-completions answer the caption stage keeps: the first choice's text and
 * finish reason, and the token usage. Anything else in the body is ignored.
 */
public record ChatResponse(String content, String finishReason, long promptTokens, long completionTokens) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** @throws VlmException {@code vlm_bad_response} when the body is not a chat completion with text */
    public static ChatResponse parse(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new VlmException(VlmException.BAD_RESPONSE, "body is not JSON: " + snippet(body));
        }
        if (root == null || !root.isObject()) throw new VlmException(VlmException.BAD_RESPONSE, "body is not a JSON object: " + snippet(body));
        JsonNode choice = root.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        if (!content.isTextual()) {
            throw new VlmException(VlmException.BAD_RESPONSE, "no choices[0].message.content string in " + snippet(body));
        }
        JsonNode usage = root.path("usage");
        return new ChatResponse(content.asText(), choice.path("finish_reason").asText(""),
                usage.path("prompt_tokens").asLong(-1), usage.path("completion_tokens").asLong(-1));
    }

    /** The start of a body for an error message, printable. */
    static String snippet(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 200), java.nio.charset.StandardCharsets.UTF_8);
        return "'" + s.replaceAll("\\p{Cntrl}", " ") + (body.length > 200 ? "...'" : "'");
    }
}
