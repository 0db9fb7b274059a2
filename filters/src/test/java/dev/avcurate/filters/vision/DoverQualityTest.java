package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxGraph;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DOVER against a generated model with the export's names and shapes whose technical score is the
 * mean red (normalized) over fragment cell (row 2, column 5) of the spliced 224x224 view, and
 * whose aesthetic score is the blue of the aesthetic view at frame 5, pixel (112, 112). A frame
 * with only the source cell (2, 5) of the 7x7 grid in a known colour then checks the grid, the
 * channel order, the normalization and fuse_results, with the numbers worked out here from the
 * published constants.
 */
class DoverQualityTest {
    static final int S = 256; // 256 // 7 = 36: cells 36 px, patches 32 px at offsets 0..3
    @TempDir
    Path dir;

    static float[] rgbOf(int b, int g, int r) {
        return new float[] {r, g, b};
    }

    /** Background BGR (30, 60, 90); source cell (ci, cj) of the 7x7 grid BGR (10, 100, 200). */
    static List<VideoFrame> frames(int n, int ci, int cj) {
        List<VideoFrame> out = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            byte[] px = new byte[S * S * 3];
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    boolean cell = y / 36 == ci && x / 36 == cj && y < 7 * 36 && x < 7 * 36;
                    int o = (y * S + x) * 3;
                    px[o] = (byte) (cell ? 10 : 30);
                    px[o + 1] = (byte) (cell ? 100 : 60);
                    px[o + 2] = (byte) (cell ? 200 : 90);
                }
            }
            out.add(new VideoFrame(f / 25.0, S, S, px));
        }
        return out;
    }

    static Path model(Path file, String aesName) {
        OnnxGraph g = new OnnxGraph("dover-test")
                .input(aesName, OnnxGraph.FLOAT, 1, 3, 32, 224, 224)
                .input("tech_view", OnnxGraph.FLOAT, -1, 3, 32, 224, 224)
                .output("aesthetic_score", OnnxGraph.FLOAT, -1)
                .output("technical_score", OnnxGraph.FLOAT, -1)
                .constInt64("t_starts", new long[] {3}, 0, 64, 160).constInt64("t_ends", new long[] {3}, 1, 96, 192)
                .constInt64("t_axes", new long[] {3}, 1, 3, 4)
                .constInt64("a_starts", new long[] {4}, 2, 5, 112, 112).constInt64("a_ends", new long[] {4}, 3, 6, 113, 113)
                .constInt64("a_axes", new long[] {4}, 1, 2, 3, 4);
        String t = g.op("Slice", Map.of(), "tech_view", "t_starts", "t_ends", "t_axes");
        g.node("ReduceMean", List.of(t), List.of("technical_score"), Map.of("axes", new long[] {1, 2, 3, 4}, "keepdims", 0L));
        String a = g.op("Slice", Map.of(), aesName, "a_starts", "a_ends", "a_axes");
        g.node("ReduceMean", List.of(a), List.of("aesthetic_score"), Map.of("axes", new long[] {1, 2, 3, 4}, "keepdims", 0L));
        return g.write(file);
    }

    OnnxSessions.Shared session() {
        Path f = model(dir.resolve("dover.onnx"), "aes_view");
        assertEquals(List.of(), ModelRegistry.checkInterface(DoverQuality.SPEC, f), "the generated model has the export's interface");
        return OnnxSessions.get(DoverQuality.SPEC, f, "cpu", 1);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void fragmentGridChannelOrderNormalizationAndFusion() {
        DoverQuality d = new DoverQuality(session());
        DoverQuality.Result r = d.score(frames(40, 2, 5), 25);
        double tech = (200 - 123.675) / 58.395, aes = (30 - 103.53) / 57.375; // red of the cell, blue of the background
        assertEquals(tech, r.rawTechnical(), 2e-4); // float32 mean over 3 x 1024 values
        assertEquals(aes, r.rawAesthetic(), 1e-5);
        double t = (r.rawTechnical() - 0.1107) / 0.07355, a = (r.rawAesthetic() + 0.08285) / 0.03774;
        assertEquals(sigmoid(t), r.technical(), 1e-12);
        assertEquals(sigmoid(a), r.aesthetic(), 1e-12);
        assertEquals(sigmoid(0.6104 * t + 0.3896 * a), r.overall(), 1e-12);
        assertEquals(sigmoid(0.6104 * (tech - 0.1107) / 0.07355 + 0.3896 * (aes + 0.08285) / 0.03774), r.overall(), 1e-3);
        assertTrue(r.estimator().startsWith("dover@cpu"), r.estimator());

        // The bright source cell one column left: output cell (2, 5) now shows background red only.
        DoverQuality.Result left = d.score(frames(40, 2, 4), 25);
        assertEquals((90 - 123.675) / 58.395, left.rawTechnical(), 2e-4);
    }

    @Test
    void samplersFollowUnifiedFrameSampler() {
        int[] t = DoverQuality.technicalIndices(300, 3, new SplittableRandom(1));
        assertEquals(96, t.length);
        for (int c = 0; c < 3; c++) {
            int start = t[c * 32];
            assertTrue(start >= 100 * c && start < 100 * c + 36, "segment " + c + " starts at " + start);
            for (int k = 0; k < 32; k++) assertEquals(start + 2 * k, t[c * 32 + k]);
        }
        // Short clips: no random offset, indices wrap modulo the frame count.
        int[] s = DoverQuality.technicalIndices(40, 3, new SplittableRandom(1));
        assertEquals(0, s[0]);
        assertEquals(62 % 40, s[31]);
        assertEquals((13 + 62) % 40, s[63]);
        int[] a = DoverQuality.aestheticIndices(320, new SplittableRandom(1));
        assertEquals(32, a.length);
        for (int i = 0; i < 32; i++) assertTrue(a[i] >= 10 * i && a[i] < 10 * i + 8, i + ": " + a[i]);
        assertArrayEquals(a, DoverQuality.aestheticIndices(320, new SplittableRandom(1)), "seeded: reproducible");
        int[] few = DoverQuality.aestheticIndices(20, new SplittableRandom(1));
        assertTrue(Arrays.stream(few).allMatch(i -> i == 0), "under 32 frames the reference sampler repeats frame 0");
    }

    @Test
    void checkInterfaceNamesTheWrongInput() {
        Path bad = model(dir.resolve("bad.onnx"), "aesthetic");
        List<String> p = ModelRegistry.checkInterface(DoverQuality.SPEC, bad);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("dover: " + bad + ": input 'aes_view' missing; the model has"), p.get(0));
        ModelSpec wrong = new ModelSpec("dover", "", "", "user", Map.of("tech_view", new long[] {-1, 3, 16, 224, 224}), Map.of());
        assertEquals(List.of("dover: " + bad + ": input 'tech_view' has shape [-1, 3, 32, 224, 224], expected [-1, 3, 16, 224, 224]"),
                ModelRegistry.checkInterface(wrong, bad));
    }
}
