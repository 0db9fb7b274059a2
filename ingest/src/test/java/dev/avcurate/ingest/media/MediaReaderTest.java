package dev.avcurate.ingest.media;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.Reasons;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaReaderTest {
    @TempDir static Path dir;
    static Path video;

    static final long FAR = Long.MAX_VALUE / 4;

    @BeforeAll
    static void writeVideo() throws Exception {
        // 4 s, 320x240 at 25 fps, 44.1 kHz stereo: a 440 Hz tone.
        video = new SyntheticVideo().size(320, 240).fps(25).seconds(4)
                .painter(Scenes.textured(5))
                .audio(t -> (float) (0.5 * Math.sin(2 * Math.PI * 440 * t)), 44_100, 2)
                .write(dir.resolve("v.mp4"));
    }

    static final class Collect implements FrameSink {
        final List<Double> pts = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        int w, h;
        long samples;
        double sumSq;

        @Override
        public void frame(long index, double ptsS, int width, int height, byte[] pixels) {
            pts.add(ptsS);
            frames.add(pixels.clone());
            w = width;
            h = height;
        }

        @Override
        public void audio(float[] s, int count) {
            for (int i = 0; i < count; i++) sumSq += s[i] * s[i];
            samples += count;
        }
    }

    @Test
    void probeMatchesWhatTheGeneratorWrote() throws Exception {
        try (MediaReader r = MediaReader.open(video.toString(), System.nanoTime() + 60_000_000_000L, 1)) {
            VideoProbe p = r.probe();
            assertEquals(320, p.width());
            assertEquals(240, p.height());
            assertEquals(0, p.rotation());
            assertEquals(25.0, p.fps(), 0.01);
            assertEquals(4.0, p.durationS(), 0.1);
            assertTrue(p.hasAudio());
            assertEquals(44_100, p.audioSampleRate());
            assertEquals(2, p.audioChannels());
            assertEquals("mpeg4", p.videoCodec());
            assertEquals("aac", p.audioCodec());
        }
    }

    @Test
    void rangeDecodeGivesExactAudioLengthAndSampledFrames() throws Exception {
        Collect c = new Collect();
        try (MediaReader r = MediaReader.open(video.toString(), System.nanoTime() + 60_000_000_000L, 1)) {
            r.decode(DecodeRequest.forScorers(1.0, 3.0, 5, 128, 16_000), c);
        }
        assertEquals(32_000, c.samples, "2 s at 16 kHz");
        assertEquals(10, c.pts.size(), "2 s at 5 fps");
        assertEquals(1.0, c.pts.get(0), 1e-6);
        for (int i = 1; i < c.pts.size(); i++) assertEquals(0.2, c.pts.get(i) - c.pts.get(i - 1), 0.041);
        assertEquals(128, c.h);
        assertEquals(170, c.w);
        // Identical stereo channels of a 0.5-amplitude sine, downmixed as `ffmpeg -ac 1` does
        // ((L+R)/sqrt(2)): RMS 0.5 * sqrt(2) / sqrt(2) = 0.5. AAC keeps it within a few percent.
        assertEquals(0.5, Math.sqrt(c.sumSq / c.samples), 0.03);
    }

    @Test
    void hadoopStreamPathDecodesTheSameAsTheLocalPath() throws Exception {
        Collect local = new Collect();
        Collect hadoop = new Collect();
        try (MediaReader r = MediaReader.open(video.toString(), FAR, 1)) {
            r.decode(DecodeRequest.forScorers(0, 2, 2, 64, 16_000), local);
        }
        try (MediaReader r = MediaReader.open("x", new HadoopSource(video.toUri().toString(), new Configuration()), FAR, 1)) {
            assertEquals(320, r.probe().width());
            r.decode(DecodeRequest.forScorers(0, 2, 2, 64, 16_000), hadoop);
        }
        assertEquals(local.pts, hadoop.pts);
        assertEquals(local.samples, hadoop.samples);
        for (int i = 0; i < local.frames.size(); i++) assertArrayEquals(local.frames.get(i), hadoop.frames.get(i));
    }

    @Test
    void displayRotationIsAppliedToSizeAndPixels() throws Exception {
        // A white block in the top-left corner of the stored picture.
        Path rotated = new SyntheticVideo().size(320, 240).fps(25).frames(10).noAudio().displayRotation(90)
                .painter((g, i, t, w, h) -> {
                    g.setColor(Color.BLACK);
                    g.fillRect(0, 0, w, h);
                    g.setColor(Color.WHITE);
                    g.fillRect(0, 0, 80, 60);
                }).write(dir.resolve("rot.mp4"));
        Collect c = new Collect();
        int rotation;
        try (MediaReader r = MediaReader.open(rotated.toString(), FAR, 1)) {
            rotation = r.probe().rotation();
            assertEquals(240, r.probe().width());
            assertEquals(320, r.probe().height());
            r.decode(new DecodeRequest(0, Double.POSITIVE_INFINITY, 0, 0, 0, 0, true, true, 0), c);
        }
        assertEquals(240, c.w);
        assertEquals(320, c.h);
        // av_display_rotation_set(90) turns the picture 90 degrees counter-clockwise for display:
        // the stored top-left corner ends up bottom-left, i.e. 270 degrees clockwise.
        assertEquals(270, rotation);
        byte[] f = c.frames.get(0);
        assertTrue((f[(c.h - 10) * c.w + 10] & 0xff) > 200, "bottom-left is white");
        assertTrue((f[10 * c.w + 10] & 0xff) < 50, "top-left is black");
    }

    @Test
    void deadlineStopsADecode() throws Exception {
        try (MediaReader r = MediaReader.open(video.toString(), System.nanoTime() + 60_000_000_000L, 1)) {
            // Re-open with a deadline already past: the decode loop stops at once.
        }
        MediaException e = assertThrows(MediaException.class, () -> {
            try (MediaReader r = MediaReader.open(video.toString(), System.nanoTime() + 200_000_000L, 1)) {
                Thread.sleep(300);
                r.decode(DecodeRequest.allFrames(64, 16_000), new Collect());
            }
        });
        assertEquals(Reasons.DECODE_TIMEOUT, e.reason());
    }

    @Test
    void randomBytesAreADecodeErrorWithFfmpegsMessage() throws Exception {
        Path junk = dir.resolve("junk.mp4");
        byte[] b = new byte[50_000];
        new java.util.Random(1).nextBytes(b);
        Files.write(junk, b);
        MediaException e = assertThrows(MediaException.class, () -> MediaReader.open(junk.toString(), FAR, 1).close());
        assertEquals(Reasons.DECODE_ERROR, e.reason());
        assertFalse(e.ffmpegMessage().isEmpty());
    }
}
