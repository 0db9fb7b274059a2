package dev.avcurate.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a JVM's death shows: the journal across real halts (the simulated native crash of
 * {@link FaultInjection}, the watchdog's halt of a cluster executor), each attempt in a JVM of its
 * own ({@link PoisonChild}).
 */
class PoisonJvmTest {
    @TempDir static Path dir;
    static Path good, poisonCrash, poisonHang, bystander;

    @BeforeAll
    static void write() throws Exception {
        SpeechSignal s = new SpeechSignal(7, 150);
        SyntheticVideo v = new SyntheticVideo().size(160, 96).fps(25).seconds(3)
                .painter(Scenes.talkingHead(Scenes.textured(7), s, 0.5, 0.5, 7)).audio(s::sample, 44_100, 1);
        good = v.write(dir.resolve("media/good.mp4"));
        poisonCrash = Files.copy(good, dir.resolve("media/poison_crash.mp4"));
        poisonHang = Files.copy(good, dir.resolve("media/poison_hang.mp4"));
        // Long enough to be decoding still when the poison file halts the JVM beside it.
        bystander = new SyntheticVideo().size(320, 180).fps(25).seconds(20)
                .painter(Scenes.talkingHead(Scenes.textured(8), s, 0.5, 0.5, 8)).audio(s::sample, 44_100, 1)
                .write(dir.resolve("media/bystander.mp4"));
    }

    record Run(int code, String out) {}

    static Run child(String faults, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                .filter(x -> x.startsWith("--add-opens") || x.startsWith("-Dorg.bytedeco")).toList());
        cmd.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), PoisonChild.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(FaultInjection.ENV, faults);
        Path log = Files.createTempFile(dir, "child", ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the child JVM did not end: " + Files.readString(log));
        }
        String out = Files.readString(log);
        System.err.print(out);
        return new Run(p.exitValue(), out);
    }

    static PoisonGuard.Prior prior(Path out, Path file) throws Exception {
        return new PoisonGuard(out.toString(), new Configuration(), false).prior(PoisonChild.input(file));
    }

    @Test
    void aFileThatCrashesTheJvmTwiceIsRejectedOnTheThirdAttemptWithoutDecoding() throws Exception {
        Path out = dir.resolve("out-crash");
        String faults = "crash:poison_crash";
        for (int attempt = 1; attempt <= 2; attempt++) {
            Run r = child(faults, "local", out.toString(), "30", "5", poisonCrash.toString());
            assertEquals(FaultInjection.EXIT_CRASH, r.code(), r.out());
            assertEquals(new PoisonGuard.Prior(attempt, false), prior(out, poisonCrash), "the marker outlives the JVM");
        }
        Run third = child(faults, "local", out.toString(), "30", "5", poisonCrash.toString(), good.toString());
        assertEquals(0, third.code(), third.out());
        assertTrue(third.out().contains("outcome poison_crash.mp4 rejected decode_crash"), third.out());
        assertTrue(third.out().contains("outcome good.mp4 ok null"), third.out());
        assertFalse(third.out().contains("simulated crash"), "not opened a third time: " + third.out());
    }

    @Test
    void aClusterExecutorStuckInADecodeIsHaltedAndTheRetryRecordsTheTimeout() throws Exception {
        Path out = dir.resolve("out-hang");
        Run first = child("hang:poison_hang", "cluster", out.toString(), "1", "1", poisonHang.toString());
        assertEquals(DecodeWatchdog.EXIT_HUNG, first.code(), first.out());
        assertTrue(first.out().contains("halting executor"), first.out());
        assertEquals(new PoisonGuard.Prior(1, true), prior(out, poisonHang));
        Run retry = child("hang:poison_hang", "cluster", out.toString(), "1", "1", poisonHang.toString(), good.toString());
        assertEquals(0, retry.code(), retry.out());
        assertTrue(retry.out().contains("outcome poison_hang.mp4 rejected decode_timeout"), retry.out());
        assertTrue(retry.out().contains("outcome good.mp4 ok null"), retry.out());
        assertFalse(retry.out().contains("simulated hang"), "not opened again: " + retry.out());
    }

    @Test
    void aVideoDecodingBesideACrashIsNotQuarantinedWithIt() throws Exception {
        Path out = dir.resolve("out-bystander");
        String faults = "crash:poison_crash";
        Run first = child(faults, "pair", out.toString(), "60", "5", bystander.toString(), poisonCrash.toString());
        assertEquals(FaultInjection.EXIT_CRASH, first.code(), first.out());
        PoisonGuard.Prior b = prior(out, bystander);
        // Unless the bystander finished before the crash (then this run shows nothing), it died with the JVM.
        assertTrue(b.equals(new PoisonGuard.Prior(1, false)) || b.equals(PoisonGuard.Prior.NONE), b.toString());
        Run second = child(faults, "pair", out.toString(), "60", "5", bystander.toString(), poisonCrash.toString());
        assertEquals(FaultInjection.EXIT_CRASH, second.code(), second.out());
        assertEquals(new PoisonGuard.Prior(2, false), prior(out, poisonCrash));
        Run third = child(faults, "pair", out.toString(), "60", "5", bystander.toString(), poisonCrash.toString());
        assertEquals(0, third.code(), third.out());
        assertTrue(third.out().contains("outcome bystander.mp4 ok null"), third.out());
        assertTrue(third.out().contains("outcome poison_crash.mp4 rejected decode_crash"), third.out());
    }
}
