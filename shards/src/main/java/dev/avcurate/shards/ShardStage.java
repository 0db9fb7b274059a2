package dev.avcurate.shards;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.Progress;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.trainerbridge.ShardFormat;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The shard stage: the kept clips, near-duplicates removed, split into pretrain and SFT, put in
 * resolution and frame-count buckets, and written as Parquet shards under
 * {@code <output>/shards/<split>/<bucket>/} with their index (Delta table {@code shards}, and
 * {@code shards/index.tsv} for readers without Spark) and a dataset card. A clip already in a
 * shard is never written again, so a rerun adds only what is new; files of an interrupted run
 * that never reached the index are deleted at the start of the next.
 */
public final class ShardStage {
    /** What one run did. */
    public record Report(long keptClips, long alreadySharded, long duplicates, Map<String, Long> leftOut, long written,
                         Map<String, Long> clipsBySplit, Map<String, Long> clipsByBucket, long shardFiles, long bytes, long failed,
                         double clipSeconds, long orphansDeleted, double seconds, Map<String, Double> phaseSeconds, boolean planOnly) {}

    private final SparkSession spark;
    private final CurateConfig cfg;
    private final PrintStream log;

    public ShardStage(SparkSession spark, CurateConfig cfg, PrintStream log) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
    }

    /** Checks the shard settings (buckets, SFT criteria syntax) before any stage runs. */
    public static void check(CurateConfig cfg) {
        new Buckets(cfg.get(SHARDS_BUCKETS), cfg.get(SHARDS_FRAME_BUCKETS), cfg.get(SHARDS_FPS), cfg.get(SHARDS_MAX_UPSCALE), cfg.source());
        new SftSelection(cfg.get(SHARDS_SFT_CRITERIA), cfg.get(SHARDS_SFT_MIN_CRITERIA), cfg.get(SHARDS_SFT_MAX_SHARE_PER_VIDEO),
                cfg.get(SHARDS_QUALITY_SCORE), cfg.source());
    }

    public Report run(String output) throws IOException {
        long t0 = System.nanoTime();
        String base = output.replaceAll("/+$", "");
        String clipsPath = base + "/tables/clips";
        String rejectsPath = base + "/tables/rejects";
        String captionsPath = base + "/tables/captions";
        String tablePath = ShardTables.tablePath(output);
        String shardsDir = ShardTables.shardsDir(output);
        Buckets buckets = new Buckets(cfg.get(SHARDS_BUCKETS), cfg.get(SHARDS_FRAME_BUCKETS), cfg.get(SHARDS_FPS), cfg.get(SHARDS_MAX_UPSCALE),
                cfg.source());
        SftSelection sft = new SftSelection(cfg.get(SHARDS_SFT_CRITERIA), cfg.get(SHARDS_SFT_MIN_CRITERIA),
                cfg.get(SHARDS_SFT_MAX_SHARE_PER_VIDEO), cfg.get(SHARDS_QUALITY_SCORE), cfg.source());
        if (!DeltaTables.exists(spark, clipsPath)) throw new IllegalStateException("no clips table at " + clipsPath + ": run the ingest stage first");
        Dataset<Row> clips = spark.read().format("delta").load(clipsPath);
        List<String> have = List.of(clips.columns());
        if (!have.contains("keep")) throw new IllegalStateException("the clips table has no keep column yet: run the score and filter stages first");
        boolean planOnly = cfg.get(SHARDS_PLAN_ONLY);
        DeltaTables.createIfMissing(spark, tablePath, ShardTables.SCHEMA);
        Dataset<Row> index = spark.read().format("delta").load(tablePath);
        long orphans = planOnly ? 0 : deleteOrphans(shardsDir, index);
        List<Dataset<Row>> cached = new ArrayList<>();

        // Everything below is DataFrames: the driver holds counts and one row per (split, bucket) group, never one per clip.
        Dataset<Row> sharded = cache(cached, index.selectExpr("explode(clip_ids) AS clip_id").distinct());
        long alreadySharded = sharded.count();
        Dataset<Row> kept = clips.filter("keep = true");
        long keptCount = kept.count();

        // Near-duplicates among all kept clips: an already sharded copy is always the one kept.
        Dataset<Row> duplicates = null;
        long duplicateCount = 0;
        if (have.contains(NearDuplicateStep.PHASH_COLUMN) && cfg.get(SHARDS_DEDUP)) {
            duplicates = new NearDuplicateStep(spark, cfg, log).find(kept, captionsPath, sharded);
            cached.add(duplicates);
            duplicateCount = duplicates.count();
            if (duplicateCount > 0 && !planOnly) recordDuplicates(clipsPath, rejectsPath, kept, duplicates);
        }
        Dataset<Row> candidates = kept.join(sharded, kept.col("clip_id").equalTo(sharded.col("clip_id")), "left_anti");
        if (duplicateCount > 0) candidates = candidates.join(duplicates, candidates.col("clip_id").equalTo(duplicates.col("clip_id")), "left_anti");
        Dataset<Row> selected = sft.select(candidates, cfg.source(), log);

        // Buckets: a function of each clip's size and duration, run where the rows are.
        Buckets b = buckets;
        UserDefinedFunction assign = functions.udf((UDF3<Integer, Integer, Double, Row>) (w, h, d) -> {
            Buckets.Assignment a = b.assign(w, h, d);
            return RowFactory.create(a.bucket(), a.frames(), a.reason());
        }, new StructType().add("bucket", DataTypes.StringType).add("frames", DataTypes.IntegerType).add("reason", DataTypes.StringType));
        Dataset<Row> assigned = cache(cached, selected.withColumn("__a", assign.apply(functions.col("width"), functions.col("height"),
                        functions.expr("end_s - start_s")))
                .selectExpr("*", "__a.bucket AS bucket", "__a.frames AS frames", "__a.reason AS bucket_reason").drop("__a"));

        // Clips no bucket fits: a reject each, with the reason's code.
        Map<String, Long> leftOut = new TreeMap<>();
        Dataset<Row> unfit = assigned.filter("bucket IS NULL").selectExpr("clip_id", "video_id", "uri", "start_s", "end_s",
                "substring_index(bucket_reason, ':', 1) AS reason", "bucket_reason AS message");
        for (Row r : unfit.groupBy("reason").count().collectAsList()) leftOut.put(r.getString(0), r.getLong(1));
        long leftOutCount = leftOut.values().stream().mapToLong(Long::longValue).sum();
        if (leftOutCount > 0 && !planOnly) DeltaTables.insertNew(spark, rejectsPath, rejects(unfit), "reject_id");

        // The plan: (split, bucket) groups, each cut into at most one slice per core by a hash of the clip id.
        int cores = Math.max(1, spark.sparkContext().defaultParallelism());
        Dataset<Row> fit = assigned.filter("bucket IS NOT NULL");
        List<Row> groupRows = fit.groupBy("split", "bucket").agg(functions.count("*"), functions.sum("frames")).orderBy("split", "bucket")
                .collectAsList();
        List<Row> slicing = new ArrayList<>();
        Map<String, Long> plannedBySplit = new TreeMap<>(), plannedByBucket = new TreeMap<>();
        long toWrite = 0, frames = 0;
        int slices = 0;
        for (Row g : groupRows) {
            long n = g.getLong(2);
            int k = (int) Math.min(cores, n);
            slicing.add(RowFactory.create(g.getString(0), g.getString(1), k, slices));
            slices += k;
            toWrite += n;
            frames += g.getLong(3);
            plannedBySplit.merge(g.getString(0), n, Long::sum);
            plannedByBucket.merge(g.getString(1), n, Long::sum);
        }
        double clipSeconds = frames / cfg.get(SHARDS_FPS);
        Dataset<Row> slicesDf = spark.createDataFrame(slicing, new StructType().add("split", DataTypes.StringType).add("bucket", DataTypes.StringType)
                .add("__k", DataTypes.IntegerType).add("__offset", DataTypes.IntegerType));
        Dataset<Row> plan = fit.join(functions.broadcast(slicesDf), CollectionConverters.asScala(List.of("split", "bucket")).toSeq())
                .withColumn("slice", functions.expr("__offset + pmod(xxhash64(clip_id), __k)").cast(DataTypes.IntegerType)).drop("__k", "__offset");
        Map<String, Double> phases = new LinkedHashMap<>();
        long tPlanned = System.nanoTime();
        phases.put("planning", (tPlanned - t0) / 1e9); // dedup, SFT selection, buckets, slices
        log.printf(Locale.ROOT, "[shard] %d kept clips: %d already in shards, %d duplicates, %d left out %s, %d to write in %d split/bucket groups%n",
                keptCount, alreadySharded, duplicateCount, leftOutCount, leftOut, toWrite, groupRows.size());
        if (planOnly) {
            String planPath = ShardTables.planPath(output);
            plan.selectExpr("clip_id", "video_id", "split", "bucket", "frames", "slice", "sft_criteria").write().format("delta").mode("overwrite")
                    .option("overwriteSchema", "true").save(planPath);
            cached.forEach(Dataset::unpersist);
            double seconds = (System.nanoTime() - t0) / 1e9;
            phases.put("writing", 0.0);
            phases.put("committing", (System.nanoTime() - tPlanned) / 1e9);
            phases.replaceAll((k, v) -> Math.round(v * 1000) / 1000.0);
            log.printf(Locale.ROOT, "[shard] plan only (shards.plan_only): %d clips in %d tasks planned %s %s into %s; no shard file written; %.1f s%n",
                    toWrite, slices, plannedBySplit, plannedByBucket, planPath, seconds);
            return new Report(keptCount, alreadySharded, duplicateCount, leftOut, 0, plannedBySplit, plannedByBucket, 0, 0, 0,
                    Math.round(clipSeconds * 1000) / 1000.0, orphans, Math.round(seconds * 1000) / 1000.0, phases, true);
        }

        // Writing: exactly one slice per task (a partitioner on the slice number), clips in id order within it.
        Dataset<Row> captions = CaptionPick.frame(spark, captionsPath);
        Dataset<Row> work = captions == null ? plan.selectExpr("*", "CAST(NULL AS STRING) AS caption", "CAST(NULL AS STRING) AS caption_estimator",
                "CAST(NULL AS ARRAY<FLOAT>) AS caption_embedding") : plan.join(captions, plan.col("clip_id").equalTo(captions.col("c_clip_id")), "left");
        List<String> scoreCols = scoreColumns(clips);
        List<String> select = new ArrayList<>(List.of("slice", "clip_id", "video_id", "uri", "start_s", "end_s", "split", "bucket",
                have.contains("audio_shift_s") ? "coalesce(audio_shift_s, 0.0) AS audio_shift_s" : "0.0 AS audio_shift_s",
                "caption", "caption_estimator", "caption_embedding"));
        for (String c : scoreCols) select.add("`" + c + "`");
        ShardWorker.Settings settings = ShardWorker.Settings.of(cfg, shardsDir);
        SerializableConfiguration hconf = new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
        int nSlices = Math.max(1, slices);
        JavaRDD<Row> results = work.selectExpr(select.toArray(String[]::new)).javaRDD()
                .mapToPair(r -> new Tuple2<>(String.format("%09d|%s", r.getInt(0), r.getString(1)), r))
                .repartitionAndSortWithinPartitions(new SlicePartitioner(nSlices))
                .mapPartitions(it -> writeSlice(it, settings, hconf, scoreCols));
        String resultsPath = base + "/_work/shard-results";
        AtomicLong tasksDone = new AtomicLong();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.taskInfo().successful()) tasksDone.incrementAndGet();
            }
        };
        long planned = toWrite;
        spark.sparkContext().addSparkListener(listener);
        // The results are written once (a re-read never re-runs the encoders), then committed from that file.
        try (Progress p = new Progress("shard", "clips", toWrite, () -> Math.min(planned, planned * tasksDone.get() / nSlices), () -> "",
                cfg.get(PROGRESS_INTERVAL_S), log)) {
            if (toWrite > 0) spark.createDataFrame(results, RESULT_SCHEMA).write().mode("overwrite").parquet(resultsPath);
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        long tWritten = System.nanoTime();
        phases.put("writing", (tWritten - tPlanned) / 1e9);

        // Commit: the files are complete (renamed); the index makes them visible.
        Map<String, Long> bySplit = new TreeMap<>(), byBucket = new TreeMap<>();
        long bytes = 0, written = 0, files = 0, failed = 0;
        if (toWrite > 0) {
            Dataset<Row> done = spark.read().parquet(resultsPath);
            Dataset<Row> newFiles = done.filter("kind = 'file'").selectExpr("path", "split", "bucket", "rows", "bytes", "sha256", "clip_ids",
                    "current_timestamp() AS created_at");
            Dataset<Row> failures = done.filter("kind = 'failure'").selectExpr("clip_id", "video_id", "uri", "start_s", "end_s",
                    "'shard_error' AS reason", "message");
            for (Row r : done.filter("kind = 'file'").groupBy("split", "bucket").agg(functions.sum("rows"), functions.sum("bytes"),
                    functions.count("*")).collectAsList()) {
                bySplit.merge(r.getString(0), r.getLong(2), Long::sum);
                byBucket.merge(r.getString(1), r.getLong(2), Long::sum);
                written += r.getLong(2);
                bytes += r.getLong(3);
                files += r.getLong(4);
            }
            failed = failures.count();
            if (files > 0) DeltaTables.append(tablePath, spark.createDataFrame(newFiles.javaRDD(), ShardTables.SCHEMA));
            if (failed > 0) DeltaTables.insertNew(spark, rejectsPath, rejects(failures), "reject_id");
        }
        List<ShardFormat.IndexEntry> all = new ArrayList<>();
        for (Row r : spark.read().format("delta").load(tablePath).select("path", "split", "bucket", "rows", "bytes", "sha256")
                .orderBy("path").collectAsList()) {
            all.add(new ShardFormat.IndexEntry(r.getString(0), r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getString(5)));
        }
        ShardFormat.writeIndex(new Path(shardsDir), all, spark.sparkContext().hadoopConfiguration());
        DatasetCard.write(spark, cfg, output, sft, buckets);
        if (toWrite > 0) {
            Path rp = new Path(resultsPath);
            rp.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(rp, true);
        }
        cached.forEach(Dataset::unpersist);
        double seconds = (System.nanoTime() - t0) / 1e9;
        phases.put("committing", (System.nanoTime() - tWritten) / 1e9); // index, rejects, dataset card
        phases.replaceAll((k, v) -> Math.round(v * 1000) / 1000.0);
        log.printf(Locale.ROOT, "[shard] %d clips written to %d shard files (%.1f MB) %s %s, %d failed; %d files in the index; %.1f s%n",
                written, files, bytes / 1e6, bySplit, byBucket, failed, all.size(), seconds);
        return new Report(keptCount, alreadySharded, duplicateCount, leftOut, written, bySplit, byBucket, files, bytes,
                failed, Math.round(clipSeconds * 1000) / 1000.0, orphans, Math.round(seconds * 1000) / 1000.0, phases, false);
    }

    private static Dataset<Row> cache(List<Dataset<Row>> cached, Dataset<Row> df) {
        Dataset<Row> d = df.persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(d);
        return d;
    }

    /** What each writing task reports: a shard file it wrote, or a clip it could not encode. */
    static final StructType RESULT_SCHEMA = new StructType().add("kind", DataTypes.StringType)
            .add("path", DataTypes.StringType).add("split", DataTypes.StringType).add("bucket", DataTypes.StringType)
            .add("rows", DataTypes.LongType).add("bytes", DataTypes.LongType).add("sha256", DataTypes.StringType)
            .add("clip_ids", DataTypes.createArrayType(DataTypes.StringType))
            .add("clip_id", DataTypes.StringType).add("video_id", DataTypes.StringType).add("uri", DataTypes.StringType)
            .add("start_s", DataTypes.DoubleType).add("end_s", DataTypes.DoubleType).add("message", DataTypes.StringType);

    /** Sends slice n (the key's number before '|') to partition n: one slice per task. */
    static final class SlicePartitioner extends org.apache.spark.Partitioner {
        private final int n;

        SlicePartitioner(int n) {
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return n;
        }

        @Override
        public int getPartition(Object key) {
            String k = (String) key;
            return Integer.parseInt(k.substring(0, k.indexOf('|'))) % n;
        }
    }

    /** One task: its slice's rows (sorted by clip id) streamed into shard files; results as rows. */
    static java.util.Iterator<Row> writeSlice(java.util.Iterator<Tuple2<String, Row>> it, ShardWorker.Settings settings,
                                              SerializableConfiguration hconf, List<String> scoreCols) throws IOException {
        java.util.Iterator<ShardWorker.Item> items = new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public ShardWorker.Item next() {
                Row r = it.next()._2();
                float[] e = null;
                if (!r.isNullAt(11)) {
                    List<Float> l = r.getList(11);
                    e = new float[l.size()];
                    for (int i = 0; i < e.length; i++) e[i] = l.get(i);
                }
                Map<String, Double> scores = new LinkedHashMap<>();
                for (int i = 0; i < scoreCols.size(); i++) if (!r.isNullAt(12 + i)) scores.put(scoreCols.get(i), r.getDouble(12 + i));
                return new ShardWorker.Item(r.getString(1), r.getString(2), r.getString(3), r.getDouble(4), r.getDouble(5), r.getString(6),
                        r.getString(7), r.getDouble(8), r.getString(9), r.getString(10), e, scores);
            }
        };
        ShardWorker.Result res = ShardWorker.run(items, settings, hconf.value());
        List<Row> out = new ArrayList<>();
        for (ShardWorker.Written w : res.files()) {
            ShardFormat.IndexEntry e = w.entry();
            out.add(RowFactory.create("file", e.path(), e.split(), e.bucket(), e.rows(), e.bytes(), e.sha256(), w.clipIds().toArray(new String[0]),
                    null, null, null, null, null, null));
        }
        for (ShardWorker.Failure f : res.failures()) {
            out.add(RowFactory.create("failure", null, null, null, null, null, null, null, f.clipId(), f.videoId(), f.uri(), f.startS(), f.endS(),
                    f.message()));
        }
        return out.iterator();
    }

    /** Rejects rows of the shard stage from (clip_id, video_id, uri, start_s, end_s, reason, message); reject_id = the first 16 hex digits of sha256(clip_id|shard|reason), as before. */
    private Dataset<Row> rejects(Dataset<Row> df) {
        return spark.createDataFrame(df.selectExpr("substring(sha2(concat(clip_id, '|shard|', reason), 256), 1, 16) AS reject_id", "video_id",
                "clip_id", "uri", "'shard' AS stage", "reason", "message", "'' AS ffmpeg_message", "start_s", "end_s").javaRDD(),
                dev.avcurate.ingest.IngestTables.REJECTS_SCHEMA);
    }

    /** Score columns (doubles) of the clips table that go into each shard row. */
    static List<String> scoreColumns(Dataset<Row> clips) {
        Set<String> lineage = Set.of("start_s", "end_s", "duration_s", "fps", "audio_shift_s");
        List<String> out = new ArrayList<>();
        for (StructField f : clips.schema().fields()) {
            if (f.dataType().equals(DataTypes.DoubleType) && !lineage.contains(f.name())) out.add(f.name());
        }
        return out;
    }

    private void recordDuplicates(String clipsPath, String rejectsPath, Dataset<Row> kept, Dataset<Row> duplicates) {
        Dataset<Row> info = kept.select("clip_id", "video_id", "uri", "start_s", "end_s").join(duplicates, "clip_id");
        Dataset<Row> rejects = rejects(info.selectExpr("clip_id", "video_id", "uri", "start_s", "end_s", "'duplicate' AS reason",
                "concat('duplicate of ', duplicate_of, ' (', evidence_text, ')') AS message"));
        // Two tables, two independent commits: at once (each is latency-bound).
        DeltaTables.concurrently(
                () -> DeltaTables.insertNew(spark, rejectsPath, rejects, "reject_id"),
                () -> {
                    DeltaTables.addMissingColumns(spark, clipsPath, Map.of("duplicate_of", "STRING"));
                    Dataset<Row> m = duplicates.select("clip_id", "duplicate_of");
                    DeltaTable.forPath(spark, clipsPath).as("t").merge(m.as("s"), "t.clip_id = s.clip_id")
                            .whenMatched("NOT (t.duplicate_of <=> s.duplicate_of)").updateExpr(Map.of("duplicate_of", "s.duplicate_of")).execute();
                });
    }

    /** Parquet files under the shards directory that the index does not list: leftovers of an interrupted run. */
    private long deleteOrphans(String shardsDir, Dataset<Row> index) throws IOException {
        Path root = new Path(shardsDir);
        FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(root)) return 0;
        Set<String> listed = new HashSet<>();
        for (Row r : index.select("path").collectAsList()) listed.add(r.getString(0));
        String base = fs.makeQualified(root).toString();
        long n = 0;
        RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(root, true);
        List<Path> orphans = new ArrayList<>();
        while (it.hasNext()) {
            FileStatus st = it.next();
            String name = st.getPath().getName();
            if (!name.endsWith(".parquet") && !name.endsWith(".parquet.tmp")) continue;
            String rel = fs.makeQualified(st.getPath()).toString().substring(base.length() + 1);
            if (!listed.contains(rel)) orphans.add(st.getPath());
        }
        for (Path p : orphans) {
            if (fs.delete(p, false)) n++;
        }
        if (n > 0) log.printf("[shard] deleted %d shard files of an interrupted run (never indexed)%n", n);
        return n;
    }
}
