package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.OnnxGraph;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRFD against generated models with det_10g's input and output names: each stride's score map
 * is the red channel's mean over an F x F window centred on the anchor centre (x, y) x stride,
 * mapped from [-1, 1] to [0, 1] and raised to the 8th power, so only an anchor whose window sits
 * exactly on a bright F x F square scores above 0.5; both anchors of a location get the same
 * score (duplicates for NMS, as do the strides that share the location). Box distances are F/2
 * in input pixels and keypoint offsets fixed, both given in stride units, so a correct decode
 * (anchor centre, x stride, / letterbox scale) returns the square's own frame coordinates.
 */
class ScrfdFaceDetectorTest {
    static final int F = 64; // face side in model-input pixels
    static final float[] KPS = {-12, -8, 12, -8, 0, 4, -8, 16, 8, 16}; // keypoint offsets from the centre, input pixels
    static final String[] SCORES = {"448", "471", "494"}, BOXES = {"451", "474", "497"}, KEYS = {"454", "477", "500"};
    @TempDir
    Path dir;

    /**
     * @param batched input (N,3,640,640) with (N,K,c) outputs listed stride by stride; else det_10g's
     *                (1,3,?,?) with (K,c) outputs listed scores, boxes, keypoints
     */
    static OnnxGraph model(boolean batched, String inputName, int boxDims, boolean withKps) {
        OnnxGraph g = new OnnxGraph("scrfd_probe");
        if (batched) g.input(inputName, OnnxGraph.FLOAT, -1, 3, 640, 640);
        else g.input(inputName, OnnxGraph.FLOAT, 1, 3, -1, -1);
        g.constInt64("c0", new long[] {1}, 0);
        g.constInt64("c1", new long[] {1}, 1);
        g.constInt64("ax1", new long[] {1}, 1);
        String red = g.op("Slice", Map.of(), inputName, "c0", "c1", "ax1"); // (N,1,H,W), channel 0 = R
        g.constFloat("one", new long[] {}, 1f);
        g.constFloat("half", new long[] {}, 0.5f);
        g.constFloat("eight", new long[] {}, 8f);
        g.constFloat("zero", new long[] {}, 0f);
        g.constInt64("rows", batched ? new long[] {3} : new long[] {2}, batched ? new long[] {0, -1, 1} : new long[] {-1, 1});
        List<String[]> outs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int s = 8 << i;
            String p = g.op("AveragePool", Map.of("kernel_shape", new long[] {F, F}, "strides", new long[] {s, s},
                    "pads", new long[] {F / 2, F / 2, F / 2 - s, F / 2 - s}), red);
            String q = g.op("Pow", Map.of(), g.op("Mul", Map.of(), g.op("Add", Map.of(), p, "one"), "half"), "eight");
            String t = g.op("Transpose", Map.of("perm", new long[] {0, 2, 3, 1}), q);
            String two = g.op("Concat", Map.of("axis", 3L), t, t); // 2 anchors per location, consecutive
            g.node("Reshape", List.of(two, "rows"), List.of(SCORES[i]));
            String zeros = g.op("Mul", Map.of(), SCORES[i], "zero");
            float[] d = new float[boxDims];
            java.util.Arrays.fill(d, (float) (F / 2) / s);
            g.constFloat("box" + s, new long[] {boxDims}, d);
            g.node("Add", List.of(zeros, "box" + s), List.of(BOXES[i]));
            float[] k = new float[10];
            for (int j = 0; j < 10; j++) k[j] = KPS[j] / s;
            g.constFloat("kps" + s, new long[] {10}, k);
            g.node("Add", List.of(zeros, "kps" + s), List.of(KEYS[i]));
            long rows = 2L * (640 / s) * (640 / s);
            outs.add(new String[] {SCORES[i], "1", Long.toString(rows)});
            outs.add(new String[] {BOXES[i], Integer.toString(boxDims), Long.toString(rows)});
            if (withKps) outs.add(new String[] {KEYS[i], "10", Long.toString(rows)});
        }
        if (!batched) outs.sort(java.util.Comparator.comparingInt(o -> o[1].equals("1") ? 0 : o[1].equals("10") ? 2 : 1));
        for (String[] o : outs) {
            long c = Long.parseLong(o[1]), rows = Long.parseLong(o[2]);
            if (batched) g.output(o[0], OnnxGraph.FLOAT, -1, rows, c);
            else g.output(o[0], OnnxGraph.FLOAT, rows, c);
        }
        return g;
    }

    Path write(OnnxGraph g, String name) {
        return g.write(dir.resolve(name + ".onnx"));
    }

    ScrfdFaceDetector detector(boolean batched, double threshold) {
        Path f = write(model(batched, "input.1", 4, true), batched ? "scrfd_batched" : "det_10g");
        assertEquals(List.of(), ModelRegistry.checkInterface(ScrfdFaceDetector.SPEC, f));
        assertEquals(List.of(), ScrfdFaceDetector.checkInterface(f));
        return new ScrfdFaceDetector(OnnxSessions.get(ScrfdFaceDetector.SPEC, f, "cpu", 1), threshold, ScrfdFaceDetector.DEFAULT_NMS_IOU);
    }

    /** A dark w x h frame with a side x side square of colour (b, g, r) centred at (cx, cy). */
    static VideoFrame frame(int w, int h, int cx, int cy, int side, int b, int gr, int r) {
        byte[] px = new byte[w * h * 3];
        for (int y = cy - side / 2; y < cy + side / 2; y++) {
            for (int x = cx - side / 2; x < cx + side / 2; x++) {
                int o = (y * w + x) * 3;
                px[o] = (byte) b;
                px[o + 1] = (byte) gr;
                px[o + 2] = (byte) r;
            }
        }
        return new VideoFrame(0, w, h, px);
    }

    static void assertFace(List<Box> faces, double cx, double cy, double side, double tol) {
        assertEquals(1, faces.size(), "one face after NMS: " + faces);
        Box b = faces.get(0);
        assertEquals(cx - side / 2, b.x0(), tol, "x0");
        assertEquals(cy - side / 2, b.y0(), tol, "y0");
        assertEquals(cx + side / 2, b.x1(), tol, "x1");
        assertEquals(cy + side / 2, b.y1(), tol, "y1");
        assertTrue(b.score() > (tol < 1 ? 0.9 : 0.3), "score " + b.score());
        double scale = F / side;
        for (int j = 0; j < 5; j++) {
            assertEquals(cx + KPS[2 * j] / scale, b.keypoints()[2 * j], tol, "keypoint " + j + " x");
            assertEquals(cy + KPS[2 * j + 1] / scale, b.keypoints()[2 * j + 1], tol, "keypoint " + j + " y");
        }
    }

    @Test
    void aFaceComesBackWhereItWasDrawnInLandscapeAndPortraitFrames() {
        ScrfdFaceDetector d = detector(false, 0.5);
        assertArrayEquals(new int[] {640, 640}, d.inputSize(), "symbolic H, W: insightface's 640");
        // 1280x720: scale 0.5, the frame fills the top 360 rows; the face is 64 px in the input.
        assertFace(d.detect(frame(1280, 720, 512, 320, 128, 255, 255, 255)), 512, 320, 128, 1e-9);
        // 720x1280: scale 0.5, the frame fills the left 360 columns; centre (80, 480) in the input: strides 8 and 16 only.
        assertFace(d.detect(frame(720, 1280, 160, 960, 128, 0, 0, 255)), 160, 960, 128, 1e-9);
        // 960x540: scale 2/3, a 96 px face; centre (352, 192) in the input.
        assertFace(d.detect(frame(960, 540, 528, 288, 96, 0, 0, 255)), 528, 288, 96, 1e-9);
        // Off the anchor grid: the nearest anchors win, within half a stride-8 cell (4 input px = 8 frame px).
        ScrfdFaceDetector low = detector(false, 0.3);
        assertFace(low.detect(frame(1280, 720, 520, 326, 128, 255, 255, 255)), 520, 326, 128, 8);
        assertTrue(d.estimator().startsWith("scrfd@cpu"));
    }

    @Test
    void theModelSeesRgbAndOnlyTheFrame() {
        ScrfdFaceDetector d = detector(false, 0.5);
        assertEquals(List.of(), d.detect(frame(1280, 720, 512, 320, 128, 255, 0, 0)), "a blue square has no red: channel 0 is R");
        // A square half outside the letterboxed frame (in the zero padding below it) is not a face.
        assertEquals(List.of(), d.detect(frame(1280, 720, 512, 700, 40, 255, 255, 255)));
    }

    @Test
    void batchedExportGivesTheSameFacesAsFrameByFrame() {
        List<VideoFrame> frames = List.of(frame(1280, 720, 512, 320, 128, 255, 255, 255), frame(720, 1280, 160, 960, 128, 0, 0, 255),
                frame(1280, 720, 512, 320, 128, 255, 0, 0), frame(960, 540, 528, 288, 96, 0, 0, 255));
        List<List<Box>> one = detector(false, 0.5).detect(frames), batch = detector(true, 0.5).detect(frames);
        assertEquals(4, batch.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(one.get(i).size(), batch.get(i).size());
            for (int j = 0; j < one.get(i).size(); j++) {
                Box a = one.get(i).get(j), b = batch.get(i).get(j);
                assertArrayEquals(new double[] {a.x0(), a.y0(), a.x1(), a.y1(), a.score()}, new double[] {b.x0(), b.y0(), b.x1(), b.y1(), b.score()}, 1e-6);
                assertArrayEquals(a.keypoints(), b.keypoints(), 1e-6);
            }
        }
        assertFace(batch.get(0), 512, 320, 128, 1e-9);
        assertFace(batch.get(3), 528, 288, 96, 1e-9);
    }

    @Test
    void letterboxIsTopLeftWithZeroPaddingRgbAndInsightfaceNormalization() {
        // 8x4 frame into an 8x8 input: no resize, rows 4..7 padding.
        byte[] px = new byte[8 * 4 * 3];
        int o = (2 * 8 + 1) * 3;
        px[o] = 10;
        px[o + 1] = 20;
        px[o + 2] = 30;
        FloatBuffer b = FloatBuffer.allocate(3 * 64);
        ScrfdFaceDetector.preprocess(new VideoFrame(0, 8, 4, px), 8, 8, b);
        float[] in = b.array();
        assertEquals((30 - 127.5) / 128, in[2 * 8 + 1], 1e-6, "R plane first");
        assertEquals((20 - 127.5) / 128, in[64 + 2 * 8 + 1], 1e-6);
        assertEquals((10 - 127.5) / 128, in[128 + 2 * 8 + 1], 1e-6);
        assertEquals(-127.5 / 128, in[0], 1e-6, "black frame pixel");
        for (int y = 4; y < 8; y++) for (int c = 0; c < 3; c++) assertEquals(-127.5 / 128, in[c * 64 + y * 8 + 5], 1e-6, "padding below");
        // 4x8 portrait frame: columns 4..7 are padding; 16x8 alternating columns halve by averaging (cv2 INTER_LINEAR at 2x).
        ScrfdFaceDetector.Letterbox lb = ScrfdFaceDetector.letterbox(4, 8, 8, 8);
        assertEquals(new ScrfdFaceDetector.Letterbox(4, 8, 1.0), lb);
        byte[] stripes = new byte[16 * 8 * 3];
        for (int y = 0; y < 8; y++) for (int x = 0; x < 16; x++) for (int c = 0; c < 3; c++) stripes[(y * 16 + x) * 3 + c] = (byte) (x % 2 == 0 ? 100 : 201);
        b.clear();
        ScrfdFaceDetector.preprocess(new VideoFrame(0, 16, 8, stripes), 8, 8, b);
        assertEquals((151 - 127.5) / 128, b.array()[3 * 8 + 5], 1e-6);
        assertEquals(-127.5 / 128, b.array()[5 * 8 + 5], 1e-6);
        assertEquals(new ScrfdFaceDetector.Letterbox(640, 360, 0.5), ScrfdFaceDetector.letterbox(1280, 720, 640, 640));
        assertEquals(new ScrfdFaceDetector.Letterbox(360, 640, 0.5), ScrfdFaceDetector.letterbox(720, 1280, 640, 640));
    }

    @Test
    void nmsUsesInsightfacePlusOneAreas() {
        Box a = new Box(0, 0, 9, 9, 0.9, null), b = new Box(5, 0, 14, 9, 0.8, null); // overlap 5x10 of 10x10 areas: IoU 1/3
        assertEquals(List.of(a), ScrfdFaceDetector.nms(List.of(b, a), 0.3));
        assertEquals(List.of(a, b), ScrfdFaceDetector.nms(List.of(b, a), 0.4));
    }

    @Test
    void interfaceChecksNameTheProblem() {
        Path badName = write(model(false, "images", 4, true), "bad_name");
        List<String> p = ScrfdFaceDetector.checkInterface(badName);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("input 'input.1' missing; the model has [images]"), p.get(0));
        List<String> noKps = ScrfdFaceDetector.checkInterface(write(model(false, "input.1", 4, false), "no_kps"));
        assertEquals(List.of(), ModelRegistry.checkInterface(ScrfdFaceDetector.SPEC, dir.resolve("no_kps.onnx")), "the input is right");
        assertTrue(noKps.get(0).contains("expected the 9 outputs") && noKps.get(0).contains("without keypoints"), noKps.toString());
        Path box3 = write(model(false, "input.1", 3, true), "box3");
        List<String> p3 = ScrfdFaceDetector.checkInterface(box3);
        assertEquals(3, p3.size(), p3.toString());
        assertTrue(p3.get(0).contains("output '451' has shape [12800, 3]"), p3.get(0));
        ModelException e = assertThrows(ModelException.class,
                () -> new ScrfdFaceDetector(OnnxSessions.get(ScrfdFaceDetector.SPEC, box3, "cpu", 1), 0.5, 0.4));
        assertTrue(e.getMessage().contains("'451' has shape [12800, 3]"), e.getMessage());
    }
}
