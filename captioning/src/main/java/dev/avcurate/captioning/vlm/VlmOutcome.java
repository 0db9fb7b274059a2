package dev.avcurate.captioning.vlm;

import java.io.Serializable;

/**
 * How one caption request ended, with its accounting: tokens from the server's usage block,
 * latency of the last attempt and the whole request (retries and back-off included), attempts.
 *
 * @param httpStatus the last HTTP status seen, 0 when no answer came
 * @param errorCode  null when {@code ok}; else a stable code ({@link VlmException})
 */
public record VlmOutcome(boolean ok, String content, String finishReason, long promptTokens, long completionTokens, int attempts,
                         double latencyS, double totalS, int httpStatus, String errorCode, String errorDetail) implements Serializable {
    static VlmOutcome success(ChatResponse r, int attempts, double latencyS, double totalS, int status) {
        return new VlmOutcome(true, r.content(), r.finishReason(), r.promptTokens(), r.completionTokens(), attempts, latencyS, totalS,
                status, null, null);
    }

    static VlmOutcome failure(String code, String detail, int attempts, double latencyS, double totalS, int status) {
        return new VlmOutcome(false, null, null, -1, -1, attempts, latencyS, totalS, status, code, detail);
    }
}
