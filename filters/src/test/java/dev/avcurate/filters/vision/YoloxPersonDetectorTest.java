package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YoloxPersonDetectorTest {
    @TempDir
    Path dir;

    /** A red person rectangle; in the canvas it is 128x256 centred on stride-32 grid point (10, 5). */
    static VideoFrame person(int w, int h, int x0, int y0, int x1, int y1) {
        VideoFrame f = PoseModels.frame(w, h);
        PoseModels.fill(f, x0, y0, x1, y1, 0, 0, 255);
        return f;
    }

    static void assertBox(double x0, double y0, double x1, double y1, Box b, double tol) {
        assertEquals(x0, b.x0(), tol, "x0 of " + b);
        assertEquals(y0, b.y0(), tol, "y0 of " + b);
        assertEquals(x1, b.x1(), tol, "x1 of " + b);
        assertEquals(y1, b.y1(), tol, "y1 of " + b);
    }

    @Test
    void personsComeBackWhereTheyAreDrawnInOneBatchedRun() {
        OnnxSessions.Shared s = PoseModels.session(PoseModels.yolox(dir.resolve("yolox_dyn.onnx"), "images", -1), YoloxPersonDetector.SPEC);
        YoloxPersonDetector d = new YoloxPersonDetector(s, 0.7, 0.45);
        assertTrue(d.batched());
        assertEquals("yolox@cpu", d.estimator());
        // letterbox scale 0.5 and 2/3: canvas [256,384) x [32,288) both times
        List<List<Box>> r = d.detect(List.of(person(1280, 720, 512, 64, 768, 576), person(960, 540, 384, 48, 576, 432)));
        assertEquals(1, r.get(0).size(), "neighbouring cells overlap the best one and are suppressed: " + r.get(0));
        assertBox(512, 64, 768, 576, r.get(0).get(0), 1e-3);
        assertEquals(1.0, r.get(0).get(0).score(), 1e-6);
        assertEquals(1, r.get(1).size(), r.get(1).toString());
        assertBox(384, 48, 576, 432, r.get(1).get(0), 1e-3);
        assertEquals(List.of(), d.detect(List.of(PoseModels.frame(640, 480))).get(0), "nothing on a black frame");
    }

    @Test
    void fixedBatchExportRunsFrameByFrameWithTheSameResult() {
        OnnxSessions.Shared s = PoseModels.session(PoseModels.yolox(dir.resolve("yolox_b1.onnx"), "images", 1), YoloxPersonDetector.SPEC);
        YoloxPersonDetector d = new YoloxPersonDetector(s, 0.7, 0.45);
        assertFalse(d.batched());
        List<List<Box>> r = d.detect(List.of(person(1280, 720, 512, 64, 768, 576), person(960, 540, 384, 48, 576, 432)));
        assertBox(512, 64, 768, 576, r.get(0).get(0), 1e-3);
        assertBox(384, 48, 576, 432, r.get(1).get(0), 1e-3);
    }

    @Test
    void withoutNmsTheOverlappingNeighboursWouldSurvive() {
        FloatBuffer in = PoseOnnxIo.reuse(null, 3L * 640 * 640);
        double ratio = YoloxPersonDetector.preprocess(person(1280, 720, 512, 64, 768, 576), in);
        OnnxSessions.Shared s = PoseModels.session(PoseModels.yolox(dir.resolve("yolox_raw.onnx"), "images", -1), YoloxPersonDetector.SPEC);
        float[] raw = PoseOnnxIo.run(s, "yolox", "images", in, new long[] {1, 3, 640, 640}, "output").get("output");
        assertEquals(1, YoloxPersonDetector.postprocess(raw, 0, 85, ratio, 0.7, 0.45).size());
        assertTrue(YoloxPersonDetector.postprocess(raw, 0, 85, ratio, 0.7, 1.0).size() >= 3, "duplicates before NMS");
    }

    @Test
    void canvasIsTopLeftBgrRawWith114Padding() {
        // Not the real output shape (it returns the canvas): opened without the interface check.
        OnnxSessions.Shared s = OnnxSessions.get(YoloxPersonDetector.SPEC, PoseModels.yoloxIdentity(dir.resolve("canvas.onnx")), "cpu", 1);
        VideoFrame f = PoseModels.frame(320, 160); // scale 2: the frame fills rows 0..319
        PoseModels.fill(f, 0, 0, 320, 160, 10, 20, 30);
        PoseModels.fill(f, 100, 50, 110, 60, 200, 0, 0); // a blue square at canvas [200,220) x [100,120)
        FloatBuffer in = PoseOnnxIo.reuse(null, 3L * 640 * 640);
        assertEquals(2.0, YoloxPersonDetector.preprocess(f, in), 0);
        float[] c = PoseOnnxIo.run(s, "yolox", "images", in, new long[] {1, 3, 640, 640}, "output").get("output");
        int plane = 640 * 640;
        for (int ch = 0; ch < 3; ch++) {
            assertEquals(10 * (ch + 1), c[ch * plane], 0, "channel " + ch + " is BGR index " + ch + ", raw 0..255");
            assertEquals(10 * (ch + 1), c[ch * plane + 319 * 640 + 639], 0, "last frame pixel");
            assertEquals(114, c[ch * plane + 320 * 640], 0, "padding below the frame");
            assertEquals(114, c[ch * plane + 639 * 640 + 639], 0);
        }
        assertEquals(200, c[105 * 640 + 205], 0, "blue square scaled by 2");
        assertEquals(0, c[2 * plane + 105 * 640 + 205], 0);
        assertEquals(10, c[105 * 640 + 230], 0, "outside the square");
    }

    @Test
    void decodesStridesGridAndScaleAndKeepsOnlyPersons() {
        float[] raw = new float[8400 * 85];
        // stride 8, grid (30, 20): centre (244, 164), 16 x 32
        put(raw, 20 * 80 + 30, 0.5f, 0.5f, (float) Math.log(2), (float) Math.log(4), 0.9f, 0);
        // stride 16, grid (5, 7): centre (80, 112), 16 x 16
        put(raw, 6400 + 7 * 40 + 5, 0, 0, 0, 0, 0.8f, 0);
        // stride 32, a non-person (class 3) elsewhere
        put(raw, 8000 + 2 * 20 + 15, 0, 0, 0, 0, 0.95f, 3);
        List<Box> b = YoloxPersonDetector.postprocess(raw, 0, 85, 0.5, 0.3, 0.45);
        assertEquals(2, b.size(), b.toString());
        assertBox(472, 296, 504, 360, b.get(0), 1e-4);
        assertEquals(0.9, b.get(0).score(), 1e-6);
        assertBox(144, 208, 176, 240, b.get(1), 1e-4);
    }

    private static void put(float[] raw, int anchor, float dx, float dy, float lw, float lh, float obj, int cls) {
        int o = anchor * 85;
        raw[o] = dx;
        raw[o + 1] = dy;
        raw[o + 2] = lw;
        raw[o + 3] = lh;
        raw[o + 4] = obj;
        raw[o + 5 + cls] = 1;
    }
}
