package dev.avcurate.shards;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.shards.dedup.NearDuplicates;
import dev.avcurate.shards.dedup.SparkNearDuplicates;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Near-duplicate removal over the kept clips, as Spark joins ({@link SparkNearDuplicates}): the
 * stored key-frame hashes, the quality score that picks the copy to keep, and the embeddings of VLM
 * captions as supporting evidence. A clip already in a shard is always the copy kept (a shard is
 * never rewritten).
 */
final class NearDuplicateStep {
    static final String PHASH_COLUMN = "key_frame_phash";

    private final SparkSession spark;
    private final CurateConfig cfg;
    private final PrintStream log;

    NearDuplicateStep(SparkSession spark, CurateConfig cfg, PrintStream log) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
    }

    /** The kept clips to drop: clip_id, duplicate_of, evidence_text; persisted (the caller unpersists). */
    Dataset<Row> find(Dataset<Row> kept, String captionsPath, Dataset<Row> sharded) {
        List<String> have = List.of(kept.columns());
        String q = cfg.get(SHARDS_QUALITY_SCORE);
        Dataset<Row> items = kept.selectExpr("clip_id", PHASH_COLUMN, have.contains(q) ? "`" + q + "` AS quality" : "CAST(NULL AS DOUBLE) AS quality");
        // A sharded clip can never leave its shard: it wins every cluster it is in.
        items = items.join(sharded.selectExpr("clip_id AS s_id", "true AS in_shard"), items.col("clip_id").equalTo(functions.col("s_id")), "left")
                .selectExpr("clip_id", PHASH_COLUMN, "CASE WHEN in_shard THEN CAST(1.7976931348623157E308 AS DOUBLE) ELSE quality END AS quality");
        if (captionsPath != null && DeltaTables.exists(spark, captionsPath)) {
            Dataset<Row> emb = spark.read().format("delta").load(captionsPath)
                    .filter("status = 'ok' AND estimator = 'vlm' AND embedding IS NOT NULL")
                    .selectExpr("clip_id AS e_id", "embedding", "row_number() OVER (PARTITION BY clip_id ORDER BY captioned_at DESC) AS n")
                    .filter("n = 1");
            items = items.join(emb, items.col("clip_id").equalTo(emb.col("e_id")), "left").select("clip_id", PHASH_COLUMN, "quality", "embedding");
        } else {
            items = items.selectExpr("*", "CAST(NULL AS ARRAY<FLOAT>) AS embedding");
        }
        NearDuplicates.Params p = new NearDuplicates.Params(cfg.get(SHARDS_DEDUP_PHASH_BITS), cfg.get(SHARDS_DEDUP_PHASH_LOOSE_BITS),
                cfg.get(SHARDS_DEDUP_CAPTION_COSINE), cfg.get(SHARDS_DEDUP_LSH_TABLES), cfg.get(SHARDS_DEDUP_LSH_BITS));
        SparkNearDuplicates nd = new SparkNearDuplicates(p);
        Dataset<Row> found = nd.find(spark, items);
        SparkNearDuplicates.Stats st = nd.stats();
        log.printf(Locale.ROOT, "[shard] near-duplicates: %d distinct hashes, %d candidate pairs from %d LSH tables of %d bits, %d hash and %d caption "
                        + "links, %d rounds; chance to compare a pair 12 / 24 / 48 bits apart: %.4f / %.4f / %.4f%n", st.groups(), st.candidatePairs(),
                p.lshTables(), p.lshBitsPerTable(), st.hashEdges(), st.captionEdges(), st.rounds(), p.candidateProbability(12),
                p.candidateProbability(24), p.candidateProbability(48));
        // A sharded clip is never removed (it cannot leave its shard); it only keeps others out.
        Dataset<Row> out = found.join(sharded, found.col("clip_id").equalTo(sharded.col("clip_id")), "left_anti")
                .selectExpr("clip_id", "duplicate_of", "CASE WHEN isnan(cosine) THEN format_string('%s, %d bits', evidence, distance_bits) "
                        + "ELSE format_string('%s, %d bits, caption cosine %.3f', evidence, distance_bits, cosine) END AS evidence_text")
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        out.count();
        found.unpersist();
        return out;
    }
}
