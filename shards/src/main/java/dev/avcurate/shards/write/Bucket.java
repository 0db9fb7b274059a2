package dev.avcurate.shards.write;

import dev.avcurate.trainerbridge.ShardFormat;
import java.io.Serializable;

/**
 * A training resolution bucket: every clip in it has these frame dimensions and this frame count,
 * so a trainer can batch its rows without padding.
 */
public record Bucket(int width, int height, int frames) implements Serializable {
    public Bucket {
        if (width <= 0 || height <= 0 || frames <= 0) {
            throw new IllegalArgumentException("bucket dimensions must be positive: " + width + "x" + height + "x" + frames);
        }
    }

    /** Parses {@code WxHxF}. */
    public static Bucket parse(String name) {
        int[] d = ShardFormat.bucketDims(name);
        return new Bucket(d[0], d[1], d[2]);
    }

    /** {@code WxHxF}, as in the shard paths and rows. */
    public String name() {
        return ShardFormat.bucketName(width, height, frames);
    }

    /** Seconds of video (and audio) the bucket holds at {@code fps}. */
    public double windowS(double fps) {
        return frames / fps;
    }
}
