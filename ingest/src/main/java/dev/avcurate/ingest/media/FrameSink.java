package dev.avcurate.ingest.media;

/**
 * Receives decoded media as it streams out of {@link MediaReader#decode}. Arrays passed in are
 * reused by the reader after the call returns: copy what must be kept. Nothing here grows with
 * the length of the video unless the sink keeps it.
 */
public interface FrameSink {
    /**
     * One chosen video frame.
     *
     * @param index   0-based index among emitted frames
     * @param ptsS    presentation time in seconds from the start of the file
     * @param width   width as displayed
     * @param height  height as displayed
     * @param pixels  packed BGR24 or GRAY8 rows, no padding
     */
    void frame(long index, double ptsS, int width, int height, byte[] pixels);

    /** Mono float samples in [-1, 1] at the requested rate; {@code count} of {@code samples} are valid. */
    default void audio(float[] samples, int count) {}
}
