package dev.avcurate.filters.scoring;

/** One sampled frame of a clip: packed BGR rows, as displayed (rotation applied). */
public record VideoFrame(double ptsS, int width, int height, byte[] bgr) {
    /** Mean luma (Rec. 601) of the frame, 0..255. */
    public double meanLuma() {
        long sum = 0;
        for (int o = 0; o < bgr.length; o += 3) {
            sum += 29 * (bgr[o] & 0xff) + 150 * (bgr[o + 1] & 0xff) + 77 * (bgr[o + 2] & 0xff);
        }
        return sum / 256.0 / (bgr.length / 3);
    }
}
