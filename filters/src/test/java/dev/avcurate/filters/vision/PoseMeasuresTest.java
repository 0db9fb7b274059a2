package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.scoring.Box;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoseMeasuresTest {
    static Box box(double x0, double y0, double x1, double y1) {
        return new Box(x0, y0, x1, y1, 1, null);
    }

    @Test
    void unionShareOfTheFrameMedianOverFrames() {
        // 100 x 100 frame: overlapping boxes count once; a box past the edge is clipped
        assertEquals(0.3125, PoseMeasures.coveredShare(List.of(box(0, 0, 50, 50), box(25, 25, 75, 50)), 100, 100), 1e-12);
        assertEquals(0.25, PoseMeasures.coveredShare(List.of(box(50, 50, 150, 150)), 100, 100), 1e-12);
        List<List<Box>> frames = List.of(List.of(), List.of(box(0, 0, 100, 50)), List.of(box(0, 0, 10, 10)),
                List.of(box(0, 0, 100, 100)), List.of(box(0, 0, 50, 50), box(50, 50, 100, 100)));
        assertEquals(0.5, PoseMeasures.personAreaRatio(frames, 100, 100), 1e-12, "median of 0, .5, .01, 1, .5");
        assertEquals(2, PoseMeasures.maxPeople(frames));
        assertEquals(0, PoseMeasures.personAreaRatio(List.of(), 100, 100));
    }

    @Test
    void posesGiveTheirConfidentKeypointExtent() {
        Pose p = new Pose(new double[] {10, 30, 90}, new double[] {20, 60, 99}, new double[] {0.9, 0.8, 0.1});
        Box b = p.bbox(0.5);
        assertEquals(10, b.x0());
        assertEquals(60, b.y1());
        assertEquals(0.85, b.score(), 1e-12);
        assertEquals(0.08, PoseMeasures.personAreaRatioFromPoses(List.of(List.of(p)), 100, 100, 0.5), 1e-12);
        assertNull(p.bbox(0.95));
    }

    @Test
    void wholebodyHandAndFaceBoxesBody17FaceBox() {
        double[] x = new double[133], y = new double[133], s = new double[133];
        Arrays.fill(s, 0.9);
        for (int k = 91; k <= 111; k++) { x[k] = 100 + (k - 91); y[k] = 200 + 2 * (k - 91); } // left hand 20 x 40
        for (int k = 112; k <= 132; k++) { x[k] = 300; y[k] = 300; s[k] = 0.1; }             // right hand not seen
        for (int k = 23; k <= 90; k++) { x[k] = 50 + (k - 23) % 40; y[k] = 10 + (k - 23) % 20; }  // face 39 x 19
        Pose w = new Pose(x, y, s);
        List<Box> hands = w.handBoxes(0.3);
        assertEquals(1, hands.size());
        Box h = hands.get(0);
        assertEquals(110, (h.x0() + h.x1()) / 2, 1e-9);
        assertEquals(25, h.width(), 1e-9, "20 px extent x 1.25");
        assertEquals(50, h.height(), 1e-9);
        Box f = w.faceBox(0.3);
        assertEquals(39 * 1.25, f.width(), 1e-9);
        assertEquals(19 * 1.25, f.height(), 1e-9);

        double[] bx = new double[17], by = new double[17], bs = new double[17];
        Arrays.fill(bs, 0.9);
        bx[0] = 50; by[0] = 50; bx[1] = 45; by[1] = 46; bx[2] = 55; by[2] = 46; bx[3] = 40; by[3] = 48; bx[4] = 60; by[4] = 48;
        Pose b17 = new Pose(bx, by, bs);
        Box fb = b17.faceBox(0.3);
        assertEquals(30, fb.width(), 1e-9, "square of 1.5 x the 20 px ear-to-ear extent");
        assertEquals(30, fb.height(), 1e-9);
        assertEquals(50, (fb.x0() + fb.x1()) / 2, 1e-9);
        assertEquals(List.of(), b17.handBoxes(0.3));
    }
}
