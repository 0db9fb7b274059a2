package dev.avcurate.shards.write;

import static dev.avcurate.shards.write.TestVideos.*;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clip becomes exactly the bucket's frames, cropped to it, from the centred window, with the matching audio. */
class ClipShardEncoderTest {
    @TempDir Path dir;

    private static final ClipShardEncoder ENCODER = ClipShardEncoder.defaults();
    /** A 100 ms 1 kHz burst at 3.0 s, silence elsewhere. */
    private static final double BURST_S = 3.0;

    private static float burst(double t) {
        return t >= BURST_S && t < BURST_S + 0.1 ? (float) (0.5 * Math.sin(2 * Math.PI * 1000 * t)) : 0f;
    }

    private static float tone(double t) {
        return (float) (0.3 * Math.sin(2 * Math.PI * 440 * t));
    }

    private static ClipInput clip(Path video, double start, double end, double shift) {
        return new ClipInput("c1", "v1", video.toString(), start, end, "pretrain", shift, "a caption", "composed",
                new float[] {0.5f, -0.25f}, Map.of("sync", 0.9));
    }

    /** Index of the frame on screen at time t in a constant-rate source. */
    private static int onScreen(double t, double fps) {
        return (int) Math.floor(t * fps + 1e-3);
    }

    @Test
    void aLandscapeSourceCoversAPortraitBucketCroppedAroundItsCentre() throws Exception {
        Path v = video(dir.resolve("land.mp4"), 640, 360, 25, 6, ClipShardEncoderTest::burst);
        Bucket b = new Bucket(256, 448, 49);
        ShardRow row = ENCODER.encode(clip(v, 1.0, 5.0, 0), b);

        assertEquals(49, row.frames().size());
        assertEquals("256x448x49", row.bucket());
        assertEquals(2.02, row.framesStartS(), 1e-9, "1.96 s window centred in [1, 5)");
        // Cover: 640x360 scaled by 448/360 to 796x448, the middle 256 columns kept.
        double scale = 448.0 / 360;
        for (int i = 0; i < 49; i++) {
            BufferedImage img = image(row.frames().get(i));
            assertEquals(256, img.getWidth());
            assertEquals(448, img.getHeight());
            assertEquals(onScreen(2.02 + i / 25.0, 25), frameIndex(img, 64, 112), "frame " + i);
        }
        BufferedImage first = image(row.frames().get(0));
        assertMarkerCentred(first, markerSide(640, 360) * scale);
        assertTrue(isBlack(first, 128, 5) && isBlack(first, 128, 442), "the top and bottom bands survive");
        assertFalse(isBlack(first, 1, 224) || isBlack(first, 254, 224), "the left and right bands are cropped away");

        BufferedImage ref = image(row.referenceFrame());
        assertEquals(256, ref.getWidth());
        assertEquals(448, ref.getHeight());
        assertEquals(75, frameIndex(ref, 64, 112), "the frame on screen at the middle of the clip (3.0 s)");
    }

    @Test
    void aPortraitSourceCoversALandscapeBucketCroppedAroundItsCentre() throws Exception {
        Path v = video(dir.resolve("portrait.mp4"), 360, 640, 25, 6, ClipShardEncoderTest::burst);
        ShardRow row = ENCODER.encode(clip(v, 1.0, 5.0, 0), new Bucket(448, 256, 49));
        assertEquals(49, row.frames().size());
        for (byte[] f : row.frames()) {
            BufferedImage img = image(f);
            assertEquals(448, img.getWidth());
            assertEquals(256, img.getHeight());
        }
        BufferedImage first = image(row.frames().get(0));
        assertMarkerCentred(first, markerSide(360, 640) * 448.0 / 360);
        assertTrue(isBlack(first, 5, 128) && isBlack(first, 442, 128), "the left and right bands survive");
        assertFalse(isBlack(first, 224, 1) || isBlack(first, 224, 254), "the top and bottom bands are cropped away");
        assertEquals(onScreen(2.02, 25), frameIndex(first, 112, 64));
        assertEquals(onScreen(2.02 + 48 / 25.0, 25), frameIndex(image(row.frames().get(48)), 112, 64));
    }

    private static void assertMarkerCentred(BufferedImage img, double expectedSide) {
        int[] box = whiteBox(img);
        double cx = (box[0] + box[2]) / 2.0, cy = (box[1] + box[3]) / 2.0;
        assertEquals((img.getWidth() - 1) / 2.0, cx, 1.5, "marker centre x");
        assertEquals((img.getHeight() - 1) / 2.0, cy, 1.5, "marker centre y");
        assertEquals(expectedSide, box[2] - box[0] + 1, 3, "marker width keeps the scale");
        assertEquals(expectedSide, box[3] - box[1] + 1, 3, "marker height keeps the aspect");
    }

    @Test
    void aFasterSourceIsSampledOnTheTrainingClock() throws Exception {
        Path v = video(dir.resolve("fast.mp4"), 320, 240, 30, 6, ClipShardEncoderTest::burst);
        ShardRow row = ENCODER.encode(clip(v, 1.0, 5.0, 0), new Bucket(128, 128, 49));
        assertEquals(49, row.frames().size());
        for (int i = 0; i < 49; i++) {
            assertEquals(onScreen(2.02 + i / 25.0, 30), frameIndex(image(row.frames().get(i)), 32, 32), "frame " + i);
        }
    }

    @Test
    void aSlowerSourceRepeatsFramesAndStillGivesTheBucketsCount() throws Exception {
        Path v = video(dir.resolve("slow.mp4"), 320, 240, 15, 6, ClipShardEncoderTest::burst);
        ShardRow row = ENCODER.encode(clip(v, 1.0, 5.0, 0), new Bucket(128, 128, 49));
        assertEquals(49, row.frames().size());
        int repeats = 0;
        for (int i = 0; i < 49; i++) {
            assertEquals(onScreen(2.02 + i / 25.0, 15), frameIndex(image(row.frames().get(i)), 32, 32), "frame " + i);
            if (i > 0 && row.frames().get(i) == row.frames().get(i - 1)) repeats++;
        }
        assertEquals(49 - (onScreen(2.02 + 48 / 25.0, 15) - onScreen(2.02, 15) + 1), repeats, "a repeated frame is encoded once");
    }

    @Test
    void audioIsTheWindowsDurationWithTheBurstWhereTheShiftPutsIt() throws Exception {
        Path v = video(dir.resolve("burst.mp4"), 320, 240, 25, 6, ClipShardEncoderTest::burst);
        Bucket b = new Bucket(128, 128, 49);
        ShardRow still = ENCODER.encode(clip(v, 1.0, 5.0, 0), b);
        ShardRow lagging = ENCODER.encode(clip(v, 1.0, 5.0, 0.5), b);
        ShardRow leading = ENCODER.encode(clip(v, 1.0, 5.0, -0.3), b);
        for (ShardRow r : new ShardRow[] {still, lagging, leading}) {
            assertEquals(49 * 640 * 2, r.audio().length, "49 frames at 25 fps = 31360 int16 samples");
            assertEquals(16_000, r.audioRate());
        }
        int at = onset(still.audio());
        System.out.printf("burst onset: %d samples without shift (expected 15680), %d with +0.5 s (7680), %d with -0.3 s (20480)%n",
                at, onset(lagging.audio()), onset(leading.audio()));
        // AAC and the resampler blur an onset by a few samples; a misplaced window would be off by hundreds.
        assertEquals((int) Math.round((BURST_S - 2.02) * 16_000), at, 8, "burst at (3.0 - 2.02) s into the window");
        assertEquals(at - 8_000, onset(lagging.audio()), 4, "audio lagging by 0.5 s is played 0.5 s earlier");
        assertEquals(at + 4_800, onset(leading.audio()), 4, "audio leading by 0.3 s is played 0.3 s later");
        assertEquals(0.5, lagging.audioShiftS());
        // Silence before the burst stays silence.
        for (int k = 0; k < at - 2_000; k++) assertEquals(0, sample(still.audio(), k), 40, "sample " + k);
    }

    /** First sample above half the burst's amplitude. */
    private static int onset(byte[] audio) {
        for (int k = 0; k < audio.length / 2; k++) if (Math.abs(sample(audio, k)) > 0.25 * 32767) return k;
        return -1;
    }

    @Test
    void audioOutsideTheFileIsZeroPadded() throws Exception {
        Path v = video(dir.resolve("tone.mp4"), 160, 120, 25, 3, ClipShardEncoderTest::tone);
        Bucket b = new Bucket(64, 64, 49);
        // Frames from 0.02 s, audio from 0.02 - 0.5 = -0.48 s: 7680 samples before the file starts.
        ShardRow early = ENCODER.encode(clip(v, 0.0, 2.0, -0.5), b);
        assertEquals(31_360 * 2, early.audio().length);
        for (int k = 0; k < 7_680; k++) assertEquals(0, sample(early.audio(), k), "sample " + k + " is before the file");
        assertTrue(rms(early.audio(), 8_680, 31_360) > 0.15, "the tone follows");
        // Frames from 1.02 s, audio from 1.52 s to 3.48 s: the file's audio ends at 3.0 s (sample 23680).
        ShardRow late = ENCODER.encode(clip(v, 1.0, 3.0, 0.5), b);
        assertEquals(31_360 * 2, late.audio().length);
        assertTrue(rms(late.audio(), 0, 23_000) > 0.15, "the tone up to the end of the file");
        for (int k = 23_680 + 320; k < 31_360; k++) assertEquals(0, sample(late.audio(), k), "sample " + k + " is after the file");
    }

    private static double rms(byte[] audio, int from, int to) {
        double s = 0;
        for (int k = from; k < to; k++) {
            double x = sample(audio, k) / 32767.0;
            s += x * x;
        }
        return Math.sqrt(s / (to - from));
    }

    @Test
    void aClipShorterThanTheBucketsWindowIsRefused() throws Exception {
        Path v = video(dir.resolve("short.mp4"), 160, 120, 25, 3, ClipShardEncoderTest::tone);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ENCODER.encode(clip(v, 0.5, 2.0, 0), new Bucket(64, 64, 49)));
        assertTrue(e.getMessage().contains("shorter than bucket 64x64x49"), e.getMessage());
    }

    @Test
    void theRowCarriesTheClipsMetadata() throws Exception {
        Path v = video(dir.resolve("meta.mp4"), 160, 120, 25, 3, ClipShardEncoderTest::tone);
        ShardRow r = ENCODER.encode(clip(v, 0.5, 2.5, 0.04), new Bucket(64, 64, 49));
        assertEquals("c1", r.clipId());
        assertEquals("v1", r.videoId());
        assertEquals("pretrain", r.split());
        assertEquals(v.toString(), r.uri());
        assertEquals(25.0, r.fps());
        assertEquals(0.04, r.audioShiftS());
        assertEquals(0.52, r.framesStartS(), 1e-9);
        assertEquals("a caption", r.caption());
        assertArrayEquals(new float[] {0.5f, -0.25f}, r.captionEmbedding());
        assertEquals(Map.of("sync", 0.9), r.scores());
    }

    @Test
    void theEncoderTravelsToExecutors() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(new ClipShardEncoder(24, 85, 16_000, 30));
        }
        try (ObjectInputStream i = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            ClipShardEncoder e = (ClipShardEncoder) i.readObject();
            assertEquals(24, e.fps());
            assertEquals(85, e.jpegQuality());
            assertEquals(30, e.decodeTimeoutS());
        }
    }

    /** Not a check: the cost of one clip, for the report (CPU time of this thread, FFmpeg decodes on it). */
    @Test
    void encodeCostOfATenSecondClip() throws Exception {
        Path v = video(dir.resolve("ten.mp4"), 640, 360, 25, 10, ClipShardEncoderTest::burst);
        ClipInput in = clip(v, 0, 10, 0.1);
        Bucket b = new Bucket(256, 448, 49);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ENCODER.encode(in, b); // warm-up: native libraries, JIT
        int runs = 5;
        long cpu0 = mx.getCurrentThreadCpuTime(), wall0 = System.nanoTime();
        ShardRow r = null;
        for (int i = 0; i < runs; i++) r = ENCODER.encode(in, b);
        double cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1e6 / runs, wallMs = (System.nanoTime() - wall0) / 1e6 / runs;
        long jpegBytes = r.frames().stream().mapToLong(f -> f.length).sum();
        System.out.printf("encode 10 s 640x360 -> 256x448x49: %.1f ms CPU (%.1f ms wall) per clip, %.1f ms CPU per clip-second;"
                + " row %d KB of JPEG (%.1f KB/frame) + %d KB audio%n", cpuMs, wallMs, cpuMs / 10, jpegBytes / 1024,
                jpegBytes / 1024.0 / 49, r.audio().length / 1024);
        assertEquals(49, r.frames().size());
    }
}
