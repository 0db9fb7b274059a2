package dev.avcurate.trainerbridge;

import java.util.List;
import java.util.Map;

/**
 * One clip of a shard, decoded for a trainer: frames stay JPEG (the trainer decodes them where it
 * wants, often on the GPU), audio becomes samples. Array components are not copied and compare by
 * identity, as in any record holding arrays; a sample belongs to whoever received its batch.
 *
 * @param frames {@code numFrames} JPEG images of {@code width x height}, in time order
 * @param referenceFrame one JPEG (the identity reference for the clip)
 * @param audio mono 16-bit samples at {@code audioRate}, covering exactly the frames, already shifted
 * @param audioShiftS the sync fix-up that was applied to the audio, in seconds
 * @param caption null when the clip has none
 * @param captionEstimator which model or rule wrote the caption; null when absent
 * @param captionEmbedding null when the clip has none
 * @param scores scorer name to value; a null value means the scorer had no result for the clip
 * @param framesStartS where the first frame lies in the source video, in seconds
 */
public record Sample(
        String clipId,
        String split,
        String bucket,
        int width,
        int height,
        int numFrames,
        double fps,
        List<byte[]> frames,
        byte[] referenceFrame,
        short[] audio,
        int audioRate,
        double audioShiftS,
        String caption,
        String captionEstimator,
        float[] captionEmbedding,
        Map<String, Double> scores,
        String videoId,
        String uri,
        double startS,
        double endS,
        double framesStartS) {}
