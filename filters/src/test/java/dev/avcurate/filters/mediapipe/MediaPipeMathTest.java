package dev.avcurate.filters.mediapipe;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MediaPipe's pre- and post-processing on inputs whose answer is worked out by hand (no model). */
class MediaPipeMathTest {
    static final double E = 1e-9;

    @Test
    void poseAnchorsAreMediaPipesGrid() {
        float[][] a = SsdAnchors.POSE.generate();
        assertEquals(2254, a.length, "28x28x2 + 14x14x2 + 7x7x6");
        assertArrayEquals(new float[] {0.5f / 28, 0.5f / 28}, a[0]);
        assertArrayEquals(a[0], a[1], "two anchors per cell at stride 8");
        assertArrayEquals(new float[] {1.5f / 28, 0.5f / 28}, a[2]);
        assertArrayEquals(new float[] {0.5f / 14, 0.5f / 14}, a[1568], "first stride-16 anchor");
        assertArrayEquals(new float[] {0.5f / 7, 0.5f / 7}, a[1960], "first stride-32 anchor");
        assertArrayEquals(a[1960], a[1965], "six anchors per cell: three stride-32 layers merged");
        assertArrayEquals(new float[] {1.5f / 7, 0.5f / 7}, a[1966]);
        assertArrayEquals(new float[] {6.5f / 7, 6.5f / 7}, a[2253]);
    }

    @Test
    void palmAnchorsAreMediaPipesGrid() {
        float[][] a = SsdAnchors.PALM.generate();
        assertEquals(2016, a.length, "24x24x2 + 12x12x6");
        assertArrayEquals(new float[] {0.5f / 24, 0.5f / 24}, a[0]);
        assertArrayEquals(new float[] {0.5f / 12, 0.5f / 12}, a[1152]);
        assertArrayEquals(a[1152], a[1157]);
        assertArrayEquals(new float[] {11.5f / 12, 11.5f / 12}, a[2015]);
    }

    @Test
    void decodingIsAnchorRelativeInInputPixels() {
        SsdDecoder d = new SsdDecoder(SsdAnchors.POSE, 4, 0.5, 0.3);
        float[] boxes = new float[2254 * 12], scores = new float[2254];
        Arrays.fill(scores, -1000f); // clipped to -100: sigmoid ~ 0
        int k = 1960; // anchor (0.5/7, 0.5/7)
        scores[k] = 2f;
        float[] raw = {22.4f, -11.2f, 44.8f, 67.2f, 0, 0, 22.4f, 22.4f, -22.4f, 0, 0, 0};
        System.arraycopy(raw, 0, boxes, k * 12, 12);
        List<Detection> out = d.detect(boxes, scores, 0);
        assertEquals(1, out.size());
        Detection det = out.get(0);
        double ax = 0.5 / 7;
        assertEquals(1 / (1 + Math.exp(-2)), det.score(), E);
        assertEquals(ax + 0.1 - 0.1, det.xmin(), 1e-6);
        assertEquals(ax - 0.05 - 0.15, det.ymin(), 1e-6);
        assertEquals(ax + 0.1 + 0.1, det.xmax(), 1e-6);
        assertEquals(ax - 0.05 + 0.15, det.ymax(), 1e-6);
        assertArrayEquals(new double[] {ax, ax, ax + 0.1, ax + 0.1, ax - 0.1, ax, ax, ax}, det.keypoints(), 1e-6);
        scores[k] = 0f; // sigmoid 0.5: still kept (score >= threshold)
        assertEquals(1, d.detect(boxes, scores, 0).size());
        scores[k] = -0.01f;
        assertTrue(d.detect(boxes, scores, 0).isEmpty());
    }

    @Test
    void weightedNmsAveragesEachClusterByScore() {
        Detection a = new Detection(0, 0, 1, 1, 0.9, new double[] {0, 0});
        Detection b = new Detection(0.1, 0, 1.1, 1, 0.6, new double[] {1, 2});
        Detection c = new Detection(5, 5, 6, 6, 0.7, new double[] {5, 5});
        List<Detection> out = SsdDecoder.weightedNms(List.of(b, c, a), 0.3, 0);
        assertEquals(2, out.size());
        Detection m = out.get(0);
        assertEquals(0.9, m.score(), E, "the cluster keeps its best score");
        assertEquals(0.6 * 0.1 / 1.5, m.xmin(), E);
        assertEquals((0.9 + 0.6 * 1.1) / 1.5, m.xmax(), E);
        assertEquals(0, m.ymin(), E);
        assertEquals(1, m.ymax(), E);
        assertArrayEquals(new double[] {0.6 / 1.5, 1.2 / 1.5}, m.keypoints(), E);
        Detection lone = out.get(1);
        assertArrayEquals(new double[] {5, 5, 6, 6, 0.7, 5, 5},
                new double[] {lone.xmin(), lone.ymin(), lone.xmax(), lone.ymax(), lone.score(), lone.keypoints()[0], lone.keypoints()[1]}, 1e-12,
                "a lone detection is unchanged");
        assertEquals(1, SsdDecoder.weightedNms(List.of(a, b, c), 0.3, 1).size(), "max detections");
        assertEquals(3, SsdDecoder.weightedNms(List.of(a, b, c), 0.9, 0).size(), "IoU 0.82 is under 0.9: not merged");
    }

    @Test
    void rotationTurnsTheKeypointVectorToTheTargetAngle() {
        assertEquals(0, Roi.rotation(0, 0, 0, -1, Math.PI / 2), E, "already pointing up");
        assertEquals(Math.PI / 2, Roi.rotation(0, 0, 1, 0, Math.PI / 2), E, "pointing right: a quarter turn clockwise");
        assertEquals(-Math.PI / 2, Roi.rotation(0, 0, -1, 0, Math.PI / 2), E);
        assertEquals(-Math.PI, Roi.rotation(0, 0, 0, 1, Math.PI / 2), E, "pointing down: normalized to [-pi, pi)");
        assertEquals(0, Roi.rotation(10, 20, 30, 20, 0), E, "level eyes for the face mesh");
        assertEquals(-Math.PI / 4, Roi.rotation(0, 0, 1, -1, 0), E);
        assertEquals(Math.PI - 0.1, Roi.normalizeRadians(-Math.PI - 0.1), E);
    }

    @Test
    void poseRegionFromTheDetectorsKeypoints() {
        // hip centre (100, 200), full-body scale point (100, 100): side 2 * 100, scale 1.25, upright
        Box det = new Box(90, 40, 110, 60, 0.9, new double[] {100, 200, 100, 100, 100, 130, 100, 90});
        Roi r = PoseLandmarker.roiOf(det);
        assertEquals(new Roi(100, 200, 250, 250, 0).toString(), r.toString());
        // lying person (head to the right): a quarter turn
        Box lying = new Box(0, 0, 1, 1, 0.9, new double[] {100, 200, 160, 200, 0, 0, 0, 0});
        Roi l = PoseLandmarker.roiOf(lying);
        assertEquals(Math.PI / 2, l.rotation(), E);
        assertEquals(150, l.width(), E);
    }

    @Test
    void handRegionIsShiftedTowardsTheFingersAndScaled() {
        // palm box 20x20 at (0,0); wrist (keypoint 0) at the bottom centre, middle-finger base (keypoint 2) at the top
        double[] kp = {10, 20, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Roi r = HandLandmarker.roiOf(new Box(0, 0, 20, 20, 0.9, kp));
        assertEquals(0, r.rotation(), E);
        assertEquals(10, r.cx(), E);
        assertEquals(0, r.cy(), E, "shifted half the box up");
        assertEquals(52, r.width(), E);
        assertEquals(52, r.height(), E);
        // the same hand pointing right: the shift follows the rotation
        double[] kpr = {0, 10, 0, 0, 20, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        Roi rr = HandLandmarker.roiOf(new Box(0, 0, 20, 20, 0.9, kpr));
        assertEquals(Math.PI / 2, rr.rotation(), E);
        assertEquals(20, rr.cx(), E);
        assertEquals(10, rr.cy(), E);
    }

    @Test
    void transformShiftsAlongTheRotatedAxesThenSquaresThenScales() {
        Roi r = new Roi(0, 0, 10, 20, Math.PI / 2).transform(1, 1, 0, -0.5, false);
        assertEquals(10, r.cx(), E);
        assertEquals(0, r.cy(), 1e-12);
        Roi s = new Roi(5, 5, 10, 20, 0).transform(2, 3, 0.5, 0, true);
        assertEquals(10, s.cx(), E);
        assertEquals(40, s.width(), E);
        assertEquals(60, s.height(), E);
    }

    @Test
    void faceMeshRegionIsTheSquaredBoxScaled1point5() {
        Box face = new Box(0, 0, 40, 50, 0.9, new double[] {10, 20, 30, 20, 20, 30, 20, 40, 0, 20, 40, 20});
        Roi r = FaceMeshLandmarker.roiOf(face);
        assertEquals(new Roi(20, 25, 75, 75, 0).toString(), r.toString());
    }

    @Test
    void projectionMapsCropCoordinatesBackToTheFrame() {
        Roi r = new Roi(100, 50, 40, 20, 0);
        assertArrayEquals(new double[] {80, 40}, r.project(0, 0), E);
        assertArrayEquals(new double[] {120, 60}, r.project(1, 1), E);
        Roi q = new Roi(0, 0, 40, 40, Math.PI / 2);
        assertArrayEquals(new double[] {0, 20}, q.project(1, 0.5), 1e-12, "the crop's right edge is below the centre after a quarter turn");
        assertArrayEquals(new double[] {-20, -20, 20, 20}, q.bounds(), 1e-12);
        // the letterbox of a 400x200 frame: the crop's top-left corner is 100 px above the frame
        assertArrayEquals(new double[] {0, -100}, Roi.letterbox(400, 200).project(0, 0), E);
    }

    /** A w x h grey frame whose pixel (x, y) is 10 * (y * w + x) + 5. */
    static VideoFrame ramp(int w, int h) {
        byte[] b = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) Arrays.fill(b, 3 * i, 3 * i + 3, (byte) (10 * i + 5));
        return new VideoFrame(0, w, h, b);
    }

    static double at(float[] crop, int size, int u, int v) {
        return crop[3 * (v * size + u)];
    }

    @Test
    void cropSamplesPixelCentresRotatedAndPaddedWithZero() {
        VideoFrame f = ramp(4, 4);
        float[] id = new Roi(2, 2, 4, 4, 0).crop(f, 4, 0f, 255f);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) assertEquals(10 * (y * 4 + x) + 5, at(id, 4, x, y), 1e-3, x + "," + y);
        float[] rot = new Roi(2, 2, 4, 4, Math.PI / 2).crop(f, 4, 0f, 255f);
        // a quarter turn: output (u, v) samples source (3 - v, u)
        for (int v = 0; v < 4; v++) for (int u = 0; u < 4; u++) assertEquals(10 * (u * 4 + (3 - v)) + 5, at(rot, 4, u, v), 1e-3, u + "," + v);
        // letterbox of a 4x2 frame into 4x4: rows 0 and 3 are padding (zero -> lo), values mapped to [-1, 1]
        VideoFrame wide = ramp(4, 2);
        float[] lb = Roi.letterbox(4, 2).crop(wide, 4, -1f, 1f);
        for (int u = 0; u < 4; u++) {
            assertEquals(-1, at(lb, 4, u, 0), 1e-6);
            assertEquals(-1 + 2 * (10 * u + 5) / 255.0, at(lb, 4, u, 1), 1e-4);
            assertEquals(-1 + 2 * (10 * (4 + u) + 5) / 255.0, at(lb, 4, u, 2), 1e-4);
            assertEquals(-1, at(lb, 4, u, 3), 1e-6);
        }
        // BGR in, RGB out
        byte[] px = {1, 2, 3};
        float[] rgb = new Roi(0.5, 0.5, 1, 1, 0).crop(new VideoFrame(0, 1, 1, px), 1, 0f, 255f);
        assertArrayEquals(new float[] {3, 2, 1}, rgb, 1e-3f);
    }

    @Test
    void mouthOpeningIsLipGapOverEyeCornerDistance() {
        double[] xy = new double[2 * FaceMeshLandmarker.LANDMARKS];
        xy[2 * 13] = 0;
        xy[2 * 13 + 1] = 10;
        xy[2 * 14] = 0;
        xy[2 * 14 + 1] = 14;
        xy[2 * 33] = -20;
        xy[2 * 263] = 20;
        assertEquals(0.1, FaceMeshLandmarker.mouthOpening(xy), E);
    }

    @Test
    void otherPeopleAreBlackedOutByNearestPoint() {
        byte[] px = new byte[4 * 1 * 3];
        Arrays.fill(px, (byte) 200);
        VideoFrame f = new VideoFrame(0, 4, 1, px);
        Roi r = new Roi(0, 0, 1, 1, 0);
        List<PoseLandmarker.Candidate> c = List.of(new PoseLandmarker.Candidate(r, 0.5, 0.5), new PoseLandmarker.Candidate(r, 3.5, 0.5));
        VideoFrame left = PoseLandmarker.maskOthers(f, c, 0), right = PoseLandmarker.maskOthers(f, c, 1);
        assertArrayEquals(new byte[] {(byte) 200, (byte) 200, (byte) 200, (byte) 200, (byte) 200, (byte) 200, 0, 0, 0, 0, 0, 0}, left.bgr());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, (byte) 200, (byte) 200, (byte) 200, (byte) 200, (byte) 200, (byte) 200}, right.bgr());
        assertEquals((byte) 200, f.bgr()[11], "the frame itself is untouched");
    }

    @Test
    void poseBoxIsTheExtentOfVisibleLandmarks() {
        int n = PoseLandmarks.COUNT;
        double[] x = new double[n], y = new double[n], vis = new double[n];
        x[0] = 10;
        y[0] = 20;
        vis[0] = 0.9;
        x[11] = 50;
        y[11] = 80;
        vis[11] = 0.6;
        x[27] = 60;
        y[27] = 400;
        vis[27] = 0.1; // an ankle below the frame, not visible
        PoseLandmarks p = new PoseLandmarks(x, y, vis, vis, 0.95, null, null);
        Box b = p.box(0.3);
        assertEquals(new double[] {10, 20, 50, 80}[3], b.y1(), E);
        assertArrayEquals(new double[] {10, 20, 50, 80}, new double[] {b.x0(), b.y0(), b.x1(), b.y1()}, E);
        assertEquals(0.95, b.score(), E);
        assertNull(p.box(0.95), "fewer than two landmarks visible");
    }
}
