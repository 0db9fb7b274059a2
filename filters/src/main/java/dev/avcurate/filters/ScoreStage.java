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
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The score stage: decodes each clip once and runs every configured scorer on that decode,
 * then merges the score columns (each with its estimator) into {@code clips}. Models are checked
 * against the registry before any video is decoded. A clip is scored again only when the scoring
 * configuration or a model changed ({@code scores_version}); a clip that cannot be decoded keeps
 * null scores and the reason in {@code score_error}.
 */
public final class ScoreStage {
    /**
     * Counts of one run.
     *
     * @param taskSeconds  wall seconds inside the tasks, summed over executors (model loading, decoding, each
     *                     scorer); CPU-seconds as long as each task runs one ONNX and one decoder thread (the default)
     * @param phaseSeconds the stage's wall time: preparing, scoring, committing
     */
    public record Report(long clipsTotal, long clipsScored, long clipsFailed, String scoresVersion, double seconds,
                         Map<String, Double> taskSeconds, Map<String, Double> phaseSeconds) {}

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
        String version = ScorerSet.version(cfg, reg, here);
        if (!DeltaTables.exists(spark, clipsPath)) throw new IllegalStateException("no clips table at " + clipsPath + ": run the ingest stage first");

        Map<String, String> cols = new LinkedHashMap<>(ScorerSet.columns(cfg));
        cols.put("scores_version", "STRING");
        cols.put("score_error", "STRING");
        DeltaTables.addMissingColumns(spark, clipsPath, cols);

        Dataset<Row> clips = spark.read().format("delta").load(clipsPath);
        long total = clips.count();
        List<ClipTask> toScore = new ArrayList<>();
        for (Row r : clips.filter(clips.col("scores_version").isNull().or(clips.col("scores_version").notEqual(version)))
                .select("clip_id", "uri", "start_s", "end_s", "fps").collectAsList()) {
            toScore.add(new ClipTask(r.getString(0), r.getString(1), r.getDouble(2), r.getDouble(3), r.getDouble(4)));
        }
        log.printf(Locale.ROOT, "[score] %d clips, %d to score (scores version %s), scorers %s%n", total, toScore.size(), version,
                cfg.get(SCORE_SCORERS));
        toScore.sort(Comparator.comparingDouble((ClipTask c) -> c.endS() - c.startS()).reversed().thenComparing(ClipTask::clipId));
        long tPrepared = System.nanoTime();
        long[] commitNanos = {0};

        List<String> scoreCols = new ArrayList<>(cols.keySet());
        StructType schema = schema(cols);
        // The models, Tesseract's and BRISQUE's files and the user's exports go with the job: each executor opens its own copy.
        JobFiles files = here.ship(spark.sparkContext());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<CurateConfig> bcfg = jsc.broadcast(cfg);
        Broadcast<ModelRegistry> breg = jsc.broadcast(reg);
        Broadcast<SerializableConfiguration> bconf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        AtomicLong done = new AtomicLong(), failed = new AtomicLong();
        // Seconds inside the tasks, summed over executors: model loading, decoding, each scorer. Added from the
        // collect's single result stage, so a retried or speculative task counts once.
        org.apache.spark.util.CollectionAccumulator<Map<String, Long>> taskNanos = spark.sparkContext().collectionAccumulator("score seconds");
        int slicesMax = Math.max(1, spark.sparkContext().defaultParallelism() * 4);
        // Progress inside a batch: finished tasks times the clips each task holds.
        AtomicLong tasksDone = new AtomicLong();
        long[] perTask = {1};
        long[] batchSize = {0};
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.taskInfo().successful()) tasksDone.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(listener);
        try (Progress progress = new Progress("score", "clips", toScore.size(),
                () -> done.get() + Math.min(batchSize[0], tasksDone.get() * perTask[0]), () -> failed.get() + " failed",
                cfg.get(PROGRESS_INTERVAL_S), log)) {
            int batch = cfg.get(SCORE_BATCH_CLIPS);
            for (int from = 0; from < toScore.size(); from += batch) {
                List<ClipTask> part = toScore.subList(from, Math.min(toScore.size(), from + batch));
                // Consecutive runs of the longest-first list: one model batch per task, or fewer clips when that
                // would leave under four tasks per core. Spark starts tasks in order, so the long clips start first,
                // the last to finish are the short ones (a bounded tail), and a core that finishes early takes the
                // next task instead of idling behind a pre-dealt share.
                int group = cfg.get(SCORE_MODEL_BATCH_CLIPS);
                int slices = Math.max(1, Math.min(part.size(), Math.max(slicesMax, (part.size() + group - 1) / group)));
                perTask[0] = Math.max(1, part.size() / slices);
                batchSize[0] = part.size();
                tasksDone.set(0);
                List<Row> rows;
                try {
                    rows = jsc.parallelize(part, slices)
                            .mapPartitions((Iterator<ClipTask> it) -> scorePartition(it, bcfg.value(), breg.value(), files,
                                    bconf.value(), scoreCols, version, taskNanos))
                            .collect();
                } catch (Exception e) { // SparkException is checked to Java
                    // A missing native library fails every clip: stop with its one message, not a score_error per clip.
                    NativeLibraryException n = nativeFailure(e);
                    if (n != null) throw n;
                    throw ScoreStage.<RuntimeException>sneaky(e);
                }
                for (Row r : rows) if (!r.isNullAt(r.length() - 1)) failed.incrementAndGet();
                long tc = System.nanoTime();
                merge(clipsPath, spark.createDataFrame(rows, schema), scoreCols);
                commitNanos[0] += System.nanoTime() - tc;
                batchSize[0] = 0;
                tasksDone.set(0);
                done.addAndGet(part.size());
                if (toScore.size() > batch) log.println(progress.line());
            }
            if (!toScore.isEmpty()) log.println(progress.line());
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        Map<String, Double> taskSeconds = new java.util.TreeMap<>();
        for (Map<String, Long> m : taskNanos.value()) m.forEach((k, v) -> taskSeconds.merge(k, v / 1e9, Double::sum));
        taskSeconds.replaceAll((k, v) -> Math.round(v * 1000) / 1000.0);
        long tEnd = System.nanoTime();
        // The stage's wall time in three parts: model checks and the work list, the scoring jobs, the merges into clips.
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("preparing", Math.round((tPrepared - t0) / 1e6) / 1000.0);
        phases.put("scoring", Math.round((tEnd - tPrepared - commitNanos[0]) / 1e6) / 1000.0);
        phases.put("committing", Math.round(commitNanos[0] / 1e6) / 1000.0);
        return new Report(total, toScore.size(), failed.get(), version, (tEnd - t0) / 1e9, taskSeconds, phases);
    }

    static Iterator<Row> scorePartition(Iterator<ClipTask> it, CurateConfig cfg, ModelRegistry reg, JobFiles files,
                                        SerializableConfiguration hconf, List<String> cols, String version,
                                        org.apache.spark.util.CollectionAccumulator<Map<String, Long>> taskNanos) {
        ClipDecoder decoder = ScorerSet.decoder(cfg, cfg.get(INGEST_TIMEOUT_S), hconf.value());
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

    private void merge(String path, Dataset<Row> scores, List<String> cols) {
        Map<String, String> set = new LinkedHashMap<>();
        for (String c : cols) set.put("`" + c + "`", "s.`" + c + "`");
        DeltaTable.forPath(spark, path).as("t").merge(scores.as("s"), "t.clip_id = s.clip_id")
                .whenMatched().updateExpr(set).execute();
    }
}
