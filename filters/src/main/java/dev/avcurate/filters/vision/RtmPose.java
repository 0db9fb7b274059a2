package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RTMPose / DWPose top-down pose with SimCC heads, run from a user's export: body-17
 * (input (N,3,256,192)) or wholebody-133 (DWPose dw-ll_ucoco_384, (N,3,384,288)); the keypoint
 * count and input size are read from the loaded export. Pre-processing follows rtmlib
 * {@code tools/pose_estimation/rtmpose.py} and {@code pre_processings.py} (DWPose's
 * {@code onnxpose.py} is the same code): box centre/scale with padding 1.25 fixed to the input
 * aspect, cv2.warpAffine bilinear, RGB, ImageNet mean/std in 0..255. Decoding follows rtmlib
 * {@code post_processings.py} get_simcc_maximum (argmax per axis, score = the smaller of the two
 * maxima, location -1 when that score is not positive) and decode (locations / split ratio 2.0),
 * then rtmlib's postprocess maps crop pixels back through the inverse affine. Every (frame, box)
 * pair of a call goes through one session run when the batch dimension is dynamic. Does not own
 * the session.
 */
public final class RtmPose {
    public static final String NAME = "rtmpose";
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("input", new long[] {-1, 3, -1, -1}),
            Map.of("simcc_x", new long[] {-1, -1, -1}, "simcc_y", new long[] {-1, -1, -1}));
    public static final double SPLIT_RATIO = 2.0;

    private final OnnxSessions.Shared shared;
    private final TopDownBatches batches;
    private final int keypoints; // 0 when the export leaves it symbolic: read from each run

    public RtmPose(OnnxSessions.Shared shared) {
        this.shared = shared;
        this.batches = new TopDownBatches(shared, NAME);
        long[] sx = PoseOnnxIo.shape(shared, NAME, "simcc_x", false), sy = PoseOnnxIo.shape(shared, NAME, "simcc_y", false);
        long wx = Math.round(batches.inputW * SPLIT_RATIO), wy = Math.round(batches.inputH * SPLIT_RATIO);
        if (sx.length != 3 || sy.length != 3 || (sx[2] > 0 && sx[2] != wx) || (sy[2] > 0 && sy[2] != wy)) {
            throw new ModelException(NAME + ": outputs simcc_x " + java.util.Arrays.toString(sx) + " and simcc_y "
                    + java.util.Arrays.toString(sy) + " do not fit input " + batches.inputH + "x" + batches.inputW
                    + " with SimCC split ratio 2 (expected (N, K, " + wx + ") and (N, K, " + wy + "))");
        }
        keypoints = sx[1] > 0 ? (int) sx[1] : 0;
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /** Input width and height of the loaded export (192x256 body, 288x384 wholebody). */
    public int inputWidth() {
        return batches.inputW;
    }

    public int inputHeight() {
        return batches.inputH;
    }

    /** 17 or 133 from the export's output shape; 0 when it is symbolic there. */
    public int keypoints() {
        return keypoints;
    }

    /** The poses of {@code persons} in {@code frame}, in box order. */
    public List<Pose> estimate(VideoFrame frame, List<Box> persons) {
        return estimate(List.of(frame), List.of(persons)).get(0);
    }

    /** Poses for many frames at once: all boxes of all frames batched into as few runs as the export allows. */
    public List<List<Pose>> estimate(List<VideoFrame> frames, List<List<Box>> persons) {
        return batches.run(frames, persons, false, (out, n, rows, crops) -> decode(out.get("simcc_x"), out.get("simcc_y"), n, rows, crops,
                batches.inputW, batches.inputH), "simcc_x", "simcc_y");
    }

    /**
     * rtmlib get_simcc_maximum + decode + postprocess for the first {@code n} of the {@code rows}
     * rows of flat (rows, K, W*2) and (rows, K, H*2) outputs.
     */
    static List<Pose> decode(float[] simccX, float[] simccY, int n, int rows, List<TopDown.Crop> crops, int inputW, int inputH) {
        int wx = (int) Math.round(inputW * SPLIT_RATIO), wy = (int) Math.round(inputH * SPLIT_RATIO);
        int k = simccX.length / wx / rows;
        if (simccY.length != rows * k * wy) throw new ModelException(NAME + ": simcc_y has " + simccY.length + " values, expected " + rows * k * wy);
        List<Pose> out = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            double[] x = new double[k], y = new double[k], s = new double[k];
            TopDown.Crop c = crops.get(p);
            for (int j = 0; j < k; j++) {
                int ox = (p * k + j) * wx, oy = (p * k + j) * wy;
                int ix = argmax(simccX, ox, wx), iy = argmax(simccY, oy, wy);
                double v = Math.min(simccX[ox + ix], simccY[oy + iy]);
                double lx = v <= 0 ? -1 : ix, ly = v <= 0 ? -1 : iy;
                x[j] = c.frameX(lx / SPLIT_RATIO, inputW);
                y[j] = c.frameY(ly / SPLIT_RATIO, inputH);
                s[j] = v;
            }
            out.add(new Pose(x, y, s));
        }
        return out;
    }

    static int argmax(float[] a, int off, int len) {
        int best = 0;
        for (int i = 1; i < len; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }
}
