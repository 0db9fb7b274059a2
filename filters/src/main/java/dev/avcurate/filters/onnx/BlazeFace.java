package dev.avcurate.filters.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * MediaPipe BlazeFace (front camera, 128x128) as exported for Barracuda: input {@code input:0}
 * NHWC (1,128,128,3) RGB in [-1, 1]; outputs scores (1,512,1)+(1,384,1) and regressors
 * (1,512,16)+(1,384,16) over 896 SSD anchors (16x16 grid with 2 anchors per cell, 8x8 with 6).
 * Regressors are box centre, size and 6 keypoints (right eye, left eye, nose tip, mouth centre,
 * right ear, left ear) in input pixels relative to the anchor centre. The frame is padded to a
 * square (centred) before resizing, as MediaPipe does, so boxes map back without distortion.
 *
 * <p>Preprocess, run and post-process are separate steps. The model's batch is fixed at 1, so
 * frames are run one by one on the shared session. Does not own the session.
 */
public final class BlazeFace {
    public static final int SIZE = 128;
    static final int KEYPOINTS = 6;
    /** Index of the mouth-centre keypoint. */
    public static final int MOUTH = 3;
    private static final float[][] ANCHORS = anchors();

    private final OnnxSessions.Shared shared;
    private final double minScore;
    private final double nmsIou;
    // Direct input buffer reused across calls: ONNX Runtime reads it in place (a heap array would
    // be copied into a fresh direct buffer on every run). One detector per task thread.
    private final FloatBuffer input = java.nio.ByteBuffer.allocateDirect(SIZE * SIZE * 3 * 4)
            .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    private final long[] shape = {1, SIZE, SIZE, 3};
    private final float[] scores = new float[896];
    private final float[] regressors = new float[896 * 16];
    private final float[][] raw = {scores, regressors};

    public BlazeFace(OnnxSessions.Shared shared, double minScore, double nmsIou) {
        this.shared = shared;
        this.minScore = minScore;
        this.nmsIou = nmsIou;
    }

    public String device() {
        return shared.device();
    }

    /** Geometry of the square padding: the frame sits at (padX, padY) inside a side x side square. */
    record Letterbox(int side, int padX, int padY) {}

    static Letterbox letterbox(int w, int h) {
        int side = Math.max(w, h);
        return new Letterbox(side, (side - w) / 2, (side - h) / 2);
    }

    /** Frame (BGR) to the model's NHWC RGB [-1, 1] input, bilinear sampling of the padded square. */
    public static float[] preprocess(VideoFrame f) {
        Letterbox lb = letterbox(f.width(), f.height());
        float[] out = new float[SIZE * SIZE * 3];
        double scale = lb.side() / (double) SIZE;
        byte[] px = f.bgr();
        for (int y = 0; y < SIZE; y++) {
            double sy = (y + 0.5) * scale - 0.5 - lb.padY();
            for (int x = 0; x < SIZE; x++) {
                double sx = (x + 0.5) * scale - 0.5 - lb.padX();
                int o = (y * SIZE + x) * 3;
                if (sx < -0.5 || sy < -0.5 || sx > f.width() - 0.5 || sy > f.height() - 0.5) {
                    out[o] = out[o + 1] = out[o + 2] = -1f; // padding is black
                    continue;
                }
                int x0 = clamp((int) Math.floor(sx), f.width()), y0 = clamp((int) Math.floor(sy), f.height());
                int x1 = clamp(x0 + 1, f.width()), y1 = clamp(y0 + 1, f.height());
                double ax = Math.min(1, Math.max(0, sx - x0)), ay = Math.min(1, Math.max(0, sy - y0));
                for (int c = 0; c < 3; c++) {
                    int ch = 2 - c; // BGR -> RGB
                    double v = (1 - ay) * ((1 - ax) * u(px, (y0 * f.width() + x0) * 3 + ch) + ax * u(px, (y0 * f.width() + x1) * 3 + ch))
                            + ay * ((1 - ax) * u(px, (y1 * f.width() + x0) * 3 + ch) + ax * u(px, (y1 * f.width() + x1) * 3 + ch));
                    out[o + c] = (float) (v / 127.5 - 1);
                }
            }
        }
        return out;
    }

    private static int clamp(int v, int n) {
        return Math.max(0, Math.min(n - 1, v));
    }

    private static int u(byte[] b, int i) {
        return b[i] & 0xff;
    }

    /** Runs the model on one preprocessed input; returns {scores[896], regressors[896*16]} (arrays reused per call). */
    public float[][] run(float[] in) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        input.clear();
        input.put(in).flip();
        try (OnnxTensor t = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result r = shared.session().run(Map.of("input:0", t))) {
            ((OnnxTensor) r.get("Identity:0").get()).getFloatBuffer().get(scores, 0, 512);
            ((OnnxTensor) r.get("Identity_1:0").get()).getFloatBuffer().get(scores, 512, 384);
            ((OnnxTensor) r.get("Identity_2:0").get()).getFloatBuffer().get(regressors, 0, 512 * 16);
            ((OnnxTensor) r.get("Identity_3:0").get()).getFloatBuffer().get(regressors, 512 * 16, 384 * 16);
            return raw;
        } catch (OrtException e) {
            throw new ModelException("blazeface: inference failed: " + e.getMessage(), e);
        }
    }

    /** Anchor decoding, score threshold and NMS; boxes in the frame's pixels. */
    public List<Box> postprocess(float[][] raw, int frameW, int frameH) {
        Letterbox lb = letterbox(frameW, frameH);
        float[] scores = raw[0];
        float[] regs = raw[1];
        List<Box> cands = new ArrayList<>();
        for (int i = 0; i < 896; i++) {
            double s = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, scores[i]))));
            if (s < minScore) continue;
            int o = i * 16;
            double cx = regs[o] / SIZE + ANCHORS[i][0], cy = regs[o + 1] / SIZE + ANCHORS[i][1];
            double w = regs[o + 2] / SIZE, h = regs[o + 3] / SIZE;
            double[] kp = new double[KEYPOINTS * 2];
            for (int k = 0; k < KEYPOINTS; k++) {
                kp[2 * k] = toFrame(regs[o + 4 + 2 * k] / SIZE + ANCHORS[i][0], lb.side(), lb.padX());
                kp[2 * k + 1] = toFrame(regs[o + 5 + 2 * k] / SIZE + ANCHORS[i][1], lb.side(), lb.padY());
            }
            cands.add(new Box(toFrame(cx - w / 2, lb.side(), lb.padX()), toFrame(cy - h / 2, lb.side(), lb.padY()),
                    toFrame(cx + w / 2, lb.side(), lb.padX()), toFrame(cy + h / 2, lb.side(), lb.padY()), s, kp));
        }
        return nms(cands, nmsIou);
    }

    private static double toFrame(double normalized, int side, int pad) {
        return normalized * side - pad;
    }

    /** Greedy non-maximum suppression, highest score first. */
    public static List<Box> nms(List<Box> boxes, double iou) {
        List<Box> sorted = new ArrayList<>(boxes);
        sorted.sort(Comparator.comparingDouble(Box::score).reversed());
        List<Box> keep = new ArrayList<>();
        for (Box b : sorted) {
            boolean overlaps = false;
            for (Box k : keep) {
                if (k.iou(b) > iou) {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps) keep.add(b);
        }
        return keep;
    }

    public List<Box> detect(VideoFrame f) {
        return postprocess(run(preprocess(f)), f.width(), f.height());
    }

    /** MediaPipe's SSD anchors for the front model: strides 8, 16, 16, 16 at 128 px, offset 0.5, fixed size. */
    static float[][] anchors() {
        float[][] a = new float[896][];
        int k = 0;
        int[][] layers = {{16, 2}, {8, 6}};
        for (int[] l : layers) {
            for (int y = 0; y < l[0]; y++) {
                for (int x = 0; x < l[0]; x++) {
                    for (int n = 0; n < l[1]; n++) a[k++] = new float[] {(x + 0.5f) / l[0], (y + 0.5f) / l[0]};
                }
            }
        }
        return a;
    }
}
