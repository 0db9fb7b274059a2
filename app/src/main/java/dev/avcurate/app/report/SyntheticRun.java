package dev.avcurate.app.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.FilterStage;
import dev.avcurate.ingest.IngestTables;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A synthetic run for the report's benchmark and tests: a clips table of {@code n} clips with
 * seeded random scores (some missing, a few failed), decided by the real filter stage under
 * {@link #RULES}, and a run-summary.json naming those rules. No media, except that the first
 * clips may point at a given video (for thumbnails).
 */
public final class SyntheticRun {
    private SyntheticRun() {}

    /** The rules, as a config's filter.rules: three numeric ones and a label one. */
    public static final String RULES = "[{score: face_frames_ratio, op: \">=\", value: 0.5, reason: no_face},"
            + " {score: motion_mean, op: \"<=\", value: 60, reason: chaotic_motion},"
            + " {score: av_sync_confidence, op: \">=\", value: 0.1, reason: out_of_sync},"
            + " {score: camera_motion, op: \"!=\", value: \"shaky\", reason: shaky_camera}]";

    static final String[] NUMERIC = {"face_frames_ratio", "motion_mean", "av_sync_confidence", "speech_ratio", "face_sharpness"};
    static final String[] MOTION = {"static", "pan_left", "pan_right", "zoom_in", "shaky"};

    /**
     * @param media a video for the first {@code mediaClips} clips (their thumbnails), or null
     * @return the config the table was filtered with
     */
    public static CurateConfig write(SparkSession spark, String output, int n, long seed, String media, int mediaClips, PrintStream log) throws IOException {
        StructType schema = IngestTables.CLIPS_SCHEMA;
        for (String s : NUMERIC) schema = schema.add(s, DataTypes.DoubleType, true).add(s + "_estimator", DataTypes.StringType, true);
        schema = schema.add("camera_motion", DataTypes.StringType, true).add("camera_motion_estimator", DataTypes.StringType, true)
                .add("subtitle_text", DataTypes.StringType, true).add("subtitle_text_estimator", DataTypes.StringType, true)
                .add("score_error", DataTypes.StringType, true);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean real = media != null && i < mediaClips;
            double start = real ? i % 3 : rnd.nextDouble() * 600;
            double len = real ? 1.0 : 2 + rnd.nextDouble() * 8;
            List<Object> v = new ArrayList<>(List.of(String.format("clip%07d", i), "video" + (i / 5), real ? media : "file:/data/videos/batch" + (i % 7) + "/v" + (i / 5) + ".mp4",
                    0, i % 5, start, start + len, len, i % 3 == 0 ? 1280 : 1920, i % 3 == 0 ? 720 : 1080, 25.0, true, true,
                    scala.jdk.javaapi.CollectionConverters.asScala(List.<String>of()).toSeq()));
            double[] vals = {Math.sqrt(rnd.nextDouble()), Math.exp(2.5 + rnd.nextGaussian() * 0.9), 0.4 + rnd.nextGaussian() * 0.25, rnd.nextDouble(),
                    Math.exp(5 + rnd.nextGaussian())};
            for (double d : vals) {
                boolean missing = rnd.nextDouble() < 0.05;
                v.add(missing ? null : d);
                v.add(missing ? null : "synthetic");
            }
            v.add(MOTION[rnd.nextInt(MOTION.length)]);
            v.add("synthetic");
            v.add(i % 97 == 0 ? "SUBSCRIBE <b>now</b>" : null);
            v.add("synthetic");
            v.add(rnd.nextDouble() < 0.01 ? "decode_error: synthetic" : null);
            rows.add(RowFactory.create(v.toArray()));
        }
        String clips = IngestTables.path(output, IngestTables.CLIPS);
        spark.createDataFrame(rows, schema).repartition(Math.max(1, n / 200_000)).write().format("delta").mode("overwrite").save(clips);
        CurateConfig cfg = CurateConfig.defaults().withOverrides(List.of("filter.rules=" + RULES));
        new FilterStage(spark, cfg, log).run(clips);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("config_source", "synthetic (SyntheticRun, seed " + seed + ")");
        summary.put("finished_at", java.time.Instant.now().toString());
        summary.put("stages", Map.of("ingest", Map.of("videos_listed", (n + 4) / 5, "videos_rejected", 0, "clips", n, "seconds", 0.0)));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (var r : cfg.get(dev.avcurate.core.config.CurateKeys.FILTER_RULES)) {
            rules.add(Map.of("score", r.score(), "op", r.op(), "value", r.value(), "reason", r.reason()));
        }
        summary.put("config", Map.of("filter.rules", rules));
        Files.createDirectories(Path.of(output));
        Files.writeString(Path.of(output, "run-summary.json"), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary));
        return cfg;
    }
}
