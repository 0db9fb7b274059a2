package dev.avcurate.filters.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.DataBufferByte;
import java.awt.image.Kernel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Brightness, sharpness and motion on generated frames whose answer is known. */
class ClassicalScorersTest {
    static final int W = 456, H = 256;

    static VideoFrame frame(dev.avcurate.ingest.samples.SyntheticVideo.Painter p, int i, double t, int blur, double gain) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        p.paint(g, i, t, W, H);
        g.dispose();
        if (blur > 0) {
            int k = 2 * blur + 1;
            float[] kern = new float[k * k];
            java.util.Arrays.fill(kern, 1f / (k * k));
            BufferedImage out = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
            new ConvolveOp(new Kernel(k, k, kern), ConvolveOp.EDGE_NO_OP, null).filter(img, out);
            img = out;
        }
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData().clone();
        if (gain != 1) for (int j = 0; j < px.length; j++) px[j] = (byte) Math.min(255, Math.round((px[j] & 0xff) * gain));
        return new VideoFrame(t, W, H, px);
    }

    static DecodedClip clip(dev.avcurate.ingest.samples.SyntheticVideo.Painter p, int blur, double gain) {
        List<VideoFrame> frames = new ArrayList<>();
        for (int i = 0; i < 25; i++) frames.add(frame(p, i * 5, i / 5.0, blur, gain));
        return new DecodedClip("c", 0, 5, 25, 5, frames, new float[80_000], 16_000);
    }

    static Map<String, Object> score(Scorer s, DecodedClip c, ClipContext ctx) {
        Map<String, Object> out = new HashMap<>();
        s.score(c, ctx, out);
        return out;
    }

    @Test
    void aDarkCopyHasLowerBrightness() {
        var p = Scenes.textured(3);
        double bright = (double) score(new BrightnessScorer(), clip(p, 0, 1.0), new ClipContext()).get("brightness_mean");
        double dark = (double) score(new BrightnessScorer(), clip(p, 0, 0.3), new ClipContext()).get("brightness_mean");
        assertEquals(0.3 * bright, dark, 2.0);
        assertTrue(dark < bright);
    }

    @Test
    void sharpnessFallsMonotonicallyWithBlurOnFacesAndFrames() {
        var p = Scenes.talkingHead(Scenes.textured(4), new SpeechSignal(1, 120), 0.5, 0.6, 1);
        // The face as drawn: centred, 60% of the height, aspect 0.75.
        double fh = H * 0.6, fw = fh * 0.75;
        Box face = new Box(W / 2.0 - fw / 2, H * 0.48 - fh / 2, W / 2.0 + fw / 2, H * 0.48 + fh / 2, 1, null);
        double prevFace = Double.MAX_VALUE, prevFrame = Double.MAX_VALUE;
        try (SharpnessScorer s = new SharpnessScorer(64, 256)) {
            for (int blur : new int[] {0, 1, 2, 4, 7}) {
                DecodedClip c = clip(p, blur, 1.0);
                ClipContext ctx = new ClipContext();
                List<List<Box>> boxes = new ArrayList<>();
                for (int i = 0; i < c.frames().size(); i++) boxes.add(List.of(face));
                ctx.faces(boxes, "test_boxes");
                Map<String, Object> out = score(s, c, ctx);
                double fs = (double) out.get("face_sharpness"), fr = (double) out.get("frame_sharpness");
                assertTrue(fs < prevFace, "face sharpness falls at blur " + blur + ": " + fs + " vs " + prevFace);
                assertTrue(fr < prevFrame, "frame sharpness falls at blur " + blur);
                prevFace = fs;
                prevFrame = fr;
                assertNull(out.get("hand_sharpness"));
            }
        }
    }

    @Test
    void aPanMovesMoreThanAStaticShotAndItsDirectionIsReported() {
        try (MotionScorer m = new MotionScorer(15, 0.5, 2, org.bytedeco.opencv.opencv_video.DISOpticalFlow.PRESET_FAST)) {
            Map<String, Object> still = score(m, clip(Scenes.textured(5), 0, 1), new ClipContext());
            // Content moving left at 100 px/s: the camera pans right.
            Map<String, Object> right = score(m, clip(Scenes.pan(6, 100), 0, 1), new ClipContext());
            assertEquals("static", still.get("camera_motion"));
            assertEquals("pan_right", right.get("camera_motion"));
            double s = (double) still.get("motion_mean"), r = (double) right.get("motion_mean");
            assertTrue(s < 0.2, "static: " + s);
            // 100 px/s over a 0.6 s pair is 60 px at 456 wide, i.e. about 76 px at 576 wide.
            assertEquals(100 * 0.6 * 576 / W, r, 15, "pan magnitude in 320x576 pixels");
            Map<String, Object> left = score(m, clip((g, i, t, w, h) -> Scenes.pan(6, 100).paint(g, i, 5 - t, w, h), 0, 1),
                    new ClipContext());
            assertEquals("pan_left", left.get("camera_motion"));
        }
    }
}
