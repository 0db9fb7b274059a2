import dev.avcurate.core.ScoreColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * A synthetic clips table of n rows for the scale benchmark (bench/run scale): made by Spark
 * itself from spark.range (so the generator's driver never holds the rows either), with every
 * score column of the registry filled with seeded random values in its range, three random
 * key-frame hashes per clip, one clip in 100 a near copy of its neighbour (a few bits flipped)
 * and one in 500 an exact copy, 20 clips per source video. No media: uris point nowhere, which
 * the filter stage and the shard stage's planning never read.
 *
 * <p>Usage: ScaleBench output n
 */
public final class ScaleBench {
    public static void main(String[] args) {
        String out = args[0];
        long n = Long.parseLong(args[1]);
        SparkSession spark = SparkSession.builder().master("local[*]").appName("scale-gen").config("spark.ui.enabled", "false")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        long t0 = System.nanoTime();
        List<String> cols = new ArrayList<>(List.of(
                "substring(sha2(cast(id AS STRING), 256), 1, 16) AS clip_id",
                "substring(sha2(concat('v', cast(id div 20 AS STRING)), 256), 1, 16) AS video_id",
                "concat('file:/data/raw/', substring(sha2(concat('v', cast(id div 20 AS STRING)), 256), 1, 16), '.mp4') AS uri",
                "0 AS shot_index", "cast(id % 20 AS INT) AS clip_index",
                "cast(id % 20 AS DOUBLE) * 12 AS start_s",
                "cast(id % 20 AS DOUBLE) * 12 + 2 + 8 * rand(1) AS end_s",
                "CASE WHEN id % 3 = 0 THEN 1280 WHEN id % 3 = 1 THEN 720 ELSE 1920 END AS width",
                "CASE WHEN id % 3 = 0 THEN 720 WHEN id % 3 = 1 THEN 1280 ELSE 1080 END AS height",
                "25.0 AS fps", "true AS has_audio", "true AS keep", "CAST(array() AS ARRAY<STRING>) AS reject_reasons",
                // Three hashes; id % 100 = 1: the previous clip's with bits flipped; id % 500 = 7: the previous clip's exactly.
                "CASE WHEN id % 500 = 7 THEN id - 1 WHEN id % 100 = 1 THEN id - 1 ELSE id END AS __src",
                "CASE WHEN id % 100 = 1 THEN shiftleft(1L, cast(id % 61 AS INT)) ELSE 0L END AS __flip",
                "'synthetic' AS scores_version", "CAST(NULL AS STRING) AS score_error"));
        int seed = 10;
        for (ScoreColumns.Column c : ScoreColumns.COLUMNS) {
            String v;
            if (c.name().equals("key_frame_phash")) {
                v = "concat_ws(',', lpad(lower(hex(xxhash64(__src, 1) ^ __flip)), 16, '0'), lpad(lower(hex(xxhash64(__src, 2))), 16, '0'), "
                        + "lpad(lower(hex(xxhash64(__src, 3))), 16, '0'))";
            } else if (c.name().equals("camera_motion")) {
                v = "element_at(array('static', 'pan_left', 'pan_right', 'zoom_in', 'shaky'), cast(floor(rand(" + seed++ + ") * 5) AS INT) + 1)";
            } else if (!c.numeric()) {
                v = "CAST(NULL AS STRING)";
            } else if (c.min() != null && c.max() != null) {
                v = String.format(Locale.ROOT, "%s + (%s - %s) * pow(rand(%d), 0.5)", c.min(), c.max(), c.min(), seed++);
            } else if (c.name().equals("av_offset_frames")) {
                v = "round(randn(" + seed++ + ") * 4)";
            } else {
                v = "exp(3 + randn(" + seed++ + "))";
            }
            cols.add(v + " AS `" + c.name() + "`");
            cols.add("'synthetic' AS `" + c.name() + "_estimator`");
        }
        spark.range(0, n, 1, Math.max(8, (int) (n / 250_000))).selectExpr(cols.toArray(String[]::new))
                .selectExpr("*", "end_s - start_s AS duration_s").drop("__src", "__flip")
                .write().format("delta").mode("overwrite").save(out + "/tables/clips");
        System.err.printf(Locale.ROOT, "[scale] %d synthetic clips written to %s/tables/clips in %.1f s%n", n, out, (System.nanoTime() - t0) / 1e9);
        spark.stop();
    }
}
