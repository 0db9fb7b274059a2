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
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("faces");

    private final java.util.function.Function<List<VideoFrame>, List<List<Box>>> detector;
    private final java.util.function.Supplier<String> estimator;
    private final String detectorName;
    private final double clearScore;
    private final double clearMinPx;

    public FaceScorer(BlazeFace detector, double clearScore, double clearMinPx) {
        this(frames -> {
            List<List<Box>> out = new ArrayList<>();
            for (VideoFrame f : frames) out.add(detector.detect(f));
            return out;
        }, () -> "blazeface_front_128@" + detector.device(), "blazeface", clearScore, clearMinPx);
    }

    /**
     * With SCRFD (your export): its five keypoints are laid out as BlazeFace's six (eyes, nose,
     * mouth centre, the eyes again for the ears) for the scorers that read BlazeFace's layout (the
     * sync scorer's mouth), followed by SCRFD's own ten values for ArcFace alignment.
     */
    public static FaceScorer scrfd(dev.avcurate.filters.vision.ScrfdFaceDetector scrfd, double clearScore, double clearMinPx) {
        return new FaceScorer(frames -> {
            List<List<Box>> out = new ArrayList<>();
            for (List<Box> boxes : scrfd.detect(frames)) {
                List<Box> laid = new ArrayList<>();
                for (Box b : boxes) laid.add(blazeLayout(b));
                out.add(laid);
            }
            return out;
        }, scrfd::estimator, "scrfd", clearScore, clearMinPx);
    }

    /** SCRFD (left eye, right eye, nose, left and right mouth corners) in BlazeFace's order, then SCRFD's ten values. */
    static Box blazeLayout(Box b) {
        double[] k = b.keypoints();
        if (k == null || k.length != 10) return b;
        double[] out = new double[22];
        // Both list the eye on the image's left first (BlazeFace's "right eye" is the subject's right).
        double[] blaze = {k[0], k[1], k[2], k[3], k[4], k[5], (k[6] + k[8]) / 2, (k[7] + k[9]) / 2, k[0], k[1], k[2], k[3]};
        System.arraycopy(blaze, 0, out, 0, 12);
        System.arraycopy(k, 0, out, 12, 10);
        return new Box(b.x0(), b.y0(), b.x1(), b.y1(), b.score(), out);
    }

    /** @param detectorName the detector's short name, as later scorers' estimator columns cite it ("+blazeface", "+scrfd") */
    FaceScorer(java.util.function.Function<List<VideoFrame>, List<List<Box>>> detector, java.util.function.Supplier<String> estimator,
               String detectorName, double clearScore, double clearMinPx) {
        this.detector = detector;
        this.estimator = estimator;
        this.detectorName = detectorName;
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
        List<List<Box>> perFrame = clip.frames().isEmpty() ? List.of() : detector.apply(clip.frames());
        ctx.faces(perFrame, detectorName);
        summarize(clip, perFrame, out);
        String est = estimator.get();
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
