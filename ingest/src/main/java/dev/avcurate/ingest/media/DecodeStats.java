package dev.avcurate.ingest.media;

/**
 * What a decode saw: counts of packets (and how many failed), frames decoded and emitted,
 * the time span of the decoded frames, audio samples emitted, and timing regularity.
 *
 * @param frameIntervalCv coefficient of variation of the intervals between decoded frames'
 *                        timestamps: near 0 for constant frame rate
 */
public record DecodeStats(long videoPackets, long corruptPackets, long framesDecoded, long framesEmitted,
                          double firstPtsS, double lastPtsS, double meanFrameIntervalS, double frameIntervalCv,
                          long audioSamples, String ffmpegMessages) {

    /** Decoded video duration: last minus first frame time plus one frame. */
    public double decodedDurationS() {
        return framesDecoded == 0 ? 0 : lastPtsS - firstPtsS + meanFrameIntervalS;
    }
}
