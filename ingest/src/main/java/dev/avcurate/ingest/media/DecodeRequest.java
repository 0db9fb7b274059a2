package dev.avcurate.ingest.media;

import java.io.Serializable;

/**
 * What to decode from one file. Frames are chosen by presentation time (so variable frame rate
 * is handled) and scaled once, only when chosen.
 *
 * @param startS      first second to decode (0 = start)
 * @param endS        last second (exclusive); {@code Double.POSITIVE_INFINITY} = to the end
 * @param sampleFps   frames per second to emit; 0 = every decoded frame
 * @param outWidth    output width in pixels (as displayed, after rotation); 0 = derive from shortSide
 * @param outHeight   output height; 0 = derive from shortSide
 * @param shortSide   when width/height are 0: the output's short side, long side keeps aspect (even)
 * @param gray        GRAY8 output when true, BGR24 otherwise
 * @param video       decode video at all
 * @param audioRate   mono float audio at this rate; 0 = no audio
 */
public record DecodeRequest(double startS, double endS, double sampleFps, int outWidth, int outHeight, int shortSide,
                            boolean gray, boolean video, int audioRate) implements Serializable {

    /** Every frame of the whole file at a fixed width (height keeps the aspect), colour, plus audio. */
    public static DecodeRequest allFrames(int width, int audioRate) {
        return new DecodeRequest(0, Double.POSITIVE_INFINITY, 0, width, 0, 0, false, true, audioRate);
    }

    /** A time range sampled at {@code fps} with the given short side, colour, plus audio: what scorers get. */
    public static DecodeRequest forScorers(double startS, double endS, double fps, int shortSide, int audioRate) {
        return new DecodeRequest(startS, endS, fps, 0, 0, shortSide, false, true, audioRate);
    }

    /** Output size for a displayed source of {@code w x h}: even numbers, aspect kept. */
    public int[] outputSize(int w, int h) {
        if (outWidth > 0 && outHeight > 0) return new int[] {outWidth, outHeight};
        if (outWidth > 0) return new int[] {even(outWidth), even(Math.max(2, Math.round((float) outWidth * h / w)))};
        if (outHeight > 0) return new int[] {even(Math.max(2, Math.round((float) outHeight * w / h))), even(outHeight)};
        if (shortSide > 0) {
            if (w <= h) return new int[] {even(shortSide), even(Math.max(2, Math.round((float) shortSide * h / w)))};
            return new int[] {even(Math.max(2, Math.round((float) shortSide * w / h))), even(shortSide)};
        }
        return new int[] {w, h};
    }

    private static int even(int v) {
        return Math.max(2, v & ~1);
    }
}
