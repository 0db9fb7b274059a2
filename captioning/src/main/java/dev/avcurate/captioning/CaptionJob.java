package dev.avcurate.captioning;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.captioning.checks.CaptionCheckConfig;
import dev.avcurate.captioning.vlm.VlmSettings;
import dev.avcurate.core.config.CurateConfig;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Everything a caption task needs, resolved once on the driver and shipped to the executors:
 * where captions come from (a VLM, or the measured attributes), the prompt, the frame settings,
 * the checks and the embedding settings.
 *
 * @param prompt null when captions are composed from attributes
 */
public record CaptionJob(boolean useVlm, VlmSettings vlm, CaptionPrompt prompt, String model, String promptVersion, double fps, int minFrames,
                         int maxFrames, int maxPixels, int jpegQuality, double decodeTimeoutS, CaptionCheckConfig checks, boolean embed,
                         int embedMaxTokens, String onnxDevice, int onnxThreads) implements Serializable {

    /** The estimator recorded with each caption. */
    public String estimator() {
        return useVlm ? "vlm" : "attributes";
    }

    static CaptionJob of(CurateConfig cfg, VlmSettings vlm, boolean useVlm, CaptionPrompt prompt) {
        String model = useVlm ? vlm.model() : "attributes";
        String shape = String.format(Locale.ROOT, "%s|%s|%s|%s|%s|%s|%s|%s", vlm.framesAs(), cfg.get(CAPTION_VLM_FPS),
                cfg.get(CAPTION_VLM_MIN_FRAMES), cfg.get(CAPTION_VLM_MAX_FRAMES), cfg.get(CAPTION_VLM_MAX_PIXELS),
                cfg.get(CAPTION_VLM_JPEG_QUALITY), vlm.maxTokens(), vlm.temperature());
        String version = useVlm ? prompt.versionWith(shape) : ClipAttributes.COMPOSED_VERSION;
        return new CaptionJob(useVlm, vlm, prompt, model, version, cfg.get(CAPTION_VLM_FPS), cfg.get(CAPTION_VLM_MIN_FRAMES),
                cfg.get(CAPTION_VLM_MAX_FRAMES), cfg.get(CAPTION_VLM_MAX_PIXELS), cfg.get(CAPTION_VLM_JPEG_QUALITY),
                cfg.get(INGEST_TIMEOUT_S), checks(cfg), cfg.get(CAPTION_EMBED), cfg.get(CAPTION_EMBED_MAX_TOKENS),
                cfg.get(ONNX_DEVICE), cfg.get(ONNX_INTRA_OP_THREADS));
    }

    /** The checks of the config; an empty list keeps the built-in one. */
    static CaptionCheckConfig checks(CurateConfig cfg) {
        CaptionCheckConfig d = CaptionCheckConfig.defaults();
        return new CaptionCheckConfig(cfg.get(CAPTION_MIN_WORDS), cfg.get(CAPTION_MAX_WORDS), cfg.get(CAPTION_LANGUAGE),
                or(cfg.get(CAPTION_EMOTION_WORDS), d.emotionWords()), or(cfg.get(CAPTION_REFUSAL_PATTERNS), d.refusalPatterns()),
                or(cfg.get(CAPTION_STRIP_PREFIXES), d.boilerplatePrefixes()), cfg.get(CAPTION_REJECT));
    }

    private static List<String> or(List<String> v, List<String> d) {
        return v.isEmpty() ? d : v;
    }
}
