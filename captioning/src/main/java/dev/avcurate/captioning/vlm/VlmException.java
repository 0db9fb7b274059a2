package dev.avcurate.captioning.vlm;

/** A request that did not produce a caption; {@link #code()} is the stable reason recorded in the captions table. */
public final class VlmException extends RuntimeException {
    /** The server answered, but not with a chat completion. Not retried: asking again gets the same. */
    public static final String BAD_RESPONSE = "vlm_bad_response";
    /** No answer within caption.vlm.timeout_s, on every attempt. */
    public static final String TIMEOUT = "vlm_timeout";
    /** The connection failed (refused, reset, DNS) on every attempt. */
    public static final String UNREACHABLE = "vlm_unreachable";
    /** The circuit breaker was open: the server failed too often in a row, so this clip was not sent. */
    public static final String UNAVAILABLE = "vlm_unavailable";
    /** The client could not send the request (e.g. an API key the HTTP client refuses as a header value). */
    public static final String CLIENT = "vlm_request_error";
    /** The frames could not be read from the video. */
    public static final String FRAMES = "frames_error";

    private final String code;

    public VlmException(String code, String detail) {
        super(detail);
        this.code = code;
    }

    /** HTTP status failures: vlm_http_429, vlm_http_500, ... */
    public static VlmException http(int status, String detail) {
        return new VlmException("vlm_http_" + status, detail);
    }

    public String code() {
        return code;
    }
}
