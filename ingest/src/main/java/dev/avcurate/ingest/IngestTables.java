package dev.avcurate.ingest;

import static org.apache.spark.sql.types.DataTypes.*;

import dev.avcurate.ingest.IngestRecords.Clip;
import dev.avcurate.ingest.IngestRecords.Reject;
import dev.avcurate.ingest.IngestRecords.Video;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Schemas of the tables the ingest stage writes (SPEC §5) and the conversion of its records to rows. */
public final class IngestTables {
    private IngestTables() {}

    public static final String VIDEOS = "videos";
    public static final String CLIPS = "clips";
    public static final String REJECTS = "rejects";

    public static String path(String output, String table) {
        return output.replaceAll("/+$", "") + "/tables/" + table;
    }

    private static StructField f(String name, org.apache.spark.sql.types.DataType t, boolean nullable) {
        return createStructField(name, t, nullable);
    }

    public static final StructType VIDEOS_SCHEMA = createStructType(new StructField[] {
            f("video_id", StringType, false), f("uri", StringType, false), f("size_bytes", LongType, false),
            f("mtime_ms", LongType, false), f("status", StringType, false), f("reject_reason", StringType, true),
            f("container", StringType, true), f("duration_s", DoubleType, true), f("fps", DoubleType, true),
            f("vfr", BooleanType, true), f("width", IntegerType, true), f("height", IntegerType, true),
            f("coded_width", IntegerType, true), f("coded_height", IntegerType, true), f("rotation", IntegerType, true),
            f("video_codec", StringType, true), f("audio_codec", StringType, true), f("has_audio", BooleanType, true),
            f("audio_sample_rate", IntegerType, true), f("audio_channels", IntegerType, true), f("bit_rate", LongType, true),
            f("frames_decoded", LongType, true), f("corrupt_packets", LongType, true),
            f("decoded_duration_s", DoubleType, true), f("audio_duration_s", DoubleType, true),
            f("n_shots", IntegerType, true), f("n_clips", IntegerType, true)});

    public static final StructType CLIPS_SCHEMA = createStructType(new StructField[] {
            f("clip_id", StringType, false), f("video_id", StringType, false), f("uri", StringType, false),
            f("shot_index", IntegerType, false), f("clip_index", IntegerType, false),
            f("start_s", DoubleType, false), f("end_s", DoubleType, false), f("duration_s", DoubleType, false),
            f("width", IntegerType, false), f("height", IntegerType, false), f("fps", DoubleType, false),
            f("has_audio", BooleanType, false), f("keep", BooleanType, false),
            f("reject_reasons", createArrayType(StringType, false), false)});

    public static final StructType REJECTS_SCHEMA = createStructType(new StructField[] {
            f("reject_id", StringType, false), f("video_id", StringType, false), f("clip_id", StringType, true),
            f("uri", StringType, false), f("stage", StringType, false), f("reason", StringType, false),
            f("message", StringType, false), f("ffmpeg_message", StringType, false),
            f("start_s", DoubleType, true), f("end_s", DoubleType, true)});

    static Row row(Video v) {
        return RowFactory.create(v.videoId(), v.uri(), v.sizeBytes(), v.mtimeMs(), v.status(), v.rejectReason(),
                v.container(), v.durationS(), v.fps(), v.vfr(), v.width(), v.height(), v.codedWidth(), v.codedHeight(),
                v.rotation(), v.videoCodec(), v.audioCodec(), v.hasAudio(), v.audioSampleRate(), v.audioChannels(),
                v.bitRate(), v.framesDecoded(), v.corruptPackets(), v.decodedDurationS(), v.audioDurationS(),
                v.shots(), v.clips());
    }

    /** New clips start kept with no reasons: the filter stage decides from the scores. */
    static Row row(Clip c) {
        return RowFactory.create(c.clipId(), c.videoId(), c.uri(), c.shotIndex(), c.clipIndex(), c.startS(), c.endS(),
                c.durationS(), c.width(), c.height(), c.fps(), c.hasAudio(), true,
                scala.jdk.javaapi.CollectionConverters.asScala(List.<String>of()).toSeq());
    }

    static Row row(Reject r) {
        return RowFactory.create(r.rejectId(), r.videoId(), r.clipId(), r.uri(), r.stage(), r.reason(), r.message(),
                r.ffmpegMessage(), r.startS(), r.endS());
    }
}
