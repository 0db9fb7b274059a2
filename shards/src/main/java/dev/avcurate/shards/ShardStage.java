package dev.avcurate.shards;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.Ids;
import dev.avcurate.core.Progress;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.trainerbridge.ShardFormat;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
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
                         double clipSeconds, long orphansDeleted, double seconds, Map<String, Double> phaseSeconds) {}

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
        String clipsPath = output.replaceAll("/+$", "") + "/tables/clips";
        String rejectsPath = output.replaceAll("/+$", "") + "/tables/rejects";
        String captionsPath = output.replaceAll("/+$", "") + "/tables/captions";
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
        DeltaTables.createIfMissing(spark, tablePath, ShardTables.SCHEMA);
        Dataset<Row> index = spark.read().format("delta").load(tablePath);
        long orphans = deleteOrphans(shardsDir, index);

        Set<String> sharded = new HashSet<>();
        for (Row r : index.selectExpr("explode(clip_ids)").collectAsList()) sharded.add(r.getString(0));
        Dataset<Row> kept = clips.filter("keep = true");
        long keptCount = kept.count();

        // Near-duplicates among all kept clips: an already sharded copy is always the one kept.
        Map<String, String[]> duplicates = have.contains(NearDuplicateStep.PHASH_COLUMN) && cfg.get(SHARDS_DEDUP)
                ? new NearDuplicateStep(spark, cfg).find(kept, captionsPath, sharded) : Map.of();
        if (!duplicates.isEmpty()) recordDuplicates(clipsPath, rejectsPath, kept, duplicates);

        Dataset<Row> candidates = kept;
        if (!sharded.isEmpty() || !duplicates.isEmpty()) {
            List<Row> out = new ArrayList<>();
            for (String id : sharded) out.add(RowFactory.create(id));
            for (String id : duplicates.keySet()) out.add(RowFactory.create(id));
            Dataset<Row> excluded = spark.createDataFrame(out, new org.apache.spark.sql.types.StructType().add("clip_id", DataTypes.StringType));
            candidates = candidates.join(excluded, candidates.col("clip_id").equalTo(excluded.col("clip_id")), "left_anti");
        }
        Dataset<Row> selected = sft.select(candidates, cfg.source(), log);
        Map<String, CaptionPick> captions = CaptionPick.best(spark, captionsPath);
        List<String> scoreCols = scoreColumns(clips);

        // Assign buckets on the driver (metadata only), then one task per slice of a (split, bucket) group.
        Map<String, Long> leftOut = new TreeMap<>();
        List<Row> leftOutRejects = new ArrayList<>();
        Map<String, List<ShardWorker.Item>> groups = new TreeMap<>();
        List<String> select = new ArrayList<>(List.of("clip_id", "video_id", "uri", "start_s", "end_s", "width", "height", "split"));
        select.add(have.contains("audio_shift_s") ? "coalesce(audio_shift_s, 0.0) AS audio_shift_s" : "0.0 AS audio_shift_s");
        for (String c : scoreCols) select.add("`" + c + "`");
        double clipSeconds = 0;
        for (Row r : selected.selectExpr(select.toArray(String[]::new)).orderBy("clip_id").collectAsList()) {
            String clipId = r.getString(0);
            Buckets.Assignment a = buckets.assign(r.getInt(5), r.getInt(6), r.getDouble(4) - r.getDouble(3));
            if (a.bucket() == null) {
                String code = a.reason().substring(0, a.reason().indexOf(':'));
                leftOut.merge(code, 1L, Long::sum);
                leftOutRejects.add(reject(clipId, r.getString(1), r.getString(2), code, a.reason(), r.getDouble(3), r.getDouble(4)));
                continue;
            }
            Map<String, Double> scores = new LinkedHashMap<>();
            for (int i = 0; i < scoreCols.size(); i++) if (!r.isNullAt(9 + i)) scores.put(scoreCols.get(i), r.getDouble(9 + i));
            CaptionPick cap = captions.get(clipId);
            ShardWorker.Item item = new ShardWorker.Item(clipId, r.getString(1), r.getString(2), r.getDouble(3), r.getDouble(4), r.getString(7),
                    a.bucket(), r.getDouble(8), cap == null ? null : cap.caption(), cap == null ? null : cap.estimator(),
                    cap == null ? null : cap.embedding(), scores);
            groups.computeIfAbsent(r.getString(7) + "|" + a.bucket(), k -> new ArrayList<>()).add(item);
            clipSeconds += a.frames() / cfg.get(SHARDS_FPS);
        }
        Map<String, Double> phases = new LinkedHashMap<>();
        long tPlanned = System.nanoTime();
        phases.put("planning", (tPlanned - t0) / 1e9); // dedup, SFT selection, captions, buckets
        long toWrite = groups.values().stream().mapToLong(List::size).sum();
        log.printf(Locale.ROOT, "[shard] %d kept clips: %d already in shards, %d duplicates, %d left out %s, %d to write in %d split/bucket groups%n",
                keptCount, sharded.size(), duplicates.size(), leftOutRejects.size(), leftOut, toWrite, groups.size());
        if (!leftOutRejects.isEmpty()) {
            DeltaTables.insertNew(spark, rejectsPath, spark.createDataFrame(leftOutRejects, dev.avcurate.ingest.IngestTables.REJECTS_SCHEMA), "reject_id");
        }

        // At most one slice per core and group, so that a large group spreads over the cluster.
        int cores = Math.max(1, spark.sparkContext().defaultParallelism());
        List<List<ShardWorker.Item>> slices = new ArrayList<>();
        for (List<ShardWorker.Item> g : groups.values()) {
            int n = Math.max(1, (int) Math.ceil(g.size() / (double) cores));
            for (int i = 0; i < g.size(); i += n) slices.add(new ArrayList<>(g.subList(i, Math.min(g.size(), i + n))));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ShardWorker.Settings> bset = jsc.broadcast(ShardWorker.Settings.of(cfg, shardsDir));
        Broadcast<SerializableConfiguration> bconf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        List<ShardWorker.Result> results;
        AtomicLong done = new AtomicLong();
        try (Progress p = new Progress("shard", "clips", toWrite, done::get, () -> "", cfg.get(PROGRESS_INTERVAL_S), log)) {
            results = slices.isEmpty() ? List.of() : jsc.parallelize(slices, slices.size())
                    .map(slice -> ShardWorker.run(slice, bset.value(), bconf.value().value())).collect();
            done.set(toWrite);
        }
        long tWritten = System.nanoTime();
        phases.put("writing", (tWritten - tPlanned) / 1e9);

        // Commit: the files are complete (renamed); the index makes them visible.
        Timestamp now = new Timestamp(System.currentTimeMillis());
        List<Row> indexRows = new ArrayList<>();
        List<Row> failures = new ArrayList<>();
        Map<String, Long> bySplit = new TreeMap<>(), byBucket = new TreeMap<>();
        long bytes = 0, written = 0;
        for (ShardWorker.Result res : results) {
            for (ShardWorker.Written w : res.files()) {
                ShardFormat.IndexEntry e = w.entry();
                indexRows.add(RowFactory.create(e.path(), e.split(), e.bucket(), e.rows(), e.bytes(), e.sha256(),
                        w.clipIds().toArray(new String[0]), now));
                bySplit.merge(e.split(), e.rows(), Long::sum);
                byBucket.merge(e.bucket(), e.rows(), Long::sum);
                bytes += e.bytes();
                written += e.rows();
            }
            for (ShardWorker.Failure f : res.failures()) {
                failures.add(reject(f.clipId(), f.videoId(), f.uri(), "shard_error", f.message(), f.startS(), f.endS()));
            }
        }
        if (!indexRows.isEmpty()) DeltaTables.append(tablePath, spark.createDataFrame(indexRows, ShardTables.SCHEMA));
        if (!failures.isEmpty()) {
            DeltaTables.insertNew(spark, rejectsPath, spark.createDataFrame(failures, dev.avcurate.ingest.IngestTables.REJECTS_SCHEMA), "reject_id");
        }
        List<ShardFormat.IndexEntry> all = new ArrayList<>();
        for (Row r : spark.read().format("delta").load(tablePath).select("path", "split", "bucket", "rows", "bytes", "sha256")
                .orderBy("path").collectAsList()) {
            all.add(new ShardFormat.IndexEntry(r.getString(0), r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getString(5)));
        }
        ShardFormat.writeIndex(new Path(shardsDir), all, spark.sparkContext().hadoopConfiguration());
        DatasetCard.write(spark, cfg, output, sft, buckets);
        double seconds = (System.nanoTime() - t0) / 1e9;
        phases.put("committing", (System.nanoTime() - tWritten) / 1e9); // index, rejects, dataset card
        phases.replaceAll((k, v) -> Math.round(v * 1000) / 1000.0);
        log.printf(Locale.ROOT, "[shard] %d clips written to %d shard files (%.1f MB) %s %s, %d failed; %d files in the index; %.1f s%n",
                written, indexRows.size(), bytes / 1e6, bySplit, byBucket, failures.size(), all.size(), seconds);
        return new Report(keptCount, sharded.size(), duplicates.size(), leftOut, written, bySplit, byBucket, indexRows.size(), bytes,
                failures.size(), Math.round(clipSeconds * 1000) / 1000.0, orphans, Math.round(seconds * 1000) / 1000.0, phases);
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

    static Row reject(String clipId, String videoId, String uri, String reason, String message, double startS, double endS) {
        return RowFactory.create(Ids.sha256Hex(clipId + "|shard|" + reason).substring(0, 16), videoId, clipId, uri, "shard", reason, message,
                "", startS, endS);
    }

    private void recordDuplicates(String clipsPath, String rejectsPath, Dataset<Row> kept, Map<String, String[]> duplicates) {
        Map<String, Row> info = new HashMap<>();
        for (Row r : kept.select("clip_id", "video_id", "uri", "start_s", "end_s").collectAsList()) info.put(r.getString(0), r);
        List<Row> rejects = new ArrayList<>(), marks = new ArrayList<>();
        duplicates.forEach((id, d) -> {
            Row r = info.get(id);
            rejects.add(reject(id, r.getString(1), r.getString(2), "duplicate", "duplicate of " + d[0] + " (" + d[1] + ")", r.getDouble(3),
                    r.getDouble(4)));
            marks.add(RowFactory.create(id, d[0]));
        });
        // Two tables, two independent commits: at once (each is latency-bound).
        DeltaTables.concurrently(
                () -> DeltaTables.insertNew(spark, rejectsPath, spark.createDataFrame(rejects, dev.avcurate.ingest.IngestTables.REJECTS_SCHEMA),
                        "reject_id"),
                () -> {
                    DeltaTables.addMissingColumns(spark, clipsPath, Map.of("duplicate_of", "STRING"));
                    Dataset<Row> m = spark.createDataFrame(marks, new org.apache.spark.sql.types.StructType().add("clip_id", DataTypes.StringType)
                            .add("duplicate_of", DataTypes.StringType));
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
