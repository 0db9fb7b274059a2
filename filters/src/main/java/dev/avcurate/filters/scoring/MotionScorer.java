package dev.avcurate.filters.scoring;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.transpose;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_video.DISOpticalFlow;

/**
 * {@code motion_mean}: mean optical-flow magnitude in pixels at 320x576 (portrait frames
 * transposed to landscape first), expressed per 15 source frames: the units of the UniMatch
 * motion score as Open-Sora used it. Flow comes from OpenCV's DIS between consecutive sampled
 * frames and is scaled to the 15-frame gap, which equals the 15-frame displacement for steady
 * motion: DIS loses track of the larger displacements of a direct 15-frame pair (a pan of 90 px
 * under a still speaker came out at a third of its size), where UniMatch would not.
 * {@code camera_motion}: a global fit of each pair's flow (median translation plus a zoom term),
 * labelled static, pan_left, pan_right, tilt_up, tilt_down, zoom_in, zoom_out, or shaky when the
 * pairs disagree. Owner of its DIS instance.
 */
public final class MotionScorer implements Scorer {
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("motion");

    static final int W = 576, H = 320;
    private final int gapFrames;
    private final double staticPx;
    private final int pairStride;
    private final int preset;
    private DISOpticalFlow dis;

    /**
     * @param pairStride flow on every {@code pairStride}-th pair of consecutive sampled frames (1 = all)
     * @param preset     DISOpticalFlow.PRESET_ULTRAFAST, PRESET_FAST or PRESET_MEDIUM
     */
    /** UniMatch/RAFT (your export) for motion_mean when configured; camera_motion stays DIS's. */
    private dev.avcurate.filters.vision.OpticalFlowMotion flow;

    public MotionScorer withFlow(dev.avcurate.filters.vision.OpticalFlowMotion f) {
        this.flow = f;
        return this;
    }

    public MotionScorer(int gapFrames, double staticPx, int pairStride, int preset) {
        this.gapFrames = gapFrames;
        this.staticPx = staticPx;
        this.pairStride = pairStride;
        this.preset = preset;
    }

    @Override
    public String name() {
        return "motion";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    /** Global motion of one frame pair: translation (content moves by tx, ty) and zoom (px at the frame edge). */
    record Global(double meanMagnitude, double tx, double ty, double zoomPx) {
        String label(double staticPx) {
            double t = Math.hypot(tx, ty);
            if (Math.max(t, Math.abs(zoomPx)) < staticPx) return "static";
            if (Math.abs(zoomPx) > t) return zoomPx > 0 ? "zoom_in" : "zoom_out";
            // Content moving left means the camera turns right.
            if (Math.abs(tx) >= Math.abs(ty)) return tx < 0 ? "pan_right" : "pan_left";
            return ty < 0 ? "tilt_down" : "tilt_up";
        }
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        List<VideoFrame> frames = clip.frames();
        if (frames.size() < 2) return;
        if (dis == null) dis = DISOpticalFlow.create(preset);
        List<Global> pairs = new ArrayList<>();
        Mat[] grey = new Mat[frames.size()];
        try {
            for (int i = 1; i < frames.size(); i += pairStride) {
                if (grey[i - 1] == null) grey[i - 1] = grey(frames.get(i - 1));
                grey[i] = grey(frames.get(i));
                pairs.add(flow(grey[i - 1], grey[i]));
            }
        } finally {
            for (Mat m : grey) if (m != null) m.close();
        }
        double sourceFramesPerPair = Math.max(1e-6, clip.sourceFps() / clip.sampleFps());
        double mean = pairs.stream().mapToDouble(Global::meanMagnitude).average().orElseThrow() /* at least one pair: frames >= 2 */ * gapFrames / sourceFramesPerPair;
        out.put("motion_mean", mean);
        String p = preset == DISOpticalFlow.PRESET_ULTRAFAST ? "ultrafast" : preset == DISOpticalFlow.PRESET_FAST ? "fast" : "medium";
        out.put("motion_mean_estimator", "opencv_dis_" + p + "_320x576_consecutive/" + pairStride + "_scaled_to_gap" + gapFrames);
        out.put("camera_motion", label(pairs, staticPx));
        out.put("camera_motion_estimator", "dis_global_fit");
        if (flow != null) {
            // Open-Sora's frame schedule is in source frames: the 25 fps sync clock is the closer input when decoded.
            boolean sync = !clip.syncFrames().isEmpty();
            dev.avcurate.filters.vision.OpticalFlowMotion.Result r = flow.score(sync ? clip.syncFrames() : clip.frames(),
                    sync ? clip.syncFps() : clip.sampleFps(), clip.sourceFps());
            out.put("motion_mean", r == null ? null : r.motionMean());
            out.put("motion_mean_estimator", flow.estimator());
        }
    }

    static String label(List<Global> pairs, double staticPx) {
        Map<String, Integer> counts = new HashMap<>();
        for (Global g : pairs) counts.merge(g.label(staticPx), 1, Integer::sum);
        int moving = pairs.size() - counts.getOrDefault("static", 0);
        if (moving * 2 <= pairs.size()) return "static";
        String best = null;
        int bestN = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (!e.getKey().equals("static") && e.getValue() > bestN) {
                best = e.getKey();
                bestN = e.getValue();
            }
        }
        return bestN * 10 >= moving * 6 ? best : "shaky";
    }

    private static Mat grey(VideoFrame f) {
        try (BytePointer px = new BytePointer(f.bgr()); Mat bgr = new Mat(f.height(), f.width(), CV_8UC3, px); Mat g = new Mat()) {
            cvtColor(bgr, g, COLOR_BGR2GRAY);
            Mat land = g;
            Mat t = null;
            if (f.height() > f.width()) {
                t = new Mat();
                transpose(g, t);
                land = t;
            }
            Mat small = new Mat();
            resize(land, small, new Size(W, H), 0, 0, INTER_AREA);
            if (t != null) t.close();
            return small;
        }
    }

    private Global flow(Mat a, Mat b) {
        try (Mat flow = new Mat()) {
            dis.calc(a, b, flow);
            FloatPointer fp = new FloatPointer(flow.data());
            float[] v = new float[W * H * 2];
            fp.get(v);
            double mag = 0;
            // Medians from every 4th pixel in each direction: the same answer at a 16th of the sort.
            int sub = 4, m = 0;
            double[] dx = new double[(W / sub) * (H / sub)], dy = new double[dx.length];
            // Least squares for flow = (tx + s*(x-cx), ty + s*(y-cy)).
            double sxx = 0, sxf = 0;
            double cx = (W - 1) / 2.0, cy = (H - 1) / 2.0;
            for (int y = 0, k = 0; y < H; y++) {
                for (int x = 0; x < W; x++, k++) {
                    double fx = v[2 * k], fy = v[2 * k + 1];
                    mag += Math.sqrt(fx * fx + fy * fy);
                    double rx = x - cx, ry = y - cy;
                    sxx += rx * rx + ry * ry;
                    sxf += rx * fx + ry * fy;
                    if (y % sub == 0 && x % sub == 0 && m < dx.length) {
                        dx[m] = fx;
                        dy[m++] = fy;
                    }
                }
            }
            double n = (double) W * H;
            double s = sxx == 0 ? 0 : sxf / sxx;
            // Median translation is robust to a moving subject over a still background.
            return new Global(mag / n, medianOf(dx), medianOf(dy), s * Math.hypot(cx, cy));
        }
    }

    private static double medianOf(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    @Override
    public void close() {
        if (dis != null) {
            dis.close();
            dis = null;
        }
    }
}
