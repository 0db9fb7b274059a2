package dev.avcurate.ingest.media;

/**
 * A media file could not be probed or decoded. Carries a stable reason code (see
 * {@code dev.avcurate.core.Reasons}) and FFmpeg's own message, both stored in the rejects table.
 */
public final class MediaException extends Exception {
    private final String reason;
    private final String ffmpegMessage;

    public MediaException(String reason, String message, String ffmpegMessage) {
        super(message + (ffmpegMessage == null || ffmpegMessage.isEmpty() ? "" : " [ffmpeg: " + ffmpegMessage + "]"));
        this.reason = reason;
        this.ffmpegMessage = ffmpegMessage == null ? "" : ffmpegMessage;
    }

    public String reason() {
        return reason;
    }

    public String ffmpegMessage() {
        return ffmpegMessage;
    }
}
