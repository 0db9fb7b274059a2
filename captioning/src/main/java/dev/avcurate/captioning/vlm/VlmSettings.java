package dev.avcurate.captioning.vlm;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.config.CurateConfig;
import java.io.Serializable;
import java.net.URI;
import java.util.Map;

/**
 * How to reach an OpenAI-compatible chat-completions server and how hard to try. The endpoint and
 * key follow the OpenAI SDK convention: {@code OPENAI_BASE_URL} and {@code OPENAI_API_KEY} in the
 * environment override the config. {@link #toString()} never shows the key.
 *
 * @param endpoint base URL ending before {@code /chat/completions}, e.g. {@code http://host:8000/v1}; empty = none
 */
public record VlmSettings(String endpoint, String model, String apiKey, String framesAs, int maxTokens, double temperature,
                          double timeoutS, int retries, double backoffS, double backoffMaxS, int taskConcurrency,
                          int executorConcurrency, int breakerFailures, double breakerCooldownS) implements Serializable {

    /** From the config, with the environment's OPENAI_BASE_URL / OPENAI_API_KEY winning when set. */
    public static VlmSettings from(CurateConfig cfg, Map<String, String> env) {
        String endpoint = nonBlank(env.get("OPENAI_BASE_URL"), cfg.get(CAPTION_VLM_ENDPOINT));
        String key = nonBlank(env.get("OPENAI_API_KEY"), cfg.get(CAPTION_VLM_API_KEY));
        return new VlmSettings(endpoint.strip(), cfg.get(CAPTION_VLM_MODEL), key, cfg.get(CAPTION_VLM_FRAMES_AS),
                cfg.get(CAPTION_VLM_MAX_TOKENS), cfg.get(CAPTION_VLM_TEMPERATURE), cfg.get(CAPTION_VLM_TIMEOUT_S),
                cfg.get(CAPTION_VLM_RETRIES), cfg.get(CAPTION_VLM_BACKOFF_S), cfg.get(CAPTION_VLM_BACKOFF_MAX_S),
                cfg.get(CAPTION_VLM_TASK_CONCURRENCY), cfg.get(CAPTION_VLM_EXECUTOR_CONCURRENCY),
                cfg.get(CAPTION_VLM_BREAKER_FAILURES), cfg.get(CAPTION_VLM_BREAKER_COOLDOWN_S));
    }

    private static String nonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b == null ? "" : b;
    }

    public boolean hasEndpoint() {
        return !endpoint.isBlank();
    }

    /** The chat-completions URL; a config error names the key when the endpoint is not a URL. */
    public URI chatUri() {
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        if (base.endsWith("/chat/completions")) base = base.substring(0, base.length() - "/chat/completions".length());
        try {
            URI u = URI.create(base + "/chat/completions");
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new dev.avcurate.core.config.ConfigException("caption.vlm.endpoint (or OPENAI_BASE_URL): '" + redactedEndpoint()
                    + "' is not an http(s) base URL such as http://host:8000/v1 (" + e.getMessage() + ")");
        }
    }

    /** The endpoint without any user:password part, for logs. */
    public String redactedEndpoint() {
        return endpoint.replaceFirst("//[^/@]*@", "//***@");
    }

    @Override
    public String toString() {
        return "VlmSettings[endpoint=" + redactedEndpoint() + ", model=" + model + ", apiKey=" + (apiKey.isEmpty() ? "none" : "(set)")
                + ", framesAs=" + framesAs + ", timeoutS=" + timeoutS + ", retries=" + retries + "]";
    }
}
