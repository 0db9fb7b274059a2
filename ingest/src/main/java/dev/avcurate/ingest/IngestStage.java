package dev.avcurate.ingest;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.Progress;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.IngestRecords.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The ingest stage on Spark: lists the inputs, skips what the tables already hold (same URI, size
 * and modification time), and ingests the rest in batches, one video per task, largest first.
 * Each batch is merged into {@code clips} and {@code rejects} and then {@code videos}; a video is
 * done once its {@code videos} row exists, so a killed job redoes at most one batch and the
 * insert-only merges never duplicate a row.
 */
public final class IngestStage {
    /** Counts of one run, for progress and run-summary.json; decodeSeconds is the time the driver waited for batches (commits overlap decoding). */
    public record Report(long videosListed, long videosSkipped, long videosIngested, long videosRejected,
                         long clips, Map<String, Long> rejectsByReason, double seconds, double listSeconds,
                         double decodeSeconds, double commitSeconds) {}

    private final SparkSession spark;
    private final CurateConfig cfg;
    private final PrintStream log;

    public IngestStage(SparkSession spark, CurateConfig cfg, PrintStream log) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
    }

    public Report run(String input, String output) throws IOException {
        long t0 = System.nanoTime();
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        Set<String> exts = cfg.get(INGEST_EXTENSIONS).stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<Input> inputs = InputLister.list(input, exts, hconf);
        String videosPath = IngestTables.path(output, IngestTables.VIDEOS);
        String clipsPath = IngestTables.path(output, IngestTables.CLIPS);
        String rejectsPath = IngestTables.path(output, IngestTables.REJECTS);

        // On a fresh output there is nothing to resume: skip the reads (they cost seconds of Spark jobs).
        boolean hadVideos = DeltaTables.exists(spark, videosPath);
        boolean hadChildren = DeltaTables.exists(spark, clipsPath) || DeltaTables.exists(spark, rejectsPath);
        // Resume: what is already done, and what changed on disk since.
        Map<String, String> done = new HashMap<>();
        if (hadVideos) {
            for (Row r : spark.read().format("delta").load(videosPath).select("video_id", "size_bytes", "mtime_ms").collectAsList()) {
                done.put(r.getString(0), r.getLong(1) + "/" + r.getLong(2));
            }
        }
        // Videos with clips or rejects but no videos row: a job died between those commits. Their
        // batches are merged; every other batch is known to be new and is simply appended.
        Set<String> orphans = new HashSet<>();
        if (hadChildren) {
            Dataset<Row> children = null;
            for (String p : List.of(clipsPath, rejectsPath)) {
                if (!DeltaTables.exists(spark, p)) continue;
                Dataset<Row> ids = spark.read().format("delta").load(p).select("video_id");
                children = children == null ? ids : children.union(ids);
            }
            for (Row r : children.distinct().collectAsList()) if (!done.containsKey(r.getString(0))) orphans.add(r.getString(0));
        }
        List<Input> toIngest = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (Input in : inputs) {
            String sig = done.get(in.videoId());
            if (sig == null) toIngest.add(in);
            else if (!sig.equals(in.sizeBytes() + "/" + in.mtimeMs())) {
                toIngest.add(in);
                changed.add(in.videoId());
            }
        }
        if (!changed.isEmpty()) {
            String ids = changed.stream().map(s -> "'" + s + "'").collect(Collectors.joining(","));
            for (String p : List.of(videosPath, clipsPath, rejectsPath)) DeltaTables.deleteWhere(spark, p, "video_id IN (" + ids + ")");
            log.printf("[ingest] %d files changed since they were ingested: their rows are replaced%n", changed.size());
        }
        long skipped = inputs.size() - toIngest.size();
        double listSeconds = (System.nanoTime() - t0) / 1e9;
        long decodeNanos = 0, commitNanos = 0;
        log.printf(Locale.ROOT, "[ingest] %d files listed, %d already ingested, %d to do%n", inputs.size(), skipped, toIngest.size());

        // Largest first, so that one long video does not finish last alone.
        toIngest.sort(Comparator.comparingLong(Input::sizeBytes).reversed().thenComparing(Input::uri));
        AtomicLong tasksDone = new AtomicLong();
        AtomicLong clips = new AtomicLong();
        AtomicLong rejectedVideos = new AtomicLong();
        Map<String, Long> reasons = new TreeMap<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.taskInfo().successful()) tasksDone.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(listener);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> bconf = jsc.broadcast(new SerializableConfiguration(hconf));
        Broadcast<CurateConfig> bcfg = jsc.broadcast(cfg);
        int batchSize = cfg.get(INGEST_BATCH_VIDEOS);
        java.util.ArrayDeque<JavaFutureAction<List<Result>>> inflight = new java.util.ArrayDeque<>();
        try (Progress progress = new Progress("ingest", "videos", toIngest.size(), () -> Math.min(tasksDone.get(), toIngest.size()),
                () -> clips.get() + " clips, " + rejectedVideos.get() + " videos rejected",
                cfg.get(PROGRESS_INTERVAL_S), log)) {
            // Two batches in flight: the next batch decodes while the previous one commits, and the
            // cores never wait on a batch's last task. Commits still happen in batch order.
            List<List<Input>> batches = new ArrayList<>();
            for (int from = 0; from < toIngest.size(); from += batchSize) batches.add(toIngest.subList(from, Math.min(toIngest.size(), from + batchSize)));
            int submitted = 0;
            int committed = 0;
            for (int b = 0; b < batches.size(); b++) {
                while (submitted < batches.size() && submitted <= b + 1) {
                    List<Input> batch = batches.get(submitted++);
                    inflight.addLast(jsc.parallelize(new ArrayList<>(batch), batch.size())
                            .map(in -> new VideoIngestor(bcfg.value(), bconf.value().value()).ingest(in))
                            .collectAsync());
                }
                long tb = System.nanoTime();
                List<Result> results;
                try {
                    results = inflight.removeFirst().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("ingest batch failed: " + e.getCause(), e.getCause());
                }
                long tc = System.nanoTime();
                List<Input> batch = batches.get(b);
                boolean fresh = batch.stream().noneMatch(in -> orphans.contains(in.videoId()) || done.containsKey(in.videoId()));
                commit(results, videosPath, clipsPath, rejectsPath, fresh);
                decodeNanos += tc - tb;
                commitNanos += System.nanoTime() - tc;
                for (Result r : results) {
                    clips.addAndGet(r.clips().size());
                    if (!"ok".equals(r.video().status())) rejectedVideos.incrementAndGet();
                    r.rejects().forEach(x -> reasons.merge(x.reason(), 1L, Long::sum));
                }
                committed += batch.size();
                tasksDone.set(committed);
                if (toIngest.size() > batchSize) log.println(progress.line());
            }
            if (!toIngest.isEmpty()) log.println(progress.line());
        } finally {
            spark.sparkContext().removeSparkListener(listener);
            // After a failed batch, the batch still decoding is of no use: stop it rather than let it run on.
            for (JavaFutureAction<List<Result>> f : inflight) f.cancel(true);
            bconf.destroy();
            bcfg.destroy();
        }
        // The first append of a batch creates a table; a table no batch wrote (say, no rejects) is
        // created empty, so that readers always find all three.
        DeltaTables.concurrently(() -> DeltaTables.createIfMissing(spark, videosPath, IngestTables.VIDEOS_SCHEMA),
                () -> DeltaTables.createIfMissing(spark, clipsPath, IngestTables.CLIPS_SCHEMA),
                () -> DeltaTables.createIfMissing(spark, rejectsPath, IngestTables.REJECTS_SCHEMA));
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Report(inputs.size(), skipped, toIngest.size() - rejectedVideos.get(), rejectedVideos.get(), clips.get(),
                new LinkedHashMap<>(reasons), seconds, listSeconds, decodeNanos / 1e9, commitNanos / 1e9);
    }

    private void commit(List<Result> results, String videosPath, String clipsPath, String rejectsPath, boolean fresh) {
        List<Row> v = new ArrayList<>(), c = new ArrayList<>(), r = new ArrayList<>();
        Set<String> rejectIds = new HashSet<>();
        for (Result res : results) {
            v.add(IngestTables.row(res.video()));
            res.clips().forEach(x -> c.add(IngestTables.row(x)));
            res.rejects().forEach(x -> {
                if (rejectIds.add(x.rejectId())) r.add(IngestTables.row(x));
            });
        }
        // Videos last: its row is the "done" mark that resume trusts.
        DeltaTables.concurrently(() -> write(clipsPath, c, IngestTables.CLIPS_SCHEMA, "clip_id", fresh),
                () -> write(rejectsPath, r, IngestTables.REJECTS_SCHEMA, "reject_id", fresh));
        write(videosPath, v, IngestTables.VIDEOS_SCHEMA, "video_id", fresh);
    }

    private void write(String path, List<Row> rows, StructType schema, String key, boolean fresh) {
        if (rows.isEmpty()) return;
        Dataset<Row> df = IngestTables.frame(spark, rows, schema);
        if (fresh) DeltaTables.append(path, df);
        else DeltaTables.insertNew(spark, path, df, key);
    }
}
