package dev.avcurate.filters.scoring;

import java.util.List;
import java.util.Map;

/** {@code brightness_mean}: mean Rec. 601 luma over the sampled frames, 0..255 (Koala-36M's low-brightness filter). */
public final class BrightnessScorer implements Scorer {
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("brightness");

    @Override
    public String name() {
        return "brightness";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (clip.frames().isEmpty()) return;
        double sum = 0;
        for (VideoFrame f : clip.frames()) sum += f.meanLuma();
        out.put("brightness_mean", sum / clip.frames().size());
        out.put("brightness_mean_estimator", "luma_mean_bt601");
    }
}
