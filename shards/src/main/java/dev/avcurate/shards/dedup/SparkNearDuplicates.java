package dev.avcurate.shards.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import dev.avcurate.filters.scoring.PerceptualHash;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * {@link NearDuplicates}' rule, run as Spark joins so that no list of clips reaches the driver:
 * the same LSH tables (so the same candidate pairs), the same identical-hash collapse, the same
 * union of hash and caption edges, the same choice of representative. The driver holds the
 * parameters and a few counts.
 *
 * <ol>
 *   <li>Clips with identical hashes form one group (its id: the smallest clip id); a group of two
 *   or more is a duplicate cluster by itself.</li>
 *   <li>Each group emits one (table, key) row per LSH table; groups sharing a key are candidate
 *   pairs (a self-join; quadratic within a key, as in the driver version).</li>
 *   <li>Candidates at most {@code phashMaxBits} apart are hash edges; those up to
 *   {@code phashLooseBits} apart become caption edges between member clips whose VLM caption
 *   embeddings have a cosine of at least {@code captionMinCosine}.</li>
 *   <li>Connected components of the edges by min-label propagation (each round a join and a
 *   group-by over the edges only, never over all clips; rounds grow with a cluster's diameter,
 *   which is small for duplicates).</li>
 *   <li>Each component keeps its best clip: highest quality, NaN or null last, then the smallest
 *   clip id; the others are duplicates with their distance to it and their evidence.</li>
 * </ol>
 */
public final class SparkNearDuplicates {
    /** Columns of the input: clip_id, key_frame_phash (PerceptualHash format), quality (double, nullable), embedding (array of floats, nullable). */
    public static final List<String> INPUT = List.of("clip_id", "key_frame_phash", "quality", "embedding");

    /** Columns of the result: one row per clip to drop. */
    public static final StructType RESULT = new StructType().add("clip_id", DataTypes.StringType).add("duplicate_of", DataTypes.StringType)
            .add("distance_bits", DataTypes.IntegerType).add("cosine", DataTypes.DoubleType).add("evidence", DataTypes.StringType);

    private static final int MAX_ROUNDS = 64;

    private final NearDuplicates.Params params;

    public SparkNearDuplicates(NearDuplicates.Params params) {
        this.params = params;
    }

    /** Counts of the last {@link #find} call, for the stage report. */
    public record Stats(long groups, long candidatePairs, long hashEdges, long captionEdges, int rounds) {}

    private Stats stats;

    public Stats stats() {
        return stats;
    }

    /**
     * The duplicates among {@code items} (columns {@link #INPUT}); clips without a hash are never
     * duplicates. The result ({@link #RESULT}) is persisted; the caller unpersists it.
     */
    public Dataset<Row> find(SparkSession spark, Dataset<Row> items) {
        UserDefinedFunction distance = functions.udf((String a, String b) -> {
            long[] x = PerceptualHash.parse(a), y = PerceptualHash.parse(b);
            int d = 0;
            for (int k = 0; k < NearDuplicates.KEY_FRAMES; k++) d += Long.bitCount(x[k] ^ y[k]);
            return d;
        }, DataTypes.IntegerType);
        Dataset<Row> all = items.select(INPUT.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new))
                .filter("key_frame_phash IS NOT NULL AND trim(key_frame_phash) <> ''")
                .withColumn("quality", expr("CASE WHEN isnan(quality) THEN NULL ELSE quality END"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // 1. Identical hashes: one group, id = smallest clip id.
        Dataset<Row> groups = all.groupBy("key_frame_phash").agg(functions.min("clip_id").as("gid"), functions.count("*").as("members"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> member = all.join(groups.select("key_frame_phash", "gid", "members"), "key_frame_phash")
                .select("clip_id", "gid", "members", "key_frame_phash", "quality", "embedding").persist(StorageLevel.MEMORY_AND_DISK());

        // 2. LSH keys per group, candidate pairs by a self-join on (table, key).
        int[][] tables = new NearDuplicates(params).tables();
        StructType keySchema = new StructType().add("t", DataTypes.IntegerType).add("k", DataTypes.LongType).add("gid", DataTypes.StringType);
        Dataset<Row> keys = groups.select("gid", "key_frame_phash").mapPartitions(keysOf(tables), ExpressionEncoder.apply(keySchema));
        Dataset<Row> a = keys.as("a"), b = keys.as("b");
        Dataset<Row> pairs = a.join(b, col("a.t").equalTo(col("b.t")).and(col("a.k").equalTo(col("b.k"))).and(col("a.gid").lt(col("b.gid"))))
                .select(col("a.gid").as("ga"), col("b.gid").as("gb")).distinct();
        Dataset<Row> ha = groups.select(col("gid").as("ga"), col("key_frame_phash").as("pa"));
        Dataset<Row> hb = groups.select(col("gid").as("gb"), col("key_frame_phash").as("pb"));
        Dataset<Row> compared = pairs.join(ha, "ga").join(hb, "gb").withColumn("d", distance.apply(col("pa"), col("pb")))
                .select("ga", "gb", "d").persist(StorageLevel.MEMORY_AND_DISK());
        long candidates = compared.count();
        Dataset<Row> measured = compared.filter(col("d").leq(params.phashLooseBits()));

        // 3. Hash edges between groups; caption edges between clips of loosely matching groups.
        Dataset<Row> hashEdges = measured.filter(col("d").leq(params.phashMaxBits())).select(col("ga").as("src"), col("gb").as("dst"));
        Dataset<Row> withEmb = member.filter("embedding IS NOT NULL").select("clip_id", "gid", "embedding");
        Dataset<Row> ea = withEmb.select(col("clip_id").as("ca"), col("gid").as("ga"), col("embedding").as("ea"));
        Dataset<Row> eb = withEmb.select(col("clip_id").as("cb"), col("gid").as("gb"), col("embedding").as("eb"));
        Dataset<Row> captionEdges = measured.filter(col("d").gt(params.phashMaxBits())).join(ea, "ga").join(eb, "gb")
                .withColumn("cos", expr(COSINE.formatted("ea", "eb")))
                .filter(col("cos").geq(params.captionMinCosine())).select(col("ca").as("src"), col("cb").as("dst"));
        // A group's members are one cluster: edges from each member to the group id.
        Dataset<Row> memberEdges = member.filter("members > 1 AND clip_id <> gid").select(col("clip_id").as("src"), col("gid").as("dst"));
        Dataset<Row> edges = memberEdges.union(hashEdges).union(captionEdges).persist(StorageLevel.MEMORY_AND_DISK());
        long nHash = hashEdges.count(), nCaption = captionEdges.count();
        if (edges.isEmpty()) { // no duplicate at all: nothing to resolve
            stats = new Stats(groups.count(), candidates, 0, 0, 0);
            Dataset<Row> none = spark.createDataFrame(List.of(), RESULT).persist(StorageLevel.MEMORY_AND_DISK());
            for (Dataset<Row> d : List.of(all, groups, member, compared, edges)) d.unpersist();
            return none;
        }

        // 4. Connected components: label = smallest clip id reachable, by propagation over both directions.
        Dataset<Row> both = edges.union(edges.select(col("dst").as("src"), col("src").as("dst"))).distinct().persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> labels = both.groupBy("src").agg(functions.min("dst").as("label")).withColumnRenamed("src", "v")
                .select(col("v"), functions.least(col("label"), col("v")).as("label")).localCheckpoint();
        int rounds = 0;
        while (rounds < MAX_ROUNDS) {
            rounds++;
            Dataset<Row> next = both.join(labels.select(col("v").as("dst"), col("label").as("nl")), "dst")
                    .groupBy("src").agg(functions.min("nl").as("nl")).withColumnRenamed("src", "v")
                    .join(labels, "v").select(col("v"), functions.least(col("label"), col("nl")).as("label")).localCheckpoint();
            long changed = next.join(labels.select(col("v"), col("label").as("old")), "v").filter(col("label").notEqual(col("old"))).count();
            labels = next;
            if (changed == 0) break;
        }
        if (rounds == MAX_ROUNDS) throw new IllegalStateException("near-duplicate components did not converge in " + MAX_ROUNDS + " rounds");

        // 5. Representative per component; evidence per clip.
        Dataset<Row> clusters = labels.withColumnRenamed("v", "clip_id").join(member, "clip_id");
        Dataset<Row> phashGroups = groups.filter("members > 1").select("gid")
                .union(measured.filter(col("d").leq(params.phashMaxBits())).select(col("ga").as("gid")))
                .union(measured.filter(col("d").leq(params.phashMaxBits())).select(col("gb").as("gid"))).distinct()
                .withColumn("phash_evidence", functions.lit(true));
        Dataset<Row> ranked = clusters.withColumn("rank", expr("row_number() OVER (PARTITION BY label ORDER BY quality DESC NULLS LAST, clip_id)"));
        Dataset<Row> reps = ranked.filter("rank = 1").select(col("label"), col("clip_id").as("rep"), col("key_frame_phash").as("rep_phash"),
                col("embedding").as("rep_emb"));
        Dataset<Row> result = ranked.filter("rank > 1").join(reps, "label").join(phashGroups, ranked.col("gid").equalTo(phashGroups.col("gid")), "left")
                .select(col("clip_id"), col("rep").as("duplicate_of"), distance.apply(col("key_frame_phash"), col("rep_phash")).as("distance_bits"),
                        expr("CASE WHEN embedding IS NULL OR rep_emb IS NULL THEN CAST('NaN' AS DOUBLE) ELSE " + COSINE.formatted("embedding", "rep_emb")
                                + " END").as("cosine"),
                        expr("CASE WHEN phash_evidence THEN '" + NearDuplicates.PHASH + "' ELSE '" + NearDuplicates.PHASH_CAPTION + "' END").as("evidence"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        result.count();
        stats = new Stats(groups.count(), candidates, nHash, nCaption, rounds);
        for (Dataset<Row> d : List.of(all, groups, member, compared, edges, both)) d.unpersist();
        return result;
    }

    /** One (table, key, group id) row per LSH table of each group (static: the function must not capture this). */
    private static MapPartitionsFunction<Row, Row> keysOf(int[][] tables) {
        return it -> new Iterator<>() {
            Row cur;
            long[] h;
            int t = tables.length;

            @Override
            public boolean hasNext() {
                return t < tables.length || it.hasNext();
            }

            @Override
            public Row next() {
                if (t == tables.length) {
                    cur = it.next();
                    h = PerceptualHash.parse(cur.getString(1));
                    t = 0;
                }
                int table = t++;
                return RowFactory.create(table, NearDuplicates.key(h, tables[table]), cur.getString(0));
            }
        };
    }

    /** Cosine of two float arrays in Spark SQL (%1$s, %2$s: the columns). */
    private static final String COSINE = "aggregate(zip_with(%1$s, %2$s, (x, y) -> CAST(x AS DOUBLE) * y), CAST(0 AS DOUBLE), (s, v) -> s + v)"
            + " / sqrt(aggregate(transform(%1$s, x -> CAST(x AS DOUBLE) * x), CAST(0 AS DOUBLE), (s, v) -> s + v)"
            + " * aggregate(transform(%2$s, x -> CAST(x AS DOUBLE) * x), CAST(0 AS DOUBLE), (s, v) -> s + v))";
}
