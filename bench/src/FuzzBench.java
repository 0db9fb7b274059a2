import dev.avcurate.core.Reasons;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.SparkSessions;
import dev.avcurate.ingest.samples.FuzzedVideos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The ingest job on N fuzzed videos (FuzzedVideos, seeded): generates them, runs
 * {@code Curate run --stages ingest} on local Spark in a JVM of its own, as a user would, and runs it
 * again (resume) when a run fails, at most 3 times in all: a native crash ends a local job, and the
 * attempt journal turns a file that crashed twice into a decode_crash reject. Prints the files, the
 * job runs and failures (must be 0), the outcomes by reason and by mutation, the checks of the
 * tables (each file once in videos, clips or known rejects for each, no id twice) and wall time.
 */
public final class FuzzBench {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        String config = args[4];
        int cores = Integer.parseInt(System.getProperty("cores", String.valueOf(Runtime.getRuntime().availableProcessors())));

        long t0 = System.nanoTime();
        Path input = data.resolve("fuzz-input");
        List<FuzzedVideos.Fuzzed> files = FuzzedVideos.write(input, data.resolve("fuzz-seeds"), n, seed, 1800);
        double genS = (System.nanoTime() - t0) / 1e9;

        long t1 = System.nanoTime();
        int runs = 0, failures = 0;
        List<Integer> codes = new ArrayList<>();
        while (runs < 3) {
            runs++;
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
            cmd.addAll(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                    .filter(a -> a.startsWith("--add-opens") || a.startsWith("-D") || a.startsWith("-Xmx")).toList());
            cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.avcurate.app.Curate",
                    "run", "--config", config, "--input", input.toString(), "--output", out.toString(), "--stages", "ingest",
                    "--master", "local[" + cores + "]"));
            Process p = new ProcessBuilder(cmd).inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int code = p.waitFor();
            codes.add(code);
            if (code == 0) break;
            failures++;
        }
        double jobS = (System.nanoTime() - t1) / 1e9;

        long t2 = System.nanoTime();
        // The job's own session settings (Delta's snapshot partitions, log store): reading the tables takes seconds.
        SparkSession spark = SparkSessions.getOrCreate(CurateConfig.load(Path.of(config)), "local[2]");
        List<Row> videos = spark.read().format("delta").load(out.resolve("tables/videos").toString()).collectAsList();
        List<Row> clips = spark.read().format("delta").load(out.resolve("tables/clips").toString()).collectAsList();
        List<Row> rejects = spark.read().format("delta").load(out.resolve("tables/rejects").toString()).collectAsList();

        List<String> problems = new ArrayList<>();
        Map<String, String> nameOf = new HashMap<>();
        Map<String, Integer> rowsByName = new HashMap<>();
        for (Row v : videos) {
            String uri = v.getAs("uri");
            String name = uri.substring(uri.lastIndexOf('/') + 1);
            rowsByName.merge(name, 1, Integer::sum);
            if (nameOf.put(v.getAs("video_id"), name) != null) problems.add("video_id twice: " + v.getAs("video_id"));
        }
        for (FuzzedVideos.Fuzzed f : files) {
            int k = rowsByName.getOrDefault(f.path().getFileName().toString(), 0);
            if (k != 1) problems.add(f.path().getFileName() + " has " + k + " videos rows");
        }
        if (videos.size() != files.size()) problems.add(videos.size() + " videos rows for " + files.size() + " files");
        Set<String> clipIds = new HashSet<>(), rejectIds = new HashSet<>();
        Map<String, Integer> clipsOf = new HashMap<>();
        Set<String> rejected = new HashSet<>();
        for (Row c : clips) {
            if (!clipIds.add(c.getAs("clip_id"))) problems.add("clip_id twice: " + c.getAs("clip_id"));
            clipsOf.merge(c.getAs("video_id"), 1, Integer::sum);
        }
        for (Row r : rejects) {
            if (!rejectIds.add(r.getAs("reject_id"))) problems.add("reject_id twice: " + r.getAs("reject_id"));
            if (!Reasons.INGEST.contains(r.<String>getAs("reason"))) problems.add("unknown reason: " + r.getAs("reason"));
            rejected.add(r.getAs("video_id"));
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, String> outcomeOf = new HashMap<>();
        for (Row v : videos) {
            String id = v.getAs("video_id");
            if (clipsOf.getOrDefault(id, 0) == 0 && !rejected.contains(id)) problems.add(nameOf.get(id) + ": neither clips nor rejects");
            String o = "ok".equals(v.getAs("status")) ? "ok" : v.getAs("reject_reason");
            outcomes.merge(o, 1, Integer::sum);
            outcomeOf.put(nameOf.get(id), o);
        }
        // Outcomes by mutation kind (a file with several mutations counts under each).
        Map<String, Map<String, Integer>> byKind = new TreeMap<>();
        for (FuzzedVideos.Fuzzed f : files) {
            String o = outcomeOf.getOrDefault(f.path().getFileName().toString(), "missing");
            for (String m : f.mutations()) {
                String kind = m.startsWith("flip") ? (m.contains("in moov") ? "flip in moov" : "flip anywhere")
                        : m.startsWith("size of") ? "box size" : m.startsWith("truncate") ? "truncate in a box"
                        : m.startsWith("dimensions") ? "huge dimensions" : m.startsWith("codec tag") ? "codec tag"
                        : m.startsWith("swap") ? m : m.startsWith("duplicate") ? m : "other";
                byKind.computeIfAbsent(kind, k -> new TreeMap<>()).merge(o, 1, Integer::sum);
            }
        }

        double checkS = (System.nanoTime() - t2) / 1e9;
        System.out.println("files\tseed\tjob_runs\tjob_failures\texit_codes\tgen_s\tjob_s\tcheck_s\tclips\tchecks");
        System.out.printf(Locale.ROOT, "%d\t%d\t%d\t%d\t%s\t%.1f\t%.1f\t%.1f\t%d\t%s%n", files.size(), seed, runs, failures, codes, genS,
                jobS, checkS, clips.size(), problems.isEmpty() ? "ok" : problems.size() + " problems");
        System.out.println("outcome\tvideos");
        outcomes.forEach((k, v) -> System.out.println(k + "\t" + v));
        System.out.println("mutation\toutcomes");
        byKind.forEach((k, v) -> System.out.println(k + "\t" + v));
        for (String p : problems.subList(0, Math.min(20, problems.size()))) System.out.println("PROBLEM\t" + p);
        spark.stop();
        System.exit(problems.isEmpty() && failures == 0 ? 0 : 1);
    }
}
