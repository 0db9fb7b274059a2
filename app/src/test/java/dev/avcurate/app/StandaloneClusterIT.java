package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.app.cluster.LoopbackCluster;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar under spark-submit on a real Spark standalone cluster: a master and two workers of one core each,
 * child JVMs on 127.0.0.1 ({@link LoopbackCluster}), executors launched by the workers from Spark's own jars. The
 * tables it writes are the tables of a local run on the same input, and an executor killed in the middle of the score
 * stage costs a retry, not a clip.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) static Path dir;
    static final String RULES = "[{score: face_frames_ratio, op: '>=', value: 0.5, reason: no_face},"
            + " {score: speech_ratio, op: '>=', value: 0.2, reason: no_speech},"
            + " {score: av_offset_frames, op: '<=', value: 10, reason: out_of_sync}]";
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", "..")).toAbsolutePath().normalize();
    static Path input;
    static LoopbackCluster cluster;
    static SparkSession spark;
    static Path localOut;

    @BeforeAll
    static void setUp() throws Exception {
        Path jar = Path.of(System.getProperty("avcurate.app.jar"));
        assertTrue(Files.exists(jar), "shaded jar built by mvn package: " + jar);
        input = dir.resolve("in");
        // Three single-shot talking heads, and one video with a hard cut after 1.2 s: a too_short reject beside its clip.
        // 640x360: large enough for the 672x384 shard bucket.
        for (int k = 0; k < 3; k++) {
            SpeechSignal s = new SpeechSignal(10 + k, 130 + 25 * k);
            new SyntheticVideo().size(640, 360).fps(25).seconds(3)
                    .painter(Scenes.talkingHead(Scenes.textured(k), s, 0.5, 0.5, k)).audio(s::sample, 44_100, 2)
                    .write(input.resolve("v" + k + ".mp4"));
        }
        SpeechSignal s = new SpeechSignal(20, 170);
        new SyntheticVideo().size(640, 360).fps(25).seconds(4.2)
                .painter(Scenes.cuts(new int[] {30}, Scenes.textured(7), Scenes.talkingHead(Scenes.textured(8), s, 0.5, 0.5, 3)))
                .audio(s::sample, 44_100, 2).write(input.resolve("cut.mp4"));
        long t0 = System.nanoTime();
        cluster = LoopbackCluster.start(ROOT, dir.resolve("cluster"), 2, "1536m", 120);
        System.err.printf("[cluster-it] cluster of 2 workers up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        spark = CurateCli.spark();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (cluster != null) cluster.close();
        if (spark != null) spark.stop();
        // CPU seconds, which the machine's other load does not change: this JVM, and its reaped children (the cluster's
        // JVMs with the executors their workers reaped, the spark-submit drivers).
        // (A diagnostic line only: on a system without /proc it is left out.)
        try {
            String[] stat = Files.readString(Path.of("/proc/self/stat")).replaceAll("^.*\\) ", "").split(" ");
            double tick = 100.0; // USER_HZ
            System.err.printf("[cluster-it] CPU: this JVM %.1f s, child processes %.1f s%n",
                    ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1e3).orElse(-1.0),
                    (Long.parseLong(stat[13]) + Long.parseLong(stat[14])) / tick);
        } catch (java.io.IOException | RuntimeException e) {
            // no CPU line
        }
    }

    /** The README's run with --master local[2], in this JVM; once for both tests. */
    static synchronized Path localRun() {
        if (localOut == null) {
            Path out = dir.resolve("out-local");
            long t0 = System.nanoTime();
            assertEquals(0, CurateCli.curate(runArgs(out, "--master", "local[2]")), "local run");
            System.err.printf("[cluster-it] local[2] run in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            localOut = out;
        }
        return localOut;
    }

    static String[] runArgs(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("run", "--config", ROOT.resolve("conf/default.yaml").toString(),
                "--input", input.toString(), "--output", out.toString(),
                "--set", "models.dir=" + ROOT.resolve("models"), "--set", "models.registry=" + ROOT.resolve("conf/models.yaml"),
                // Light-ASD finds no speaker in drawn faces (README): without the speaker rule some clips are kept, so that
                // captions and shards have rows to compare.
                "--set", "filter.rules=" + RULES));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /**
     * spark-submit of the shaded jar to the cluster, started in the test's directory ({@code out} may be relative to
     * it); its stdout and stderr go to {@code log}.
     */
    static Process submit(Path out, Path log, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--conf", "spark.ui.enabled=false",
                "--conf", "spark.executor.memory=1g",
                // The executors' JVM: C1 only with a 240 MiB code cache (as bin/curate), JavaCPP's natives unpacked once under the build directory.
                "--conf", "spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m -Dorg.bytedeco.javacpp.cachedir="
                        + System.getProperty("org.bytedeco.javacpp.cachedir", dir.resolve("javacpp").toString()),
                "--class", "dev.avcurate.app.Curate", System.getProperty("avcurate.app.jar")));
        args.addAll(List.of(runArgs(out, extra)));
        ProcessBuilder pb = new ProcessBuilder(cluster.sparkSubmit("1g", args)).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(dir.toFile());
        pb.environment().putAll(cluster.environment());
        Process p = pb.start();
        STARTED.put(p, System.nanoTime());
        return p;
    }

    static final Map<Process, Long> STARTED = new java.util.concurrent.ConcurrentHashMap<>();

    static String finish(Process p, Path log) throws Exception {
        boolean finished = p.waitFor(480, TimeUnit.SECONDS); // minutes on a loaded machine; a hang is caught
        if (!finished) p.destroyForcibly(); // a hung child must not outlive the build
        String out = Files.readString(log);
        out.lines().filter(l -> l.startsWith("[")).forEach(l -> System.err.println("  " + l)); // the driver's progress lines
        assertTrue(finished, "spark-submit finished:\n" + out + cluster.logs());
        System.err.printf("[cluster-it] spark-submit to %s: exit %d after %.1f s%n", cluster.masterUrl(), p.exitValue(),
                (System.nanoTime() - STARTED.getOrDefault(p, System.nanoTime())) / 1e9);
        assertEquals(0, p.exitValue(), "spark-submit's exit code\n" + out + cluster.logs());
        return out;
    }

    @Test
    @Order(1)
    void aClusterRunWritesTheTablesOfALocalRun() throws Exception {
        Path out = dir.resolve("out-cluster");
        Path log = dir.resolve("submit-a.log");
        // A relative --output, as a user types it: the executors' working directories are their workers' work dirs.
        Process p = submit(Path.of("out-cluster"), log);
        Path local;
        try {
            local = localRun(); // meanwhile, in this JVM: the cluster's driver and executors are other processes
        } finally {
            if (localOut == null) p.destroyForcibly();
        }
        String text = finish(p, log);
        assertTrue(text.contains("on " + cluster.masterUrl()), text);
        // Both workers ran executors for this application.
        for (int i = 0; i < cluster.workers(); i++) {
            assertTrue(executorLogs(i).stream().anyMatch(f -> LoopbackCluster.read(f).contains("Running task")),
                    "worker " + i + " ran tasks\n" + cluster.logs());
        }
        assertFalse(rows(local, "clips").isEmpty());
        assertFalse(rows(local, "rejects").isEmpty(), "the cut leaves a too_short piece");
        assertFalse(rows(local, "captions").isEmpty());
        assertFalse(shardIndex(local).isEmpty());

        assertEquals(videos(local), videos(out), "videos");
        assertClipsEqual(clips(local), clips(out));
        assertEquals(pairs(local, "rejects", "reject_id", "reason"), pairs(out, "rejects", "reject_id", "reason"), "rejects");
        assertEquals(pairs(local, "captions", "clip_id", "caption"), pairs(out, "captions", "clip_id", "caption"), "captions");
        assertEquals(shardIndex(local), shardIndex(out), "shards index");
        // The shard files the executors wrote are where the index says, under the driver's output directory.
        List<String> index = Files.readAllLines(out.resolve("shards/index.tsv"));
        assertEquals(rows(out, "shards").size() + 1, index.size(), "index.tsv: a header and a line per shard file\n" + index);
        for (String line : index.subList(1, index.size())) {
            String[] f = line.split("\t");
            Path shard = out.resolve("shards").resolve(f[0]);
            assertTrue(Files.isRegularFile(shard), "shard file " + shard);
            assertEquals(Long.parseLong(f[4]), Files.size(shard), "bytes of " + shard);
        }
    }

    @Test
    @Order(2)
    void anExecutorKilledDuringTheScoreStageCostsARetryNotAClip() throws Exception {
        Path out = dir.resolve("out-killed");
        Path log = dir.resolve("submit-b.log");
        // The stages up to the one under test: later stages read the clips table as any run's.
        Process p = submit(out, log, "--stages", "ingest,score");
        String killed = null;
        try {
            // The driver prints "[score] N clips, M to score" once the work list is written; then the scoring job runs. A
            // scoring task holds files open that nothing else in the run does: the clip's video while it decodes it, and
            // its part of the batch's scores under <output>/_work/score/scores while it scores. Kill worker 0's executor
            // with SIGKILL when it holds one.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(400);
            Path real = dir.toRealPath(); // as /proc shows open files
            List<Path> scoring = List.of(real.resolve("in"), real.resolve("out-killed/_work/score/scores"));
            while (killed == null && p.isAlive() && System.nanoTime() < deadline) {
                if (LoopbackCluster.read(log).contains("[score] ")) killed = killWhileOpen(0, scoring);
                Thread.sleep(10);
            }
        } finally {
            if (killed == null && p.isAlive()) p.destroyForcibly();
        }
        assertNotNull(killed, "an executor of worker 0 was killed while it ran a score task\n" + LoopbackCluster.read(log) + cluster.logs());
        System.err.println("[cluster-it] SIGKILL to " + killed);
        String text = finish(p, log);
        assertTrue(text.contains("Lost task"), "the driver saw a task lost with the executor\n" + text);

        List<Row> clips = spark.read().format("delta").load(out.resolve("tables/clips").toString()).select("clip_id", "scores_version")
                .collectAsList();
        List<String> ids = clips.stream().map(r -> r.getString(0)).sorted().toList();
        assertEquals(new TreeSet<>(ids).size(), ids.size(), "no clip_id twice: " + ids);
        assertEquals(clips(localRun()).keySet(), new TreeSet<>(ids), "the clips of the local run");
        for (Row r : clips) assertFalse(r.isNullAt(1), "scored: " + r.getString(0));
    }

    /**
     * SIGKILL to worker {@code w}'s executor if it has a file open under one of {@code dirs} (its /proc fd table); what
     * was killed, and why, or null when it holds none.
     */
    static String killWhileOpen(int w, List<Path> dirs) {
        for (ProcessHandle h : cluster.executors(w)) {
            try (var fds = Files.list(Path.of("/proc", String.valueOf(h.pid()), "fd"))) {
                for (Path fd : fds.toList()) {
                    Path target;
                    try {
                        target = Files.readSymbolicLink(fd);
                    } catch (java.io.IOException | UnsupportedOperationException e) {
                        continue; // closed meanwhile
                    }
                    if (dirs.stream().anyMatch(target::startsWith)) {
                        cluster.killExecutors(w);
                        return "executor " + h.pid() + " of worker " + w + " while it had " + target + " open";
                    }
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // the executor exited meanwhile
            }
        }
        return null;
    }

    /** The stderr file of every executor worker {@code w} has launched so far (work/&lt;app&gt;/&lt;executor&gt;/stderr). */
    static List<Path> executorLogs(int w) throws Exception {
        try (var s = Files.walk(cluster.workDir(w), 3)) {
            return s.filter(f -> f.getFileName().toString().equals("stderr")).sorted().toList();
        }
    }

    static List<Row> rows(Path out, String table) {
        return spark.read().format("delta").load(out.resolve("tables/" + table).toString()).collectAsList();
    }

    static List<String> videos(Path out) {
        return pairs(out, "videos", "video_id", "status");
    }

    static List<String> pairs(Path out, String table, String key, String value) {
        return spark.read().format("delta").load(out.resolve("tables/" + table).toString()).select(key, value).collectAsList()
                .stream().map(r -> r.get(0) + " " + r.get(1)).sorted().toList();
    }

    /** Sorted clip ids per split and bucket of the shards index. */
    static Map<String, List<String>> shardIndex(Path out) {
        Map<String, List<String>> idx = new TreeMap<>();
        for (Row r : spark.read().format("delta").load(out.resolve("tables/shards").toString())
                .selectExpr("split", "bucket", "explode(clip_ids) AS clip_id").collectAsList()) {
            idx.computeIfAbsent(r.getString(0) + "/" + r.getString(1), k -> new ArrayList<>()).add(r.getString(2));
        }
        idx.values().forEach(l -> l.sort(null));
        return idx;
    }

    /** clip_id to its ingest and filter columns and every score column of the default profile. */
    static Map<String, Map<String, Object>> clips(Path out) {
        List<String> cols = new ArrayList<>(List.of("start_s", "end_s", "keep", "reject_reasons", "scores_version", "score_error"));
        cols.addAll(ScorerSet.columns(CurateConfig.load(ROOT.resolve("conf/default.yaml"))).keySet());
        Map<String, Map<String, Object>> m = new TreeMap<>();
        for (Row r : rows(out, "clips")) {
            Map<String, Object> v = new TreeMap<>();
            for (String c : cols) {
                Object o = r.getAs(c);
                v.put(c, o instanceof scala.collection.Seq<?> seq ? scala.jdk.javaapi.CollectionConverters.asJava(seq) : o);
            }
            assertNull(m.put(r.getAs("clip_id"), v), "clip_id once: " + r.getAs("clip_id"));
        }
        return m;
    }

    /** Equal clips: strings, booleans and lists exactly, scores to 1e-6 relative (the same code on the same machine). */
    static void assertClipsEqual(Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual) {
        assertEquals(expected.keySet(), actual.keySet(), "clip ids");
        for (String id : expected.keySet()) {
            for (var e : expected.get(id).entrySet()) {
                Object a = actual.get(id).get(e.getKey());
                String what = id + " " + e.getKey();
                if (e.getValue() instanceof Double x && a instanceof Double y) {
                    assertEquals(x, y, 1e-6 * Math.max(1, Math.abs(x)), what);
                } else {
                    assertEquals(e.getValue(), a, what);
                }
            }
        }
        long scored = expected.values().stream().filter(v -> v.get("scores_version") != null).count();
        assertEquals(expected.size(), scored, "every clip scored: " + expected.keySet().stream()
                .map(id -> id + "=" + expected.get(id).get("score_error")).collect(Collectors.joining(", ")));
    }
}
