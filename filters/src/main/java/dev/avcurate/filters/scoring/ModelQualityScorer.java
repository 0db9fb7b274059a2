package dev.avcurate.filters.scoring;

import dev.avcurate.filters.vision.ClipAesthetic;
import dev.avcurate.filters.vision.DoverQuality;
import java.util.List;
import java.util.Map;

/**
 * The quality dimensions from the papers' models when configured: DOVER for
 * {@code quality_technical} (0..1) and its aesthetic view for {@code quality_aesthetic_dover}
 * (0..1), the LAION aesthetic predictor (CLIP ViT-L/14 + MLP head) for {@code quality_aesthetic}
 * (1..10); BRISQUE stays the technical score when DOVER is not configured. The two aesthetic
 * scores have different scales, so they never share a column. DOVER samples frames 2 apart at the source
 * rate: it reads the 25 fps sync clock when the decode has one, else the sampled frames (whose
 * wider spacing the estimator column records).
 */
public final class ModelQualityScorer implements Scorer {
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("quality");

    private final QualityScorer brisque;
    private final DoverQuality dover;
    private final ClipAesthetic aesthetic;

    /** @param brisque used when {@code dover} is null; any may be null but not all */
    public ModelQualityScorer(QualityScorer brisque, DoverQuality dover, ClipAesthetic aesthetic) {
        this.brisque = brisque;
        this.dover = dover;
        this.aesthetic = aesthetic;
    }

    @Override
    public String name() {
        return "quality";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (clip.frames().isEmpty()) return;
        if (dover != null) {
            boolean sync = !clip.syncFrames().isEmpty();
            DoverQuality.Result r = dover.score(sync ? clip.syncFrames() : clip.frames(), sync ? clip.syncFps() : clip.sampleFps());
            if (r != null) {
                String est = r.estimator() + (sync ? "" : "@" + clip.sampleFps() + "fps_sampled");
                out.put("quality_technical", r.technical());
                out.put("quality_technical_estimator", est);
                out.put("quality_aesthetic_dover", r.aesthetic());
                out.put("quality_aesthetic_dover_estimator", est);
            }
        } else if (brisque != null) {
            brisque.score(clip, ctx, out);
        }
        if (aesthetic != null) {
            ClipAesthetic.Result a = aesthetic.score(clip.frames());
            if (a != null) {
                out.put("quality_aesthetic", a.score());
                out.put("quality_aesthetic_estimator", a.estimator());
            }
        }
    }

    @Override
    public void close() {
        if (brisque != null) brisque.close();
    }
}
