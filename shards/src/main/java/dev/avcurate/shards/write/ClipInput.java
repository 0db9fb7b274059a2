package dev.avcurate.shards.write;

import java.io.Serializable;
import java.util.Map;

/**
 * A kept clip as the shards stage knows it, before any pixel is decoded.
 *
 * @param uri              the source video (local path, file: URI or any Hadoop file system URI)
 * @param startS           clip start in the source, seconds
 * @param endS             clip end in the source (exclusive), seconds
 * @param audioShiftS      the sync fix-up, seconds: positive means the audio lags the picture, so
 *                         the shard takes the audio for frame time t from source time t + shift
 * @param caption          may be null
 * @param captionEstimator who wrote the caption (model or "composed"); may be null
 * @param captionEmbedding may be null
 * @param scores           filter scores by name; a null value is a score that was not computed
 */
public record ClipInput(String clipId, String videoId, String uri, double startS, double endS, String split,
                        double audioShiftS, String caption, String captionEstimator, float[] captionEmbedding,
                        Map<String, Double> scores) implements Serializable {
    public ClipInput {
        if (!(endS > startS)) throw new IllegalArgumentException("clip " + clipId + ": end " + endS + " is not after start " + startS);
        if (!Double.isFinite(audioShiftS)) throw new IllegalArgumentException("clip " + clipId + ": audio shift " + audioShiftS);
        scores = scores == null ? Map.of() : scores;
    }

    public double durationS() {
        return endS - startS;
    }
}
