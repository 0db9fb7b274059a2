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
 * The Open-Sora motion operator against a generated "flow" model returning (image2 - image1) of
 * the red and green channels as the two flow components: uniform frames whose brightness changes
 * by known steps then give a known score, which checks the pair schedule (source frames 0, 10, 20,
 * 30), RGB order and the mean of absolute components; the 320x576 resize and the portrait
 * transpose are checked on gradients.
 */
class FlowMotionTest {
    @TempDir
    Path dir;

    static Path model(Path file, long h) {
        OnnxGraph g = new OnnxGraph("flow-test").input("image1", OnnxGraph.FLOAT, -1, 3, h, 576)
                .input("image2", OnnxGraph.FLOAT, -1, 3, h, 576).output("flow", OnnxGraph.FLOAT, -1, 2, h, 576)
                .constInt64("s", new long[] {1}, 0).constInt64("e", new long[] {1}, 2).constInt64("ax", new long[] {1}, 1);
        String d = g.op("Sub", Map.of(), "image2", "image1");
        g.node("Slice", List.of(d, "s", "e", "ax"), List.of("flow"));
        return g.write(file);
    }

    static VideoFrame uniform(int r, int g) {
        int w = 32, h = 24;
        byte[] px = new byte[w * h * 3];
        for (int k = 0; k < w * h; k++) {
            px[3 * k + 1] = (byte) g;
            px[3 * k + 2] = (byte) r;
        }
        return new VideoFrame(0, w, h, px);
    }

    OpticalFlowMotion operator() {
        Path f = model(dir.resolve("flow.onnx"), 320);
        assertEquals(List.of(), ModelRegistry.checkInterface(OpticalFlowMotion.SPEC, f));
        return new OpticalFlowMotion(OnnxSessions.get(OpticalFlowMotion.SPEC, f, "cpu", 1));
    }

    @Test
    void pairsOfSourceFramesTenApartAndMeanAbsoluteComponent() {
        OpticalFlowMotion m = operator();
        List<VideoFrame> native25 = new ArrayList<>();
        for (int i = 0; i < 40; i++) native25.add(uniform(2 * i, 100 - i));
        OpticalFlowMotion.Result r = m.score(native25, 25, 25);
        assertEquals(3, r.pairs());
        assertEquals(10, r.gapSourceFrames(), 1e-9);
        assertEquals((20 + 10) / 2.0, r.motionMean(), 1e-4, "|dR| = 20, |dG| = 10 per pair");

        // Sampled at 5 fps from 25 fps: source frames 0, 10, 20, 30 are sampled frames 0, 2, 4, 6.
        List<VideoFrame> sampled = new ArrayList<>();
        for (int j = 0; j < 10; j++) sampled.add(uniform(3 * j * j, 0));
        OpticalFlowMotion.Result s = m.score(sampled, 5, 25);
        assertEquals((12 + 36 + 60) / 3.0 / 2, s.motionMean(), 1e-4);
        assertEquals(3, s.pairs());
        assertNull(m.score(sampled.subList(0, 2), 5, 25), "one scheduled frame only");
    }

    @Test
    void schedule() {
        assertArrayEquals(new int[] {0, 10, 20, 30}, OpticalFlowMotion.schedule(31, 25, 25));
        assertArrayEquals(new int[] {0, 10, 20}, OpticalFlowMotion.schedule(30, 25, 25), "pairs past the clip dropped");
        assertArrayEquals(new int[] {0, 2, 3, 5}, OpticalFlowMotion.schedule(10, 5, 30));
    }

    @Test
    void portraitFramesAreTransposedThenResizedAlignCorners() {
        int w = 24, h = 40;
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[(y * w + x) * 3 + 2] = (byte) (6 * y);
                px[(y * w + x) * 3 + 1] = (byte) (10 * x);
                px[(y * w + x) * 3] = 7;
            }
        }
        float[] p = OpticalFlowMotion.preprocess(new VideoFrame(0, w, h, px));
        int plane = 320 * 576;
        assertEquals(3 * plane, p.length);
        for (int[] at : new int[][] {{0, 0}, {100, 300}, {319, 575}, {17, 401}}) {
            int oy = at[0], ox = at[1];
            assertEquals(6 * ox * 39.0 / 575, p[oy * 576 + ox], 1e-3, "red: source rows along the width");
            assertEquals(10 * oy * 23.0 / 319, p[plane + oy * 576 + ox], 1e-3, "green: source columns along the height");
            assertEquals(7, p[2 * plane + oy * 576 + ox], 1e-6, "0..255, not normalized");
        }
    }

    @Test
    void checkInterfaceRejectsTheWrongResolution() {
        Path bad = model(dir.resolve("bad.onnx"), 256);
        List<String> p = ModelRegistry.checkInterface(OpticalFlowMotion.SPEC, bad);
        assertTrue(p.contains("unimatch_flow: " + bad + ": input 'image1' has shape [-1, 3, 256, 576], expected [-1, 3, 320, 576]"), p.toString());
        assertTrue(p.contains("unimatch_flow: " + bad + ": output 'flow' has shape [-1, 2, 256, 576], expected [-1, 2, 320, 576]"), p.toString());
    }
}
