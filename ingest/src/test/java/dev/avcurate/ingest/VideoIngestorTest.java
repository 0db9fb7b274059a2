package dev.avcurate.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.Ids;
import dev.avcurate.core.Reasons;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.IngestRecords.Result;
import dev.avcurate.ingest.samples.HostileSamples;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-video ingest on known inputs, without Spark. */
class VideoIngestorTest {
    @TempDir static Path dir;
    static Map<String, String> expected;

    @BeforeAll
    static void write() throws Exception {
        expected = HostileSamples.write(dir.resolve("hostile"));
    }

    static Result ingest(Path p, CurateConfig cfg) throws Exception {
        String uri = p.toUri().toString();
        return new VideoIngestor(cfg, new Configuration()).ingest(
                new Input(Ids.videoId(uri), uri, Files.size(p), Files.getLastModifiedTime(p).toMillis()));
    }

    @Test
    void everyHostileKindEndsWithItsReasonOrIsProcessed() throws Exception {
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Result r = ingest(dir.resolve("hostile").resolve(e.getKey()), CurateConfig.defaults());
            String outcome = "ok".equals(r.video().status()) ? "ok" : r.video().rejectReason();
            assertEquals(e.getValue(), outcome, e.getKey() + ": " + r.rejects());
            if (!"ok".equals(outcome)) {
                assertEquals(1, r.rejects().size());
                assertFalse(r.rejects().get(0).message().isBlank(), e.getKey());
                assertTrue(r.clips().isEmpty());
            }
        }
    }

    @Test
    void ffmpegsOwnMessageIsKeptForUnreadableFiles() throws Exception {
        Result r = ingest(dir.resolve("hostile/truncated_no_index.mp4"), CurateConfig.defaults());
        assertTrue(r.rejects().get(0).ffmpegMessage().contains("moov atom not found"), r.rejects().get(0).toString());
        r = ingest(dir.resolve("hostile/random_bytes.mp4"), CurateConfig.defaults());
        assertTrue(r.rejects().get(0).ffmpegMessage().contains("Invalid data found"), r.rejects().get(0).toString());
    }

    @Test
    void rotatedAndVariableFrameRateFilesAreDescribedCorrectly() throws Exception {
        Result rot = ingest(dir.resolve("hostile/rotated.mp4"), CurateConfig.defaults());
        assertEquals(180, rot.video().width());
        assertEquals(320, rot.video().height());
        assertEquals(270, rot.video().rotation());
        assertEquals(180, rot.clips().get(0).width());
        Result vfr = ingest(dir.resolve("hostile/variable_frame_rate.mp4"), CurateConfig.defaults());
        assertTrue(vfr.video().vfr(), "vfr flagged");
        // 50 intervals of 1/30 s and 50 of 1/15 s: mean 0.05 s, i.e. 20 fps on average.
        assertEquals(20.0, vfr.video().fps(), 0.5);
        assertEquals(100L, vfr.video().framesDecoded());
    }

    @Test
    void aDecodePastTheTimeLimitIsStopped() throws Exception {
        CurateConfig tight = CurateConfig.defaults().withOverrides(List.of("ingest.timeout_s=0.001"));
        Result r = ingest(dir.resolve("hostile/rotated.mp4"), tight);
        assertEquals(Reasons.DECODE_TIMEOUT, r.video().rejectReason());
    }

    @Test
    void probeValuesAndClipsMatchTheGenerator() throws Exception {
        SpeechSignal s = new SpeechSignal(3, 130);
        // Shots of 3 s, 1 s (too short) and 24 s (split into 3 clips of 8 s by max 10 s).
        Path v = new SyntheticVideo().size(480, 270).fps(25).seconds(28)
                .painter(Scenes.cuts(new int[] {75, 100},
                        Scenes.talkingHead(Scenes.textured(1), s, 0.5, 0.5, 1), Scenes.textured(2),
                        Scenes.talkingHead(Scenes.textured(3), s, 0.4, 0.6, 2)))
                .audio(s::sample, 48_000, 2).write(dir.resolve("three_shots.mp4"));
        Result r = ingest(v, CurateConfig.defaults());
        assertEquals("ok", r.video().status());
        assertEquals(480, r.video().width());
        assertEquals(270, r.video().height());
        assertEquals(25.0, r.video().fps(), 0.01);
        assertFalse(r.video().vfr());
        assertEquals(48_000, r.video().audioSampleRate());
        assertEquals(2, r.video().audioChannels());
        assertEquals(700L, r.video().framesDecoded());
        assertEquals(28.0, r.video().audioDurationS(), 0.05);
        assertEquals(3, r.video().shots());
        assertEquals(4, r.clips().size());
        assertEquals(0.0, r.clips().get(0).startS(), 1e-9);
        assertEquals(3.0, r.clips().get(0).endS(), 0.041);
        for (int k = 1; k < 4; k++) assertEquals(8.0, r.clips().get(k).durationS(), 0.05);
        assertEquals(28.0, r.clips().get(3).endS(), 1e-6);
        assertEquals(1, r.rejects().size());
        assertEquals(Reasons.TOO_SHORT, r.rejects().get(0).reason());
        assertEquals(3.0, r.rejects().get(0).startS(), 0.041);
        assertEquals(4.0, r.rejects().get(0).endS(), 0.041);
        // Same input, same ids.
        Result again = ingest(v, CurateConfig.defaults());
        assertEquals(r, again);
    }
}
