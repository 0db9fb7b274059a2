package dev.avcurate.filters;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A changed scorer re-scores only its own columns: three one-second clips of a generated video
 * scored by faces, brightness, phash and sharpness; a sharpness setting moved; only sharpness is
 * scored again (faces runs again for its face boxes, its columns untouched) and only its columns
 * change; a third run scores nothing; a scorer taken out keeps its columns.
 */
@Tag("slow") // a SparkSession, Delta commits and decoded clips
class ScorerVersionsSparkTest {
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));
    static final Path MODELS = Path.of(System.getProperty("avcurate.models.dir", ROOT.resolve("models").toString()));
    static final List<String> UNTOUCHED = List.of("brightness_mean", "brightness_mean_estimator", "key_frame_phash", "key_frame_phash_estimator",
            "face_frames_ratio", "face_frames_ratio_estimator", "max_faces", "max_faces_estimator");
    @TempDir static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("scorer-versions-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static ScoreStage.Report run(String clips, String... overrides) {
        List<String> o = new ArrayList<>(List.of("models.dir=" + MODELS));
        o.addAll(List.of(overrides));
        CurateConfig c = CurateConfig.defaults().withOverrides(o);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ScoreStage.Report r = new ScoreStage(spark, c, new PrintStream(log, true, StandardCharsets.UTF_8), ROOT).run(clips);
        assertEquals(0, r.clipsFailed(), log.toString(StandardCharsets.UTF_8));
        return r;
    }

    static Map<String, Row> byId(String path) {
        Map<String, Row> out = new TreeMap<>();
        for (Row r : spark.read().format("delta").load(path).collectAsList()) out.put(r.getAs("clip_id"), r);
        return out;
    }

    @Test
    void aChangedScorerRescoresItsColumnsOnly() throws Exception {
        Path video = new SyntheticVideo().size(192, 108).fps(25).seconds(3).painter(Scenes.pan(3, 40)).audio(t -> 0f, 44_100, 2)
                .write(dir.resolve("in/pan.mp4"));
        String clips = dir.resolve("out/tables/clips").toString();
        spark.sql("SELECT * FROM VALUES ('a', '" + video.toUri() + "', 0.0D, 1.0D, 25.0D), ('b', '" + video.toUri() + "', 1.0D, 2.0D, 25.0D), "
                + "('c', '" + video.toUri() + "', 2.0D, 3.0D, 25.0D) AS t(clip_id, uri, start_s, end_s, fps)").write().format("delta").save(clips);
        String scorers = "score.scorers=[faces, brightness, phash, sharpness]";

        ScoreStage.Report first = run(clips, scorers);
        assertEquals(3, first.clipsScored());
        assertEquals(Map.of("faces", 3L, "sharpness", 3L, "brightness", 3L, "phash", 3L), first.clipsScoredByScorer());
        Map<String, Row> before = byId(clips);
        for (Row r : before.values()) {
            assertEquals(first.scoresVersion(), r.getAs("scores_version"));
            assertEquals(List.of("brightness", "faces", "phash", "sharpness"), new ArrayList<>(new TreeMap<>(r.<String, String>getJavaMap(
                    r.fieldIndex("scorer_versions"))).keySet()));
            assertEquals("laplacian_var_grey_w256", r.getAs("frame_sharpness_estimator"));
            assertEquals("laplacian_var_grey_face_64px", r.getAs("face_sharpness_estimator"), "sharpness ran after faces");
            for (String c : UNTOUCHED) assertNotNull(r.getAs(c), c + " in " + r);
        }

        // A sharpness setting moves: sharpness alone is scored again, on every clip, after faces (its face boxes).
        String narrower = "score.sharpness.frame_width=128";
        ScoreStage.Report second = run(clips, scorers, narrower);
        assertEquals(3, second.clipsScored());
        assertEquals(Map.of("faces", 0L, "sharpness", 3L, "brightness", 0L, "phash", 0L), second.clipsScoredByScorer());
        assertTrue(second.taskSeconds().containsKey("sharpness") && second.taskSeconds().containsKey("faces"), second.taskSeconds().toString());
        assertFalse(second.taskSeconds().containsKey("brightness") || second.taskSeconds().containsKey("phash"),
                "brightness and phash did not run: " + second.taskSeconds());
        assertNotEquals(first.scoresVersion(), second.scoresVersion());
        Map<String, Row> after = byId(clips);
        for (String id : before.keySet()) {
            Row b = before.get(id), a = after.get(id);
            for (String c : UNTOUCHED) assertEquals(b.<Object>getAs(c), a.getAs(c), c + " of " + id + " untouched");
            assertEquals("laplacian_var_grey_w128", a.getAs("frame_sharpness_estimator"));
            assertEquals("laplacian_var_grey_face_64px", a.getAs("face_sharpness_estimator"), "faces ran again for sharpness");
            assertNotEquals(b.<Double>getAs("frame_sharpness"), a.<Double>getAs("frame_sharpness"), id);
            Map<String, String> vb = b.getJavaMap(b.fieldIndex("scorer_versions")), va = a.getJavaMap(a.fieldIndex("scorer_versions"));
            for (String s : List.of("faces", "brightness", "phash")) assertEquals(vb.get(s), va.get(s), s);
            assertNotEquals(vb.get("sharpness"), va.get("sharpness"));
            assertEquals(second.scoresVersion(), a.getAs("scores_version"));
        }

        // Nothing changed: nothing is scored and nothing committed.
        long v = DeltaTables.version(spark, clips);
        ScoreStage.Report third = run(clips, scorers, narrower);
        assertEquals(0, third.clipsScored());
        assertEquals(Map.of("faces", 0L, "sharpness", 0L, "brightness", 0L, "phash", 0L), third.clipsScoredByScorer());
        assertEquals(v, DeltaTables.version(spark, clips));

        // phash taken out: its columns stay, nothing is scored, the clips get the new combined version in one commit.
        ScoreStage.Report fourth = run(clips, "score.scorers=[faces, brightness, sharpness]", narrower);
        assertEquals(0, fourth.clipsScored());
        assertEquals(v + 1, DeltaTables.version(spark, clips));
        for (Row r : byId(clips).values()) {
            assertEquals(before.get(r.<String>getAs("clip_id")).<String>getAs("key_frame_phash"), r.getAs("key_frame_phash"));
            assertEquals(fourth.scoresVersion(), r.getAs("scores_version"));
        }
    }
}
