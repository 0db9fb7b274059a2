package dev.avcurate.filters.scoring;

import dev.avcurate.filters.onnx.SileroVad;
import java.util.List;
import java.util.Map;

/** {@code speech_ratio}: share of 32 ms windows of the clip's audio that Silero VAD calls speech (probability at least {@code threshold}). */
public final class SpeechScorer implements Scorer {
    private final SileroVad vad;
    private final double threshold;

    public SpeechScorer(SileroVad vad, double threshold) {
        this.vad = vad;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "speech";
    }

    @Override
    public List<String> columns() {
        return List.of("speech_ratio");
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (clip.audio() == null || clip.audio().length < SileroVad.WINDOW) {
            out.put("speech_ratio", clip.audio() == null ? null : 0.0);
        } else {
            float[] p = vad.probabilities(clip.audio());
            int speech = 0;
            for (float v : p) if (v >= threshold) speech++;
            out.put("speech_ratio", speech / (double) p.length);
        }
        out.put("speech_ratio_estimator", "silero_vad_v5@" + vad.device());
    }
}
