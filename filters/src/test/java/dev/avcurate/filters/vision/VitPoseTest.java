package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VitPoseTest {
    @TempDir
    Path dir;

    @Test
    void dotComesBackWithinTwoPixelsForLandscapeAndPortraitBoxes() {
        OnnxSessions.Shared s = PoseModels.session(PoseModels.vitpose(dir.resolve("vit.onnx"), 256, 192), VitPose.SPEC);
        VitPose m = new VitPose(s);
        assertEquals("vitpose@cpu", m.estimator());
        Box landscape = new Box(250, 170, 370, 250, 1, null), portrait = new Box(380, 250, 440, 400, 1, null);
        List<List<Pose>> r = m.estimate(List.of(RtmPoseTest.dot(300, 200), RtmPoseTest.dot(410, 330)),
                List.of(List.of(landscape), List.of(portrait)));
        Pose a = r.get(0).get(0), b = r.get(1).get(0);
        assertEquals(17, a.keypoints());
        assertEquals(300, a.x()[0], 2.0);
        assertEquals(200, a.y()[0], 2.0);
        assertEquals(410, b.x()[5], 2.0);
        assertEquals(330, b.y()[5], 2.0);
        System.out.printf("vitpose errors: landscape (%.2f, %.2f) portrait (%.2f, %.2f)%n",
                a.x()[0] - 300, a.y()[0] - 200, b.x()[0] - 410, b.y()[0] - 330);
    }

    @Test
    void quarterPixelShiftTowardTheHigherNeighbourAndNoneOnTheBorder() {
        float[] hm = new float[2 * 64 * 48];
        hm[20 * 48 + 10] = 1;
        hm[20 * 48 + 11] = 0.5f; // right neighbour higher: +0.25 in x
        hm[19 * 48 + 10] = 0.2f; // upper neighbour higher: -0.25 in y
        hm[64 * 48 + 0 * 48 + 30] = 1; // keypoint 1 on the top border: no shift
        TopDown.Crop c = new TopDown.Crop(96, 128, 192, 256); // identity affine
        Pose p = VitPose.decode(hm, 1, 1, List.of(c), 48, 64, 192, 256).get(0);
        assertEquals(10.25 * 4, p.x()[0], 1e-9);
        assertEquals(19.75 * 4, p.y()[0], 1e-9);
        assertEquals(1, p.score()[0], 1e-9);
        assertEquals(30 * 4, p.x()[1], 1e-9);
        assertEquals(0, p.y()[1], 1e-9);
    }
}
