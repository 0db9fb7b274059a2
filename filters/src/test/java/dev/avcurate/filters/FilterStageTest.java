package dev.avcurate.filters;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thresholds over stored scores: known decisions, a rerun that changes nothing, a moved threshold. */
@Tag("slow") // a SparkSession and Delta commits: about a minute
class FilterStageTest {
    @TempDir static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("filters-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static final String RULES = """
            filter:
              rules:
                - {score: brightness_mean, op: ">=", value: 35, reason: too_dark}
                - {score: face_sharpness, op: ">=", value: 40, reason: blurry_face}
                - {score: camera_motion, op: "!=", value: shaky, reason: shaky_camera}
                - {score: speech_ratio, op: ">=", value: 0.2, reason: no_speech}
            """;

    String table(String name) {
        String path = dir.resolve(name).toString();
        spark.sql("SELECT * FROM VALUES "
                + "('a', 120.0, 80.0, 'static', true, array()),"
                + "('b', 20.0, 80.0, 'pan_left', true, array()),"
                + "('c', 20.0, 10.0, 'shaky', true, array()),"
                + "('d', 90.0, CAST(NULL AS DOUBLE), 'static', true, array()),"
                + "('e', 36.0, 39.9, 'zoom_in', true, array())"
                + " AS t(clip_id, brightness_mean, face_sharpness, camera_motion, keep, reject_reasons)")
                .selectExpr("clip_id", "brightness_mean", "face_sharpness", "camera_motion", "keep",
                        "CAST(reject_reasons AS ARRAY<STRING>) AS reject_reasons")
                .write().format("delta").save(path);
        return path;
    }

    static Map<String, List<String>> decisions(String path) {
        return spark.read().format("delta").load(path).collectAsList().stream().collect(Collectors.toMap(
                r -> r.getString(0), r -> r.<String>getList(r.fieldIndex("reject_reasons"))));
    }

    FilterStage.Report run(String path, CurateConfig cfg) {
        return new FilterStage(spark, cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run(path);
    }

    @Test
    void rulesGiveKnownDecisionsAndNullScoresPass() {
        String path = table("t1");
        FilterStage.Report r = run(path, CurateConfig.parse(RULES, "rules.yaml"));
        Map<String, List<String>> d = decisions(path);
        assertEquals(List.of(), d.get("a"));
        assertEquals(List.of("too_dark"), d.get("b"));
        assertEquals(List.of("too_dark", "blurry_face", "shaky_camera"), d.get("c"));
        assertEquals(List.of(), d.get("d"), "a null face_sharpness passes");
        assertEquals(List.of("blurry_face"), d.get("e"));
        for (Row row : spark.read().format("delta").load(path).collectAsList()) {
            assertEquals(row.<String>getList(row.fieldIndex("reject_reasons")).isEmpty(), row.getBoolean(row.fieldIndex("keep")));
        }
        assertEquals(5, r.clipsIn());
        assertEquals(2, r.kept());
        assertEquals(Map.of("brightness_mean >= 35.0 -> too_dark", 2L, "face_sharpness >= 40.0 -> blurry_face", 2L,
                "camera_motion != shaky -> shaky_camera", 1L), r.failingByRule(), "speech_ratio has no column: skipped");
    }

    @Test
    void rerunningChangesNothingAndAMovedThresholdRewritesOnlyTheClipsItMoves() {
        String path = table("t2");
        CurateConfig cfg = CurateConfig.parse(RULES, "rules.yaml");
        run(path, cfg);
        Map<String, List<String>> first = decisions(path);
        long v = DeltaTables.version(spark, path);
        FilterStage.Report again = run(path, cfg);
        assertEquals(0, again.changed());
        assertEquals(first, decisions(path));
        assertTrue(DeltaTables.version(spark, path) <= v + 1, "at most an empty commit");
        FilterStage.Report moved = run(path, cfg.withOverrides(List.of()).withOverrides(List.of(
                "filter.rules=[{score: brightness_mean, op: '>=', value: 35, reason: too_dark}, "
                        + "{score: face_sharpness, op: '>=', value: 30, reason: blurry_face}]")));
        Map<String, List<String>> after = decisions(path);
        assertEquals(List.of(), after.get("e"), "39.9 now passes 30");
        assertEquals(List.of("too_dark", "blurry_face"), after.get("c"), "shaky rule removed");
        assertEquals(2, moved.changed(), "only c and e change");
    }

    @Test
    void keptClipsWithASmallOffsetGetTheirAudioShift() {
        String path = dir.resolve("sync").toString();
        spark.sql("SELECT * FROM VALUES "
                + "('in_sync', 0.0, 0.6, true, array()),"
                + "('late4', 4.0, 0.6, true, array()),"
                + "('early3', -3.0, 0.5, true, array()),"
                + "('late10', 10.0, 0.7, true, array()),"
                + "('unsure', 2.0, 0.1, true, array()),"
                + "('silent', CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), true, array())"
                + " AS t(clip_id, av_offset_frames, av_sync_confidence, keep, reject_reasons)")
                .selectExpr("clip_id", "av_offset_frames", "av_sync_confidence", "keep",
                        "CAST(reject_reasons AS ARRAY<STRING>) AS reject_reasons")
                .write().format("delta").save(path);
        CurateConfig cfg = CurateConfig.parse("""
                filter:
                  rules:
                    - {score: av_sync_confidence, op: ">=", value: 0.25, reason: out_of_sync}
                    - {score: av_offset_frames, op: ">=", value: -6, reason: out_of_sync}
                    - {score: av_offset_frames, op: "<=", value: 6, reason: out_of_sync}
                  audio_fixup_max_frames: 6   # LatentSync's value (the built-in default is 0, off)
                """, "sync.yaml");
        run(path, cfg);
        Map<String, Double> shift = spark.read().format("delta").load(path).collectAsList().stream().collect(Collectors.toMap(
                r -> r.getString(0), r -> r.getDouble(r.fieldIndex("audio_shift_s"))));
        assertEquals(0.0, shift.get("in_sync"), 1e-12);
        assertEquals(0.16, shift.get("late4"), 1e-12, "4 frames at 25 fps: the shards play the audio 0.16 s earlier");
        assertEquals(-0.12, shift.get("early3"), 1e-12);
        assertEquals(0.0, shift.get("late10"), 1e-12, "rejected (out_of_sync): no fix-up");
        assertEquals(0.0, shift.get("unsure"), 1e-12, "not confident: rejected, no fix-up");
        assertEquals(0.0, shift.get("silent"), 1e-12);
        assertEquals(List.of("out_of_sync"), decisions(path).get("late10"));
        // No fix-up when it is switched off; only the rows whose shift changes are rewritten.
        FilterStage.Report off = run(path, cfg.withOverrides(List.of("filter.audio_fixup_max_frames=0")));
        assertEquals(2, off.changed(), "late4 and early3 go back to 0");
    }
}
