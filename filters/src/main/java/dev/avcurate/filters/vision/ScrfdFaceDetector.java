package dev.avcurate.filters.vision;

import ai.onnxruntime.NodeInfo;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * SCRFD face detection (insightface's {@code det_10g.onnx}, {@code scrfd_*_bnkps.onnx}) as
 * insightface runs it ({@code python-package/insightface/model_zoo/scrfd.py}, {@code detect} and
 * {@code forward}): the frame is resized by the smaller of the two ratios (cv2 INTER_LINEAR) and
 * pasted at the top-left of a zero canvas of the input size, then RGB, {@code (x - 127.5) / 128},
 * planar. The nine outputs are scores (K,1), box distances (K,4) and 5-point keypoint offsets
 * (K,10) for strides 8, 16 and 32, with K = anchors x H/stride x W/stride (2 anchors per location
 * in these exports, listed consecutively); anchor centres are (x, y) x stride, distances are in
 * stride units, and boxes (x0 - l, y0 - t, x0 + r, y0 + b) and keypoints (centre + offset) are
 * divided by the letterbox scale back to frame pixels. Candidates with score at least the
 * threshold go through insightface's NMS (areas with the +1 pixel convention, suppressed when
 * IoU &gt; nmsIou). Keypoints are, in image terms, left eye, right eye, nose, left and right mouth
 * corner: what {@link ArcFaceEmbedder} aligns on.
 *
 * <p>Output names differ between exports (det_10g's are numbers such as "448"), so {@link #SPEC}
 * names only the input and {@link #checkInterface} checks the outputs by count and shape. At run
 * time each output is recognised by its actual shape (last dim 1, 4 or 10; rows ordered by stride)
 * rather than its position, so both the usual "3 scores, 3 boxes, 3 keypoints" listing and a
 * per-stride listing work. Frames are batched when the export's batch dimension is symbolic and
 * its outputs carry it (N,K,c); exports with (K,c) outputs run frame by frame. A symbolic input
 * height and width (det_10g) is run at 640x640, insightface's usual det_size. Does not own the
 * session.
 */
public final class ScrfdFaceDetector {
    public static final String NAME = "scrfd";
    /** The user's export: input {@code input.1} (N or 1, 3, H or -1, W or -1); outputs checked by {@link #checkInterface}. */
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("input.1", new long[] {-1, 3, -1, -1}), Map.of());
    public static final int DEFAULT_SIZE = 640;
    public static final double DEFAULT_SCORE = 0.5, DEFAULT_NMS_IOU = 0.4;
    static final int[] STRIDES = {8, 16, 32};
    static final int BATCH = 8, KEYPOINTS = 5;

    private final OnnxSessions.Shared shared;
    private final double scoreThreshold, nmsIou;
    private final String input;
    private final int inW, inH;
    private final boolean batched;
    private FloatBuffer buf; // reused across calls: one detector per task thread

    public ScrfdFaceDetector(OnnxSessions.Shared shared, double scoreThreshold, double nmsIou) {
        this.shared = shared;
        this.scoreThreshold = scoreThreshold;
        this.nmsIou = nmsIou;
        Map<String, NodeInfo> ins = FaceOnnxIo.inputs(shared, NAME);
        Map.Entry<String, NodeInfo> in = ins.entrySet().iterator().next();
        long[] s = FaceOnnxIo.shape(in.getValue());
        if (ins.size() != 1 || s.length != 4 || (s[1] >= 0 && s[1] != 3)) {
            throw new ModelException(NAME + ": expected one input (N,3,H,W), the model has " + describe(ins));
        }
        input = in.getKey();
        inH = s[2] > 0 ? (int) s[2] : DEFAULT_SIZE;
        inW = s[3] > 0 ? (int) s[3] : DEFAULT_SIZE;
        Map<String, long[]> outs = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : FaceOnnxIo.outputs(shared, NAME).entrySet()) outs.put(e.getKey(), FaceOnnxIo.shape(e.getValue()));
        List<String> problems = outputProblems(NAME, outs);
        if (!problems.isEmpty()) throw new ModelException(String.join("; ", problems));
        batched = s[0] < 0 && outs.values().stream().allMatch(o -> o.length == 3);
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /** The model input's width and height this detector letterboxes to. */
    public int[] inputSize() {
        return new int[] {inW, inH};
    }

    /**
     * {@link ModelRegistry#checkInterface} for the input plus the output pattern: nine outputs,
     * each (K,c) or (N,K,c), three with c = 1 (scores), three with c = 4 (boxes), three with
     * c = 10 (keypoints). Empty when the file can be used.
     */
    public static List<String> checkInterface(Path f) {
        return FaceOnnxIo.checkInterface(SPEC, f, ScrfdFaceDetector::outputProblems);
    }

    static List<String> outputProblems(String where, Map<String, long[]> outs) {
        List<String> p = new ArrayList<>();
        if (outs.size() != 9) {
            p.add(where + ": expected the 9 outputs of a SCRFD export with keypoints (scores, boxes, keypoints for strides 8, 16, 32), "
                    + "the model has " + outs.size() + " " + describeShapes(outs)
                    + (outs.size() == 6 ? " (an export without keypoints: ArcFace alignment needs the *_bnkps / det_10g exports)" : "")
                    + (outs.size() == 10 || outs.size() == 15 ? " (5 strides with 1 anchor: not supported)" : ""));
            return p;
        }
        int[] count = new int[11];
        for (Map.Entry<String, long[]> e : outs.entrySet()) {
            long[] s = e.getValue();
            long c = s.length == 0 ? -2 : s[s.length - 1];
            if ((s.length != 2 && s.length != 3) || !(c == -1 || c == 1 || c == 4 || c == 10)) {
                p.add(where + ": output '" + e.getKey() + "' has shape " + Arrays.toString(s)
                        + ", expected (K,c) or (N,K,c) with c = 1 (scores), 4 (box distances) or 10 (keypoints)");
            } else if (c > 0) {
                count[(int) c]++;
            }
        }
        if (p.isEmpty() && (count[1] > 3 || count[4] > 3 || count[10] > 3)) {
            p.add(where + ": expected 3 outputs each with last dimension 1, 4 and 10, the model has " + describeShapes(outs));
        }
        return p;
    }

    private static String describe(Map<String, NodeInfo> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=').append(Arrays.toString(FaceOnnxIo.shape(v))));
        return b.append('}').toString();
    }

    private static String describeShapes(Map<String, long[]> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=').append(Arrays.toString(v)));
        return b.append('}').toString();
    }

    // ---- preprocess ----

    /** insightface's letterbox: the frame resized to newW x newH at the top-left; frame = input / scale. */
    record Letterbox(int newW, int newH, double scale) {}

    static Letterbox letterbox(int w, int h, int inW, int inH) {
        double imRatio = (double) h / w, modelRatio = (double) inH / inW;
        int nw, nh;
        if (imRatio > modelRatio) {
            nh = inH;
            nw = (int) (nh / imRatio);
        } else {
            nw = inW;
            nh = (int) (nw * imRatio);
        }
        return new Letterbox(nw, nh, (double) nh / h);
    }

    /**
     * Frame (BGR) to the planar (3, inH, inW) RGB input at {@code into}'s position: cv2.resize
     * INTER_LINEAR (half-pixel centres, edge clamp, no antialias, rounded to 8 bits: equal to
     * cv2's fixed point within one grey level), zero padding right and below, (x - 127.5) / 128.
     */
    static void preprocess(VideoFrame f, int inW, int inH, FloatBuffer into) {
        Letterbox lb = letterbox(f.width(), f.height(), inW, inH);
        int plane = inW * inH, base = into.position();
        float pad = (float) (-127.5 / 128);
        float[] out = new float[3 * plane];
        Arrays.fill(out, pad);
        int[] x0 = new int[lb.newW()], x1 = new int[lb.newW()];
        double[] ax = new double[lb.newW()];
        taps(f.width(), lb.newW(), x0, x1, ax);
        int[] y0 = new int[lb.newH()], y1 = new int[lb.newH()];
        double[] ay = new double[lb.newH()];
        taps(f.height(), lb.newH(), y0, y1, ay);
        byte[] px = f.bgr();
        int w = f.width();
        for (int y = 0; y < lb.newH(); y++) {
            int r0 = y0[y] * w, r1 = y1[y] * w;
            double wy = ay[y];
            for (int x = 0; x < lb.newW(); x++) {
                double wx = ax[x];
                int a = (r0 + x0[x]) * 3, b = (r0 + x1[x]) * 3, c = (r1 + x0[x]) * 3, d = (r1 + x1[x]) * 3;
                for (int ch = 0; ch < 3; ch++) {
                    int bgr = 2 - ch; // swapRB
                    double v = (1 - wy) * ((1 - wx) * (px[a + bgr] & 0xff) + wx * (px[b + bgr] & 0xff))
                            + wy * ((1 - wx) * (px[c + bgr] & 0xff) + wx * (px[d + bgr] & 0xff));
                    out[ch * plane + y * inW + x] = (float) ((Math.round(v) - 127.5) / 128);
                }
            }
        }
        into.put(out);
        if (into.position() != base + 3 * plane) throw new IllegalStateException();
    }

    /** cv2 INTER_LINEAR source taps: src = (dst + 0.5) * src/dst - 0.5, clamped to the edges. */
    static void taps(int src, int dst, int[] i0, int[] i1, double[] a) {
        double scale = (double) src / dst;
        for (int d = 0; d < dst; d++) {
            double s = (d + 0.5) * scale - 0.5;
            int f = (int) Math.floor(s);
            double fr = s - f;
            if (f < 0) {
                f = 0;
                fr = 0;
            }
            if (f >= src - 1) {
                f = src - 1;
                fr = 0;
            }
            i0[d] = f;
            i1[d] = Math.min(f + 1, src - 1);
            a[d] = fr;
        }
    }

    // ---- run ----

    /** One frame's raw outputs by stride (index 0 = stride 8): scores (K), boxes (K*4), keypoints (K*10). */
    record Raw(float[][] scores, float[][] boxes, float[][] kps, int anchors) {}

    /** Runs {@code n} preprocessed frames in {@code in}; returns each frame's outputs sorted out by shape. */
    List<Raw> run(FloatBuffer in, int n) {
        Map<String, dev.avcurate.filters.onnx.OnnxRuns.Out> outs = FaceOnnxIo.run(shared, NAME, input, in, new long[] {n, 3, inH, inW});
        return split(outs, n, inW, inH);
    }

    /** Recognises each output by its actual shape: last dim 1/4/10, more rows = finer stride. */
    static List<Raw> split(Map<String, dev.avcurate.filters.onnx.OnnxRuns.Out> outs, int n, int inW, int inH) {
        List<List<Map.Entry<String, dev.avcurate.filters.onnx.OnnxRuns.Out>>> kinds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Map.Entry<String, dev.avcurate.filters.onnx.OnnxRuns.Out> e : outs.entrySet()) {
            long[] s = e.getValue().shape();
            long c = s[s.length - 1];
            int k = c == 1 ? 0 : c == 4 ? 1 : c == 10 ? 2 : -1;
            if (k < 0) throw new ModelException(NAME + ": output '" + e.getKey() + "' has shape " + Arrays.toString(s) + ", expected last dim 1, 4 or 10");
            kinds.get(k).add(e);
        }
        int anchors = -1;
        for (List<Map.Entry<String, dev.avcurate.filters.onnx.OnnxRuns.Out>> kind : kinds) {
            if (kind.size() != 3) throw new ModelException(NAME + ": expected 3 outputs each of scores, boxes and keypoints, got " + outs.keySet());
            kind.sort(Comparator.comparingLong((Map.Entry<String, dev.avcurate.filters.onnx.OnnxRuns.Out> e) -> rows(e.getValue().shape())).reversed());
            for (int i = 0; i < 3; i++) {
                long rows = rows(kind.get(i).getValue().shape());
                long locations = (long) (inH / STRIDES[i]) * (inW / STRIDES[i]);
                if (anchors < 0) anchors = (int) (rows / locations);
                if (anchors < 1 || rows != anchors * locations) {
                    throw new ModelException(NAME + ": output '" + kind.get(i).getKey() + "' has " + rows + " rows; at stride " + STRIDES[i]
                            + " a " + inW + "x" + inH + " input has " + locations + " locations x " + Math.max(anchors, 1) + " anchors");
                }
            }
        }
        List<Raw> raw = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            float[][][] parts = new float[3][3][];
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < 3; i++) {
                    float[] v = kinds.get(k).get(i).getValue().values();
                    int per = v.length / n;
                    parts[k][i] = Arrays.copyOfRange(v, f * per, (f + 1) * per);
                }
            }
            raw.add(new Raw(parts[0], parts[1], parts[2], anchors));
        }
        return raw;
    }

    private static long rows(long[] s) {
        return s[s.length - 2];
    }

    // ---- postprocess ----

    /** Anchor decoding, threshold, back to frame pixels, NMS: insightface's forward + detect. */
    static List<Box> postprocess(Raw r, int inW, int inH, double scale, double threshold, double nmsIou) {
        List<Box> cands = new ArrayList<>();
        for (int i = 0; i < STRIDES.length; i++) {
            int s = STRIDES[i], fw = inW / s, fh = inH / s;
            float[] sc = r.scores()[i], bb = r.boxes()[i], kp = r.kps()[i];
            for (int k = 0; k < sc.length; k++) {
                if (!(sc[k] >= threshold)) continue;
                int loc = k / r.anchors();
                double cx = (loc % fw) * (double) s, cy = (loc / fw) * (double) s;
                if (loc / fw >= fh) break;
                double[] kps = new double[2 * KEYPOINTS];
                for (int j = 0; j < KEYPOINTS; j++) {
                    kps[2 * j] = (cx + kp[k * 10 + 2 * j] * s) / scale;
                    kps[2 * j + 1] = (cy + kp[k * 10 + 2 * j + 1] * s) / scale;
                }
                cands.add(new Box((cx - bb[k * 4] * s) / scale, (cy - bb[k * 4 + 1] * s) / scale,
                        (cx + bb[k * 4 + 2] * s) / scale, (cy + bb[k * 4 + 3] * s) / scale, sc[k], kps));
            }
        }
        return nms(cands, nmsIou);
    }

    /** insightface's SCRFD.nms: highest score first, areas (x1 - x0 + 1)(y1 - y0 + 1), drop IoU &gt; thresh. */
    static List<Box> nms(List<Box> boxes, double thresh) {
        List<Box> order = new ArrayList<>(boxes);
        order.sort(Comparator.comparingDouble(Box::score).reversed());
        List<Box> keep = new ArrayList<>();
        for (Box b : order) {
            boolean drop = false;
            for (Box k : keep) {
                double w = Math.max(0, Math.min(k.x1(), b.x1()) - Math.max(k.x0(), b.x0()) + 1);
                double h = Math.max(0, Math.min(k.y1(), b.y1()) - Math.max(k.y0(), b.y0()) + 1);
                double inter = w * h;
                double ovr = inter / (area1(k) + area1(b) - inter);
                if (ovr > thresh) {
                    drop = true;
                    break;
                }
            }
            if (!drop) keep.add(b);
        }
        return keep;
    }

    private static double area1(Box b) {
        return (b.x1() - b.x0() + 1) * (b.y1() - b.y0() + 1);
    }

    // ---- all steps ----

    /** Faces of each frame, in frame pixels, highest score first; batched when the export allows. */
    public List<List<Box>> detect(List<VideoFrame> frames) {
        List<List<Box>> out = new ArrayList<>(frames.size());
        int batch = batched ? BATCH : 1, plane = 3 * inW * inH;
        for (int b0 = 0; b0 < frames.size(); b0 += batch) {
            int n = Math.min(batch, frames.size() - b0);
            FloatBuffer in = buf = FaceOnnxIo.reuse(buf, (long) n * plane);
            for (int i = 0; i < n; i++) preprocess(frames.get(b0 + i), inW, inH, in);
            List<Raw> raw = run(in, n);
            for (int i = 0; i < n; i++) {
                VideoFrame f = frames.get(b0 + i);
                double scale = letterbox(f.width(), f.height(), inW, inH).scale();
                out.add(postprocess(raw.get(i), inW, inH, scale, scoreThreshold, nmsIou));
            }
        }
        return out;
    }

    /** One frame (the BlazeFace-style call). */
    public List<Box> detect(VideoFrame f) {
        return detect(List.of(f)).get(0);
    }
}
