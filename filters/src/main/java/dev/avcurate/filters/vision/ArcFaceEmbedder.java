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
import java.util.List;
import java.util.Map;

/**
 * ArcFace identity embeddings (insightface's {@code w600k_r50.onnx}, {@code glintr100.onnx}...) as
 * insightface computes them ({@code python-package/insightface/model_zoo/arcface_onnx.py} with
 * {@code utils/face_align.py norm_crop}): the similarity transform (rotation, uniform scale,
 * translation) that best maps the face's 5 keypoints onto the {@code arcface_dst} template in a
 * 112x112 crop, estimated in least squares as skimage's SimilarityTransform (Umeyama; in 2-D its
 * closed form, identical, reflections excluded), cv2.warpAffine with bilinear sampling and border
 * value 0 (rounded to 8 bits as cv2 does for uint8 images; cv2's 1/32-pixel fixed point is not
 * reproduced), then RGB, {@code (x - 127.5) / 127.5}, planar, and the (N,D) output L2-normalized
 * (insightface's {@code normed_embedding}), so that the cosine between two faces is their dot
 * product. Evaluation's CSIM is that cosine between a reference face's embedding and the generated
 * video's face embedding. Faces are run in batches when the export's batch dimension is symbolic.
 *
 * <p>Old exports converted from MXNet carry the normalization inside the graph and want raw
 * 0..255 input (insightface looks for Sub/Mul nodes among the first 8); they are not supported.
 * Does not own the session.
 */
public final class ArcFaceEmbedder {
    public static final String NAME = "arcface";
    /** The user's export: input {@code input.1} (N,3,112,112); one (N,D) output whatever its name, checked by {@link #checkInterface}. */
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("input.1", new long[] {-1, 3, 112, 112}), Map.of());
    public static final int SIZE = 112;
    /** insightface's {@code arcface_dst}: left eye, right eye, nose tip, left and right mouth corner (image terms), crop pixels. */
    public static final double[][] TEMPLATE = {
            {38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366}, {41.5493, 92.3655}, {70.7299, 92.2041}};
    static final int BATCH = 32;

    private final OnnxSessions.Shared shared;
    private final String input;
    private final boolean batched;
    private FloatBuffer buf;

    public ArcFaceEmbedder(OnnxSessions.Shared shared) {
        this.shared = shared;
        Map<String, NodeInfo> ins = FaceOnnxIo.inputs(shared, NAME);
        Map.Entry<String, NodeInfo> in = ins.entrySet().iterator().next();
        long[] s = FaceOnnxIo.shape(in.getValue());
        if (ins.size() != 1 || !ModelSpec.shapeMatches(new long[] {-1, 3, SIZE, SIZE}, s)) {
            throw new ModelException(NAME + ": expected one input (N,3,112,112), the model has " + in.getKey() + "=" + Arrays.toString(s)
                    + (ins.size() > 1 ? " and " + (ins.size() - 1) + " more" : ""));
        }
        input = in.getKey();
        Map<String, long[]> outs = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : FaceOnnxIo.outputs(shared, NAME).entrySet()) outs.put(e.getKey(), FaceOnnxIo.shape(e.getValue()));
        List<String> problems = outputProblems(NAME, outs);
        if (!problems.isEmpty()) throw new ModelException(String.join("; ", problems));
        batched = s[0] < 0;
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /** {@link ModelRegistry#checkInterface} for the input plus the output: exactly one, (N,D). */
    public static List<String> checkInterface(Path f) {
        return FaceOnnxIo.checkInterface(SPEC, f, ArcFaceEmbedder::outputProblems);
    }

    static List<String> outputProblems(String where, Map<String, long[]> outs) {
        List<String> p = new ArrayList<>();
        if (outs.size() != 1) {
            p.add(where + ": expected one output, the (N,D) embedding; the model has " + outs.keySet());
        } else {
            Map.Entry<String, long[]> e = outs.entrySet().iterator().next();
            if (e.getValue().length != 2) {
                p.add(where + ": output '" + e.getKey() + "' has shape " + Arrays.toString(e.getValue()) + ", expected (N,D), e.g. [-1, 512]");
            }
        }
        return p;
    }

    // ---- preprocess ----

    /**
     * The 2x3 affine {a, -b, tx; b, a, ty} (row-major, 6 values) mapping frame pixels to crop
     * pixels that best takes the 5 keypoints ({@code x0, y0, ... x4, y4}) onto {@link #TEMPLATE}.
     */
    public static double[] similarity(double[] kps) {
        if (kps == null || kps.length != 10) {
            throw new IllegalArgumentException(NAME + ": alignment needs 5 keypoints (10 values, SCRFD's), got "
                    + (kps == null ? "none" : kps.length + " values"));
        }
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < 5; i++) {
            sx += kps[2 * i];
            sy += kps[2 * i + 1];
            dx += TEMPLATE[i][0];
            dy += TEMPLATE[i][1];
        }
        sx /= 5;
        sy /= 5;
        dx /= 5;
        dy /= 5;
        double num_a = 0, num_b = 0, den = 0;
        for (int i = 0; i < 5; i++) {
            double px = kps[2 * i] - sx, py = kps[2 * i + 1] - sy, qx = TEMPLATE[i][0] - dx, qy = TEMPLATE[i][1] - dy;
            num_a += px * qx + py * qy;
            num_b += px * qy - py * qx;
            den += px * px + py * py;
        }
        if (den == 0) throw new IllegalArgumentException(NAME + ": the 5 keypoints coincide");
        double a = num_a / den, b = num_b / den;
        return new double[] {a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)};
    }

    /** cv2.warpAffine(frame, m, (112, 112), INTER_LINEAR, BORDER_CONSTANT 0): the aligned BGR crop. */
    public static byte[] normCrop(VideoFrame f, double[] m) {
        double det = m[0] * m[4] - m[1] * m[3];
        // inverse of [m0 m1; m3 m4], and its translation
        double i0 = m[4] / det, i1 = -m[1] / det, i3 = -m[3] / det, i4 = m[0] / det;
        double i2 = -(i0 * m[2] + i1 * m[5]), i5 = -(i3 * m[2] + i4 * m[5]);
        byte[] px = f.bgr();
        int w = f.width(), h = f.height();
        byte[] out = new byte[SIZE * SIZE * 3];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double sx = i0 * x + i1 * y + i2, sy = i3 * x + i4 * y + i5;
                int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
                double ax = sx - x0, ay = sy - y0;
                for (int c = 0; c < 3; c++) {
                    double v = (1 - ay) * ((1 - ax) * at(px, w, h, x0, y0, c) + ax * at(px, w, h, x0 + 1, y0, c))
                            + ay * ((1 - ax) * at(px, w, h, x0, y0 + 1, c) + ax * at(px, w, h, x0 + 1, y0 + 1, c));
                    out[(y * SIZE + x) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
        }
        return out;
    }

    private static int at(byte[] px, int w, int h, int x, int y, int c) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0 : px[(y * w + x) * 3 + c] & 0xff;
    }

    /** Aligned BGR crop to the planar (3,112,112) RGB input at {@code into}'s position, (x - 127.5) / 127.5. */
    static void toInput(byte[] crop, FloatBuffer into) {
        int plane = SIZE * SIZE;
        float[] p = new float[3 * plane];
        for (int k = 0; k < plane; k++) {
            for (int ch = 0; ch < 3; ch++) p[ch * plane + k] = (float) (((crop[k * 3 + 2 - ch] & 0xff) - 127.5) / 127.5);
        }
        into.put(p);
    }

    // ---- run + postprocess ----

    /** Runs {@code n} prepared faces; returns their L2-normalized embeddings. */
    float[][] run(FloatBuffer in, int n) {
        Map<String, dev.avcurate.filters.onnx.OnnxRuns.Out> outs = FaceOnnxIo.run(shared, NAME, input, in, new long[] {n, 3, SIZE, SIZE});
        return normalize(outs.values().iterator().next().values(), n);
    }

    /** Splits a flat (n, D) output into rows, each divided by its L2 norm (zero rows stay zero). */
    static float[][] normalize(float[] flat, int n) {
        int d = flat.length / n;
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += (double) flat[i * d + j] * flat[i * d + j];
            double norm = Math.sqrt(s);
            for (int j = 0; j < d; j++) rows[i][j] = norm == 0 ? 0 : (float) (flat[i * d + j] / norm);
        }
        return rows;
    }

    /**
     * Embeddings of faces, {@code faces.get(i)} found in {@code frames.get(i)} (parallel lists;
     * a frame repeats for each of its faces); each face needs SCRFD's 5 keypoints.
     */
    public float[][] embed(List<VideoFrame> frames, List<Box> faces) {
        if (frames.size() != faces.size()) throw new IllegalArgumentException(NAME + ": " + frames.size() + " frames for " + faces.size() + " faces");
        float[][] out = new float[faces.size()][];
        int batch = batched ? BATCH : 1, plane = 3 * SIZE * SIZE;
        for (int b0 = 0; b0 < faces.size(); b0 += batch) {
            int n = Math.min(batch, faces.size() - b0);
            FloatBuffer in = buf = FaceOnnxIo.reuse(buf, (long) n * plane);
            for (int i = 0; i < n; i++) {
                VideoFrame f = frames.get(b0 + i);
                toInput(normCrop(f, similarity(faces.get(b0 + i).keypoints())), in);
            }
            float[][] e = run(in, n);
            System.arraycopy(e, 0, out, b0, n);
        }
        return out;
    }

    /** Cosine similarity (CSIM when one side is the reference face and the other the generated one). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("embeddings of " + a.length + " and " + b.length + " dims");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
