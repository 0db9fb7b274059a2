package dev.avcurate.shards;

import dev.avcurate.core.spark.DeltaTables;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The caption a clip's shard row carries: of its ok captions that pass the checks, a VLM caption
 * before a composed one, then the newest.
 *
 * @param embedding null when the caption has none
 */
record CaptionPick(String caption, String estimator, float[] embedding) implements java.io.Serializable {

    static Map<String, CaptionPick> best(SparkSession spark, String captionsPath) {
        Map<String, CaptionPick> out = new HashMap<>();
        if (!DeltaTables.exists(spark, captionsPath)) return out;
        Dataset<Row> c = spark.read().format("delta").load(captionsPath).filter("status = 'ok' AND caption_keep");
        for (Row r : c.selectExpr("clip_id", "caption", "estimator", "embedding",
                "row_number() OVER (PARTITION BY clip_id ORDER BY CASE WHEN estimator = 'vlm' THEN 0 ELSE 1 END, captioned_at DESC) AS n")
                .filter("n = 1").collectAsList()) {
            float[] e = null;
            if (!r.isNullAt(3)) {
                List<Float> l = r.getList(3);
                e = new float[l.size()];
                for (int i = 0; i < e.length; i++) e[i] = l.get(i);
            }
            out.put(r.getString(0), new CaptionPick(r.getString(1), r.getString(2), e));
        }
        return out;
    }
}
