package dev.avcurate.filters.scoring;

import java.util.List;

/**
 * Everything the scorers of one clip work from: one decode, frames sampled at a fixed rate with
 * a fixed short side, and the clip's audio as 16 kHz mono.
 *
 * @param sourceFps frame rate of the source video (motion uses source-frame spacing)
 * @param sampleFps the rate frames were sampled at
 */
public record DecodedClip(String clipId, double startS, double endS, double sourceFps, double sampleFps,
                          List<VideoFrame> frames, float[] audio, int audioRate) {
    public double durationS() {
        return endS - startS;
    }
}
