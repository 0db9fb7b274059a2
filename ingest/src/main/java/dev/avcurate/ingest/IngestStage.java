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
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
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

    /** The work plan's columns: the inputs to ingest, largest first, numbered into batches. */
    static final StructType PLAN_SCHEMA = new StructType().add("video_id", DataTypes.StringType, false).add("uri", DataTypes.StringType, false)
            .add("size_bytes", DataTypes.LongType, false).add("mtime_ms", DataTypes.LongType, false)
            .add("needs_merge", DataTypes.BooleanType, false).add("batch", DataTypes.LongType, false).add("pos", DataTypes.IntegerType, false);

    /** One video's outcome as one row: its videos row, its clips and its rejects. */
    static final StructType RESULT_SCHEMA = new StructType().add("video", IngestTables.VIDEOS_SCHEMA, false)
            .add("clips", DataTypes.createArrayType(IngestTables.CLIPS_SCHEMA, false), false)
            .add("rejects", DataTypes.createArrayType(IngestTables.REJECTS_SCHEMA, false), false);

    public Report run(String input, String output) throws IOException {
        long t0 = System.nanoTime();
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        Set<String> exts = cfg.get(INGEST_EXTENSIONS).stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        String videosPath = IngestTables.path(output, IngestTables.VIDEOS);
        String clipsPath = IngestTables.path(output, IngestTables.CLIPS);
        String rejectsPath = IngestTables.path(output, IngestTables.REJECTS);
        String work = output.replaceAll("/+$", "") + "/_work/ingest";
        List<Dataset<Row>> cached = new ArrayList<>();

        // Everything about the inputs stays in DataFrames: the driver holds counts and one row per batch.
        Dataset<Row> listed = cache(cached, InputLister.frame(spark, input, exts));
        long listedCount;
        try {
            listedCount = listed.count();
        } catch (Exception e) { // a manifest line the executors cannot use: one line, not a stack trace
            throw new IOException(rootMessage(e), e);
        }
        // On a fresh output there is nothing to resume: skip the reads (they cost seconds of Spark jobs).
        boolean hadVideos = DeltaTables.exists(spark, videosPath);
        boolean hadChildren = DeltaTables.exists(spark, clipsPath) || DeltaTables.exists(spark, rejectsPath);
        Dataset<Row> pending = listed.withColumn("needs_merge", functions.lit(false));
        long changed = 0;
        if (hadVideos) {
            // Resume: what is already done, and what changed on disk since (its rows are replaced).
            Dataset<Row> done = spark.read().format("delta").load(videosPath).selectExpr("video_id AS d_id", "size_bytes AS d_size", "mtime_ms AS d_mtime");
            Dataset<Row> joined = listed.join(done, listed.col("video_id").equalTo(done.col("d_id")), "left")
                    .filter("d_id IS NULL OR d_size <> size_bytes OR d_mtime <> mtime_ms");
            pending = cache(cached, joined.selectExpr("video_id", "uri", "size_bytes", "mtime_ms", "d_id IS NOT NULL AS needs_merge"));
            Dataset<Row> changedIds = pending.filter("needs_merge").select("video_id");
            changed = changedIds.count();
            if (changed > 0) {
                for (String p : List.of(videosPath, clipsPath, rejectsPath)) DeltaTables.deleteMatching(spark, p, changedIds, "video_id");
                log.printf("[ingest] %d files changed since they were ingested: their rows are replaced%n", changed);
            }
        }
        if (hadChildren) {
            // Videos with clips or rejects but no videos row: a job died between those commits. Their batches are
            // merged; every other batch is known to be new and is simply appended.
            Dataset<Row> children = null;
            for (String p : List.of(clipsPath, rejectsPath)) {
                if (!DeltaTables.exists(spark, p)) continue;
                Dataset<Row> ids = spark.read().format("delta").load(p).select("video_id");
                children = children == null ? ids : children.union(ids);
            }
            Dataset<Row> orphans = children.distinct().selectExpr("video_id AS o_id");
            if (hadVideos) {
                Dataset<Row> v = spark.read().format("delta").load(videosPath).select("video_id");
                orphans = orphans.join(v, orphans.col("o_id").equalTo(v.col("video_id")), "left_anti");
            }
            pending = pending.join(orphans, pending.col("video_id").equalTo(orphans.col("o_id")), "left")
                    .selectExpr("video_id", "uri", "size_bytes", "mtime_ms", "needs_merge OR o_id IS NOT NULL AS needs_merge");
        }

        // The plan: largest first (one long video must not finish last alone), numbered, cut into batches; written once
        // so that each batch is a cheap filtered read of it.
        int batchSize = cfg.get(INGEST_BATCH_VIDEOS);
        JavaRDD<Row> numbered = pending.orderBy(functions.desc("size_bytes"), functions.asc("uri")).javaRDD().zipWithIndex()
                .map(t -> RowFactory.create(t._1().getString(0), t._1().getString(1), t._1().getLong(2), t._1().getLong(3), t._1().getBoolean(4),
                        t._2() / batchSize, (int) (t._2() % batchSize)));
        String planPath = work + "/plan";
        spark.createDataFrame(numbered, PLAN_SCHEMA).write().mode("overwrite").parquet(planPath);
        Dataset<Row> plan = spark.read().parquet(planPath);
        List<Row> batches = plan.groupBy("batch").agg(functions.count("*"), functions.max("needs_merge")).orderBy("batch").collectAsList();
        long toIngest = 0;
        for (Row b : batches) toIngest += b.getLong(1);
        long skipped = listedCount - toIngest;
        double listSeconds = (System.nanoTime() - t0) / 1e9;
        log.printf(Locale.ROOT, "[ingest] %d files listed, %d already ingested, %d to do%n", listedCount, skipped, toIngest);
        if (cfg.get(INGEST_PLAN_ONLY)) {
            cached.forEach(Dataset::unpersist);
            log.printf(Locale.ROOT, "[ingest] plan only (ingest.plan_only): %d videos in %d batches planned into %s; nothing decoded%n", toIngest,
                    batches.size(), planPath);
            return new Report(listedCount, skipped, 0, 0, 0, Map.of(), (System.nanoTime() - t0) / 1e9, listSeconds, 0, 0);
        }

        long decodeNanos = 0, commitNanos = 0;
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
        java.util.concurrent.ExecutorService decoders = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ingest-batch");
            t.setDaemon(true);
            return t;
        });
        java.util.ArrayDeque<java.util.concurrent.Future<?>> inflight = new java.util.ArrayDeque<>();
        long total = toIngest;
        try (Progress progress = new Progress("ingest", "videos", toIngest, () -> Math.min(tasksDone.get(), total),
                () -> clips.get() + " clips, " + rejectedVideos.get() + " videos rejected",
                cfg.get(PROGRESS_INTERVAL_S), log)) {
            // Two batches in flight: the next batch decodes while the previous one commits, and the cores never wait on a
            // batch's last task. Commits still happen in batch order. Each batch's results are staged as Parquet once.
            int submitted = 0;
            long committed = 0;
            for (int b = 0; b < batches.size(); b++) {
                while (submitted < batches.size() && submitted <= b + 1) {
                    Row batch = batches.get(submitted++);
                    long id = batch.getLong(0);
                    int n = (int) batch.getLong(1);
                    String staged = work + "/batch-" + id;
                    inflight.addLast(decoders.submit(() -> {
                        spark.sparkContext().setJobGroup("avcurate-ingest-" + id, "ingest batch " + id, true);
                        JavaRDD<Row> results = plan.filter(functions.col("batch").equalTo(id)).javaRDD()
                                .mapToPair(r -> new Tuple2<>(r.getInt(6), r))
                                .partitionBy(new org.apache.spark.HashPartitioner(n)) // position i -> task i: one video per task, in order
                                .values()
                                .map(r -> resultRow(new VideoIngestor(bcfg.value(), bconf.value().value(), output)
                                        .ingest(new Input(r.getString(0), r.getString(1), r.getLong(2), r.getLong(3)))));
                        spark.createDataFrame(results, RESULT_SCHEMA).write().mode("overwrite").parquet(staged);
                        return null;
                    }));
                }
                long tb = System.nanoTime();
                try {
                    inflight.removeFirst().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("ingest batch failed: " + rootMessage(e.getCause()), e.getCause());
                }
                long tc = System.nanoTime();
                Row batch = batches.get(b);
                String staged = work + "/batch-" + batch.getLong(0);
                Dataset<Row> results = spark.read().parquet(staged);
                commit(results, videosPath, clipsPath, rejectsPath, !batch.getBoolean(2));
                Row c = results.selectExpr("coalesce(sum(size(clips)), 0)", "coalesce(sum(CASE WHEN video.status <> 'ok' THEN 1 ELSE 0 END), 0)").first();
                clips.addAndGet(c.getLong(0));
                rejectedVideos.addAndGet(c.getLong(1));
                for (Row r : results.selectExpr("explode(rejects.reason) AS reason").groupBy("reason").count().collectAsList()) {
                    reasons.merge(r.getString(0), r.getLong(1), Long::sum);
                }
                deletePath(staged);
                decodeNanos += tc - tb;
                commitNanos += System.nanoTime() - tc;
                committed += batch.getLong(1);
                tasksDone.set(committed);
                if (toIngest > batchSize) log.println(progress.line());
            }
            if (toIngest > 0) log.println(progress.line());
        } finally {
            spark.sparkContext().removeSparkListener(listener);
            // After a failed batch, the batch still decoding is of no use: stop it rather than let it run on.
            for (java.util.concurrent.Future<?> f : inflight) {
                if (!f.isDone()) for (Row b : batches) spark.sparkContext().cancelJobGroup("avcurate-ingest-" + b.getLong(0));
                f.cancel(true);
            }
            decoders.shutdownNow();
            bconf.destroy();
            bcfg.destroy();
            cached.forEach(Dataset::unpersist);
        }
        deletePath(work);
        // The first append of a batch creates a table; a table no batch wrote (say, no rejects) is
        // created empty, so that readers always find all three.
        DeltaTables.concurrently(() -> DeltaTables.createIfMissing(spark, videosPath, IngestTables.VIDEOS_SCHEMA),
                () -> DeltaTables.createIfMissing(spark, clipsPath, IngestTables.CLIPS_SCHEMA),
                () -> DeltaTables.createIfMissing(spark, rejectsPath, IngestTables.REJECTS_SCHEMA));
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Report(listedCount, skipped, toIngest - rejectedVideos.get(), rejectedVideos.get(), clips.get(),
                new LinkedHashMap<>(reasons), seconds, listSeconds, decodeNanos / 1e9, commitNanos / 1e9);
    }

    /** A video's result as one row of {@link #RESULT_SCHEMA}; a reject id given twice (one cause, several clips) counts once. */
    static Row resultRow(Result res) {
        List<Row> c = new ArrayList<>(), r = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        res.clips().forEach(x -> c.add(IngestTables.row(x)));
        res.rejects().forEach(x -> {
            if (ids.add(x.rejectId())) r.add(IngestTables.row(x));
        });
        // Arrays inside a Row are Scala sequences to Spark's encoder.
        return RowFactory.create(IngestTables.row(res.video()), scala.jdk.javaapi.CollectionConverters.asScala(c).toSeq(),
                scala.jdk.javaapi.CollectionConverters.asScala(r).toSeq());
    }

    private void commit(Dataset<Row> results, String videosPath, String clipsPath, String rejectsPath, boolean fresh) {
        Dataset<Row> c = results.selectExpr("explode(clips) AS c").select("c.*");
        Dataset<Row> r = results.selectExpr("explode(rejects) AS r").select("r.*").dropDuplicates("reject_id");
        Dataset<Row> v = results.select("video.*");
        // Videos last: its row is the "done" mark that resume trusts.
        DeltaTables.concurrently(() -> write(clipsPath, c, IngestTables.CLIPS_SCHEMA, "clip_id", fresh),
                () -> write(rejectsPath, r, IngestTables.REJECTS_SCHEMA, "reject_id", fresh));
        write(videosPath, v, IngestTables.VIDEOS_SCHEMA, "video_id", fresh);
    }

    private void write(String path, Dataset<Row> rows, StructType schema, String key, boolean fresh) {
        // Staged Parquet reads back all-nullable: the tables' own schema (with its NOT NULL columns) is put back.
        Dataset<Row> df = spark.createDataFrame(rows.javaRDD(), schema);
        if (fresh) DeltaTables.append(path, df);
        else DeltaTables.insertNew(spark, path, df, key);
    }

    private static Dataset<Row> cache(List<Dataset<Row>> cached, Dataset<Row> df) {
        Dataset<Row> d = df.persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(d);
        return d;
    }

    private void deletePath(String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    }

    /** The innermost message of a failure (a task's exception reaches the driver wrapped in Spark's). */
    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
