package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison files in a whole local job, with the test-only fault injection: a file that "crashes"
 * the JVM (halt 134, as a native crash) ends the first two runs, and the third records it as
 * decode_crash; a file that hangs is cut by the watchdog within the run. The videos that decoded
 * beside the crash are not blamed for it.
 */
@Tag("slow")
class PoisonJobTest {
    @TempDir static Path dir;
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));

    record Run(int code, String log) {}

    static Run curate(Path input, Path out, int n) throws Exception {
        String cp = ROOT.resolve("app/target/classes") + File.pathSeparator
                + Files.readString(ROOT.resolve("app/target/classpath.txt")).strip();
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")
                        || a.startsWith("-Dorg.bytedeco"))
                .toList());
        cmd.addAll(List.of("-Xmx2g", "-XX:TieredStopAtLevel=1", "-cp", cp, "dev.avcurate.app.Curate", "run",
                "--config", ROOT.resolve("conf/default.yaml").toString(), "--input", input.toString(), "--output", out.toString(),
                "--stages", "ingest", "--master", "local[2]", "--set", "ingest.timeout_s=5", "--set", "ingest.watchdog_grace_s=2"));
        Path log = dir.resolve("run" + n + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("AVCURATE_FAULT_INJECT", "crash:poison_crash,hang:poison_hang");
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("run " + n + " did not end: " + Files.readString(log));
        }
        String text = Files.readString(log);
        System.err.print(text);
        return new Run(p.exitValue(), text);
    }

    @AfterAll
    static void stop() {
        if (SparkSession.getDefaultSession().isDefined()) SparkSession.getDefaultSession().get().stop();
    }

    @Test
    void aCrashingFileIsQuarantinedAfterTwoRunsAndAHangingOneIsCutWithinTheRun() throws Exception {
        Path input = dir.resolve("input");
        SpeechSignal s = new SpeechSignal(4, 150);
        // Largest first: the crashing file starts at once, beside the next largest.
        new SyntheticVideo().size(320, 180).fps(25).seconds(8).painter(Scenes.talkingHead(Scenes.textured(40), s, 0.5, 0.5, 4))
                .audio(s::sample, 44_100, 1).write(input.resolve("poison_crash.mp4"));
        for (int k = 0; k < 2; k++) {
            new SyntheticVideo().size(320, 180).fps(25).seconds(5 - k).painter(Scenes.talkingHead(Scenes.textured(41 + k), s, 0.5, 0.5, 4))
                    .audio(s::sample, 44_100, 1).write(input.resolve("good_" + k + ".mp4"));
        }
        new SyntheticVideo().size(160, 96).fps(25).seconds(3).painter(Scenes.talkingHead(Scenes.textured(45), s, 0.5, 0.5, 4))
                .audio(s::sample, 44_100, 1).write(input.resolve("poison_hang.mp4"));
        Path out = dir.resolve("out");

        for (int n = 1; n <= 2; n++) {
            Run r = curate(input, out, n);
            assertEquals(134, r.code(), "run " + n + " ends with the simulated crash: " + r.log());
        }
        Run third = curate(input, out, 3);
        assertEquals(0, third.code(), third.log());
        assertFalse(third.log().contains("simulated crash"), "the crashing file is not opened a third time");

        SparkSession spark = CurateCli.spark();
        Map<String, String> outcome = new HashMap<>();
        for (Row v : spark.read().format("delta").load(out.resolve("tables/videos").toString()).collectAsList()) {
            String uri = v.getAs("uri");
            outcome.put(uri.substring(uri.lastIndexOf('/') + 1), "ok".equals(v.getAs("status")) ? "ok" : v.getAs("reject_reason"));
        }
        assertEquals(Map.of("poison_crash.mp4", "decode_crash", "poison_hang.mp4", "decode_timeout", "good_0.mp4", "ok", "good_1.mp4", "ok"),
                outcome);
        List<Row> crash = spark.read().format("delta").load(out.resolve("tables/rejects").toString())
                .filter("reason = 'decode_crash'").collectAsList();
        assertEquals(1, crash.size());
        assertEquals("the decoder crashed the executor on 2 attempts", crash.get(0).getAs("message"));
        assertTrue(Files.readString(out.resolve("run-summary.json")).contains("\"decode_crash\" : 1"));
    }
}
