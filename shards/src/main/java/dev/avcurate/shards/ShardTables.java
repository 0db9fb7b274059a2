package dev.avcurate.shards;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The Delta table {@code shards}: one row per complete shard file; the source of {@code shards/index.tsv}. */
public final class ShardTables {
    private ShardTables() {}

    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("bucket", DataTypes.StringType, false)
            .add("rows", DataTypes.LongType, false)
            .add("bytes", DataTypes.LongType, false)
            .add("sha256", DataTypes.StringType, false)
            .add("clip_ids", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("created_at", DataTypes.TimestampType, false);

    public static String tablePath(String output) {
        return output.replaceAll("/+$", "") + "/tables/shards";
    }

    /** The Delta table {@code shard_plan} that {@code shards.plan_only} writes: clip_id, video_id, split, bucket, frames, slice, sft_criteria. */
    public static String planPath(String output) {
        return output.replaceAll("/+$", "") + "/tables/shard_plan";
    }

    public static String shardsDir(String output) {
        return output.replaceAll("/+$", "") + "/shards";
    }
}
