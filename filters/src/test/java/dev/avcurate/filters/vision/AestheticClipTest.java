package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.OnnxGraph;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LAION aesthetic operator against generated models with the exports' names and shapes: a
 * "CLIP" whose embedding is 256 pixels of each channel plane of pixel_values, and a head that is a
 * known linear map, so the score of a uniformly coloured frame is worked out here from CLIP's
 * normalization and the L2 normalization of the embedding; frames of different colours at 10%,
 * 50% and 90% of the clip check the frame choice and the mean. Crop geometry and the bicubic
 * resize are checked on gradients.
 */
class AestheticClipTest {
    static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f}, STD = {0.26862954f, 0.26130258f, 0.27577711f};
    @TempDir
    Path dir;

    static VideoFrame frame(int w, int h, java.util.function.BiFunction<Integer, Integer, int[]> bgr) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] c = bgr.apply(x, y);
                for (int k = 0; k < 3; k++) px[(y * w + x) * 3 + k] = (byte) c[k];
            }
        }
        return new VideoFrame(0, w, h, px);
    }

    static double norm(int c, double v) {
        return (v / 255.0 - MEAN[c]) / STD[c];
    }

    @Test
    void resizeShortSideCentreCropAndNormalization() {
        // 448x256: short side to 224, long side int(224 * 448 / 256) = 392, crop left round(168 / 2) = 84.
        VideoFrame f = frame(448, 256, (x, y) -> new int[] {40, y, (int) Math.round(x * 255.0 / 447)});
        float[] p = ClipAesthetic.preprocess(f);
        int plane = 224 * 224;
        for (int x : new int[] {10, 100, 223}) {
            double src = (x + 84 + 0.5) * 448 / 392.0 - 0.5;
            assertEquals(norm(0, src * 255 / 447), p[100 * 224 + x], 1.6 / 255 / STD[0], "red (x gradient) at x " + x);
        }
        for (int y : new int[] {50, 112, 200}) {
            double src = (y + 0.5) * 256 / 224.0 - 0.5;
            assertEquals(norm(1, src), p[plane + y * 224 + 7], 1.1 / 255 / STD[1], "green (y gradient) at y " + y);
        }
        assertEquals(norm(2, 40), p[2 * plane + 5000], 1e-5, "blue is the third plane");
    }

    /** A uniform BGR colour for frame i of 10: distinct for every i. */
    static int[] colour(int i) {
        return new int[] {20 * i + 5, 10 + 15 * i, 250 - 20 * i};
    }

    static double expected(int i) {
        int[] c = colour(i);
        double r = norm(0, c[2]), g = norm(1, c[1]), b = norm(2, c[0]);
        double n = Math.sqrt(256 * (r * r + g * g + b * b));
        return 3 + (r + 2 * g - b) / n;
    }

    static Path clipModel(Path file) {
        long[] idx = new long[768];
        for (int k = 0; k < 768; k++) idx[k] = (k / 256) * 224L * 224 + (k % 256) * 97;
        OnnxGraph g = new OnnxGraph("clip-test").input("pixel_values", OnnxGraph.FLOAT, -1, 3, 224, 224)
                .output("image_embeds", OnnxGraph.FLOAT, -1, 768)
                .constInt64("shape", new long[] {2}, 0, -1).constInt64("idx", new long[] {768}, idx);
        String flat = g.op("Reshape", Map.of(), "pixel_values", "shape");
        g.node("Gather", List.of(flat, "idx"), List.of("image_embeds"), Map.of("axis", 1L));
        return g.write(file);
    }

    static Path headModel(Path file, String input) {
        float[] w = new float[768];
        w[0] = 1;
        w[256] = 2;
        w[512] = -1;
        OnnxGraph g = new OnnxGraph("head-test").input(input, OnnxGraph.FLOAT, -1, 768).output("score", OnnxGraph.FLOAT, -1, 1)
                .constFloat("w", new long[] {768, 1}, w).constFloat("b", new long[] {1}, 3f);
        String m = g.op("MatMul", Map.of(), input, "w");
        g.node("Add", List.of(m, "b"), List.of("score"));
        return g.write(file);
    }

    @Test
    void meanOfTheFramesAtTenFiftyAndNinetyPercent() {
        Path c = clipModel(dir.resolve("clip.onnx")), h = headModel(dir.resolve("head.onnx"), "embedding");
        assertEquals(List.of(), ModelRegistry.checkInterface(ClipAesthetic.CLIP_SPEC, c));
        assertEquals(List.of(), ModelRegistry.checkInterface(ClipAesthetic.HEAD_SPEC, h));
        ClipAesthetic a = new ClipAesthetic(OnnxSessions.get(ClipAesthetic.CLIP_SPEC, c, "cpu", 1),
                OnnxSessions.get(ClipAesthetic.HEAD_SPEC, h, "cpu", 1));
        List<VideoFrame> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int[] col = colour(i);
            frames.add(frame(64, 48, (x, y) -> col));
        }
        assertArrayEquals(new int[] {1, 5, 9}, ClipAesthetic.frameIndices(10));
        ClipAesthetic.Result r = a.score(frames);
        assertArrayEquals(new double[] {expected(1), expected(5), expected(9)}, r.perFrame(), 1e-4);
        assertEquals((expected(1) + expected(5) + expected(9)) / 3, r.score(), 1e-4);
        assertTrue(r.estimator().endsWith("@cpu"), r.estimator());
    }

    @Test
    void checkInterfaceRejectsAWrongName() {
        Path bad = headModel(dir.resolve("bad.onnx"), "input");
        List<String> p = ModelRegistry.checkInterface(ClipAesthetic.HEAD_SPEC, bad);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("aesthetic_head: " + bad + ": input 'embedding' missing; the model has [input]"), p.get(0));
    }
}
