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
 * ViTPose (body-17, heatmap head) run from a user's export made with mmpose 0.x
 * {@code tools/deployment/pytorch2onnx.py} (input {@code input} (N,3,256,192), output
 * {@code output} (N,17,64,48)). ViTPose's code is an mmpose 0.x fork, so pre-processing follows
 * mmpose 0.x {@code apis/inference.py} (bbox_xyxy2xywh with its +1 width, _box2cs: padding 1.25
 * and the input aspect) and {@code datasets/pipelines/top_down_transform.py} TopDownAffine
 * (cv2.warpAffine bilinear), RGB, ImageNet mean/std; decoding follows
 * {@code core/evaluation/top_down_eval.py} _get_max_preds (argmax, location -1 when the maximum
 * is not positive) and keypoints_from_heatmaps with post_process 'default' (a quarter-pixel
 * shift toward the higher neighbour, for peaks not on the border), then transform_preds
 * (heatmap x 4 to the input, then the inverse affine). Does not own the session.
 */
public final class VitPose {
    public static final String NAME = "vitpose";
    public static final int KEYPOINTS = 17, HEATMAP_W = 48, HEATMAP_H = 64;
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("input", new long[] {-1, 3, 256, 192}),
            Map.of("output", new long[] {-1, KEYPOINTS, HEATMAP_H, HEATMAP_W}));

    private final OnnxSessions.Shared shared;
    private final TopDownBatches batches;
    private final int hmW, hmH;

    public VitPose(OnnxSessions.Shared shared) {
        this.shared = shared;
        this.batches = new TopDownBatches(shared, NAME);
        long[] o = PoseOnnxIo.shape(shared, NAME, "output", false);
        if (o.length != 4 || o[2] <= 0 || o[3] <= 0) {
            throw new ModelException(NAME + ": output 'output' has shape " + java.util.Arrays.toString(o) + ", expected (N, K, H, W) heatmaps");
        }
        hmH = (int) o[2];
        hmW = (int) o[3];
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    public List<Pose> estimate(VideoFrame frame, List<Box> persons) {
        return estimate(List.of(frame), List.of(persons)).get(0);
    }

    /** Poses for many frames at once: all boxes of all frames batched into as few runs as the export allows. */
    public List<List<Pose>> estimate(List<VideoFrame> frames, List<List<Box>> persons) {
        return batches.run(frames, persons, true, (out, n, rows, crops) -> decode(out.get("output"), n, rows, crops, hmW, hmH,
                batches.inputW, batches.inputH), "output");
    }

    /** get_max_preds + 'default' shift + transform_preds for the first {@code n} of {@code rows} (rows, K, H, W) heatmaps. */
    static List<Pose> decode(float[] hm, int n, int rows, List<TopDown.Crop> crops, int w, int h, int inputW, int inputH) {
        int plane = w * h, k = hm.length / plane / rows;
        List<Pose> out = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            double[] x = new double[k], y = new double[k], s = new double[k];
            TopDown.Crop c = crops.get(p);
            for (int j = 0; j < k; j++) {
                int o = (p * k + j) * plane;
                int best = RtmPose.argmax(hm, o, plane);
                double v = hm[o + best];
                double px = v > 0 ? best % w : -1, py = v > 0 ? best / w : -1;
                int ix = (int) (px + 0.5), iy = (int) (py + 0.5);
                if (1 < ix && ix < w - 1 && 1 < iy && iy < h - 1) {
                    px += 0.25 * Math.signum(hm[o + iy * w + ix + 1] - hm[o + iy * w + ix - 1]);
                    py += 0.25 * Math.signum(hm[o + (iy + 1) * w + ix] - hm[o + (iy - 1) * w + ix]);
                }
                // transform_preds: coords * (scale / heatmap size) + centre - scale / 2
                x[j] = c.frameX(px * inputW / w, inputW);
                y[j] = c.frameY(py * inputH / h, inputH);
                s[j] = v;
            }
            out.add(new Pose(x, y, s));
        }
        return out;
    }
}
