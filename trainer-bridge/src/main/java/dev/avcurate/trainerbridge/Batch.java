package dev.avcurate.trainerbridge;

import java.util.List;

/**
 * Samples of one bucket, so a trainer can stack their frames into one tensor without padding.
 *
 * @param bucket the bucket name ({@code WxHxF}) shared by every sample
 * @param samples in the epoch's order; {@code batchSize} of them except a bucket's last batch
 */
public record Batch(String bucket, List<Sample> samples) {
    public Batch {
        samples = List.copyOf(samples);
    }

    public int size() {
        return samples.size();
    }
}
