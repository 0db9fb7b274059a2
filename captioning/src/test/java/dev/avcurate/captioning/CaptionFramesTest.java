package dev.avcurate.captioning;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.captioning.vlm.VlmException;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the VLM sees: how many frames, at what size, from which moments. */
class CaptionFramesTest {
    @TempDir Path dir;

    @Test
    void framesFollowTheRateWithinTheLimitsAndComeInPairs() {
        assertEquals(20, CaptionFrames.frameCount(10, 2, 4, 64));
        assertEquals(4, CaptionFrames.frameCount(1, 2, 4, 64), "short clips get the minimum");
        assertEquals(8, CaptionFrames.frameCount(3.3, 2, 4, 64), "7 rounds up to even");
        assertEquals(64, CaptionFrames.frameCount(100, 2, 4, 64));
        assertEquals(64, CaptionFrames.frameCount(100, 2, 4, 65), "the largest even count within the maximum");
    }

    @Test
    void sizesAreMultiplesOf28WithinTheBudgetAsQwensSmartResize() {
        // Values computed with qwen_vl_utils.smart_resize(height, width, factor=28, max_pixels=...).
        assertArrayEquals(new int[] {616, 336}, CaptionFrames.smartResize(1280, 720, 230_400));
        assertArrayEquals(new int[] {336, 616}, CaptionFrames.smartResize(720, 1280, 230_400));
        assertArrayEquals(new int[] {644, 364}, CaptionFrames.smartResize(640, 360, 602_112));
        assertArrayEquals(new int[] {56, 56}, CaptionFrames.smartResize(20, 20, 230_400), "tiny frames grow to the minimum area");
        for (int[] wh : new int[][] {{1920, 1080}, {1080, 1920}, {4096, 2160}, {333, 777}}) {
            int[] r = CaptionFrames.smartResize(wh[0], wh[1], 230_400);
            assertEquals(0, r[0] % 28);
            assertEquals(0, r[1] % 28);
            assertTrue(r[0] * r[1] <= 230_400);
            assertEquals((double) wh[0] / wh[1], (double) r[0] / r[1], 0.15 * wh[0] / wh[1]);
        }
    }

    @Test
    void aClipIsSampledEvenlyIntoJpegsOfTheResizedSize() throws Exception {
        // Each second has its own colour: the frames picked tell which moments were sent.
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW, Color.MAGENTA, Color.CYAN};
        Path video = new SyntheticVideo().size(640, 360).fps(25).seconds(6).painter((g, i, t, w, h) -> {
            g.setColor(colours[(int) t]);
            g.fillRect(0, 0, w, h);
        }).write(dir.resolve("colours.mp4"));
        CaptionFrames frames = new CaptionFrames(2, 4, 64, 230_400, 90, 60, null);
        CaptionFrames.Sampled s = frames.sample(video.toString(), 1.0, 4.0);
        assertEquals(6, s.jpegs().size(), "3 s at 2 fps");
        assertEquals(616, s.width());
        assertEquals(336, s.height());
        int[] expectSecond = {1, 1, 2, 2, 3, 3};
        for (int i = 0; i < 6; i++) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(s.jpegs().get(i)));
            assertEquals(616, img.getWidth());
            assertEquals(336, img.getHeight());
            Color c = new Color(img.getRGB(300, 160));
            Color want = colours[expectSecond[i]];
            assertTrue(Math.abs(c.getRed() - want.getRed()) < 40 && Math.abs(c.getGreen() - want.getGreen()) < 40
                    && Math.abs(c.getBlue() - want.getBlue()) < 40, "frame " + i + " is " + c + ", want " + want);
        }
    }

    @Test
    void anUnreadableVideoIsAFramesErrorWithFfmpegsReason() throws Exception {
        Path bad = Files.write(dir.resolve("bad.mp4"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        VlmException e = assertThrows(VlmException.class, () -> new CaptionFrames(2, 4, 64, 230_400, 90, 60, null)
                .sample(bad.toString(), 0, 2));
        assertEquals(VlmException.FRAMES, e.code());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void pickSpreadsOrPads() {
        assertEquals(List.of(1, 3, 5, 7), CaptionFrames.pick(List.of(0, 1, 2, 3, 4, 5, 6, 7), 4));
        assertEquals(List.of(0, 1, 1, 1), CaptionFrames.pick(List.of(0, 1), 4));
    }
}
