package dev.avcurate.filters.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code key_frame_phash}: the 64-bit DCT perceptual hash ({@link PerceptualHash}) of three key
 * frames, the sampled frames nearest 10%, 50% and 90% of the clip, as 16 hex digits each joined
 * by ','. The shards stage compares these (summed Hamming distance) to drop near-duplicate
 * footage before training shards are written. Three frames rather than one so that two clips
 * sharing a single look (the same studio, the same opening shot) are not taken for copies; the
 * positions are relative, so a copy at another frame rate or resolution picks the same moments.
 * Hashing works on the decoded frames as the other scorers see them (short side
 * {@code decode.short_side}); the 32x32 thumbnail makes that resolution irrelevant.
 */
public final class PerceptualHashScorer implements Scorer {
    /** The score columns this scorer writes (a string column: ScorerSet declares it so). */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("phash");
    public static final String ESTIMATOR = "dct_phash_64x3";
    /** Where the key frames sit, as fractions of the clip. */
    public static final double[] KEY_POSITIONS = {0.1, 0.5, 0.9};

    @Override
    public String name() {
        return "phash";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (clip.frames().isEmpty()) return;
        List<VideoFrame> keys = keyFrames(clip);
        long[] hashes = new long[keys.size()];
        for (int i = 0; i < hashes.length; i++) {
            VideoFrame f = keys.get(i);
            hashes[i] = PerceptualHash.ofBgr(f.bgr(), f.width(), f.height());
        }
        out.put("key_frame_phash", PerceptualHash.format(hashes));
        out.put("key_frame_phash_estimator", ESTIMATOR);
    }

    /** The sampled frame nearest each key position (the earlier one on a tie); a short clip may repeat a frame. */
    static List<VideoFrame> keyFrames(DecodedClip clip) {
        List<VideoFrame> frames = clip.frames();
        List<VideoFrame> out = new ArrayList<>(KEY_POSITIONS.length);
        for (double p : KEY_POSITIONS) {
            double t = clip.startS() + p * clip.durationS();
            VideoFrame best = frames.get(0);
            for (VideoFrame f : frames) {
                if (Math.abs(f.ptsS() - t) < Math.abs(best.ptsS() - t) - 1e-9) best = f;
            }
            out.add(best);
        }
        return out;
    }
}
