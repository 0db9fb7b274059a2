package dev.avcurate.filters.scoring;

import dev.avcurate.filters.onnx.BlazeFace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Faces with BlazeFace on every sampled frame: {@code face_frames_ratio}, {@code max_faces},
 * {@code face_area_ratio} (median over frames with a face of the largest box's share of the
 * frame) and {@code clear_face_run_s}, the longest run of consecutive sampled frames with a clear
 * face (score at least {@code clearScore}, short side at least {@code clearMinPx}): the recipe's
 * "continuous clear face". Leaves the boxes in the context for sharpness and occlusion.
 */
public final class FaceScorer implements Scorer {
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = List.of("face_frames_ratio", "max_faces", "face_area_ratio", "clear_face_run_s");

    private final BlazeFace detector;
    private final double clearScore;
    private final double clearMinPx;

    public FaceScorer(BlazeFace detector, double clearScore, double clearMinPx) {
        this.detector = detector;
        this.clearScore = clearScore;
        this.clearMinPx = clearMinPx;
    }

    @Override
    public String name() {
        return "faces";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        List<List<Box>> perFrame = new ArrayList<>();
        for (VideoFrame f : clip.frames()) perFrame.add(detector.detect(f));
        ctx.faces(perFrame);
        summarize(clip, perFrame, out);
        String est = "blazeface_front_128@" + detector.device();
        for (String c : columns()) out.put(c + "_estimator", est);
    }

    void summarize(DecodedClip clip, List<List<Box>> perFrame, Map<String, Object> out) {
        int withFace = 0, maxFaces = 0, run = 0, bestRun = 0;
        List<Double> areas = new ArrayList<>();
        for (int i = 0; i < perFrame.size(); i++) {
            List<Box> boxes = perFrame.get(i);
            VideoFrame f = clip.frames().get(i);
            maxFaces = Math.max(maxFaces, boxes.size());
            boolean clear = false;
            if (!boxes.isEmpty()) {
                withFace++;
                double best = 0;
                for (Box b : boxes) {
                    best = Math.max(best, b.clip(f.width(), f.height()).area());
                    if (b.score() >= clearScore && Math.min(b.width(), b.height()) >= clearMinPx) clear = true;
                }
                areas.add(best / ((double) f.width() * f.height()));
            }
            run = clear ? run + 1 : 0;
            bestRun = Math.max(bestRun, run);
        }
        int n = perFrame.size();
        out.put("face_frames_ratio", n == 0 ? null : withFace / (double) n);
        out.put("max_faces", (double) maxFaces);
        out.put("face_area_ratio", areas.isEmpty() ? 0.0 : SharpnessScorer.median(areas));
        out.put("clear_face_run_s", bestRun / clip.sampleFps());
    }
}
