package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The motion score of Open-Sora's data pipeline (hpcaitech/Open-Sora
 * {@code tools/scoring/optical_flow/inference.py}), the motion dimension of the recipe: UniMatch
 * flow ({@code gmflow-scale2-regrefine6-mixdata-train320x576}) between source frames 0, 10, 20 and
 * 30 of the clip, i.e. the pairs (0,10), (10,20), (20,30); RGB 0..255 floats (UniMatch normalizes
 * inside its forward, so the export takes raw pixels), portrait frames transposed (einops
 * {@code N C H W -> N C W H}, not rotated), resized to 320x576 (HxW) with
 * {@code F.interpolate(mode="bilinear", align_corners=True)}, no rounding; the score is
 * {@code flow.abs().mean()} over pairs, both flow components and all pixels: the mean absolute
 * component in pixels at 320x576, not the mean vector magnitude.
 *
 * <p>Frames: source frame {@code s} is the given frame nearest to {@code s * fps / sourceFps}
 * (from the clip's first frame), so with frames decoded at the source rate the pairs are exact;
 * at {@code decode.sample_fps} = 5 and 25 fps sources they still are (every 2nd sampled frame),
 * at 30 fps the gap becomes 2 sampled frames = 12 source frames, reported in
 * {@link Result#gapSourceFrames()}. Pairs that run past the clip are dropped (Open-Sora's frame
 * reader stops there too). Export ({@link #SPEC}): inputs {@code image1}, {@code image2}
 * (B,3,320,576), output {@code flow} (B,2,320,576), the last of {@code flow_preds}, batch dynamic:
 * all pairs of a clip go in one run. Does not own the session.
 */
public final class OpticalFlowMotion {
    public static final String NAME = "unimatch_flow";
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("image1", new long[] {-1, 3, 320, 576}, "image2", new long[] {-1, 3, 320, 576}),
            Map.of("flow", new long[] {-1, 2, 320, 576}));
    static final int H = 320, W = 576;
    static final int[] SOURCE_FRAMES = {0, 10, 20, 30};

    /** @param gapSourceFrames mean spacing of the pairs used, in source frames (10 in the reference) */
    public record Result(double motionMean, int pairs, double gapSourceFrames, String estimator) {}

    private final OnnxSessions.Shared shared;

    public OpticalFlowMotion(OnnxSessions.Shared shared) {
        this.shared = shared;
    }

    public String estimator() {
        return "unimatch_opensora@" + shared.device();
    }

    /** The given-frame indices standing for source frames 0, 10, 20, 30; only those inside the clip. */
    static int[] schedule(int n, double fps, double sourceFps) {
        List<Integer> idx = new ArrayList<>();
        for (int s : SOURCE_FRAMES) {
            int j = (int) Math.round(s * fps / sourceFps);
            if (j >= n) break;
            idx.add(j);
        }
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One frame as the reference feeds it: (3, 320, 576) RGB 0..255, transposed first when portrait. */
    static float[] preprocess(VideoFrame f) {
        int w = f.width(), h = f.height();
        float[][] img = Images.rgb(f);
        if (h > w) {
            img = Images.transpose(img, w, h);
            int t = w;
            w = h;
            h = t;
        }
        float[][] r = Images.bilinear(img, w, h, W, H, true);
        float[] out = new float[3 * H * W];
        for (int c = 0; c < 3; c++) System.arraycopy(r[c], 0, out, c * H * W, H * W);
        return out;
    }

    /** flow_maps.abs().mean(): over pairs, components and pixels. */
    static double meanAbs(float[] flow) {
        double s = 0;
        for (float v : flow) s += Math.abs(v);
        return s / flow.length;
    }

    /**
     * @param fps       the rate of {@code frames}
     * @param sourceFps the clip's native rate (Open-Sora's indices count native frames)
     * @return null when the clip has fewer than two of the scheduled frames
     */
    public Result score(List<VideoFrame> frames, double fps, double sourceFps) {
        int[] idx = schedule(frames.size(), fps, sourceFps);
        int pairs = idx.length - 1;
        if (pairs < 1) return null;
        int plane = 3 * H * W;
        float[][] pre = new float[idx.length][];
        for (int i = 0; i < idx.length; i++) pre[i] = preprocess(frames.get(idx[i]));
        float[] a = new float[pairs * plane], b = new float[pairs * plane];
        for (int p = 0; p < pairs; p++) {
            System.arraycopy(pre[p], 0, a, p * plane, plane);
            System.arraycopy(pre[p + 1], 0, b, p * plane, plane);
        }
        long[] shape = {pairs, 3, H, W};
        float[] flow = VisionIo.run(shared, NAME, Map.of("image1", new Object[] {a, shape}, "image2", new Object[] {b, shape}),
                "flow").get("flow");
        double gap = (idx[pairs] - idx[0]) / (double) pairs * sourceFps / fps;
        return new Result(meanAbs(flow), pairs, gap, estimator());
    }
}
