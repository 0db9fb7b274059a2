package dev.avcurate.captioning;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code captions} table: one row per (clip, model, prompt version), keyed by
 * {@code caption_key}. {@code status} is ok or failed; a failed row keeps its reason in
 * {@code error_code} / {@code error} and is asked for again by the next run. {@code raw_caption}
 * is the server's text exactly as it came; {@code caption} is that text with boilerplate openings
 * stripped, nothing else changed (markup and control characters are data, never interpreted).
 */
public final class CaptionTables {
    private CaptionTables() {}

    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public static final StructType SCHEMA = new StructType()
            .add("caption_key", DataTypes.StringType, false)
            .add("clip_id", DataTypes.StringType, false)
            .add("video_id", DataTypes.StringType, true)
            .add("model", DataTypes.StringType, false)
            .add("prompt_version", DataTypes.StringType, false)
            .add("estimator", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false)
            .add("error_code", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true)
            .add("caption", DataTypes.StringType, true)
            .add("raw_caption", DataTypes.StringType, true)
            .add("finish_reason", DataTypes.StringType, true)
            .add("checks", DataTypes.createArrayType(DataTypes.StringType), true)
            .add("caption_keep", DataTypes.BooleanType, false)
            .add("checks_version", DataTypes.StringType, true)
            .add("language", DataTypes.StringType, true)
            .add("word_count", DataTypes.IntegerType, true)
            .add("shot_size", DataTypes.StringType, true)
            .add("camera_motion", DataTypes.StringType, true)
            .add("people", DataTypes.IntegerType, true)
            .add("speakers", DataTypes.IntegerType, true)
            .add("has_text", DataTypes.BooleanType, true)
            .add("lighting", DataTypes.StringType, true)
            .add("frames", DataTypes.IntegerType, true)
            .add("frame_width", DataTypes.IntegerType, true)
            .add("frame_height", DataTypes.IntegerType, true)
            .add("prompt_tokens", DataTypes.LongType, true)
            .add("completion_tokens", DataTypes.LongType, true)
            .add("attempts", DataTypes.IntegerType, false)
            .add("latency_s", DataTypes.DoubleType, true)
            .add("request_s", DataTypes.DoubleType, true)
            .add("http_status", DataTypes.IntegerType, true)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType), true)
            .add("embedding_model", DataTypes.StringType, true)
            .add("captioned_at", DataTypes.TimestampType, false);

    public static String path(String output) {
        return output.replaceAll("/+$", "") + "/tables/captions";
    }
}
