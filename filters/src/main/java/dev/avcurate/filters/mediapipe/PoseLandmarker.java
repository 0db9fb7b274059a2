package dev.avcurate.filters.mediapipe;

import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * MediaPipe Pose (BlazePose) on the sampled frames of a clip, with MediaPipe's pre- and
 * post-processing: the person detector ({@code pose_detection.tflite}, 224 px letterbox, [-1, 1])
 * gives boxes with 4 keypoints (hip centre, full-body scale point, shoulder centre, upper-body
 * scale point); each detection becomes a region centred on the hip centre, twice the distance to
 * the scale point on a side, rotated so that hips -> scale point is vertical, then squared and
 * scaled 1.25x; the landmark model ({@code pose_landmark_{lite,full,heavy}.tflite}, 256 px, [0, 1])
 * gives 33 landmarks (x, y, z, visibility, presence) plus two auxiliary ones (centre and scale
 * point) from which the next frame's region is derived the same way (tracking). The detector runs
 * on the first frame, every {@code detectEvery} sampled frames, and whenever no person is tracked.
 *
 * <p>MediaPipe's pose graph is single-person; here each detection (up to {@code maxPoses}) gets its
 * own landmark pass and track, on the frame with the other people blacked out (pixels nearer
 * another person's face centre or last nose position), and poses whose boxes overlap by more than
 * IoU 0.5 are merged (the higher presence kept). A tracked person the detector misses on a
 * detection frame keeps its track. Not done: the heatmap refinement of landmark positions and the
 * one-euro smoothing (frames here are 200 ms apart). The models are shared ({@link TfLiteModels});
 * this class holds no native memory.
 */
public final class PoseLandmarker {
    public static final int DETECTOR_SIZE = 224, LANDMARK_SIZE = 256;
    /** Pose detector keypoints: hip centre, full-body scale point. */
    static final int HIP_CENTRE = 0, FULL_BODY_SCALE = 1;
    static final double ROI_SCALE = 1.25, TARGET_ANGLE = Math.PI / 2, MERGE_IOU = 0.5;

    private final TfLiteModel detector;
    private final TfLiteModel landmarks;
    private final String variant;
    private final SsdDecoder decoder;
    private final double minPresence;
    private final int detectEvery;
    private final int maxPoses;

    /**
     * @param variant      lite, full or heavy (named in the estimator)
     * @param minDetection detector score threshold (MediaPipe: 0.5)
     * @param minPresence  pose-presence threshold of the landmark model (MediaPipe: 0.5)
     */
    public PoseLandmarker(TfLiteModel detector, TfLiteModel landmarks, String variant, double minDetection, double minPresence,
                          int detectEvery, int maxPoses) {
        this.detector = detector;
        this.landmarks = landmarks;
        this.variant = variant;
        this.decoder = new SsdDecoder(SsdAnchors.POSE, 4, minDetection, 0.3);
        this.minPresence = minPresence;
        this.detectEvery = Math.max(1, detectEvery);
        this.maxPoses = maxPoses;
    }

    public String estimator() {
        return "mediapipe_pose_" + variant + "@cpu";
    }

    /** Person detections with their keypoints in frame pixels (box as a Box; keypoints x, y pairs), best first. */
    public List<Box> detect(VideoFrame f) {
        Roi lb = Roi.letterbox(f.width(), f.height());
        float[][] out = detector.run(lb.crop(f, DETECTOR_SIZE, -1f, 1f), "Identity", "Identity_1");
        List<Box> boxes = new ArrayList<>();
        for (Detection d : decoder.detect(out[0], out[1], maxPoses)) boxes.add(toFrame(d, lb));
        return boxes;
    }

    /** A normalized detection of a letterboxed input, in frame pixels. */
    static Box toFrame(Detection d, Roi lb) {
        double[] p0 = lb.project(d.xmin(), d.ymin()), p1 = lb.project(d.xmax(), d.ymax());
        double[] kp = new double[d.keypoints().length];
        for (int k = 0; k < kp.length; k += 2) {
            double[] p = lb.project(d.keypoints()[k], d.keypoints()[k + 1]);
            kp[k] = p[0];
            kp[k + 1] = p[1];
        }
        return new Box(p0[0], p0[1], p1[0], p1[1], d.score(), kp);
    }

    /** The landmark model's region for a detection (pose_detection_to_roi: alignment points 0 -> 1 at 90 degrees, scale 1.25, square). */
    public static Roi roiOf(Box detection) {
        double[] k = detection.keypoints();
        return Roi.fromAlignmentPoints(k[2 * HIP_CENTRE], k[2 * HIP_CENTRE + 1], k[2 * FULL_BODY_SCALE], k[2 * FULL_BODY_SCALE + 1], TARGET_ANGLE)
                .transform(ROI_SCALE, ROI_SCALE, 0, 0, true);
    }

    /** Landmarks in {@code roi}; null when the pose presence is under the threshold. */
    public PoseLandmarks landmarks(VideoFrame f, Roi roi) {
        float[][] out = landmarks.run(roi.crop(f, LANDMARK_SIZE, 0f, 1f), "Identity", "Identity_1");
        double score = out[1][0];
        if (score < minPresence) return null;
        float[] r = out[0];
        int n = PoseLandmarks.COUNT;
        double[] x = new double[n], y = new double[n], vis = new double[n], pres = new double[n];
        for (int i = 0; i < n; i++) {
            double[] p = roi.project(r[5 * i] / LANDMARK_SIZE, r[5 * i + 1] / LANDMARK_SIZE);
            x[i] = p[0];
            y[i] = p[1];
            vis[i] = SsdDecoder.sigmoid(r[5 * i + 3]);
            pres[i] = SsdDecoder.sigmoid(r[5 * i + 4]);
        }
        double[] c = roi.project(r[5 * 33] / LANDMARK_SIZE, r[5 * 33 + 1] / LANDMARK_SIZE);
        double[] s = roi.project(r[5 * 34] / LANDMARK_SIZE, r[5 * 34 + 1] / LANDMARK_SIZE);
        Roi next = Roi.fromAlignmentPoints(c[0], c[1], s[0], s[1], TARGET_ANGLE).transform(ROI_SCALE, ROI_SCALE, 0, 0, true);
        return new PoseLandmarks(x, y, vis, pres, score, roi, next);
    }

    /** A region to run the landmark model on, and the point (face centre or last nose) that stands for its person. */
    record Candidate(Roi roi, double ax, double ay) {}

    /** Poses per sampled frame of one clip, tracked from frame to frame. */
    public List<List<PoseLandmarks>> track(List<VideoFrame> frames) {
        List<List<PoseLandmarks>> out = new ArrayList<>();
        List<Candidate> tracked = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            VideoFrame f = frames.get(i);
            List<Candidate> cands = new ArrayList<>();
            if (tracked.isEmpty() || i % detectEvery == 0) {
                for (Box d : detect(f)) cands.add(new Candidate(roiOf(d), (d.x0() + d.x1()) / 2, (d.y0() + d.y1()) / 2));
                // a tracked person the detector missed this time is kept (merged away when it duplicates a detection)
                for (Candidate t : tracked) {
                    boolean known = false;
                    for (Candidate c : cands) known |= Math.hypot(c.ax() - t.ax(), c.ay() - t.ay()) < 0.25 * c.roi().width() / ROI_SCALE / 2;
                    if (!known) cands.add(t);
                }
            } else {
                cands.addAll(tracked);
            }
            List<PoseLandmarks> poses = new ArrayList<>();
            for (int k = 0; k < cands.size(); k++) {
                PoseLandmarks p = landmarks(cands.size() == 1 ? f : maskOthers(f, cands, k), cands.get(k).roi());
                if (p != null) poses.add(p);
            }
            poses = merge(poses);
            if (poses.size() > maxPoses) poses = poses.subList(0, maxPoses);
            out.add(poses);
            tracked = new ArrayList<>();
            for (PoseLandmarks p : poses) tracked.add(new Candidate(p.nextRoi(), p.x()[PoseLandmarks.NOSE], p.y()[PoseLandmarks.NOSE]));
        }
        return out;
    }

    /**
     * The frame with the other candidates' people blacked out: pixels nearer another candidate's
     * point than to candidate {@code k}'s. The pose graph is single-person and its regions are
     * large (a head-and-shoulders shot's region extends far below the frame), so without this two
     * people side by side share one region and the landmark model picks either.
     */
    static VideoFrame maskOthers(VideoFrame f, List<Candidate> cands, int k) {
        byte[] px = f.bgr().clone();
        Candidate me = cands.get(k);
        for (int y = 0; y < f.height(); y++) {
            for (int x = 0; x < f.width(); x++) {
                double mine = Math.hypot(x + 0.5 - me.ax(), y + 0.5 - me.ay());
                for (int j = 0; j < cands.size(); j++) {
                    if (j == k) continue;
                    if (Math.hypot(x + 0.5 - cands.get(j).ax(), y + 0.5 - cands.get(j).ay()) < mine) {
                        int o = (y * f.width() + x) * 3;
                        px[o] = px[o + 1] = px[o + 2] = 0;
                        break;
                    }
                }
            }
        }
        return new VideoFrame(f.ptsS(), f.width(), f.height(), px);
    }

    /**
     * Drops poses whose boxes overlap a higher-presence pose's by IoU above 0.5 (the same person
     * found twice); boxes of the landmarks visible at 0.5, or of all landmarks when fewer are.
     */
    static List<PoseLandmarks> merge(List<PoseLandmarks> poses) {
        List<PoseLandmarks> sorted = new ArrayList<>(poses);
        sorted.sort((a, b) -> Double.compare(b.score(), a.score()));
        List<PoseLandmarks> keep = new ArrayList<>();
        for (PoseLandmarks p : sorted) {
            Box pb = mergeBox(p);
            boolean dup = false;
            for (PoseLandmarks k : keep) {
                if (mergeBox(k).iou(pb) > MERGE_IOU) {
                    dup = true;
                    break;
                }
            }
            if (!dup) keep.add(p);
        }
        return keep;
    }

    private static Box mergeBox(PoseLandmarks p) {
        Box b = p.box(0.5);
        return b != null ? b : p.box(0);
    }
}
