package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.app.cluster.LoopbackCluster;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's spark-submit line, run for real: Spark's own SparkSubmit entry point on a class
 * path of Spark's jars alone (as a Spark install has them), our shaded jar as the application,
 * {@code --master local[2]}.
 */
class SparkSubmitIT {
    @TempDir Path dir;

    @Test
    void theShadedJarRunsUnderSparkSubmit() throws Exception {
        Path root = Path.of(System.getProperty("avcurate.repo.root", ".."));
        Path jar = Path.of(System.getProperty("avcurate.app.jar"));
        assertTrue(Files.exists(jar), "shaded jar built by mvn package: " + jar);
        SpeechSignal s = new SpeechSignal(5, 150);
        for (int k = 0; k < 2; k++) {
            new SyntheticVideo().size(320, 180).fps(25).seconds(4)
                    .painter(Scenes.talkingHead(Scenes.textured(k), s, 0.5, 0.5, k)).audio(s::sample, 44_100, 2)
                    .write(dir.resolve("in/v" + k + ".mp4"));
        }
        // A Spark install: Spark's dependency closure (LoopbackCluster.sparkJars: spark-sql's, plus the groups the shade
        // plugin leaves out because Spark ships them).
        String sparkCp = LoopbackCluster.sparkJars(root).stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")
                        || a.startsWith("-Dorg.bytedeco"))
                .toList());
        cmd.addAll(List.of("-Xmx2g", "-cp", sparkCp, "org.apache.spark.deploy.SparkSubmit",
                "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--class", "dev.avcurate.app.Curate", jar.toString(),
                "run", "--config", root.resolve("conf/default.yaml").toString(),
                "--input", dir.resolve("in").toString(), "--output", dir.resolve("out").toString(),
                "--set", "models.dir=" + root.resolve("models"), "--set", "models.registry=" + root.resolve("conf/models.yaml")));
        Path log = dir.resolve("submit.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(300, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly(); // a hung child must not outlive the build
        assertTrue(finished, "spark-submit finished");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("on local[2]"), out);
        String summary = Files.readString(dir.resolve("out/run-summary.json"));
        assertTrue(summary.contains("\"videos_ok\" : 2"), summary);
        assertTrue(summary.contains("\"clips\" : 2"), summary);
        assertTrue(Files.isDirectory(dir.resolve("out/tables/clips/_delta_log")));
        // The caption stage ran from the jar too (no endpoint: composed captions; MiniLM from the jar's resources).
        assertTrue(Files.isDirectory(dir.resolve("out/tables/captions/_delta_log")));
        assertTrue(summary.contains("\"estimator\" : \"attributes\""), summary);
        // Spark prints its version lines before spark.log.level takes effect; nothing more.
        long infoLines = out.lines().filter(l -> l.contains(" INFO ")).count();
        assertTrue(infoLines <= 3, "no INFO flood:\n" + out);
    }
}
