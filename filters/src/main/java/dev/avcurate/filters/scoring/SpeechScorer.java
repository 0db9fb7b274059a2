package dev.avcurate.filters.scoring;

import dev.avcurate.filters.onnx.SileroVad;
import java.util.List;
import java.util.Map;

/** {@code speech_ratio}: share of 32 ms windows of the clip's audio that Silero VAD calls speech (probability at least {@code threshold}). */
public final class SpeechScorer implements Scorer {
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("speech");

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
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        scoreBatch(List.of(clip), List.of(ctx), List.of(out));
    }

    /** The clips' audio goes through Silero as one batch. */
    @Override
    public void scoreBatch(List<DecodedClip> clips, List<ClipContext> ctxs, List<Map<String, Object>> outs) {
        List<float[]> audio = new java.util.ArrayList<>();
        List<Integer> which = new java.util.ArrayList<>();
        for (int i = 0; i < clips.size(); i++) {
            float[] a = clips.get(i).audio();
            outs.get(i).put("speech_ratio_estimator", "silero_vad_v5@" + vad.device());
            if (a == null || a.length < SileroVad.WINDOW) {
                outs.get(i).put("speech_ratio", a == null ? null : 0.0);
                if (a != null) ctxs.get(i).speechProbabilities(new float[0]);
            } else {
                audio.add(a);
                which.add(i);
            }
        }
        if (audio.isEmpty()) return;
        List<float[]> probs = vad.probabilities(audio);
        for (int j = 0; j < probs.size(); j++) {
            float[] p = probs.get(j);
            ctxs.get(which.get(j)).speechProbabilities(p);
            int speech = 0;
            for (float v : p) if (v >= threshold) speech++;
            outs.get(which.get(j)).put("speech_ratio", speech / (double) p.length);
        }
    }
}
