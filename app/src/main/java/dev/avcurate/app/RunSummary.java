package dev.avcurate.app;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.ingest.IngestTables;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code <output>/run-summary.json}: what the last run did (per stage: counts and seconds) and
 * what the tables hold now (videos, clips, kept clips, rejects by reason code).
 */
final class RunSummary {
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Object> stages = new LinkedHashMap<>();
    private final String output;

    RunSummary(CurateConfig cfg, String input, String output, List<String> stageNames) {
        this.output = output;
        root.put("started_at", Instant.now().toString());
        root.put("input", input);
        root.put("output", output);
        root.put("stages_run", stageNames);
        root.put("config_source", cfg.source());
        root.put("stages", stages);
        root.put("config", cfg.asMap());
    }

    /** A stage's report, under stages.<name>, as the stage wrote it. */
    void stage(dev.avcurate.core.stage.StageReport r) {
        stages.put(r.stage(), r.summary());
    }

    void sparkStart(double seconds) {
        root.put("seconds_spark_start", round(seconds));
    }

    void totals(SparkSession spark) {
        long t0 = System.nanoTime();
        Map<String, Object> t = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        // One aggregate per table: each Delta read costs a snapshot load and a job.
        DeltaTables.concurrently(() -> DeltaTables.read(spark, IngestTables.path(output, IngestTables.VIDEOS)).ifPresent(df -> {
            Row r = df.selectExpr("count(*)", "coalesce(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0)").first();
            t.put("videos_seen", r.getLong(0));
            t.put("videos_ok", r.getLong(1));
        }), () -> DeltaTables.read(spark, IngestTables.path(output, IngestTables.CLIPS)).ifPresent(df -> {
            Map<String, Long> filterReasons = new TreeMap<>();
            long clips = 0, kept = 0;
            double seconds = 0;
            for (Row r : df.groupBy("keep").agg(org.apache.spark.sql.functions.count("*"),
                    org.apache.spark.sql.functions.sum("duration_s")).collectAsList()) {
                clips += r.getLong(1);
                seconds += r.isNullAt(2) ? 0 : r.getDouble(2);
                if (!r.isNullAt(0) && r.getBoolean(0)) kept += r.getLong(1);
            }
            if (clips > kept) {
                for (Row r : df.selectExpr("explode(reject_reasons) AS reason").groupBy("reason").count().collectAsList()) {
                    filterReasons.put(r.getString(0), r.getLong(1));
                }
            }
            t.put("clips", clips);
            t.put("kept_clips", kept);
            t.put("clip_hours", round(seconds / 3600));
            t.put("clip_reject_reasons", filterReasons);
        }), () -> DeltaTables.read(spark, dev.avcurate.captioning.CaptionTables.path(output)).ifPresent(df -> {
            Row r = df.selectExpr("coalesce(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0)",
                    "coalesce(sum(CASE WHEN caption_keep THEN 1 ELSE 0 END), 0)", "coalesce(sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)").first();
            t.put("captions", r.getLong(0));
            t.put("captions_passing_checks", r.getLong(1));
            t.put("captions_failed", r.getLong(2));
        }), () -> DeltaTables.read(spark, dev.avcurate.shards.ShardTables.tablePath(output)).ifPresent(df -> {
            Row r = df.selectExpr("count(*)", "coalesce(sum(rows), 0)", "coalesce(sum(bytes), 0)").first();
            t.put("shard_files", r.getLong(0));
            t.put("shard_rows", r.getLong(1));
            t.put("shard_bytes", r.getLong(2));
        }), () -> DeltaTables.read(spark, IngestTables.path(output, IngestTables.REJECTS)).ifPresent(df -> {
            Map<String, Long> byReason = new TreeMap<>();
            for (Row r : df.groupBy("reason").count().collectAsList()) byReason.put(r.getString(0), r.getLong(1));
            t.put("rejects_by_reason", byReason);
        }));
        root.put("totals", new java.util.TreeMap<>(t));
        root.put("seconds_totals", round((System.nanoTime() - t0) / 1e9));
    }

    String headline() {
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) root.getOrDefault("totals", Map.of());
        String captions = t.containsKey("captions") ? String.format(Locale.ROOT, ", %s captions (%s pass the checks, %s failed requests)",
                t.get("captions"), t.get("captions_passing_checks"), t.get("captions_failed")) : "";
        String shards = t.containsKey("shard_files") ? String.format(Locale.ROOT, ", %s clips in %s shard files", t.get("shard_rows"),
                t.get("shard_files")) : "";
        // Only what the output holds: a run on a clips table without videos or rejects (a synthetic one) says so by omission.
        String videos = t.containsKey("videos_seen") ? t.get("videos_seen") + " videos seen, " : "";
        String rejects = t.containsKey("rejects_by_reason") ? ", rejects " + t.get("rejects_by_reason") : "";
        return String.format(Locale.ROOT, "%s%s clips (%s kept)%s%s%s; summary in %s/run-summary.json",
                videos, t.get("clips"), t.get("kept_clips"), captions, shards, rejects, output);
    }

    void write(SparkSession spark) throws IOException {
        root.put("finished_at", Instant.now().toString());
        Path p = new Path(output, "run-summary.json");
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        Path tmp = new Path(output, ".run-summary.json.tmp");
        try (OutputStream o = fs.create(tmp, true)) {
            o.write(Json.pretty(root).getBytes(StandardCharsets.UTF_8));
        }
        fs.delete(p, false);
        if (!fs.rename(tmp, p)) throw new IOException("cannot write " + p);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
