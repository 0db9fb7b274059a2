package dev.avcurate.ingest.media;

import java.io.Serializable;

/**
 * What the container and stream headers say about one file, before decoding.
 * Width and height are as displayed, after {@code rotation} (degrees clockwise, 0/90/180/270).
 */
public record VideoProbe(
        String container,
        double durationS,
        boolean hasVideo,
        String videoCodec,
        int codedWidth,
        int codedHeight,
        int width,
        int height,
        int rotation,
        double fps,
        boolean vfrHint,
        long declaredFrames,
        boolean hasAudio,
        String audioCodec,
        int audioSampleRate,
        int audioChannels,
        long bitRate) implements Serializable {
}
