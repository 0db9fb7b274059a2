package dev.avcurate.filters.mediapipe;

import java.util.ArrayList;
import java.util.List;

/**
 * MediaPipe's {@code SsdAnchorsCalculator} for the BlazePose and palm detectors: layers of a
 * fixed-size anchor grid, consecutive layers of the same stride merged into one grid with several
 * anchors per cell (each layer adds one anchor per aspect ratio and one interpolated-scale
 * anchor). With {@code fixed_anchor_size} every anchor is 1 x 1, so only the centres matter.
 *
 * @param anchorOffset offset of a centre within its cell (0.5 = the cell centre)
 */
public record SsdAnchors(int inputWidth, int inputHeight, int numLayers, double minScale, double maxScale, int[] strides,
                         double anchorOffset) {

    /** BlazePose detector (pose_detection.tflite, 224 px): 2254 anchors. */
    public static final SsdAnchors POSE = new SsdAnchors(224, 224, 5, 0.1484375, 0.75, new int[] {8, 16, 32, 32, 32}, 0.5);
    /** Palm detector (palm_detection_full/lite.tflite, 192 px): 2016 anchors. */
    public static final SsdAnchors PALM = new SsdAnchors(192, 192, 4, 0.1484375, 0.75, new int[] {8, 16, 16, 16}, 0.5);

    /** Anchor centres {x, y} in [0, 1] of the input, in the model's output order. */
    public float[][] generate() {
        List<float[]> out = new ArrayList<>();
        int layer = 0;
        while (layer < numLayers) {
            int perCell = 0;
            int last = layer;
            // aspect ratio 1.0 plus the interpolated-scale anchor (interpolated_scale_aspect_ratio 1.0) per merged layer
            while (last < numLayers && strides[last] == strides[layer]) {
                perCell += 2;
                last++;
            }
            int stride = strides[layer];
            int fh = (int) Math.ceil((double) inputHeight / stride), fw = (int) Math.ceil((double) inputWidth / stride);
            for (int y = 0; y < fh; y++) {
                for (int x = 0; x < fw; x++) {
                    for (int a = 0; a < perCell; a++) {
                        out.add(new float[] {(float) ((x + anchorOffset) / fw), (float) ((y + anchorOffset) / fh)});
                    }
                }
            }
            layer = last;
        }
        return out.toArray(new float[0][]);
    }
}
