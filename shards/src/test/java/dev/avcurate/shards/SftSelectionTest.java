package dev.avcurate.shards;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.ConfigException;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** SFT criteria: checked against the clips columns and the scores' declared ranges before any Spark work, and applied in SQL. */
class SftSelectionTest {
    static final List<String> NOT_PROFILES = List.of("models.yaml", "caption_prompt.yaml");

    static List<Path> profiles() throws Exception {
        Path root = Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf");
        try (var files = Files.list(root)) {
            // conf/train-*.yaml are the trainer's configs, not pipeline profiles
            return files.filter(f -> f.toString().endsWith(".yaml") && !NOT_PROFILES.contains(f.getFileName().toString())
                    && !f.getFileName().toString().startsWith("train-")).sorted().toList();
        }
    }

    @Test
    void everyShippedProfilesCriteriaNameKnownColumnsAndCanHold() throws Exception {
        List<Path> profiles = profiles();
        assertTrue(profiles.size() >= 3, profiles.toString());
        for (Path p : profiles) {
            CurateConfig cfg = CurateConfig.load(p);
            // The check the CLI runs before Spark starts: unknown columns and thresholds outside a score's range stop it.
            ShardStage.check(cfg);
            for (String c : cfg.get(CurateKeys.SHARDS_SFT_CRITERIA)) {
                SftSelection.check(c.substring(0, c.indexOf(':')).trim(), c.substring(c.indexOf(':') + 1).trim(), p.toString());
            }
        }
    }

    @Test
    void aThresholdOutsideTheScoresRangeIsAConfigErrorNamingKeyAndFile() {
        // quality_technical is 0..1 (BRISQUE as (100 - BRISQUE) / 100, or DOVER): ">= 55" was the default and never held.
        ConfigException e = assertThrows(ConfigException.class, () -> ShardStage.check(CurateConfig.parse("""
                shards:
                  sft:
                    criteria: ["high_fidelity: quality_technical >= 55 AND face_sharpness >= 60", "fine_motion: motion_mean >= 1.5"]
                """, "conf/x.yaml")));
        assertTrue(e.getMessage().startsWith("conf/x.yaml: shards.sft.criteria: high_fidelity:"), e.getMessage());
        assertTrue(e.getMessage().contains("quality_technical lies in 0..1"), e.getMessage());
        // Either way round, and equality too; a threshold inside the range passes.
        assertThrows(ConfigException.class, () -> SftSelection.check("a", "1.5 < speech_ratio", "f.yaml"));
        assertThrows(ConfigException.class, () -> SftSelection.check("a", "brightness_mean = 300", "f.yaml"));
        assertThrows(ConfigException.class, () -> SftSelection.check("a", "quality_aesthetic <= 0.5", "f.yaml"));
        SftSelection.check("a", "quality_technical >= 0.55 AND 0.2 < speech_ratio AND av_offset_frames >= -6", "f.yaml");
    }

    @Test
    void aMisspeltColumnIsAConfigErrorNamingTheKeyTheFileAndTheColumn() {
        ConfigException e = assertThrows(ConfigException.class, () -> ShardStage.check(CurateConfig.parse("""
                shards:
                  sft:
                    criteria: ["multi_person: max_face >= 2"]
                """, "conf/x.yaml")));
        assertEquals("conf/x.yaml: shards.sft.criteria: multi_person: 'max_face >= 2': unknown column 'max_face': neither a clips "
                + "column nor a score (did you mean 'max_faces'?)", e.getMessage());
        // Clips columns, estimator columns, lambda variables and scores whose scorer may not run are all known names.
        SftSelection.check("ok", "identity_count >= 2 OR exists(reject_reasons, r -> r = 'x') OR camera_motion_estimator IS NULL "
                + "OR duration_s > 3 OR audio_shift_s = 0", "f.yaml");
        assertThrows(ConfigException.class, () -> SftSelection.check("bad", "max_faces >=", "f.yaml"), "not SQL");
    }

    @Test
    @Tag("slow")
    void theDefaultCriteriaSelectAClipWithPlausibleScoresAndKnownAbsentScoresAreMetByNoClip() {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("sft-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "1").getOrCreate();
        try {
            StructType schema = new StructType().add("clip_id", DataTypes.StringType).add("video_id", DataTypes.StringType)
                    .add("quality_technical", DataTypes.DoubleType).add("face_sharpness", DataTypes.DoubleType)
                    .add("motion_mean", DataTypes.DoubleType).add("camera_motion", DataTypes.StringType)
                    .add("max_faces", DataTypes.DoubleType).add("speaker_count", DataTypes.DoubleType);
            // One talking head, static camera, fine motion, a clean sharp picture (BRISQUE 25 -> 0.75): high_fidelity + fine_motion.
            Dataset<Row> clips = spark.createDataFrame(List.of(
                    RowFactory.create("good", "v1", 0.75, 150.0, 4.0, "static", 1.0, 1.0),
                    RowFactory.create("blurry", "v2", 0.30, 20.0, 4.0, "static", 1.0, 1.0)), schema);
            CurateConfig cfg = CurateConfig.defaults();
            SftSelection sft = new SftSelection(cfg.get(CurateKeys.SHARDS_SFT_CRITERIA), cfg.get(CurateKeys.SHARDS_SFT_MIN_CRITERIA),
                    1.0, cfg.get(CurateKeys.SHARDS_QUALITY_SCORE), cfg.source());
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            List<Row> out = sft.select(clips, cfg.source(), new PrintStream(log, true, StandardCharsets.UTF_8))
                    .select("clip_id", "split", "sft_criteria").orderBy("clip_id").collectAsList();
            assertEquals("blurry", out.get(0).getString(0));
            assertEquals("pretrain", out.get(0).getString(1));
            assertEquals("good", out.get(1).getString(0));
            assertEquals("sft", out.get(1).getString(1), "criteria met: " + out.get(1).getList(2));
            assertEquals(List.of("fine_motion", "high_fidelity"), out.get(1).getList(2));
            // max_people's scorer did not run here (no column): multi_person still works from max_faces, one log line says so.
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("SFT criterion multi_person is met by no clip"), log.toString());
        } finally {
            spark.stop();
        }
    }
}
