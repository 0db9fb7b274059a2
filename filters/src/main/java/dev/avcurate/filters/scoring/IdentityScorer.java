package dev.avcurate.filters.scoring;

import dev.avcurate.filters.vision.ArcFaceEmbedder;
import dev.avcurate.filters.vision.IdentityClusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code identity_count}: how many different people show their face in the clip, from ArcFace
 * embeddings of the SCRFD faces (aligned on SCRFD's five keypoints) clustered by cosine. Tells a
 * dialogue from one speaker filmed twice, for the SFT selection; the same embeddings give CSIM
 * in evaluation. Needs the faces scorer with {@code score.face.estimator: scrfd}. Faces of at
 * most {@link #MAX_FRAMES} frames, evenly spread, are embedded in one batch.
 */
public final class IdentityScorer implements Scorer {
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("identity");
    static final int MAX_FRAMES = 8;

    private final ArcFaceEmbedder arcface;
    private final double threshold;

    public IdentityScorer(ArcFaceEmbedder arcface, double threshold) {
        this.arcface = arcface;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (ctx.faces() == null || clip.frames().isEmpty()) return;
        int n = clip.frames().size();
        List<VideoFrame> frames = new ArrayList<>();
        List<Box> faces = new ArrayList<>();
        for (int k = 0; k < Math.min(MAX_FRAMES, n); k++) {
            int i = (int) ((k + 0.5) * n / Math.min(MAX_FRAMES, n));
            for (Box b : ctx.faces().get(i)) {
                double[] kp = b.keypoints();
                // SCRFD's own five points follow the BlazeFace-layout twelve (FaceScorer.scrfd).
                if (kp == null || kp.length != 22) continue;
                frames.add(clip.frames().get(i));
                faces.add(new Box(b.x0(), b.y0(), b.x1(), b.y1(), b.score(), Arrays.copyOfRange(kp, 12, 22)));
            }
        }
        out.put("identity_count", faces.isEmpty() ? 0.0 : (double) IdentityClusters.count(List.of(arcface.embed(frames, faces)), threshold, 1));
        out.put("identity_count_estimator", arcface.estimator() + "+cosine>=" + threshold);
    }
}
