package dev.avcurate.captioning;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.captioning.checks.CaptionChecks;
import dev.avcurate.captioning.embed.MiniLmEmbedder;
import dev.avcurate.captioning.vlm.VlmSettings;
import dev.avcurate.core.Progress;
import dev.avcurate.core.config.ConfigException;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import io.delta.tables.DeltaTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import dev.avcurate.filters.StageWork;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

/**
 * The caption stage: a dense caption for every kept clip, from a VLM behind an OpenAI-compatible
 * endpoint or, without one, composed from the measured attributes. Captions are cached by
 * (clip, model, prompt version): a rerun asks only for clips without an ok caption, so failed
 * requests are retried and nothing is asked twice. Checks run on every new caption and again on
 * stored ones when the check settings change (no request is repeated for that).
 *
 * <p>The clips to caption go from the tables to the executors, and their captions back, as
 * DataFrames: a work list numbered by clip id is written under {@code <output>/_work/caption} by
 * batch ({@code caption.batch_clips}); each batch is dealt to tasks of consecutive clips, captioned
 * by {@code mapPartitions} (frames, requests, checks and embeddings on the executors), written as
 * Parquet by that job and merged into {@code captions} from what was written, so no request is
 * sent twice for one batch and a killed job loses at most the batch in flight. The driver holds
 * plans, counts and the run's aggregates only.
 */
public final class CaptionStage {
    /** What one run did, with the throughput figures that bound curation at scale. */
    public record Report(String estimator, String model, String promptVersion, long clipsKept, long alreadyCaptioned, long requested,
                         long ok, long failed, Map<String, Long> failedByCode, long captionsKept, Map<String, Long> checkCounts,
                         long promptTokens, long completionTokens, double requestSeconds, double requestsPerS, double tokensPerS,
                         double latencyP50S, double latencyP95S, long rechecked, double seconds) {}

    private final SparkSession spark;
    private final CurateConfig cfg;
    private final PrintStream log;
    private final Path home;
    private final Map<String, String> env;

    /** @param env the environment (OPENAI_BASE_URL, OPENAI_API_KEY); tests pass their own */
    public CaptionStage(SparkSession spark, CurateConfig cfg, PrintStream log, Path home, Map<String, String> env) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
        this.home = home;
        this.env = env;
    }

    /** Resolves where captions come from and checks the settings; nothing is read or sent. */
    public static CaptionJob plan(CurateConfig cfg, Path home, Map<String, String> env) {
        VlmSettings vlm = VlmSettings.from(cfg, env);
        String mode = cfg.get(CAPTION_MODE);
        if (mode.equals("vlm") && !vlm.hasEndpoint()) {
            throw new ConfigException("caption.mode is vlm but no endpoint is set: set caption.vlm.endpoint or OPENAI_BASE_URL "
                    + "(or caption.mode: auto to compose captions from the measured attributes)");
        }
        boolean useVlm = !mode.equals("attributes") && vlm.hasEndpoint();
        CaptionPrompt prompt = null;
        if (useVlm) {
            vlm.chatUri();
            prompt = CaptionPrompt.load(resolve(home, cfg.get(CAPTION_PROMPT)));
        }
        checkPatterns(cfg.source() + ": caption.checks.refusal_patterns", cfg.get(CAPTION_REFUSAL_PATTERNS));
        checkPatterns(cfg.source() + ": caption.checks.strip_prefixes", cfg.get(CAPTION_STRIP_PREFIXES));
        for (String w : cfg.get(CAPTION_EMOTION_WORDS)) {
            if (!w.matches("\\p{L}+")) throw new ConfigException(cfg.source() + ": caption.checks.emotion_words: '" + w + "' is not one word of letters");
        }
        return CaptionJob.of(cfg, vlm, useVlm, prompt);
    }

    private static void checkPatterns(String key, List<String> patterns) {
        for (String p : patterns) {
            try {
                Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(key + ": not a regular expression: " + p + " (" + e.getDescription() + ")");
            }
        }
    }

    static Path resolve(Path home, String p) {
        Path path = Path.of(p);
        if (path.isAbsolute() || java.nio.file.Files.exists(path) || home == null) return path.toAbsolutePath();
        return home.resolve(p).toAbsolutePath();
    }

    public Report run(String clipsPath, String captionsPath) {
        long t0 = System.nanoTime();
        CaptionJob job = plan(cfg, home, env);
        if (!DeltaTables.exists(spark, clipsPath)) throw new IllegalStateException("no clips table at " + clipsPath + ": run the ingest stage first");
        Dataset<Row> clips = spark.read().format("delta").load(clipsPath);
        List<String> have = List.of(clips.columns());
        if (!have.contains("keep")) {
            throw new IllegalStateException("the clips table has no keep column yet: run the score and filter stages first (captions are for kept clips)");
        }
        DeltaTables.createIfMissing(spark, captionsPath, CaptionTables.SCHEMA);
        Dataset<Row> captions = spark.read().format("delta").load(captionsPath);

        List<String> select = new ArrayList<>(List.of("clip_id", "video_id", "uri", "start_s", "end_s"));
        for (String c : ClipAttributes.COLUMNS) if (have.contains(c)) select.add(c);
        // The same key as Ids.sha256Hex(clip_id|model|prompt_version), computed where the rows are.
        Dataset<Row> kept = clips.filter("keep = true").selectExpr(select.toArray(String[]::new));
        kept = kept.withColumn("caption_key", functions.substring(functions.sha2(functions.concat(kept.col("clip_id"),
                functions.lit("|" + job.model() + "|" + job.promptVersion())), 256), 1, 16));
        long keptCount = kept.count();
        Dataset<Row> done = captions.filter("status = 'ok'").select("caption_key");
        Dataset<Row> pending = kept.join(done, kept.col("caption_key").equalTo(done.col("caption_key")), "left_anti");
        List<String> attrs = new ArrayList<>();
        for (String c : ClipAttributes.COLUMNS) if (have.contains(c)) attrs.add(c);
        String work = StageWork.dir(captionsPath, "caption");
        StageWork.delete(spark, work); // a killed run's
        long n = pending.count();
        int batch = cfg.get(CAPTION_BATCH_CLIPS);
        StructType listSchema = new StructType().add("idx", DataTypes.LongType, false);
        for (var f : pending.schema().fields()) listSchema = listSchema.add(f);
        if (n > 0) {
            writeWorkList(pending, listSchema, work + "/pending", batch);
            n = spark.read().parquet(work + "/pending").count(); // the batches are the list's
        }
        log.printf(Locale.ROOT, "[caption] %d kept clips, %d to caption with %s (model %s, prompt %s)%s%n", keptCount, n,
                job.estimator(), job.model(), job.promptVersion(), job.useVlm() ? ", endpoint " + job.vlm().redactedEndpoint() : "");

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<CaptionJob> bjob = jsc.broadcast(job);
        Broadcast<SerializableConfiguration> bconf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        int slicesMax = job.useVlm()
                ? Math.max(1, (cfg.get(CAPTION_VLM_CONCURRENCY) + job.vlm().taskConcurrency() - 1) / job.vlm().taskConcurrency())
                : Math.max(1, spark.sparkContext().defaultParallelism());
        AtomicLong committed = new AtomicLong(), okSoFar = new AtomicLong(), failedSoFar = new AtomicLong();
        long tReq = System.nanoTime();
        try (Progress progress = new Progress("caption", "clips", n, committed::get, () -> okSoFar.get() + " ok, " + failedSoFar.get() + " failed",
                cfg.get(PROGRESS_INTERVAL_S), log)) {
            long batches = (n + batch - 1) / batch;
            for (long b = 0; b < batches; b++) {
                long base = b * batch, size = Math.min(batch, n - base);
                // Consecutive clips (by id) per task, as many tasks as the request concurrency needs.
                JavaRDD<CaptionTask> tasks = spark.read().schema(listSchema).parquet(work + "/pending/batch=" + b).javaRDD()
                        .mapToPair(r -> new Tuple2<>(r.getLong(0), task(r, attrs)))
                        .repartitionAndSortWithinPartitions(StageWork.TaskPartitioner.of(base, size, slicesMax, size))
                        .values();
                String out = work + "/rows/batch=" + b;
                // The requests run once: the rows are written by the job that asks, and the merge reads what was written.
                spark.createDataFrame(tasks.mapPartitions((Iterator<CaptionTask> it) -> CaptionWorker.run(it, bjob.value(), bconf.value().value())),
                        CaptionTables.SCHEMA).write().mode(SaveMode.Overwrite).parquet(out);
                Dataset<Row> rows = spark.read().schema(CaptionTables.SCHEMA).parquet(out);
                upsert(captionsPath, rows);
                for (Row r : rows.groupBy("status").count().collectAsList()) {
                    (CaptionTables.OK.equals(r.getString(0)) ? okSoFar : failedSoFar).addAndGet(r.getLong(1));
                }
                committed.addAndGet(size);
                if (n > batch) log.println(progress.line());
            }
            if (n > 0) log.println(progress.line());
        }
        double reqSeconds = (System.nanoTime() - tReq) / 1e9;
        Stats stats = n > 0 ? Stats.of(spark.read().schema(CaptionTables.SCHEMA).parquet(work + "/rows")) : new Stats();
        long rechecked = recheck(captionsPath, job, work + "/recheck");
        StageWork.delete(spark, work);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Report r = stats.report(job, keptCount, keptCount - n, n, reqSeconds, rechecked, seconds);
        if (r.requested() == 0) {
            log.printf(Locale.ROOT, "[caption] nothing to ask: all %d kept clips have a caption%s; %.1f s%n", keptCount,
                    rechecked > 0 ? " (" + rechecked + " checked again)" : "", r.seconds());
        } else if (job.useVlm()) {
            log.printf(Locale.ROOT, "[caption] %d asked: %d ok, %d failed %s; %d pass the checks %s; %.2f requests/s, %.0f tokens/s, "
                            + "latency p50 %.2f s p95 %.2f s; %.1f s%n", r.requested(), r.ok(), r.failed(), r.failedByCode(), r.captionsKept(),
                    r.checkCounts(), r.requestsPerS(), r.tokensPerS(), r.latencyP50S(), r.latencyP95S(), r.seconds());
        } else {
            log.printf(Locale.ROOT, "[caption] %d captions composed from measured attributes (no VLM endpoint); %d pass the checks %s; %.1f s%n",
                    r.ok(), r.captionsKept(), r.checkCounts(), r.seconds());
        }
        return r;
    }

    /** Numbers the clips to caption by id and writes them by batch (Parquet, {@code batch = index / caption.batch_clips}); the driver sees none of them. */
    private void writeWorkList(Dataset<Row> pending, StructType listSchema, String dir, int batch) {
        JavaRDD<Row> indexed = pending.orderBy("clip_id").javaRDD().zipWithIndex().map(t -> {
            Object[] v = new Object[t._1().length() + 2];
            v[0] = t._2();
            for (int i = 0; i < t._1().length(); i++) v[i + 1] = t._1().get(i);
            v[v.length - 1] = t._2() / batch;
            return RowFactory.create(v);
        });
        spark.createDataFrame(indexed, listSchema.add("batch", DataTypes.LongType, false)).write().mode(SaveMode.Overwrite)
                .partitionBy("batch").parquet(dir);
    }

    /** The caption task of a work list row. */
    static CaptionTask task(Row r, List<String> attributeColumns) {
        Map<String, Object> attrs = new HashMap<>();
        for (String c : attributeColumns) attrs.put(c, r.get(r.fieldIndex(c)));
        return new CaptionTask(r.getAs("caption_key"), r.getAs("clip_id"), r.getAs("video_id"), r.getAs("uri"), r.<Double>getAs("start_s"),
                r.<Double>getAs("end_s"), ClipAttributes.of(attrs));
    }

    private void upsert(String path, Dataset<Row> rows) {
        DeltaTable.forPath(spark, path).as("t").merge(rows.as("s"), "t.caption_key = s.caption_key")
                .whenMatched().updateAll().whenNotMatched().insertAll().execute();
    }

    /** Stored ok captions whose checks are stale (settings changed) or that lack an embedding: checked and embedded again. */
    private long recheck(String path, CaptionJob job, String out) {
        String version = job.checks().version();
        Dataset<Row> stale = spark.read().format("delta").load(path)
                .filter("status = 'ok' AND (checks_version IS NULL OR checks_version <> '" + version + "'"
                        + (job.embed() ? " OR (embedding IS NULL AND caption IS NOT NULL AND trim(caption) <> '')" : "") + ")")
                .select("caption_key", "raw_caption", "finish_reason", "caption", "embedding");
        if (stale.isEmpty()) return 0;
        StructType schema = new StructType().add("caption_key", DataTypes.StringType).add("caption", DataTypes.StringType)
                .add("checks", DataTypes.createArrayType(DataTypes.StringType)).add("caption_keep", DataTypes.BooleanType)
                .add("checks_version", DataTypes.StringType).add("language", DataTypes.StringType).add("word_count", DataTypes.IntegerType)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType)).add("embedding_model", DataTypes.StringType);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<CaptionJob> bjob = jsc.broadcast(job);
        JavaRDD<Row> rows = stale.javaRDD().mapPartitions((Iterator<Row> it) -> {
            CaptionJob j = bjob.value();
            CaptionChecks checks = new CaptionChecks(j.checks());
            List<Row> in = new ArrayList<>();
            it.forEachRemaining(in::add);
            List<CaptionChecks.Result> results = new ArrayList<>();
            List<String> toEmbed = new ArrayList<>();
            for (Row r : in) {
                CaptionChecks.Result c = checks.check(r.getString(1), r.getString(2));
                results.add(c);
                // Only a caption whose text changed (or that has no vector) is embedded again.
                boolean same = c.caption() != null && c.caption().equals(r.getString(3)) && !r.isNullAt(4);
                toEmbed.add(same || c.caption() == null || c.caption().isBlank() ? null : c.caption());
            }
            float[][] v = CaptionWorker.embed(j, toEmbed);
            List<Row> result = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                Row r = in.get(i);
                CaptionChecks.Result c = results.get(i);
                Object emb = v != null && v[i] != null ? CaptionWorker.boxed(v[i]) : toEmbed.get(i) == null && !r.isNullAt(4)
                        ? r.getList(4).toArray(new Float[0]) : null;
                result.add(RowFactory.create(r.getString(0), c.caption(), c.codes().toArray(new String[0]), c.keep(), j.checks().version(),
                        c.language(), c.wordCount(), emb, emb == null ? null : MiniLmEmbedder.MODEL_NAME));
            }
            return result.iterator();
        });
        // Checked and embedded once, on the executors: written, then merged from what was written.
        spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite).parquet(out);
        Dataset<Row> checked = spark.read().schema(schema).parquet(out);
        long count = checked.count();
        Map<String, String> set = new LinkedHashMap<>();
        for (String c : schema.fieldNames()) if (!c.equals("caption_key")) set.put(c, "s." + c);
        DeltaTable.forPath(spark, path).as("t").merge(checked.as("s"), "t.caption_key = s.caption_key")
                .whenMatched().updateExpr(set).execute();
        log.printf("[caption] %d stored captions checked again (check settings changed or embedding missing)%n", count);
        return count;
    }

    /** Counts and timings of this run's answers, aggregated where the rows written are; the driver gets the totals. */
    private static final class Stats {
        long ok, failed, kept, promptTokens, completionTokens;
        final Map<String, Long> failedByCode = new TreeMap<>();
        final Map<String, Long> checkCounts = new TreeMap<>();
        double[] latencyQuantiles = {0, 0};

        static Stats of(Dataset<Row> rows) {
            Stats s = new Stats();
            Column ok = functions.col("status").equalTo(CaptionTables.OK);
            Row t = rows.agg(functions.count(functions.when(ok, 1)), functions.count(functions.when(functions.not(ok), 1)),
                    functions.count(functions.when(functions.col("caption_keep"), 1)),
                    functions.coalesce(functions.sum("prompt_tokens"), functions.lit(0L)),
                    functions.coalesce(functions.sum("completion_tokens"), functions.lit(0L))).first();
            s.ok = t.getLong(0);
            s.failed = t.getLong(1);
            s.kept = t.getLong(2);
            s.promptTokens = t.getLong(3);
            s.completionTokens = t.getLong(4);
            for (Row r : rows.filter(functions.not(ok)).groupBy("error_code").count().collectAsList()) {
                s.failedByCode.put(r.isNullAt(0) ? "unknown" : r.getString(0), r.getLong(1));
            }
            for (Row r : rows.select(functions.explode(functions.col("checks")).as("code")).groupBy("code").count().collectAsList()) {
                s.checkCounts.put(r.getString(0), r.getLong(1));
            }
            // Latency quantiles of the answered requests: the value at floor(q * n) of the sorted latencies, found by a
            // distributed sort; only the two values come back.
            JavaRDD<Double> lat = rows.filter(ok.and(functions.col("latency_s").isNotNull())).select("latency_s").javaRDD().map(r -> r.getDouble(0));
            long m = lat.count();
            if (m > 0) {
                long i50 = Math.min(m - 1, (long) Math.floor(0.5 * m)), i95 = Math.min(m - 1, (long) Math.floor(0.95 * m));
                Map<Long, Double> at = new HashMap<>();
                for (scala.Tuple2<Double, Long> x : lat.sortBy(d -> d, true, lat.getNumPartitions()).zipWithIndex()
                        .filter(x -> x._2() == i50 || x._2() == i95).collect()) {
                    at.put(x._2(), x._1());
                }
                s.latencyQuantiles = new double[] {round(at.get(i50)), round(at.get(i95))};
            }
            return s;
        }

        Report report(CaptionJob job, long kept0, long already, long requested, double reqS, long rechecked, double seconds) {
            return new Report(job.estimator(), job.model(), job.promptVersion(), kept0, already, requested, ok, failed,
                    new LinkedHashMap<>(failedByCode), kept, new LinkedHashMap<>(checkCounts), promptTokens, completionTokens, round(reqS),
                    requested > 0 && reqS > 0 ? round(requested / reqS) : 0, reqS > 0 ? round((promptTokens + completionTokens) / reqS) : 0,
                    latencyQuantiles[0], latencyQuantiles[1], rechecked, round(seconds));
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }
}
