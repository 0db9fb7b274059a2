package dev.avcurate.ingest;

import java.io.Serializable;
import java.util.List;

/** The rows the ingest stage produces, as plain records (the Spark schemas are in {@link IngestTables}). */
public final class IngestRecords {
    private IngestRecords() {}

    /** One input file as listed: its URI, size and modification time identify the work. */
    public record Input(String videoId, String uri, long sizeBytes, long mtimeMs) implements Serializable {}

    /** A row of the {@code videos} table: every input gets one, ingested or rejected. */
    public record Video(String videoId, String uri, long sizeBytes, long mtimeMs, String status, String rejectReason,
                        String container, Double durationS, Double fps, Boolean vfr, Integer width, Integer height,
                        Integer codedWidth, Integer codedHeight, Integer rotation, String videoCodec, String audioCodec,
                        Boolean hasAudio, Integer audioSampleRate, Integer audioChannels, Long bitRate,
                        Long framesDecoded, Long corruptPackets, Double decodedDurationS, Double audioDurationS,
                        Integer shots, Integer clips) implements Serializable {}

    /** A row of the {@code clips} table. */
    public record Clip(String clipId, String videoId, String uri, int shotIndex, int clipIndex, double startS, double endS,
                       double durationS, int width, int height, double fps, boolean hasAudio) implements Serializable {}

    /** A row of the {@code rejects} table: a video or a piece of one, with a stable reason and FFmpeg's message. */
    public record Reject(String rejectId, String videoId, String clipId, String uri, String stage, String reason,
                         String message, String ffmpegMessage, Double startS, Double endS) implements Serializable {}

    /** Everything one video produced. */
    public record Result(Video video, List<Clip> clips, List<Reject> rejects) implements Serializable {}
}
