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

class RtmPoseTest {
    @TempDir
    Path dir;

    static VideoFrame dot(int x, int y) {
        VideoFrame f = PoseModels.frame(640, 480);
        PoseModels.fill(f, x, y, x + 1, y + 1, 0, 0, 255); // red: RGB input channel 0
        return f;
    }

    @Test
    void dotComesBackAtItsFramePositionForLandscapeAndPortraitBoxesInOneRun() {
        OnnxSessions.Shared s = PoseModels.session(PoseModels.rtmpose(dir.resolve("rtm17.onnx"), "input", 256, 192, 17), RtmPose.SPEC);
        RtmPose m = new RtmPose(s);
        assertEquals(17, m.keypoints());
        assertEquals(192, m.inputWidth());
        assertEquals("rtmpose@cpu", m.estimator());
        Box landscape = new Box(250, 170, 370, 250, 1, null), portrait = new Box(380, 250, 440, 400, 1, null);
        List<List<Pose>> r = m.estimate(List.of(dot(300, 200), dot(410, 330)), List.of(List.of(landscape), List.of(portrait)));
        Pose a = r.get(0).get(0), b = r.get(1).get(0);
        assertEquals(17, a.keypoints());
        assertEquals(300, a.x()[0], 1.0);
        assertEquals(200, a.y()[0], 1.0);
        assertEquals(410, b.x()[16], 1.0);
        assertEquals(330, b.y()[16], 1.0);
        assertTrue(a.score()[0] > 0.5, "score = the smaller SimCC maximum, here the normalized dot: " + a.score()[0]);
        System.out.printf("rtmpose errors: landscape (%.2f, %.2f) portrait (%.2f, %.2f)%n",
                a.x()[0] - 300, a.y()[0] - 200, b.x()[0] - 410, b.y()[0] - 330);
    }

    @Test
    void wholebodyExportGives133KeypointsAtItsInputSize() {
        OnnxSessions.Shared s = PoseModels.session(PoseModels.rtmpose(dir.resolve("dw133.onnx"), "input", 384, 288, 133), RtmPose.SPEC);
        RtmPose m = new RtmPose(s);
        assertEquals(133, m.keypoints());
        assertEquals(384, m.inputHeight());
        List<Pose> p = m.estimate(dot(300, 200), List.of(new Box(250, 170, 370, 250, 1, null), new Box(270, 120, 330, 270, 1, null)));
        assertEquals(2, p.size());
        for (Pose q : p) {
            assertEquals(133, q.keypoints());
            assertEquals(300, q.x()[132], 1.0);
            assertEquals(200, q.y()[132], 1.0);
        }
    }

    @Test
    void cropIsRgbNormalizedWithZeroBorder() {
        VideoFrame f = PoseModels.frame(100, 100);
        PoseModels.fill(f, 0, 0, 100, 100, 10, 100, 200);
        FloatBuffer in = PoseOnnxIo.reuse(null, 3L * 256 * 192);
        // a box at the frame's left edge: the crop's left part lies outside the frame
        TopDown.Crop c = TopDown.crop(new Box(0, 20, 60, 80, 1, null), 192, 256, false);
        assertEquals(30, c.cx(), 1e-9);
        assertEquals(75, c.sw(), 1e-9);
        assertEquals(100, c.sh(), 1e-9, "height widened to the 192:256 aspect");
        TopDown.warp(f, c, 192, 256, in);
        int plane = 192 * 256, centre = 128 * 192 + 96;
        assertEquals((200 - 123.675) / 58.395, in.get(centre), 1e-5, "channel 0 = R");
        assertEquals((100 - 116.28) / 57.12, in.get(plane + centre), 1e-5);
        assertEquals((10 - 103.53) / 57.375, in.get(2 * plane + centre), 1e-5, "channel 2 = B");
        assertEquals((0 - 123.675) / 58.395, in.get(128 * 192 + 2), 1e-5, "outside the frame reads 0");
    }

    @Test
    void simccDecodeTakesTheSmallerMaximumAndMarksNonPositiveAsMinusOne() {
        float[] sx = new float[2 * 384], sy = new float[2 * 512];
        sx[100] = 0.9f;
        sy[300] = 0.6f; // keypoint 0: x 50, y 150
        sx[384 + 10] = -0.1f; // keypoint 1: nothing positive
        TopDown.Crop c = new TopDown.Crop(96, 128, 192, 256); // identity affine
        Pose p = RtmPose.decode(sx, sy, 1, 1, List.of(c), 192, 256).get(0);
        assertEquals(50, p.x()[0], 1e-9);
        assertEquals(150, p.y()[0], 1e-9);
        assertEquals(0.6, p.score()[0], 1e-6);
        assertEquals(-0.5, p.x()[1], 1e-9, "location -1, then / 2");
    }
}
