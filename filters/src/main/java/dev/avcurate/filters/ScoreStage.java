package dev.avcurate.filters;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.Progress;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.NativeLibraryException;
import dev.avcurate.filters.scoring.ScorerSet;
import io.delta.tables.DeltaTable;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

/**
 * The score stage: decodes each clip once and runs the configured scorers on that decode,
 * then merges the score columns (each with its estimator) into {@code clips}. Models are checked
 * against the registry before any video is decoded, and shipped with the job ({@link JobFiles}).
 * Each scorer has a version ({@link ScorerSet#versions}: the keys it reads, its models, the
 * scorers it runs after), recorded per clip in {@code scorer_versions}; a clip is scored again by
 * the scorers whose version changed only (with the scorers they depend on running again for
 * them, their columns untouched), and {@code scores_version} is the combined version of them
 * all. A clip that cannot be decoded keeps null scores and the reason in {@code score_error}.
 * The clips go from the table to the executors and their scores back as DataFrames: the driver
 * holds plans and counts only ({@link #score}).
 */
public final class ScoreStage {
    /**
     * Counts of one run.
     *
     * @param taskSeconds  wall seconds inside the tasks, summed over executors (model loading, decoding, each
     *                     scorer); CPU-seconds as long as each task runs one ONNX and one decoder thread (the default)
     * @param phaseSeconds the stage's wall time: preparing, scoring, committing
     * @param clipsScoredByScorer clips each configured scorer scored (again), in run order; a scorer that ran only
     *                     because a rescored one depends on it does not count
     */
    public record Report(long clipsTotal, long clipsScored, long clipsFailed, String scoresVersion, double seconds,
                         Map<String, Double> taskSeconds, Map<String, Double> phaseSeconds, Map<String, Long> clipsScoredByScorer) {}

    /** The work of one clip. */
    record ClipTask(String clipId, String uri, double startS, double endS, double fps) implements Serializable {}

    private final SparkSession spark;
    private final CurateConfig cfg;
    private final PrintStream log;
    private final Path home;

    public ScoreStage(SparkSession spark, CurateConfig cfg, PrintStream log, Path home) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
        this.home = home;
    }

    /** A configured path: as given when it is absolute or exists here, else under the install directory {@code home}. */
    public static Path resolve(Path home, String p) {
        Path path = Path.of(p);
        if (path.isAbsolute() || java.nio.file.Files.exists(path) || home == null) return path.toAbsolutePath();
        return home.resolve(p).toAbsolutePath();
    }

    /** Every problem with the models and data files the configured scorers need (registry, models directory, the user's exports). */
    public static List<String> checkModels(CurateConfig cfg, Path home) {
        ModelRegistry reg = ModelRegistry.load(resolve(home, cfg.get(MODELS_REGISTRY)));
        Path dir = resolve(home, cfg.get(MODELS_DIR));
        List<String> problems = new ArrayList<>();
        for (String m : ScorerSet.registryModels(cfg)) problems.addAll(ModelRegistry.checkCached(reg.get(m), dir));
        problems.addAll(JobFiles.checkData(cfg, reg, dir));
        if (cfg.get(SCORE_SCORERS).contains("identity") && (!cfg.get(SCORE_SCORERS).contains("faces") || !cfg.get(SCORE_FACE_ESTIMATOR).equals("scrfd"))) {
            problems.add("score.scorers: identity needs the faces scorer with score.face.estimator: scrfd (ArcFace aligns on SCRFD's five keypoints)");
        }
        if (cfg.get(SCORE_SCORERS).contains("people") && cfg.get(SCORE_PEOPLE_ESTIMATOR).equals("face_boxes") && !cfg.get(SCORE_SCORERS).contains("faces")) {
            problems.add("score.scorers: people needs the faces scorer (bodies are expanded from face boxes)");
        }
        if ((cfg.get(SCORE_SCORERS).contains("speech") || cfg.get(SCORE_SCORERS).contains("sync")) && cfg.get(DECODE_AUDIO_RATE) != 16_000) {
            problems.add("decode.audio_rate: the speech and sync scorers need 16000 (Silero VAD, MFCC and log-mel are defined at 16 kHz), not "
                    + cfg.get(DECODE_AUDIO_RATE));
        }
        if (cfg.get(SCORE_SCORERS).contains("sync") && !cfg.get(SCORE_SCORERS).containsAll(List.of("faces", "speech"))) {
            problems.add("score.scorers: sync needs the faces scorer (face tracks) and the speech scorer (voice activity)");
        }
        boolean syncModels = ScorerSet.userModels(cfg).keySet().stream().anyMatch(m -> m == dev.avcurate.filters.sync.SyncNet.SPEC
                || m == dev.avcurate.filters.sync.StableSyncNet.SPEC || m == dev.avcurate.filters.sync.LightAsd.SPEC)
                || cfg.get(SCORE_SCORERS).contains("sync") && ScorerSet.usesBundledLightAsd(cfg);
        if (syncModels && cfg.get(DECODE_SYNC_FPS) != 25) {
            problems.add("decode.sync_fps: SyncNet, StableSyncNet and Light-ASD are trained at 25 fps (4 MFCC frames, 3.2 mel "
                    + "frames per video frame), not " + cfg.get(DECODE_SYNC_FPS));
        }
        ScorerSet.userModels(cfg).forEach((spec, key) -> {
            String f = cfg.get(key);
            if (f.isBlank()) {
                problems.add(key.path() + ": " + spec.name() + " is selected but no model file is set (set " + key.path()
                        + " to your ONNX export, or choose the default estimator)");
            } else if (!java.nio.file.Files.isRegularFile(Path.of(f))) {
                problems.add(key.path() + ": " + spec.name() + " model file missing: " + f);
            } else {
                problems.addAll(ScorerSet.checkUserModel(spec, Path.of(f)));
            }
        });
        return problems;
    }

    public Report run(String clipsPath) {
        long t0 = System.nanoTime();
        List<String> problems = checkModels(cfg, home);
        if (!problems.isEmpty()) throw new ModelException("models not ready (nothing was decoded):\n  " + String.join("\n  ", problems));
        ModelRegistry reg = ModelRegistry.load(resolve(home, cfg.get(MODELS_REGISTRY)));
        JobFiles here = JobFiles.of(cfg, reg, resolve(home, cfg.get(MODELS_DIR)));
        Map<String, String> versions = ScorerSet.versions(cfg, reg, here);
        String version = ScorerSet.combined(versions);
        if (!DeltaTables.exists(spark, clipsPath)) throw new IllegalStateException("no clips table at " + clipsPath + ": run the ingest stage first");
        DeltaTables.addMissingColumns(spark, clipsPath, ScorerSet.columns(cfg));

        // The models, Tesseract's and BRISQUE's files and the user's exports go with the job: each executor opens its own copy.
        JobFiles files = here.ship(spark.sparkContext());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelRegistry> breg = jsc.broadcast(reg);
        Broadcast<SerializableConfiguration> bconf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        // Seconds inside the tasks, summed over executors: model loading, decoding, each scorer. Added in the result
        // stage of each batch's write job, so a retried or speculative task counts once.
        org.apache.spark.util.CollectionAccumulator<Map<String, Long>> taskNanos = spark.sparkContext().collectionAccumulator("score seconds");
        // Per stale set: its scorers and those they depend on run (one decode, as configured), its scorers' columns are written.
        java.util.function.Function<List<String>, SetWork> work = stale -> {
            List<String> running = ScorerSet.closure(stale, cfg);
            CurateConfig runCfg = cfg.withOverrides(List.of(SCORE_SCORERS.path() + "=[" + String.join(", ", running) + "]"));
            boolean syncClock = ScorerSet.syncClock(cfg, running);
            Map<String, String> cols = new LinkedHashMap<>(ScorerSet.columns(stale));
            cols.put("scores_version", "STRING");
            cols.put("score_error", "STRING");
            List<String> scoreCols = new ArrayList<>(cols.keySet());
            Broadcast<CurateConfig> bcfg = jsc.broadcast(runCfg);
            FlatMapFunction<Iterator<ClipTask>, Row> task = it -> scorePartition(it, bcfg.value(), syncClock, breg.value(), files,
                    bconf.value(), scoreCols, version, taskNanos);
            return new SetWork(running, cols, task);
        };
        Outcome o = score(clipsPath, versions, version, work);

        Map<String, Double> taskSeconds = new java.util.TreeMap<>();
        for (Map<String, Long> m : taskNanos.value()) m.forEach((k, v) -> taskSeconds.merge(k, v / 1e9, Double::sum));
        taskSeconds.replaceAll((k, v) -> Math.round(v * 1000) / 1000.0);
        long tEnd = System.nanoTime();
        // The stage's wall time in three parts: model checks and the work list, the scoring jobs, the merges into clips.
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("preparing", Math.round((o.preparedAt() - t0) / 1e6) / 1000.0);
        phases.put("scoring", Math.round((tEnd - o.preparedAt() - o.commitNanos()) / 1e6) / 1000.0);
        phases.put("committing", Math.round(o.commitNanos() / 1e6) / 1000.0);
        return new Report(o.total(), o.scored(), o.failed(), version, (tEnd - t0) / 1e9, taskSeconds, phases, o.byScorer());
    }

    /**
     * Counts of {@link #score}: clips in the table, scored, failed; when the work list was ready
     * ({@link System#nanoTime}) and the nanoseconds spent committing; clips each scorer scored.
     */
    record Outcome(long total, long scored, long failed, long preparedAt, long commitNanos, Map<String, Long> byScorer) {}

    /**
     * How the clips of one stale set are scored: the scorers that run (the set and those it depends on), the
     * columns each row has (the set's score and estimator columns, {@code scores_version}, {@code score_error})
     * and the task that scores a partition of clips into such rows.
     */
    record SetWork(List<String> running, Map<String, String> cols, FlatMapFunction<Iterator<ClipTask>, Row> task) {}

    /** Where the stage keeps its work list and each batch's scores: {@code <output>/_work/score} beside {@code <output>/tables/clips}. */
    static String workDir(String clipsPath) {
        return StageWork.dir(clipsPath, "score");
    }

    /** Says nothing: the resource profile is reported for the first batch only. */
    private static final PrintStream NO_LOG = new PrintStream(java.io.OutputStream.nullOutputStream());

    /**
     * Scores each clip of {@code clipsPath} with the scorers whose recorded version
     * ({@code scorer_versions}) is not in {@code versions} and merges their scores, the driver
     * holding plans and counts only.
     *
     * <ol>
     * <li>Each clip's stale set: the configured scorers whose version it lacks, in run order (all
     * configured scorers for a clip with a {@code score_error} that has any: a failed clip is
     * scored again in full). Clips fall into few distinct sets; the driver collects those, not
     * the clips.</li>
     * <li>The work lists, one per set: its clips longest first (then by id), numbered 0..n-1 by
     * {@code zipWithIndex} after a distributed sort, with {@code batch = index / score.batch_clips};
     * written as Parquet under {@code <output>/_work/score/pending/set=S/batch=B}, so that every batch
     * is fixed before the first merge changes the table it was read from.</li>
     * <li>Per set, per batch, in order: its clips are dealt to tasks by a partitioner on the index, task k
     * holding the k-th run of consecutive clips (at most {@code score.model_batch_clips}, fewer when
     * that would leave under four tasks per core) sorted by index. Spark launches a stage's tasks in
     * partition order, so the long clips start first and the last tasks to start hold the shortest
     * clips: the tail after the last start is at most one short task per core, and a core that
     * finishes early takes the next task instead of idling behind a pre-dealt share. Each task runs
     * {@code task} (one {@link ScorerSet} per task, models opened on the executor); its rows are
     * written as Parquet under {@code _work/score/scores/batch=B} by the same job, then merged into
     * {@code clips} by {@code clip_id}: the set's columns, its scorers' entries of
     * {@code scorer_versions} (the others kept) and {@code scores_version}. The scorers run once
     * per batch: the merge reads the written rows, and a killed job loses at most the batch in
     * flight.</li>
     * </ol>
     * A clip stale for no scorer whose {@code scores_version} is not {@code version} (a scorer was
     * taken out of {@code score.scorers}; its columns stay) gets {@code version} in one update.
     * A killed run's work directory is deleted by the next run, which plans again from the table.
     *
     * @param versions the version of each configured scorer, in run order
     * @param version  their combined version, the {@code scores_version} of a clip scored under them
     * @param work     how the clips of a stale set are scored
     */
    Outcome score(String clipsPath, Map<String, String> versions, String version, java.util.function.Function<List<String>, SetWork> work) {
        Map<String, String> bookkeeping = new LinkedHashMap<>();
        bookkeeping.put("scorer_versions", "MAP<STRING, STRING>");
        bookkeeping.put("scores_version", "STRING");
        bookkeeping.put("score_error", "STRING");
        DeltaTables.addMissingColumns(spark, clipsPath, bookkeeping);
        String stale = staleSql(versions);
        String restamp = "(" + stale + ") = '' AND (scores_version IS NULL OR scores_version <> " + quote(version) + ")";
        Dataset<Row> clips = spark.read().format("delta").load(clipsPath).withColumn("stale", functions.expr(stale));
        // One pass over the table: clips by stale set (few distinct sets; the driver sees those, not the clips).
        long total = 0;
        boolean restampAny = false;
        List<List<String>> sets = new ArrayList<>();
        for (Row r : clips.groupBy(functions.col("stale"), functions.expr(restamp).as("restamp")).count().collectAsList()) {
            total += r.getLong(2);
            if (!r.getString(0).isEmpty()) sets.add(List.of(r.getString(0).split(",")));
            restampAny |= r.getBoolean(1);
        }
        Dataset<Row> pending = clips.filter("stale <> ''");
        String workDir = workDir(clipsPath);
        StageWork.delete(spark, workDir);
        int batch = cfg.get(SCORE_BATCH_CLIPS);
        // One work list per set, every one written before the first merge.
        sets.sort(java.util.Comparator.<List<String>>comparingInt(List::size).reversed().thenComparing(Object::toString));
        long[] sizes = new long[sets.size()];
        Map<String, Long> byScorer = new LinkedHashMap<>();
        for (String s : versions.keySet()) byScorer.put(s, 0L);
        long n = 0;
        for (int i = 0; i < sets.size(); i++) {
            Dataset<Row> mine = pending.filter(functions.col("stale").equalTo(String.join(",", sets.get(i))))
                    .select("clip_id", "uri", "start_s", "end_s", "fps");
            writeWorkList(mine, workDir + "/pending/set=" + i, batch);
            sizes[i] = spark.read().parquet(workDir + "/pending/set=" + i).count(); // the batches are the list's, whatever the table did since
            n += sizes[i];
            for (String s : sets.get(i)) byScorer.merge(s, sizes[i], Long::sum);
        }
        StringBuilder counts = new StringBuilder();
        byScorer.forEach((s, c) -> counts.append(counts.length() == 0 ? "" : ", ").append(s).append(' ').append(c));
        log.printf(Locale.ROOT, "[score] %d clips, %d to score (scores version %s), by scorer: %s%n", total, n, version, counts);
        long tPrepared = System.nanoTime();
        long commitNanos = 0;

        AtomicLong done = new AtomicLong(), failed = new AtomicLong();
        int slicesMax = Math.max(1, spark.sparkContext().defaultParallelism() * 4);
        // Progress inside a batch: finished scoring tasks (the result stage of the batch's write job) times the clips each holds.
        String tagKey = "avcurate.score.batch";
        String[] tag = {""};
        java.util.Set<Integer> scoringStages = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong tasksDone = new AtomicLong();
        long[] perTask = {1};
        long[] batchSize = {0};
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                java.util.Properties p = e.properties();
                if (p != null && !tag[0].isEmpty() && tag[0].equals(p.getProperty(tagKey))) {
                    for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(e.stageIds())) scoringStages.add((Integer) id);
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.taskInfo().successful() && "ResultTask".equals(e.taskType()) && scoringStages.contains(e.stageId())) {
                    tasksDone.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        dev.avcurate.core.stage.Resources resources = new ScoreContract().resources(cfg);
        boolean first = true;
        try (Progress progress = new Progress("score", "clips", n,
                () -> done.get() + Math.min(batchSize[0], tasksDone.get() * perTask[0]), () -> failed.get() + " failed",
                cfg.get(PROGRESS_INTERVAL_S), log)) {
            for (int set = 0; set < sets.size(); set++) {
                SetWork w = work.apply(sets.get(set));
                if (sets.size() > 1) {
                    log.printf(Locale.ROOT, "[score] %d clips for %s (running %s)%n", sizes[set], sets.get(set), w.running());
                }
                List<String> scoreCols = new ArrayList<>(w.cols().keySet());
                StructType schema = schema(w.cols());
                long batches = (sizes[set] + batch - 1) / batch;
                for (long b = 0; b < batches; b++) {
                    long base = b * batch;
                    long size = Math.min(batch, sizes[set] - base);
                    int group = cfg.get(SCORE_MODEL_BATCH_CLIPS);
                    StageWork.TaskPartitioner tasks = StageWork.TaskPartitioner.of(base, size, slicesMax, group);
                    perTask[0] = tasks.perTask();
                    batchSize[0] = size;
                    tasksDone.set(0);
                    scoringStages.clear();
                    JavaRDD<ClipTask> dealt = spark.read().schema(WORK_LIST).parquet(workDir + "/pending/set=" + set + "/batch=" + b).javaRDD()
                            .mapToPair(r -> new Tuple2<>(r.getLong(0), new ClipTask(r.getString(1), r.getString(2), r.getDouble(3),
                                    r.getDouble(4), r.getDouble(5))))
                            .repartitionAndSortWithinPartitions(tasks)
                            .values();
                    String scores = workDir + "/scores/set=" + set + "/batch=" + b;
                    tag[0] = version + "/" + set + "/" + b;
                    spark.sparkContext().setLocalProperty(tagKey, tag[0]);
                    try {
                        // GPU operator tasks hold their GPU share under a stage-level resource profile on a cluster.
                        JavaRDD<Row> rows = resources.apply(dealt.mapPartitions(w.task()), spark.sparkContext(), "score", first ? log : NO_LOG);
                        first = false;
                        spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite).parquet(scores);
                    } catch (Exception e) { // SparkException is checked to Java
                        // A missing native library fails every clip: stop with its one message, not a score_error per clip.
                        NativeLibraryException x = nativeFailure(e);
                        if (x != null) throw x;
                        throw ScoreStage.<RuntimeException>sneaky(e);
                    } finally {
                        spark.sparkContext().setLocalProperty(tagKey, null);
                        tag[0] = "";
                    }
                    long tc = System.nanoTime();
                    Dataset<Row> rows = spark.read().schema(schema).parquet(scores);
                    failed.addAndGet(rows.filter(rows.col("score_error").isNotNull()).count());
                    merge(clipsPath, rows, scoreCols, sets.get(set), versions);
                    StageWork.delete(spark, scores);
                    commitNanos += System.nanoTime() - tc;
                    batchSize[0] = 0;
                    tasksDone.set(0);
                    done.addAndGet(size);
                    if (n > batch) log.println(progress.line());
                }
            }
            if (n > 0) log.println(progress.line());
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        StageWork.delete(spark, workDir);
        // Clips stale for no scorer under another combined version (a scorer was taken out): the new version only.
        if (restampAny) {
            long tc = System.nanoTime();
            DeltaTable.forPath(spark, clipsPath).update(functions.expr(restamp), Map.of("scores_version", functions.lit(version)));
            commitNanos += System.nanoTime() - tc;
        }
        return new Outcome(total, n, failed.get(), tPrepared, commitNanos, byScorer);
    }

    /**
     * Spark SQL for a clip's stale set: the scorers of {@code versions} whose version its
     * {@code scorer_versions} does not hold, in run order and joined by commas ('' for none); every
     * one of them for a clip with a {@code score_error} that is stale for any.
     */
    static String staleSql(Map<String, String> versions) {
        if (versions.isEmpty()) return "''";
        List<String> each = new ArrayList<>();
        for (Map.Entry<String, String> e : versions.entrySet()) {
            each.add("CASE WHEN NOT (try_element_at(scorer_versions, " + quote(e.getKey()) + ") <=> " + quote(e.getValue()) + ") THEN "
                    + quote(e.getKey()) + " END");
        }
        String stale = "concat_ws(',', " + String.join(", ", each) + ")";
        return "CASE WHEN score_error IS NOT NULL AND " + stale + " <> '' THEN " + quote(String.join(",", versions.keySet()))
                + " ELSE " + stale + " END";
    }

    /** A Spark SQL string literal. */
    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A row of the work list: index, clip and time range (the batch is the directory). */
    static final StructType WORK_LIST = DataTypes.createStructType(List.of(
            DataTypes.createStructField("idx", DataTypes.LongType, false),
            DataTypes.createStructField("clip_id", DataTypes.StringType, false),
            DataTypes.createStructField("uri", DataTypes.StringType, true),
            DataTypes.createStructField("start_s", DataTypes.DoubleType, false),
            DataTypes.createStructField("end_s", DataTypes.DoubleType, false),
            DataTypes.createStructField("fps", DataTypes.DoubleType, false)));

    /** Numbers the clips longest first (ties by id) and writes them by batch; the driver sees none of them. */
    private void writeWorkList(Dataset<Row> pending, String dir, int batch) {
        JavaRDD<Row> indexed = pending.orderBy(pending.col("end_s").minus(pending.col("start_s")).desc(), pending.col("clip_id").asc())
                .javaRDD().zipWithIndex()
                .map(t -> RowFactory.create(t._2(), t._1().getString(0), t._1().getString(1), t._1().getDouble(2), t._1().getDouble(3),
                        t._1().getDouble(4), t._2() / batch));
        List<StructField> fields = new ArrayList<>(List.of(WORK_LIST.fields()));
        fields.add(DataTypes.createStructField("batch", DataTypes.LongType, false));
        spark.createDataFrame(indexed, DataTypes.createStructType(fields)).write().mode(SaveMode.Overwrite).partitionBy("batch").parquet(dir);
    }


    /**
     * Scores a partition's clips with the scorers of {@code cfg}'s {@code score.scorers} (those of a stale set and
     * the ones they depend on), decoding with the sync clock when {@code syncClock} ({@link ScorerSet#syncClock}).
     */
    static Iterator<Row> scorePartition(Iterator<ClipTask> it, CurateConfig cfg, boolean syncClock, ModelRegistry reg, JobFiles files,
                                        SerializableConfiguration hconf, List<String> cols, String version,
                                        org.apache.spark.util.CollectionAccumulator<Map<String, Long>> taskNanos) {
        ClipDecoder decoder = ScorerSet.decoder(cfg, syncClock, cfg.get(INGEST_TIMEOUT_S), hconf.value());
        long t0 = System.nanoTime();
        long[] decodeNanos = {0};
        try (ScorerSet scorers = new ScorerSet(cfg, reg, files)) {
            long loaded = System.nanoTime() - t0;
            List<Row> rows = scoreClips(it, cfg.get(SCORE_MODEL_BATCH_CLIPS), t -> {
                long d0 = System.nanoTime();
                try {
                    return decoder.decode(t.clipId(), t.uri(), t.startS(), t.endS(), t.fps());
                } finally {
                    decodeNanos[0] += System.nanoTime() - d0;
                }
            }, scorers, cols, version);
            Map<String, Long> nanos = new LinkedHashMap<>();
            nanos.put("model_loading", loaded);
            nanos.put("decoding", decodeNanos[0]);
            scorers.nanosByScorer().forEach(nanos::put);
            taskNanos.add(nanos);
            return rows.iterator();
        }
    }

    /** Decodes one clip for the scorers. */
    interface Decode {
        DecodedClip decode(ClipTask t) throws Exception;
    }

    /**
     * Decodes and scores the clips, {@code group} at a time. A clip that fails (decode or a
     * scorer) gets null scores and the reason in {@code score_error}; a native library that cannot
     * be loaded fails every clip alike, so it stops the stage ({@link NativeLibraryException}).
     */
    static List<Row> scoreClips(Iterator<ClipTask> it, int group, Decode decoder, ScorerSet scorers, List<String> cols, String version) {
        List<Row> out = new ArrayList<>();
        while (it.hasNext()) {
            // Decode a few clips, then score them together so models see batches across clips.
            List<ClipTask> tasks = new ArrayList<>();
            List<DecodedClip> decoded = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            while (it.hasNext() && tasks.size() < group) {
                ClipTask t = it.next();
                tasks.add(t);
                try {
                    decoded.add(decoder.decode(t));
                    errors.add(null);
                } catch (LinkageError e) {
                    throw new NativeLibraryException("decode", e);
                } catch (Exception e) {
                    // One bad clip never fails the job: its scores stay null and the reason is kept.
                    decoded.add(null);
                    errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            List<DecodedClip> ok = new ArrayList<>();
            for (DecodedClip d : decoded) if (d != null) ok.add(d);
            List<Map<String, Object>> scored;
            try {
                scored = scorers.scoreBatch(ok);
            } catch (NativeLibraryException e) {
                throw e;
            } catch (RuntimeException e) {
                // A failure inside a batch: score the clips one by one so that only the culprit loses its scores.
                System.err.println("[score] a batch of " + ok.size() + " clips failed (" + e + "); scoring them one by one");
                scored = new ArrayList<>();
                for (DecodedClip d : ok) {
                    try {
                        scored.add(scorers.score(d));
                    } catch (NativeLibraryException e1) {
                        throw e1;
                    } catch (RuntimeException e1) {
                        scored.add(Map.of("__error", e1.getClass().getSimpleName() + ": " + e1.getMessage()));
                    }
                }
            }
            for (int i = 0, k = 0; i < tasks.size(); i++) {
                Map<String, Object> values = Map.of();
                String error = errors.get(i);
                if (decoded.get(i) != null) {
                    values = scored.get(k++);
                    if (values.containsKey("__error")) {
                        error = String.valueOf(values.get("__error"));
                        values = Map.of();
                    }
                }
                out.add(row(tasks.get(i).clipId(), values, error, cols, version));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E sneaky(Exception e) throws E {
        throw (E) e;
    }

    /**
     * The {@link NativeLibraryException} behind a failed Spark job, re-raised on the driver with
     * its one message, or null when the job failed for another reason.
     */
    static NativeLibraryException nativeFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof NativeLibraryException n) return new NativeLibraryException(n.getMessage());
        }
        // The task's exception may reach the driver as text only (Spark could not deserialize it).
        String m = t.getMessage() == null ? "" : t.getMessage();
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("(?:scorer '[^']*'|the clip decoder \\(FFmpeg\\)) "
                + NativeLibraryException.MARKER + "[^\n]*").matcher(m);
        return x.find() ? new NativeLibraryException(x.group()) : null;
    }

    private static Row row(String clipId, Map<String, Object> values, String error, List<String> cols, String version) {
        Object[] row = new Object[cols.size() + 1];
        row[0] = clipId;
        for (int i = 0; i < cols.size(); i++) {
            String c = cols.get(i);
            row[i + 1] = switch (c) {
                case "scores_version" -> version;
                case "score_error" -> error;
                default -> values.get(c) instanceof Number n && !c.endsWith("_estimator")
                        && !ScorerSet.STRING_COLUMNS.contains(c) ? (Object) n.doubleValue() : values.get(c);
            };
        }
        return RowFactory.create(row);
    }

    private static StructType schema(Map<String, String> cols) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("clip_id", DataTypes.StringType, false));
        cols.forEach((c, t) -> fields.add(DataTypes.createStructField(c, t.equals("DOUBLE") ? DataTypes.DoubleType : DataTypes.StringType, true)));
        return DataTypes.createStructType(fields);
    }

    /**
     * Merges a batch's rows into {@code clips}: the columns {@code cols}, and in {@code scorer_versions}
     * the versions of the scorers {@code stale} (the other entries stay).
     */
    private void merge(String path, Dataset<Row> scores, List<String> cols, List<String> stale, Map<String, String> versions) {
        Map<String, String> set = new LinkedHashMap<>();
        for (String c : cols) set.put("`" + c + "`", "s.`" + c + "`");
        List<String> names = new ArrayList<>(), entries = new ArrayList<>();
        for (String s : stale) {
            names.add(quote(s));
            entries.add(quote(s) + ", " + quote(versions.get(s)));
        }
        set.put("scorer_versions", "map_concat(map_filter(coalesce(t.scorer_versions, CAST(map() AS MAP<STRING, STRING>)), "
                + "(k, v) -> NOT array_contains(array(" + String.join(", ", names) + "), k)), map(" + String.join(", ", entries) + "))");
        DeltaTable.forPath(spark, path).as("t").merge(scores.as("s"), "t.clip_id = s.clip_id")
                .whenMatched().updateExpr(set).execute();
    }
}
