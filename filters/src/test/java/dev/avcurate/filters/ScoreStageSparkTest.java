package dev.avcurate.filters;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.filters.scoring.ClipContext;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.NativeLibraryException;
import dev.avcurate.filters.scoring.Scorer;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.filters.scoring.VideoFrame;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The score stage's Spark plumbing on local Spark, with a stand-in scorer instead of models and
 * videos: the work list is read from the table, dealt longest first into tasks of consecutive
 * clips, scored on the executors, written per batch and merged into clips by clip_id; a failed
 * clip keeps its reason; a job killed in a batch loses that batch only; a native library that
 * cannot load stops the stage with its one message.
 */
@Tag("slow") // a SparkSession and Delta commits
class ScoreStageSparkTest {
    @TempDir static Path dir;
    static SparkSession spark;
    static final Map<String, String> COLS = new LinkedHashMap<>();

    static {
        COLS.put("brightness_mean", "DOUBLE");
        COLS.put("brightness_mean_estimator", "STRING");
        COLS.put("scores_version", "STRING");
        COLS.put("score_error", "STRING");
    }

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("score-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "3")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** 23 clips c00..c22 lasting 1 + (i * 7 % 23) / 2 s: every length twice or once, so ties are broken by id. */
    static String table(String name) {
        String path = dir.resolve(name).resolve("tables/clips").toString();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 23; i++) {
            if (i > 0) values.append(',');
            values.append(String.format(java.util.Locale.ROOT, "('c%02d', 'file:/nowhere/c%02d.mp4', 10.0D, %sD, 25.0D)", i, i,
                    10.0 + duration(i)));
        }
        spark.sql("SELECT * FROM VALUES " + values + " AS t(clip_id, uri, start_s, end_s, fps)").write().format("delta").save(path);
        DeltaTables.addMissingColumns(spark, path, COLS);
        DeltaTables.addMissingColumns(spark, path, Map.of("scorer_versions", "MAP<STRING, STRING>"));
        return path;
    }

    static double duration(int i) {
        return 1 + Math.floor((i * 7 % 23) / 2.0);
    }

    /** The stand-in scorer's version: every clip is stale for it until scored under it. */
    static final Map<String, String> VERSIONS = Map.of("brightness", "v1");

    /** Every clip in one stale set, scored by {@code task}. */
    static java.util.function.Function<List<String>, ScoreStage.SetWork> work(FlatMapFunction<Iterator<ScoreStage.ClipTask>, Row> task) {
        return stale -> {
            assertEquals(List.of("brightness"), stale);
            return new ScoreStage.SetWork(stale, COLS, task);
        };
    }

    static CurateConfig config() {
        return CurateConfig.defaults().withOverrides(List.of("score.batch_clips=10", "score.model_batch_clips=2"));
    }

    /**
     * Each task scores with the real per-task loop (decode, batch, per-clip errors): the stand-in decoder fails clip
     * c05; the scorer throws {@code failure} on {@code failOn}, else writes the clip's length and, as its estimator,
     * the task's stage and partition and the clip's place among the task's scored clips.
     */
    static FlatMapFunction<Iterator<ScoreStage.ClipTask>, Row> task(String version, String failOn, Throwable failure) {
        List<String> cols = new ArrayList<>(COLS.keySet());
        return it -> {
            int[] seq = {0};
            Scorer s = new Scorer() {
                @Override
                public String name() {
                    return "brightness";
                }

                @Override
                public List<String> columns() {
                    return List.of("brightness_mean");
                }

                @Override
                public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
                    if (clip.clipId().equals(failOn)) ScoreStageSparkTest.<RuntimeException>sneaky(failure);
                    TaskContext tc = TaskContext.get();
                    out.put("brightness_mean", clip.endS() - clip.startS());
                    out.put("brightness_mean_estimator", tc.stageId() + "/" + tc.partitionId() + "/" + seq[0]++);
                }
            };
            return ScoreStage.scoreClips(it, 2, t -> {
                if (t.clipId().equals("c05")) throw new IllegalStateException("cannot decode " + t.uri());
                return new DecodedClip(t.clipId(), t.startS(), t.endS(), t.fps(), 5, List.of(new VideoFrame(0, 4, 4, new byte[48])),
                        new float[16], 16_000);
            }, ScorerSet.of(List.of(s)), cols, version).iterator();
        };
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> void sneaky(Throwable t) throws E {
        throw (E) t;
    }

    static Map<String, Row> byId(String path) {
        Map<String, Row> out = new TreeMap<>();
        for (Row r : spark.read().format("delta").load(path).collectAsList()) out.put(r.getAs("clip_id"), r);
        return out;
    }

    @Test
    void clipsAreDealtLongestFirstIntoTasksOfConsecutiveClipsAndMergedOneCommitPerBatch() {
        String path = table("ok");
        long v0 = DeltaTables.version(spark, path);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ScoreStage stage = new ScoreStage(spark, config(), new PrintStream(log, true, StandardCharsets.UTF_8), dir);
        ScoreStage.Outcome o = stage.score(path, VERSIONS, "v1", work(task("v1", "", null)));
        assertEquals(new ScoreStage.Outcome(23, 23, 1, o.preparedAt(), o.commitNanos(), Map.of("brightness", 23L)), o);
        assertEquals(v0 + 3, DeltaTables.version(spark, path), "23 clips in batches of 10: three merges");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("[score] 23 clips, 23 to score (scores version v1), by scorer: brightness 23"), log.toString());

        Map<String, Row> rows = byId(path);
        // The longest-first list (ties by id) the stage deals from.
        List<String> order = new ArrayList<>(rows.keySet());
        order.sort(Comparator.comparingDouble((String id) -> -duration(Integer.parseInt(id.substring(1)))).thenComparing(id -> id));
        // Batches of 10, 10, 3 clips; tasks of at most model_batch_clips = 2, fewer when that leaves under four tasks
        // per core (2 cores): 2 clips a task in the full batches (5 tasks), 1 in the last one (3 tasks).
        Map<String, List<String>> byTask = new TreeMap<>();
        for (int k = 0; k < order.size(); k++) {
            Row r = rows.get(order.get(k));
            assertEquals("v1", r.getAs("scores_version"));
            if (order.get(k).equals("c05")) {
                assertNull(r.getAs("brightness_mean"));
                assertTrue(r.<String>getAs("score_error").startsWith("IllegalStateException: cannot decode file:/nowhere/c05.mp4"),
                        r.toString());
                continue;
            }
            assertNull(r.getAs("score_error"));
            assertEquals(duration(Integer.parseInt(order.get(k).substring(1))), r.<Double>getAs("brightness_mean"), 1e-9);
            String[] where = r.<String>getAs("brightness_mean_estimator").split("/");
            int batch = k / 10, perTask = batch < 2 ? 2 : 1;
            assertEquals((k % 10) / perTask, Integer.parseInt(where[1]), order.get(k) + " is in task " + (k % 10) / perTask
                    + " of batch " + batch + ": " + r);
            int first = k - (k % 10) % perTask, before = 0;
            for (int j = first; j < k; j++) if (!order.get(j).equals("c05")) before++;
            assertEquals(before, Integer.parseInt(where[2]), "clips of a task in longest-first order: " + r);
            byTask.computeIfAbsent(batch + "/" + where[0], x -> new ArrayList<>()).add(order.get(k));
        }
        assertEquals(3, byTask.size(), "one scoring stage per batch: " + byTask);
        assertFalse(Files.exists(dir.resolve("ok/_work/score")), "the work directory is gone after the run");

        // Scored under this version: a rerun scores nothing and commits nothing.
        ScoreStage.Outcome again = stage.score(path, VERSIONS, "v1", work(task("v1", "", null)));
        assertEquals(0, again.scored());
        assertEquals(v0 + 3, DeltaTables.version(spark, path));
    }

    @Test
    void aJobKilledInABatchLosesThatBatchOnlyAndTheNextRunScoresTheRest() {
        String path = table("killed");
        ScoreStage stage = new ScoreStage(spark, config(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), dir);
        // c00 lasts 1 s, in the last batch of the longest-first list; an Error escapes the per-clip handling and fails the job.
        assertThrows(Exception.class, () -> stage.score(path, VERSIONS, "v1", work(task("v1", "c00", new AssertionError("executor lost")))));
        long scored = byId(path).values().stream().filter(r -> "v1".equals(r.getAs("scores_version"))).count();
        assertEquals(20, scored, "the two batches before the failure are committed");
        assertTrue(Files.isDirectory(dir.resolve("killed/_work/score/pending")), "the killed run's work list is left behind");

        ScoreStage.Outcome rest = stage.score(path, VERSIONS, "v1", work(task("v1", "", null)));
        assertEquals(3, rest.scored(), "the next run plans again from the table and scores the last batch only");
        assertEquals(0, rest.failed());
        assertTrue(byId(path).values().stream().allMatch(r -> "v1".equals(r.getAs("scores_version"))));
    }

    @Test
    void aNativeLibraryThatCannotLoadStopsTheStageWithItsOneMessage() {
        String path = table("native");
        ScoreStage stage = new ScoreStage(spark, config(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), dir);
        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> stage.score(path, VERSIONS, "v1", work(
                task("v1", "c13", new NativeLibraryException("text", new UnsatisfiedLinkError("no jnitesseract in java.library.path"))))));
        assertTrue(e.getMessage().startsWith("scorer 'text' cannot load its native library: UnsatisfiedLinkError: no jnitesseract"),
                e.getMessage());
    }

    @Test
    void theWorkDirectoryIsBesideTheTables() {
        assertEquals("/out/_work/score", ScoreStage.workDir("/out/tables/clips"));
        assertEquals("s3a://b/run/_work/score", ScoreStage.workDir("s3a://b/run/tables/clips"));
        assertEquals("/x/_work/score-clips", ScoreStage.workDir("/x/clips"));
    }
}
