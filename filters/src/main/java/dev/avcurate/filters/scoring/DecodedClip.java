package dev.avcurate.filters.scoring;

import java.util.List;

/**
 * Everything the scorers of one clip work from: one decode, frames sampled at a fixed rate with
 * a fixed short side, and the clip's audio as 16 kHz mono. When the sync scorer is on, the same
 * decode also yields every frame on a 25 fps clock ({@code syncFrames}); {@code frames} is then a
 * subset of those (the same objects), so the extra rate costs no second decode.
 *
 * @param sourceFps  frame rate of the source video (motion uses source-frame spacing)
 * @param sampleFps  the rate {@code frames} were sampled at
 * @param syncFrames frames on the sync clock, or an empty list when not decoded
 * @param syncFps    the sync clock's rate (25, as SyncNet and Light-ASD expect), 0 when off
 */
public record DecodedClip(String clipId, double startS, double endS, double sourceFps, double sampleFps,
                          List<VideoFrame> frames, float[] audio, int audioRate, List<VideoFrame> syncFrames, double syncFps) {
    public DecodedClip(String clipId, double startS, double endS, double sourceFps, double sampleFps,
                       List<VideoFrame> frames, float[] audio, int audioRate) {
        this(clipId, startS, endS, sourceFps, sampleFps, frames, audio, audioRate, List.of(), 0);
    }

    public double durationS() {
        return endS - startS;
    }
}
