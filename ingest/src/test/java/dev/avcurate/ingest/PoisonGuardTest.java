package dev.avcurate.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.Ids;
import dev.avcurate.core.Reasons;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.IngestRecords.Result;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attempt journal on a temporary directory, and the ingest's verdicts from it. */
class PoisonGuardTest {
    @TempDir static Path dir;
    static Path good;

    @BeforeAll
    static void write() throws Exception {
        SpeechSignal s = new SpeechSignal(5, 150);
        good = new SyntheticVideo().size(160, 96).fps(25).seconds(3).painter(Scenes.talkingHead(Scenes.textured(5), s, 0.5, 0.5, 5))
                .audio(s::sample, 44_100, 1).write(dir.resolve("media/good.mp4"));
    }

    static Input input(Path p) throws Exception {
        String uri = p.toUri().toString();
        return new Input(Ids.videoId(uri), uri, Files.size(p), Files.getLastModifiedTime(p).toMillis());
    }

    static PoisonGuard guard(Path out) {
        return new PoisonGuard(out.toString(), new Configuration(), false);
    }

    static Path marker(Path out, Input in) {
        return out.resolve("_work/attempts").resolve(in.videoId());
    }

    @Test
    void aMarkerCountsTheAttemptsThatDidNotReturnAndGoesWhenOneDoes() throws Exception {
        Path out = dir.resolve("out-journal");
        PoisonGuard g = guard(out);
        Input in = input(good);
        assertEquals(PoisonGuard.Prior.NONE, g.prior(in));
        g.begin(in, 1);
        assertTrue(Files.exists(marker(out, in)), "the marker is a file in <output>/_work/attempts");
        assertTrue(Files.readString(marker(out, in)).contains("attempts=1"));
        assertEquals(new PoisonGuard.Prior(1, false), g.prior(in));
        assertTrue(g.prior(in).suspect());
        g.begin(in, 2);
        assertEquals(new PoisonGuard.Prior(2, false), g.prior(in));
        g.hung(in, 2);
        assertEquals(new PoisonGuard.Prior(2, true), g.prior(in));
        g.done(in);
        assertFalse(Files.exists(marker(out, in)));
        assertEquals(PoisonGuard.Prior.NONE, g.prior(in));
    }

    @Test
    void aMarkerLeftForAnotherVersionOfTheFileOrHalfWrittenCountsForNothing() throws Exception {
        Path out = dir.resolve("out-stale");
        PoisonGuard g = guard(out);
        Input in = input(good);
        g.begin(in, 2);
        Input changed = new Input(in.videoId(), in.uri(), in.sizeBytes() + 1, in.mtimeMs());
        assertEquals(PoisonGuard.Prior.NONE, g.prior(changed), "a file that changed starts afresh");
        Input touched = new Input(in.videoId(), in.uri(), in.sizeBytes(), in.mtimeMs() + 1000);
        assertEquals(PoisonGuard.Prior.NONE, g.prior(touched));
        // A writer that died before its bytes were out (no decode had started under it).
        Files.delete(marker(out, in));
        Files.deleteIfExists(out.resolve("_work/attempts/." + in.videoId() + ".crc"));
        Files.writeString(marker(out, in), "");
        assertEquals(PoisonGuard.Prior.NONE, g.prior(in));
    }

    @Test
    void noEarlierAttemptDecodesAndLeavesNoMarker() throws Exception {
        Path out = dir.resolve("out-0");
        Input in = input(good);
        Result r = new VideoIngestor(CurateConfig.defaults(), new Configuration(), out.toString()).ingest(in);
        assertEquals("ok", r.video().status(), r.toString());
        assertFalse(r.clips().isEmpty());
        assertFalse(Files.exists(marker(out, in)), "the marker goes when the decode returns");
    }

    @Test
    void oneEarlierAttemptThatDidNotReturnDecodesAgain() throws Exception {
        Path out = dir.resolve("out-1");
        Input in = input(good);
        guard(out).begin(in, 1); // as an attempt whose JVM died mid-decode leaves it
        Result r = new VideoIngestor(CurateConfig.defaults(), new Configuration(), out.toString()).ingest(in);
        assertEquals("ok", r.video().status(), r.toString());
        assertFalse(r.clips().isEmpty());
        assertFalse(Files.exists(marker(out, in)));
    }

    @Test
    void twoEarlierAttemptsThatDidNotReturnRejectTheVideoWithoutOpeningIt() throws Exception {
        Path out = dir.resolve("out-2");
        // A file that is not there: opening it would give read_error or decode_error, never decode_crash.
        Path missing = dir.resolve("media/crashes_the_decoder.mp4");
        String uri = missing.toUri().toString();
        Input in = new Input(Ids.videoId(uri), uri, 12_345, 1_000);
        guard(out).begin(in, 1);
        guard(out).begin(in, 2);
        Result r = new VideoIngestor(CurateConfig.defaults(), new Configuration(), out.toString()).ingest(in);
        assertEquals("rejected", r.video().status());
        assertEquals(Reasons.DECODE_CRASH, r.video().rejectReason());
        assertEquals(1, r.rejects().size());
        assertEquals(Reasons.DECODE_CRASH, r.rejects().get(0).reason());
        assertEquals("the decoder crashed the executor on 2 attempts", r.rejects().get(0).message());
        assertEquals(in.videoId() + ":" + Reasons.DECODE_CRASH, r.rejects().get(0).rejectId());
        assertTrue(r.clips().isEmpty());
        assertEquals(new PoisonGuard.Prior(2, false), guard(out).prior(in), "the verdict stays for every later attempt");
    }

    @Test
    void aHungMarkerRejectsTheVideoAsTimedOutWithoutDecoding() throws Exception {
        Path out = dir.resolve("out-hung");
        Input in = input(good); // a good file: only the marker makes it a reject
        guard(out).begin(in, 1);
        guard(out).hung(in, 1);
        Result r = new VideoIngestor(CurateConfig.defaults(), new Configuration(), out.toString()).ingest(in);
        assertEquals(Reasons.DECODE_TIMEOUT, r.video().rejectReason(), r.toString());
        assertNull(r.video().framesDecoded(), "not decoded");
        assertTrue(r.rejects().get(0).message().contains("watchdog"), r.rejects().get(0).message());
        assertTrue(guard(out).prior(in).hung());
    }

    @Test
    void withoutAnOutputThereIsNoJournal() throws Exception {
        Result r = new VideoIngestor(CurateConfig.defaults(), new Configuration()).ingest(input(good));
        assertEquals("ok", r.video().status());
    }
}
