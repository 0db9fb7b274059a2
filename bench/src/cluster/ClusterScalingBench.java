import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avcurate.app.cluster.LoopbackCluster;
import dev.avcurate.ingest.samples.SampleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The README's run (every default stage) under spark-submit on a loopback standalone cluster
 * ({@code LoopbackCluster}, from the app's test classes) of 1 worker, then of 2 workers, one core and
 * {@code -Dworker_memory} each, on the same input into a fresh output each time. The baseline is the
 * 1-worker run. Timed: the spark-submit process from start to exit (driver start, executors' start
 * and their fetch of the application jar included; the cluster's own start-up not). Stage seconds
 * come from the run's run-summary.json.
 *
 * <p>The score stage's task seconds (model loading, decoding, every scorer, summed over executors) over
 * its scoring wall time give the parallelism the executors actually had: on an idle machine about the
 * number of workers, less when other processes take cores.
 *
 * <p>The executors' CPU seconds are sampled every 200 ms (each executor JVM's last reading before it
 * exits; the few ms after it are lost): with the wall time they say how much of a core each worker's
 * executor got, which on a shared machine is what the wall times depend on.
 *
 * <p>Arguments: repository root, input directory (made with the project's samples when missing),
 * results directory, worker counts (comma-separated, default 1,2), repetitions (default 1; with 2 or
 * more the order alternates, 1,2,2,1,..., so that a drift in the machine's load hits both alike, and
 * the medians are compared).
 */
public final class ClusterScalingBench {
    static final List<String> STAGES = List.of("ingest", "score", "filter", "caption", "shard");

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        Path input = Path.of(args[1]).toAbsolutePath();
        Path results = Path.of(args[2]).toAbsolutePath();
        List<Integer> counts = new ArrayList<>();
        for (String c : (args.length > 3 ? args[3] : "1,2").split(",")) counts.add(Integer.parseInt(c.trim()));
        int reps = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        String workerMemory = System.getProperty("worker_memory", "2g");
        String executorMemory = System.getProperty("executor_memory", "1536m");
        Path jar;
        try (var s = Files.list(root.resolve("app/target"))) {
            jar = s.filter(p -> p.getFileName().toString().matches("avcurate-app-.*-spark\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no shaded jar under app/target: mvn package first"));
        }
        if (!Files.exists(input.resolve(".done"))) {
            System.err.println("[cluster-scaling] writing the project's samples into " + input);
            SampleSet.write(input);
            Files.writeString(input.resolve(".done"), "");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            List<Integer> pass = new ArrayList<>(counts);
            if (r % 2 == 1) java.util.Collections.reverse(pass);
            order.addAll(pass);
        }
        for (int k = 0; k < order.size(); k++) {
            int n = order.get(k);
            Path dir = results.resolve("workers-" + n + (reps > 1 ? "-run" + (k + 1) : ""));
            deleteTree(dir);
            try (LoopbackCluster cluster = LoopbackCluster.start(root, dir.resolve("cluster"), n, workerMemory, 120)) {
                Path out = dir.resolve("out");
                List<String> submit = new ArrayList<>(List.of("--conf", "spark.ui.enabled=false",
                        "--conf", "spark.executor.memory=" + executorMemory,
                        "--conf", "spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m -Dorg.bytedeco.javacpp.cachedir="
                                + System.getProperty("org.bytedeco.javacpp.cachedir", root.resolve(".cache/javacpp").toString()),
                        "--class", "dev.avcurate.app.Curate", jar.toString(),
                        "run", "--config", root.resolve("conf/default.yaml").toString(), "--input", input.toString(),
                        "--output", out.toString(), "--set", "models.dir=" + root.resolve("models"),
                        "--set", "models.registry=" + root.resolve("conf/models.yaml")));
                Path log = dir.resolve("submit.log");
                String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
                System.err.printf("[cluster-scaling] %d worker(s) of 1 core up (%s); spark-submit, load average %s%n", n,
                        cluster.masterUrl(), load);
                ProcessBuilder pb = new ProcessBuilder(cluster.sparkSubmit("2g", submit)).redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                pb.environment().putAll(cluster.environment());
                long t0 = System.nanoTime();
                Process p = pb.start();
                Map<Long, Double> executorCpu = new java.util.concurrent.ConcurrentHashMap<>();
                Thread sampler = new Thread(() -> {
                    while (p.isAlive()) {
                        for (int w = 0; w < cluster.workers(); w++) {
                            for (ProcessHandle h : cluster.executors(w)) {
                                h.info().totalCpuDuration().ifPresent(d -> executorCpu.merge(h.pid(), d.toNanos() / 1e9, Math::max));
                            }
                        }
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "executor-cpu");
                sampler.setDaemon(true);
                sampler.start();
                if (!p.waitFor(3600, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("spark-submit still running after an hour; log " + log);
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                sampler.join(2000);
                double execCpu = executorCpu.values().stream().mapToDouble(Double::doubleValue).sum();
                String text = Files.readString(log);
                if (p.exitValue() != 0) {
                    System.err.println(text);
                    System.err.println(cluster.logs());
                    throw new IllegalStateException("spark-submit exited with " + p.exitValue() + "; log " + log);
                }
                text.lines().filter(l -> l.startsWith("[curate] done")).forEach(l -> System.err.println("  " + l));
                JsonNode summary = new ObjectMapper().readTree(out.resolve("run-summary.json").toFile());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("run", k + 1);
                row.put("workers", n);
                row.put("load_before", load);
                row.put("wall_s", wall);
                for (String st : STAGES) row.put(st + "_s", summary.path("stages").path(st).path("seconds").asDouble(Double.NaN));
                JsonNode score = summary.path("stages").path("score");
                double taskS = 0;
                for (JsonNode v : score.path("task_seconds")) taskS += v.asDouble();
                row.put("score_task_s", taskS);
                row.put("score_parallelism", taskS / score.path("seconds_scoring").asDouble(Double.NaN));
                row.put("executors", executorCpu.size());
                row.put("executor_cpu_s", execCpu);
                row.put("cores_used_per_worker", execCpu / wall / n);
                row.put("videos", summary.path("totals").path("videos_seen").asText("?"));
                row.put("clips", summary.path("totals").path("clips").asText("?"));
                row.put("kept", summary.path("totals").path("kept_clips").asText("?"));
                rows.add(row);
            }
        }
        System.out.println(String.join("\t", rows.get(0).keySet()));
        for (Map<String, Object> r : rows) {
            List<String> cells = new ArrayList<>();
            for (var e : r.entrySet()) {
                Object v = e.getValue();
                String f = e.getKey().equals("cores_used_per_worker") ? "%.2f" : "%.1f";
                cells.add(v instanceof Double d ? String.format(Locale.ROOT, f, d) : String.valueOf(v));
            }
            System.out.println(String.join("\t", cells));
        }
        if (counts.contains(1) && counts.contains(2)) {
            System.out.printf(Locale.ROOT, "speedup 2 vs 1 worker%s: whole run %.2fx, score stage %.2fx, ingest stage %.2fx%n",
                    reps > 1 ? " (medians of " + reps + ")" : "", median(rows, 1, "wall_s") / median(rows, 2, "wall_s"),
                    median(rows, 1, "score_s") / median(rows, 2, "score_s"), median(rows, 1, "ingest_s") / median(rows, 2, "ingest_s"));
        }
    }

    static double median(List<Map<String, Object>> rows, int workers, String key) {
        double[] v = rows.stream().filter(r -> r.get("workers").equals(workers)).mapToDouble(r -> (double) r.get(key)).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
