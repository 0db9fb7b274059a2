package dev.avcurate.ingest;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.avcurate.core.Ids;
import dev.avcurate.core.Reasons;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.IngestRecords.Result;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog against a genuine hang inside a native call: a named pipe that never delivers a
 * byte makes FFmpeg's avformat_open_input block in open(2), where neither the deadline nor the
 * interrupt callback can reach it.
 */
class DecodeWatchdogTest {
    @TempDir static Path dir;
    static Path good;
    static final CurateConfig TIGHT = CurateConfig.defaults().withOverrides(List.of("ingest.timeout_s=1", "ingest.watchdog_grace_s=1"));

    @BeforeAll
    static void write() throws Exception {
        SpeechSignal s = new SpeechSignal(6, 150);
        good = new SyntheticVideo().size(160, 96).fps(25).seconds(3).painter(Scenes.talkingHead(Scenes.textured(6), s, 0.5, 0.5, 6))
                .audio(s::sample, 44_100, 1).write(dir.resolve("media/good.mp4"));
    }

    /** A named pipe; the test is skipped where mkfifo is missing. */
    static Path fifo(String name) throws Exception {
        Path p = dir.resolve("media").resolve(name);
        int rc;
        try {
            rc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor();
        } catch (IOException e) {
            rc = -1;
        }
        assumeTrue(rc == 0, "mkfifo is needed for a genuine native hang");
        return p;
    }

    /** As a listing reports a file: a size, so the ingest opens it. */
    static Input input(Path p, long size) {
        String uri = p.toUri().toString();
        return new Input(Ids.videoId(uri), uri, size, 1_000);
    }

    static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
    }

    /** Opens the pipe for writing and closes it: the reader blocked in open(2) gets end of file and returns. */
    static void release(Path fifo, Thread stuck) throws Exception {
        Thread w = new Thread(() -> {
            try (FileOutputStream o = new FileOutputStream(fifo.toFile())) {
                o.flush();
            } catch (IOException ignored) {
                // the reader is gone: nothing to release
            }
        });
        w.setDaemon(true);
        w.start();
        w.join(30_000);
        stuck.join(30_000);
    }

    @Test
    void aDecodeStuckInANativeCallIsGivenUpInLocalModeAndTheNextVideoGoesOn() throws Exception {
        Path out = dir.resolve("out-local");
        Path pipe = fifo("never_delivers.mp4");
        Input in = input(pipe, 1_000_000);
        Result r = new VideoIngestor(TIGHT, new Configuration(), out.toString()).ingest(in);
        assertEquals("rejected", r.video().status());
        assertEquals(Reasons.DECODE_TIMEOUT, r.video().rejectReason(), r.toString());
        assertTrue(r.rejects().get(0).message().contains("watchdog"), r.rejects().get(0).message());
        PoisonGuard guard = new PoisonGuard(out.toString(), new Configuration(), false);
        assertEquals(new PoisonGuard.Prior(1, true), guard.prior(in), "the attempt is marked hung in the journal");
        Thread stuck = thread("avcurate-decode-" + in.videoId());
        assertNotNull(stuck, "the decode thread was abandoned, not ended");
        assertTrue(stuck.isAlive());
        assertTrue(stuck.isDaemon(), "an abandoned thread cannot keep the JVM alive");

        // The job goes on: the next video decodes in the same JVM.
        Result next = new VideoIngestor(CurateConfig.defaults(), new Configuration(), out.toString()).ingest(PoisonGuardTest.input(good));
        assertEquals("ok", next.video().status(), next.toString());

        // The stuck call returns at last: too late to change the verdict.
        release(pipe, stuck);
        assertFalse(stuck.isAlive(), "released by the writer");
        assertEquals(new PoisonGuard.Prior(1, true), guard.prior(in), "a late return does not erase the hung mark");
        // A later attempt (a rerun) rejects it without opening the pipe again (which would block until the watchdog).
        Result again = new VideoIngestor(CurateConfig.defaults(), new Configuration(), out.toString()).ingest(in);
        assertEquals(Reasons.DECODE_TIMEOUT, again.video().rejectReason());
        assertTrue(again.rejects().get(0).message().startsWith("an earlier attempt's decode hung"), again.rejects().get(0).message());
    }

    @Test
    void onAClusterExecutorTheWatchdogHaltsTheJvmAfterMarkingTheAttemptHung() throws Exception {
        Path out = dir.resolve("out-cluster");
        Path pipe = fifo("never_delivers_either.mp4");
        Input in = input(pipe, 1_000_000);
        List<Integer> halts = new CopyOnWriteArrayList<>();
        List<PoisonGuard.Prior> atHalt = new CopyOnWriteArrayList<>();
        PoisonGuard guard = new PoisonGuard(out.toString(), new Configuration(), false);
        BooleanSupplier cluster = DecodeWatchdog.clusterExecutor;
        IntConsumer halt = DecodeWatchdog.halt;
        DecodeWatchdog.clusterExecutor = () -> true;
        DecodeWatchdog.halt = code -> {
            halts.add(code);
            try {
                atHalt.add(guard.prior(in));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        try {
            new VideoIngestor(TIGHT, new Configuration(), out.toString()).ingest(in);
        } finally {
            DecodeWatchdog.clusterExecutor = cluster;
            DecodeWatchdog.halt = halt;
        }
        assertEquals(List.of(DecodeWatchdog.EXIT_HUNG), halts, "the executor is halted");
        assertEquals(List.of(new PoisonGuard.Prior(1, true)), atHalt, "marked hung before the halt");
        release(pipe, thread("avcurate-decode-" + in.videoId()));
    }

    @Test
    void aDecodeThatReturnsInTimeIsNotWatched() throws Exception {
        Path out = dir.resolve("out-quick");
        Input in = PoisonGuardTest.input(good);
        Result r = new VideoIngestor(CurateConfig.defaults(), new Configuration(), out.toString()).ingest(in);
        assertEquals("ok", r.video().status());
        assertEquals(PoisonGuard.Prior.NONE, new PoisonGuard(out.toString(), new Configuration(), false).prior(in));
        Thread t = thread("avcurate-decode-" + in.videoId());
        if (t != null) t.join(30_000);
        assertTrue(t == null || !t.isAlive(), "its thread ends with the decode");
    }

    @Test
    void faultInjectionRulesAreReadFromTheirVariableAndMatchFileNamesOnly() {
        assertEquals(List.of(), FaultInjection.parse(null));
        assertEquals(List.of(), FaultInjection.parse(" "));
        List<FaultInjection.Rule> rules = FaultInjection.parse("crash:poison_crash, hang:poison_hang");
        assertEquals(List.of(new FaultInjection.Rule("crash", "poison_crash"), new FaultInjection.Rule("hang", "poison_hang")), rules);
        assertEquals("crash", FaultInjection.match(rules, "file:/in/x_poison_crash_1.mp4").kind());
        assertEquals("hang", FaultInjection.match(rules, "s3a://b/raw/poison_hang.mp4").kind());
        assertNull(FaultInjection.match(rules, "file:/in/poison_crash/fine.mp4"), "a folder's name does not count");
        assertThrows(IllegalArgumentException.class, () -> FaultInjection.parse("segfault:x"));
        assertThrows(IllegalArgumentException.class, () -> FaultInjection.parse("crash:"), "an empty substring would match every file");
        assertNull(System.getenv(FaultInjection.ENV), "the test JVM runs without fault injection");
    }
}
