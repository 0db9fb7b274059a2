package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.OnnxGraph;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
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
 * ArcFace against a generated model with w600k_r50's interface (input.1 (N,3,112,112), one (N,512)
 * output named "683") whose embedding is chosen input values of the aligned crop followed by 1,
 * so that after the L2 normalization each value is recovered as u_i / u_last. The frame is grey
 * 51 with red dots of radius 4 at the 5 keypoints, which are the template moved by a known
 * similarity (scale 1.7, 20 degrees, a translation), so an exact alignment puts red at the
 * template positions and grey 4 crop pixels away from them.
 */
class ArcFaceEmbedderTest {
    static final int W = 320, H = 240, PLANE = 112 * 112;
    static final double BG = (51 - 127.5) / 127.5;
    @TempDir
    Path dir;

    /** Probes: (channel, x, y) of the crop, and the raw value expected there. */
    static final int[][] PROBES = {
            {0, 38, 52}, {1, 38, 52}, {2, 38, 52}, {0, 74, 52}, {0, 56, 72}, {0, 42, 92}, {0, 71, 92}, // dots: R 1, G/B -1
            {0, 34, 52}, {0, 42, 52}, {0, 38, 48}, {0, 38, 56}, {0, 78, 52}, {0, 70, 52}, {0, 56, 30}, // grey around and above
            {0, 0, 0}}; // outside the frame: border 0
    static final double[] EXPECTED = {1, -1, -1, 1, 1, 1, 1, BG, BG, BG, BG, BG, BG, BG, -1};

    Path model(String inputName, long[] outShape) {
        OnnxGraph g = new OnnxGraph("arcface_probe");
        g.input(inputName, OnnxGraph.FLOAT, -1, 3, 112, 112);
        g.constInt64("flat", new long[] {2}, 0, -1);
        String x = g.op("Reshape", Map.of(), inputName, "flat");
        long[] idx = new long[511];
        for (int i = 0; i < idx.length; i++) {
            int[] p = PROBES[Math.min(i, PROBES.length - 1)];
            idx[i] = (long) p[0] * PLANE + p[2] * 112 + p[1];
        }
        g.constInt64("idx", new long[] {511}, idx);
        g.constInt64("idx0", new long[] {1}, 0);
        String probes = g.op("Gather", Map.of("axis", 1L), x, "idx");
        g.constFloat("zero", new long[] {}, 0f);
        g.constFloat("one", new long[] {}, 1f);
        String ones = g.op("Add", Map.of(), g.op("Mul", Map.of(), g.op("Gather", Map.of("axis", 1L), x, "idx0"), "zero"), "one");
        if (outShape.length == 2) {
            g.node("Concat", List.of(probes, ones), List.of("683"), Map.of("axis", 1L));
        } else {
            g.constInt64("ax2", new long[] {1}, 2);
            g.node("Unsqueeze", List.of(g.op("Concat", Map.of("axis", 1L), probes, ones), "ax2"), List.of("683"));
        }
        g.output("683", OnnxGraph.FLOAT, outShape);
        return g.write(dir.resolve(inputName + outShape.length + ".onnx"));
    }

    ArcFaceEmbedder embedder() {
        Path f = model("input.1", new long[] {-1, 512});
        assertEquals(List.of(), ModelRegistry.checkInterface(ArcFaceEmbedder.SPEC, f));
        assertEquals(List.of(), ArcFaceEmbedder.checkInterface(f));
        return new ArcFaceEmbedder(OnnxSessions.get(ArcFaceEmbedder.SPEC, f, "cpu", 1));
    }

    /** Template points moved by x' = s R(theta) x + t. */
    static double[] keypoints(double s, double deg, double tx, double ty) {
        double c = Math.cos(Math.toRadians(deg)), n = Math.sin(Math.toRadians(deg));
        double[] k = new double[10];
        for (int i = 0; i < 5; i++) {
            double x = ArcFaceEmbedder.TEMPLATE[i][0], y = ArcFaceEmbedder.TEMPLATE[i][1];
            k[2 * i] = s * (c * x - n * y) + tx;
            k[2 * i + 1] = s * (n * x + c * y) + ty;
        }
        return k;
    }

    static VideoFrame frame(double[] kps) {
        byte[] px = new byte[W * H * 3];
        Arrays.fill(px, (byte) 51);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                for (int i = 0; i < 5; i++) {
                    double dx = x - kps[2 * i], dy = y - kps[2 * i + 1];
                    if (dx * dx + dy * dy <= 16) {
                        int o = (y * W + x) * 3;
                        px[o] = 0;
                        px[o + 1] = 0;
                        px[o + 2] = (byte) 255; // red, BGR
                    }
                }
            }
        }
        return new VideoFrame(0, W, H, px);
    }

    static Box face(double[] kps) {
        return new Box(kps[0] - 30, kps[1] - 40, kps[2] + 30, kps[9] + 20, 0.9, kps);
    }

    @Test
    void similarityMapsTheKeypointsOntoTheTemplate() {
        double[] k = keypoints(1.7, 20, 100, -60);
        double[] m = ArcFaceEmbedder.similarity(k);
        for (int i = 0; i < 5; i++) {
            assertEquals(ArcFaceEmbedder.TEMPLATE[i][0], m[0] * k[2 * i] + m[1] * k[2 * i + 1] + m[2], 1e-9);
            assertEquals(ArcFaceEmbedder.TEMPLATE[i][1], m[3] * k[2 * i] + m[4] * k[2 * i + 1] + m[5], 1e-9);
        }
        assertEquals(1 / 1.7, Math.hypot(m[0], m[3]), 1e-12, "scale");
        assertEquals(-20, Math.toDegrees(Math.atan2(m[3], m[0])), 1e-9, "rotation");
        assertThrows(IllegalArgumentException.class, () -> ArcFaceEmbedder.similarity(new double[12]), "BlazeFace's 6 points are not SCRFD's 5");
    }

    @Test
    void theAlignedCropHasTheTemplateLayoutRgbAndArcfaceNormalization() {
        ArcFaceEmbedder e = embedder();
        double[] k = keypoints(1.7, 20, 100, -60);
        float[][] out = e.embed(List.of(frame(k)), List.of(face(k)));
        float[] u = out[0];
        assertEquals(512, u.length);
        double norm = 0;
        for (float v : u) norm += v * v;
        assertEquals(1, Math.sqrt(norm), 1e-6, "L2-normalized");
        for (int i = 0; i < PROBES.length; i++) {
            assertEquals(EXPECTED[i], u[i] / u[511], 1e-6, "probe " + Arrays.toString(PROBES[i]));
        }
        assertTrue(e.estimator().startsWith("arcface@cpu"));
    }

    @Test
    void aBatchEqualsOneByOne() {
        ArcFaceEmbedder e = embedder();
        double[][] ks = {keypoints(1.7, 20, 100, -60), keypoints(1.2, -35, 150, 20), keypoints(0.9, 5, 60, 40)};
        List<VideoFrame> frames = new ArrayList<>();
        List<Box> faces = new ArrayList<>();
        for (double[] k : ks) {
            frames.add(frame(k));
            faces.add(face(k));
        }
        float[][] all = e.embed(frames, faces);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(e.embed(List.of(frames.get(i)), List.of(faces.get(i)))[0], all[i], 0f);
            for (int p = 0; p < 7; p++) assertEquals(EXPECTED[p], all[i][p] / all[i][511], 1e-6, "face " + i + " probe " + p);
        }
        assertEquals(1, ArcFaceEmbedder.cosine(all[0], all[0]), 1e-6);
    }

    @Test
    void cosineOfVectors() {
        assertEquals(0, ArcFaceEmbedder.cosine(new float[] {1, 0}, new float[] {0, 2}), 1e-12);
        assertEquals(-1, ArcFaceEmbedder.cosine(new float[] {1, 1}, new float[] {-3, -3}), 1e-12);
        assertEquals(Math.sqrt(0.5), ArcFaceEmbedder.cosine(new float[] {1, 0}, new float[] {1, 1}), 1e-7);
    }

    @Test
    void interfaceChecksNameTheProblem() {
        List<String> p = ArcFaceEmbedder.checkInterface(model("data", new long[] {-1, 512}));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("input 'input.1' missing; the model has [data]"), p.get(0));
        Path rank3 = model("input.1", new long[] {-1, 512, 1});
        List<String> q = ArcFaceEmbedder.checkInterface(rank3);
        assertEquals(1, q.size(), q.toString());
        assertTrue(q.get(0).contains("output '683' has shape [-1, 512, 1], expected (N,D)"), q.get(0));
    }

    @Test
    void twoNoisyIdentitiesMakeTwoClusters() {
        SplittableRandom r = new SplittableRandom(3);
        float[] a = unit(r, null, 0), b = unit(r, null, 0);
        List<float[]> faces = new ArrayList<>();
        for (int i = 0; i < 30; i++) faces.add(unit(r, i % 3 == 0 ? b : a, 0.04)); // per-dim noise ~ signal: cos to the mean ~0.7
        double same = ArcFaceEmbedder.cosine(faces.get(1), faces.get(2)), other = ArcFaceEmbedder.cosine(faces.get(0), faces.get(1));
        assertTrue(same > 0.4 && same < 0.8 && Math.abs(other) < 0.2, same + " " + other);
        int[] label = IdentityClusters.assign(faces, IdentityClusters.DEFAULT_THRESHOLD);
        for (int i = 0; i < 30; i++) assertEquals(i % 3 == 0 ? label[0] : label[1], label[i], "face " + i);
        assertEquals(2, IdentityClusters.count(faces));
        faces.add(unit(r, null, 0)); // a one-off false detection
        assertEquals(3, IdentityClusters.count(faces));
        assertEquals(2, IdentityClusters.count(faces, IdentityClusters.DEFAULT_THRESHOLD, 2));
    }

    /** A random unit vector (512-d), or {@code base} plus Gaussian noise of sd {@code sd} per dim, normalized. */
    static float[] unit(SplittableRandom r, float[] base, double sd) {
        float[] v = new float[512];
        double n = 0;
        for (int i = 0; i < 512; i++) {
            double g = gauss(r);
            v[i] = (float) (base == null ? g : base[i] + sd * g);
            n += v[i] * v[i];
        }
        for (int i = 0; i < 512; i++) v[i] /= (float) Math.sqrt(n);
        return v;
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
