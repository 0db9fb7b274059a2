package dev.avcurate.filters.sync;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Crop geometry and face tracks on frames where the answer is known. */
class FaceCropsTest {
    /** A frame whose blue channel is x and green channel is y: a crop's pixels say where they came from. */
    static VideoFrame coordinates(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                px[o] = (byte) x;
                px[o + 1] = (byte) y;
                px[o + 2] = 7;
            }
        }
        return new VideoFrame(0, w, h, px);
    }

    @Test
    void cropFollowsSyncnetGeometryAndPadsWith110() {
        VideoFrame f = coordinates(250, 250);
        // s = 20: bsi = int(20 * 1.8) = 36; rows int(100+36-20)-36 = 80 .. int(136+36)-36 = 136 (56 rows),
        // columns int(120+36-28)-36 = 92 .. int(156+28)-36 = 148 (56 columns): a 1:1 copy at size 56.
        byte[] c = FaceCrops.bgr(f, 120, 100, 20, 56);
        assertEquals(92, c[0] & 0xff, "first column");
        assertEquals(80, c[1] & 0xff, "first row");
        int last = (55 * 56 + 55) * 3;
        assertEquals(147, c[last] & 0xff);
        assertEquals(135, c[last + 1] & 0xff);
        // Near the corner the crop leaves the frame: the reference pads with 110.
        byte[] edge = FaceCrops.bgr(f, 5, 5, 20, 56);
        assertEquals(110, edge[0] & 0xff);
        assertEquals(110, edge[2] & 0xff);
    }

    @Test
    void tracksLinkBridgeGapsAndSplitByPlace() {
        FaceTracker tracker = new FaceTracker(0.3, 1.0, 1.0, 13);
        List<List<Box>> det = new ArrayList<>();
        double[] times = new double[40];
        for (int i = 0; i < 40; i++) {
            times[i] = i / 5.0;
            List<Box> b = new ArrayList<>();
            double x = 50 + i; // moving right 1 px per detection
            if (i < 10 || i > 13) b.add(new Box(x, 40, x + 40, 80, 0.9, null)); // 0.6 s gap: bridged
            if (i >= 20) b.add(new Box(200, 40, 240, 80, 0.9, null));           // a second face from 4 s
            det.add(b);
        }
        double[] sync = new double[200];
        for (int i = 0; i < 200; i++) sync[i] = i / 25.0;
        List<FaceTrack> tracks = tracker.track(times, det, sync, 0.2);
        assertEquals(2, tracks.size(), "one bridged track plus the second face");
        FaceTrack a = tracks.get(0);
        assertEquals(0, a.first());
        assertEquals(200, a.length(), "covers the whole clip: the detection at 7.8 s stands for the frames until 8 s");
        assertEquals(20, a.s()[100], 1e-9, "half of the larger side");
        // Interpolated between detections at 5 fps: at 4 s (sync frame 100) x = 50 + 20 + 20 = 90.
        assertEquals(90, a.cx()[100], 0.5);
        FaceTrack b = tracks.get(1);
        assertEquals(100, b.first(), "from its first detection at 4 s");
        assertEquals(220, b.cx()[50], 1e-9);
    }
}
