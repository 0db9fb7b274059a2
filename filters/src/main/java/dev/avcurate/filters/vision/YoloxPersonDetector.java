package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * YOLOX person detection as DWPose ({@code annotator/dwpose/onnxdet.py}) and rtmlib
 * ({@code tools/object_detection/yolox.py}) run the raw-head export of YOLOX's
 * {@code tools/export_onnx.py} (DWPose's yolox_l.onnx): input {@code images} (1,3,640,640),
 * output {@code output} (1,8400,5+C), C = 80 for COCO.
 *
 * <p>Pre-processing (YOLOX {@code data_augment.py} preproc): scale = min(640/h, 640/w), cv2
 * INTER_LINEAR resize to (int(w*scale), int(h*scale)) as uint8, pasted at the top-left of a
 * 640x640 canvas of 114, BGR, raw 0..255 floats, channel-planar. Post-processing (onnxdet.py /
 * yolox.py postprocess with YOLOX {@code demo_utils.py}): xy = (out + grid) * stride,
 * wh = exp(out) * stride for strides 8, 16, 32; score = objectness x class; boxes divided by the
 * scale; class-agnostic multiclass_nms (each anchor's best class, score above 0.1 or the
 * threshold if lower, greedy NMS with YOLOX's +1-pixel areas, IoU above {@code nmsIou}
 * suppressed); then persons (class 0) above the score threshold, as DWPose keeps them.
 *
 * <p>When the export's batch dimension is dynamic (-1) all frames of a call go through one run;
 * with a fixed batch (DWPose's yolox_l.onnx is fixed at 1) they go in runs of that batch. Does
 * not own the session.
 */
public final class YoloxPersonDetector {
    public static final String NAME = "yolox";
    public static final int SIZE = 640, ANCHORS = 8400;
    public static final int[] STRIDES = {8, 16, 32};
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("images", new long[] {-1, 3, SIZE, SIZE}),
            Map.of("output", new long[] {-1, ANCHORS, -1}));
    /** DWPose's multiclass_nms score_thr: candidates entering NMS. */
    static final double NMS_CANDIDATE_SCORE = 0.1;
    static final int MAX_BATCH = 16;
    private static final float[][] GRID = grid();

    private final OnnxSessions.Shared shared;
    private final double scoreThreshold, nmsIou;
    private final int fixedBatch; // 0 = dynamic
    private FloatBuffer buf;

    /** @param scoreThreshold DWPose keeps persons above 0.3, rtmlib above 0.7; @param nmsIou 0.45 in both */
    public YoloxPersonDetector(OnnxSessions.Shared shared, double scoreThreshold, double nmsIou) {
        this.shared = shared;
        this.scoreThreshold = scoreThreshold;
        this.nmsIou = nmsIou;
        long[] in = PoseOnnxIo.shape(shared, NAME, "images", true);
        if (in.length != 4 || in[2] != SIZE || in[3] != SIZE) {
            throw new ModelException(NAME + ": input 'images' has shape " + java.util.Arrays.toString(in) + ", expected [-1, 3, 640, 640]");
        }
        fixedBatch = in[0] > 0 ? (int) in[0] : 0;
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /** True when the export takes any batch size, so a call's frames share one run. */
    public boolean batched() {
        return fixedBatch == 0;
    }

    /** Person boxes of each frame, in frame pixels, best first. */
    public List<List<Box>> detect(List<VideoFrame> frames) {
        List<List<Box>> out = new ArrayList<>();
        int step = fixedBatch > 0 ? fixedBatch : MAX_BATCH, plane = 3 * SIZE * SIZE;
        for (int b0 = 0; b0 < frames.size(); b0 += step) {
            int n = Math.min(step, frames.size() - b0), rows = fixedBatch > 0 ? fixedBatch : n;
            FloatBuffer in = buf = PoseOnnxIo.reuse(buf, (long) rows * plane);
            double[] ratio = new double[n];
            for (int i = 0; i < n; i++) ratio[i] = preprocess(frames.get(b0 + i), in);
            while (in.position() < in.limit()) in.put(114f);
            float[] raw = PoseOnnxIo.run(shared, NAME, "images", in, new long[] {rows, 3, SIZE, SIZE}, "output").get("output");
            int per = raw.length / rows;
            for (int i = 0; i < n; i++) out.add(postprocess(raw, i * per, per / ANCHORS, ratio[i], scoreThreshold, nmsIou));
        }
        return out;
    }

    /**
     * Writes the letterboxed canvas of {@code f} at {@code out}'s position (3 planes of 640x640,
     * BGR, 0..255) and returns the scale. The resize is cv2 INTER_LINEAR (half-pixel centres,
     * edge replicated, rounded to uint8).
     */
    static double preprocess(VideoFrame f, FloatBuffer out) {
        int w = f.width(), h = f.height(), plane = SIZE * SIZE, base = out.position();
        double r = Math.min(SIZE / (double) h, SIZE / (double) w);
        int rw = (int) (w * r), rh = (int) (h * r);
        double fx = w / (double) rw, fy = h / (double) rh;
        byte[] px = f.bgr();
        for (int ch = 0; ch < 3; ch++) for (int k = 0; k < plane; k++) out.put(base + ch * plane + k, 114f);
        for (int y = 0; y < rh; y++) {
            double sy = Math.max(0, (y + 0.5) * fy - 0.5);
            int y0 = Math.min((int) sy, h - 1), y1 = Math.min(y0 + 1, h - 1);
            double ay = y0 == h - 1 ? 0 : sy - y0;
            for (int x = 0; x < rw; x++) {
                double sx = Math.max(0, (x + 0.5) * fx - 0.5);
                int x0 = Math.min((int) sx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                double ax = x0 == w - 1 ? 0 : sx - x0;
                for (int ch = 0; ch < 3; ch++) {
                    double v = (1 - ay) * ((1 - ax) * u(px, (y0 * w + x0) * 3 + ch) + ax * u(px, (y0 * w + x1) * 3 + ch))
                            + ay * ((1 - ax) * u(px, (y1 * w + x0) * 3 + ch) + ax * u(px, (y1 * w + x1) * 3 + ch));
                    out.put(base + ch * plane + y * SIZE + x, Math.round(v));
                }
            }
        }
        out.position(base + 3 * plane);
        return r;
    }

    private static int u(byte[] b, int i) {
        return b[i] & 0xff;
    }

    /**
     * Decodes one image's (8400, {@code width}) raw head starting at {@code off}; boxes in frame
     * pixels (divided by {@code ratio}), persons only, best first.
     */
    static List<Box> postprocess(float[] raw, int off, int width, double ratio, double scoreThreshold, double nmsIou) {
        List<double[]> cands = new ArrayList<>(); // x0, y0, x1, y1, score, class
        double candidate = Math.min(NMS_CANDIDATE_SCORE, scoreThreshold);
        for (int a = 0; a < ANCHORS; a++) {
            int o = off + a * width;
            int cls = 0;
            for (int c = 6; c < width; c++) if (raw[o + c] > raw[o + 5 + cls]) cls = c - 5;
            double score = raw[o + 4] * raw[o + 5 + cls];
            if (!(score > candidate)) continue;
            float stride = GRID[a][2];
            double cx = (raw[o] + GRID[a][0]) * stride, cy = (raw[o + 1] + GRID[a][1]) * stride;
            double bw = Math.exp(raw[o + 2]) * stride, bh = Math.exp(raw[o + 3]) * stride;
            cands.add(new double[] {(cx - bw / 2) / ratio, (cy - bh / 2) / ratio, (cx + bw / 2) / ratio, (cy + bh / 2) / ratio, score, cls});
        }
        List<Box> out = new ArrayList<>();
        for (double[] d : nms(cands, nmsIou)) {
            if (d[5] == 0 && d[4] > scoreThreshold) out.add(new Box(d[0], d[1], d[2], d[3], d[4], null));
        }
        return out;
    }

    /** YOLOX demo_utils.nms: highest score first, +1-pixel areas, a box whose overlap exceeds {@code iou} is dropped. */
    static List<double[]> nms(List<double[]> boxes, double iou) {
        List<double[]> sorted = new ArrayList<>(boxes);
        sorted.sort(Comparator.comparingDouble((double[] d) -> d[4]).reversed());
        List<double[]> keep = new ArrayList<>();
        for (double[] b : sorted) {
            boolean drop = false;
            for (double[] k : keep) {
                double w = Math.max(0, Math.min(k[2], b[2]) - Math.max(k[0], b[0]) + 1);
                double h = Math.max(0, Math.min(k[3], b[3]) - Math.max(k[1], b[1]) + 1);
                double inter = w * h;
                double ovr = inter / (area(k) + area(b) - inter);
                if (ovr > iou) {
                    drop = true;
                    break;
                }
            }
            if (!drop) keep.add(b);
        }
        return keep;
    }

    private static double area(double[] d) {
        return (d[2] - d[0] + 1) * (d[3] - d[1] + 1);
    }

    /** Per anchor: grid x, grid y, stride; rows of stride 8, then 16, then 32, row-major (np.meshgrid order). */
    static float[][] grid() {
        float[][] g = new float[ANCHORS][];
        int k = 0;
        for (int s : STRIDES) {
            int n = SIZE / s;
            for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) g[k++] = new float[] {x, y, s};
        }
        return g;
    }
}
