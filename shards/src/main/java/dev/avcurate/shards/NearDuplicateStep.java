package dev.avcurate.shards;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.filters.scoring.PerceptualHash;
import dev.avcurate.shards.dedup.NearDuplicates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Near-duplicate removal over the kept clips, on the driver: the stored key-frame hashes, the
 * quality score that picks the copy to keep, and the embeddings of VLM captions as supporting
 * evidence. A clip already in a shard is always the copy kept (a shard is never rewritten).
 */
final class NearDuplicateStep {
    static final String PHASH_COLUMN = "key_frame_phash";

    private final SparkSession spark;
    private final CurateConfig cfg;

    NearDuplicateStep(SparkSession spark, CurateConfig cfg) {
        this.spark = spark;
        this.cfg = cfg;
    }

    /** Duplicate clip id to {representative id, evidence}. */
    Map<String, String[]> find(Dataset<Row> kept, String captionsPath, Set<String> sharded) {
        List<String> have = List.of(kept.columns());
        String q = cfg.get(SHARDS_QUALITY_SCORE);
        Map<String, float[]> embeddings = new HashMap<>();
        if (DeltaTables.exists(spark, captionsPath)) {
            for (Row r : spark.read().format("delta").load(captionsPath)
                    .filter("status = 'ok' AND estimator = 'vlm' AND embedding IS NOT NULL")
                    .selectExpr("clip_id", "embedding", "row_number() OVER (PARTITION BY clip_id ORDER BY captioned_at DESC) AS n")
                    .filter("n = 1").collectAsList()) {
                List<Float> l = r.getList(1);
                float[] e = new float[l.size()];
                for (int i = 0; i < e.length; i++) e[i] = l.get(i);
                embeddings.put(r.getString(0), e);
            }
        }
        List<NearDuplicates.Item> items = new ArrayList<>();
        for (Row r : kept.selectExpr("clip_id", PHASH_COLUMN, have.contains(q) ? "`" + q + "`" : "CAST(NULL AS DOUBLE)")
                .filter(PHASH_COLUMN + " IS NOT NULL").collectAsList()) {
            String id = r.getString(0);
            double quality = sharded.contains(id) ? Double.MAX_VALUE : r.isNullAt(2) ? Double.NaN : r.getDouble(2);
            items.add(new NearDuplicates.Item(id, PerceptualHash.parse(r.getString(1)), embeddings.get(id), quality));
        }
        NearDuplicates nd = new NearDuplicates(NearDuplicates.Params.DEFAULTS.withThresholds(cfg.get(SHARDS_DEDUP_PHASH_BITS),
                cfg.get(SHARDS_DEDUP_PHASH_LOOSE_BITS), cfg.get(SHARDS_DEDUP_CAPTION_COSINE)));
        Map<String, String[]> out = new HashMap<>();
        for (NearDuplicates.Duplicate d : nd.find(items)) {
            // A sharded clip is never removed (it cannot leave its shard); it only keeps others out.
            if (sharded.contains(d.clipId())) continue;
            String evidence = Double.isNaN(d.cosine()) ? String.format(Locale.ROOT, "%s, %d bits", d.evidence(), d.distanceBits())
                    : String.format(Locale.ROOT, "%s, %d bits, caption cosine %.3f", d.evidence(), d.distanceBits(), d.cosine());
            out.put(d.clipId(), new String[] {d.duplicateOf(), evidence});
        }
        return out;
    }
}
