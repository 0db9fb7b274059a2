package dev.avcurate.shards;

import dev.avcurate.core.spark.DeltaTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The caption a clip's shard row carries: of its ok captions that pass the checks, a VLM caption
 * before a composed one, then the newest.
 */
final class CaptionPick {
    private CaptionPick() {}

    /**
     * The pick as a DataFrame (c_clip_id, caption, caption_estimator, caption_embedding), one row
     * per captioned clip, or null when there is no captions table.
     */
    static Dataset<Row> frame(SparkSession spark, String captionsPath) {
        if (!DeltaTables.exists(spark, captionsPath)) return null;
        return spark.read().format("delta").load(captionsPath).filter("status = 'ok' AND caption_keep")
                .selectExpr("clip_id AS c_clip_id", "caption", "estimator AS caption_estimator", "embedding AS caption_embedding",
                        "row_number() OVER (PARTITION BY clip_id ORDER BY CASE WHEN estimator = 'vlm' THEN 0 ELSE 1 END, captioned_at DESC) AS n")
                .filter("n = 1").drop("n");
    }
}
