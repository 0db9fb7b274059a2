package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxGraph;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Probe models with the real exports' interfaces, whose outputs expose pre-processing and decoding; and test frames. */
final class PoseModels {
    private PoseModels() {}

    static OnnxSessions.Shared session(Path file, ModelSpec spec) {
        assertEquals(List.of(), ModelRegistry.checkInterface(spec, file), "the generated model has the real interface");
        return OnnxSessions.get(spec, file, "cpu", 1);
    }

    /** Black w x h frame. */
    static VideoFrame frame(int w, int h) {
        return new VideoFrame(0, w, h, new byte[w * h * 3]);
    }

    /** Fills [x0,x1) x [y0,y1) with one BGR colour. */
    static void fill(VideoFrame f, int x0, int y0, int x1, int y1, int b, int g, int r) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int o = (y * f.width() + x) * 3;
                f.bgr()[o] = (byte) b;
                f.bgr()[o + 1] = (byte) g;
                f.bgr()[o + 2] = (byte) r;
            }
        }
    }

    /** Channel {@code c} of a (N,3,H,W) input as (N,1,H,W). */
    static String channel(OnnxGraph g, String input, int c) {
        String s = g.fresh("s"), e = g.fresh("e"), a = g.fresh("a");
        g.constInt64(s, new long[] {1}, c);
        g.constInt64(e, new long[] {1}, c + 1);
        g.constInt64(a, new long[] {1}, 1);
        return g.op("Slice", Map.of(), input, s, e, a);
    }

    static String reshape(OnnxGraph g, String x, long... shape) {
        String s = g.fresh("shape");
        g.constInt64(s, new long[] {shape.length}, shape);
        return g.op("Reshape", Map.of(), x, s);
    }

    static String constant(OnnxGraph g, long[] dims, float... v) {
        String n = g.fresh("c");
        g.constFloat(n, dims, v);
        return n;
    }

    /**
     * YOLOX raw head (N|1, 8400, 85) from the red channel (index 2 of BGR): at stride 32 each cell's
     * objectness is the mean red/255 over a 128x256 (w x h) window centred on the cell's grid
     * point, with offsets 0 and wh = log(4), log(8) (a 128x256 box on the grid point), class 0;
     * strides 8 and 16 give all zeros. A red 128x256 rectangle centred on a grid point of the
     * canvas is thus detected exactly there, and its neighbours, shifted by 32, overlap it.
     */
    static Path yolox(Path file, String inputName, long batch) {
        OnnxGraph g = new OnnxGraph("yolox_probe");
        g.input(inputName, OnnxGraph.FLOAT, batch, 3, 640, 640);
        String red = channel(g, inputName, 2);
        String p32 = g.op("AveragePool", Map.of("kernel_shape", new long[] {256, 128}, "strides", new long[] {32, 32},
                "pads", new long[] {128, 64, 96, 32}, "count_include_pad", 1L), red);
        String obj = g.op("Mul", Map.of(), reshape(g, p32, 0, -1, 1), constant(g, new long[] {1}, 1 / 255f));
        float[] hot = new float[85], row = new float[85], zero = new float[85];
        hot[4] = 1;
        row[2] = (float) Math.log(4);
        row[3] = (float) Math.log(8);
        row[5] = 1;
        String rows32 = g.op("Add", Map.of(), g.op("Mul", Map.of(), obj, constant(g, new long[] {85}, hot)), constant(g, new long[] {85}, row));
        String zeros = constant(g, new long[] {85}, zero);
        String[] lower = new String[2];
        for (int i = 0; i < 2; i++) {
            long k = i == 0 ? 8 : 16;
            String p = g.op("AveragePool", Map.of("kernel_shape", new long[] {k, k}, "strides", new long[] {k, k}), red);
            lower[i] = g.op("Mul", Map.of(), reshape(g, p, 0, -1, 1), zeros);
        }
        g.node("Concat", List.of(lower[0], lower[1], rows32), List.of("output"), Map.of("axis", 1L));
        g.output("output", OnnxGraph.FLOAT, batch, 8400, 85);
        return g.write(file);
    }

    /** Returns the (N,3,640,640) input itself as "output": the letterbox canvas as the model sees it. */
    static Path yoloxIdentity(Path file) {
        OnnxGraph g = new OnnxGraph("yolox_canvas");
        g.input("images", OnnxGraph.FLOAT, -1, 3, 640, 640);
        g.node("Identity", List.of("images"), List.of("output"));
        g.output("output", OnnxGraph.FLOAT, -1, 3, 640, 640);
        return g.write(file);
    }

    /**
     * RTMPose interface (N,3,h,w) to simcc_x (N,k,2w) and simcc_y (N,k,2h): the max of the
     * normalized R plane (input channel 0) over rows / columns, nearest-upsampled x2, for every
     * keypoint; a bright red dot in the crop peaks at twice its crop position.
     */
    static Path rtmpose(Path file, String inputName, int h, int w, int k) {
        OnnxGraph g = new OnnxGraph("rtmpose_probe");
        g.input(inputName, OnnxGraph.FLOAT, -1, 3, h, w);
        String r = channel(g, inputName, 0);
        String scales = constant(g, new long[] {3}, 1, 1, 2);
        String reps = g.fresh("reps");
        g.constInt64(reps, new long[] {3}, 1, k, 1);
        Map<String, Object> nearest = Map.of("mode", "nearest", "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor");
        String cols = g.op("ReduceMax", Map.of("axes", new long[] {2}, "keepdims", 0L), r); // (N,1,w)
        String rows = g.op("ReduceMax", Map.of("axes", new long[] {3}, "keepdims", 0L), r); // (N,1,h)
        g.node("Tile", List.of(g.op("Resize", nearest, cols, "", scales), reps), List.of("simcc_x"));
        g.node("Tile", List.of(g.op("Resize", nearest, rows, "", scales), reps), List.of("simcc_y"));
        g.output("simcc_x", OnnxGraph.FLOAT, -1, k, 2L * w);
        g.output("simcc_y", OnnxGraph.FLOAT, -1, k, 2L * h);
        return g.write(file);
    }

    /**
     * ViTPose interface (N,3,h,w) to heatmaps (N,17,h/4,w/4): 3 + the mean of the normalized R
     * plane over a 5x5 window centred on crop pixel 4*(i, j), mmpose's heatmap-to-input mapping.
     */
    static Path vitpose(Path file, int h, int w) {
        OnnxGraph g = new OnnxGraph("vitpose_probe");
        g.input("input", OnnxGraph.FLOAT, -1, 3, h, w);
        String p = g.op("AveragePool", Map.of("kernel_shape", new long[] {5, 5}, "strides", new long[] {4, 4},
                "pads", new long[] {2, 2, 2, 2}), channel(g, "input", 0)); // padding not counted: edges stay background
        String reps = g.fresh("reps");
        g.constInt64(reps, new long[] {4}, 1, 17, 1, 1);
        g.node("Tile", List.of(g.op("Add", Map.of(), p, constant(g, new long[] {1}, 3f)), reps), List.of("output"));
        g.output("output", OnnxGraph.FLOAT, -1, 17, h / 4, w / 4);
        return g.write(file);
    }
}
