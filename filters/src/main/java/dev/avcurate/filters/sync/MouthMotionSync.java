package dev.avcurate.filters.sync;

import dev.avcurate.filters.scoring.VideoFrame;
import java.util.List;

/**
 * The default sync estimator, for when no SyncNet weights are configured: the mouth region
 * against the speech envelope, correlated over the same -15..+15 frame shifts SyncNet searches.
 * Per sync frame i of a track: video o[i] = mean grey level of a patch around the mouth keypoint
 * (an opening mouth shows a dark cavity or bright teeth: the patch's brightness follows the
 * opening, with a sign that depends on the face); audio a[i] = RMS of the audio under frame i.
 * For each shift k the Pearson correlation r(k) of o[i] with a[i+k] is turned into a distance
 * d(k) = 1 - |r(k)|, and the result is reduced as SyncNet's (offset = argmin, confidence = median
 * - min), so a correlation peak that stands out from the other shifts is what "confident" means
 * here too. Levels are used rather than frame-to-frame changes: at 25 fps the absolute change of
 * 4 Hz syllables oscillates every 2-3 frames, and its correlation has side peaks as high as the
 * true one. Mouth motion (the mean absolute change of the patch) is what the speaking rule uses.
 */
public final class MouthMotionSync {
    public static final String ESTIMATOR = "mouth_motion_xcorr";
    static final int PATCH_W = 32, PATCH_H = 16;
    /** Fewest overlapping frames (1 s) a shift needs to be scored; shorter overlaps count as uncorrelated. */
    static final int MIN_PAIRS = 25;

    private MouthMotionSync() {}

    /** The mouth signals of one track: level (mean grey) and motion (mean absolute change, 0 on the first frame). */
    public record Mouth(double[] level, double[] motion) {}

    public static Mouth mouth(List<VideoFrame> syncFrames, FaceTrack t) {
        double[] level = new double[t.length()], v = new double[t.length()];
        float[] prev = null;
        for (int i = 0; i < t.length(); i++) {
            float[] p = FaceCrops.mouthPatch(syncFrames.get(t.first() + i), t.mouthX()[i], t.mouthY()[i], t.s()[i], PATCH_W, PATCH_H);
            double mean = 0;
            for (float x : p) mean += x;
            mean /= p.length;
            level[i] = mean;
            // Mean removed: a global brightness change is not mouth motion.
            for (int k = 0; k < p.length; k++) p[k] -= (float) mean;
            if (prev != null) {
                double d = 0;
                for (int k = 0; k < p.length; k++) d += Math.abs(p[k] - prev[k]);
                v[i] = d / p.length;
            }
            prev = p;
        }
        return new Mouth(level, v);
    }

    /**
     * RMS of the audio under each frame of the sync clock: frame i stands for the instant pts[i],
     * so its window is centred there, [pts[i] - 0.5/fps, pts[i] + 0.5/fps) (a window starting at
     * pts[i] would read the audio half a frame late); audio sample 0 is at {@code audioStartS}.
     */
    public static double[] frameRms(float[] audio, int rate, double audioStartS, double[] pts, double fps) {
        double[] out = new double[pts.length];
        if (audio == null) return out;
        int n = (int) Math.round(rate / fps);
        for (int i = 0; i < pts.length; i++) {
            int a = (int) Math.round((pts[i] - 0.5 / fps - audioStartS) * rate);
            double sum = 0;
            int c = 0;
            for (int k = Math.max(0, a); k < Math.min(audio.length, a + n); k++, c++) sum += audio[k] * audio[k];
            out[i] = c == 0 ? 0 : Math.sqrt(sum / c);
        }
        return out;
    }

    /**
     * @param level  mouth level of the track's frames (from {@link #mouth})
     * @param rms    audio RMS of every frame of the clip's sync clock
     * @param first  the track's first frame on that clock
     * @return the sync estimate, or null when the track is too short for any shift
     */
    public static SyncResult estimate(double[] level, double[] rms, int first) {
        double[] d = new double[2 * SyncResult.MAX_SHIFT + 1];
        boolean any = false;
        for (int k = -SyncResult.MAX_SHIFT; k <= SyncResult.MAX_SHIFT; k++) {
            double r = pearson(level, rms, first + k, MIN_PAIRS);
            if (!Double.isNaN(r)) any = true;
            d[k + SyncResult.MAX_SHIFT] = 1 - Math.abs(r);
        }
        if (!any) return null;
        // Shifts without enough overlap count as uncorrelated (distance 1), as SyncNet's zero padding makes them far.
        for (int i = 0; i < d.length; i++) if (Double.isNaN(d[i])) d[i] = 1;
        return SyncResult.fromDistances(d, ESTIMATOR);
    }

    /**
     * Pearson r of {@code v[i]} with {@code a[offset + i]} over the i where both exist; NaN when
     * fewer than {@code minPairs} pairs do, 0 when either side is constant.
     */
    static double pearson(double[] v, double[] a, int offset, int minPairs) {
        double sv = 0, sa = 0, svv = 0, saa = 0, sva = 0;
        int m = 0;
        for (int i = 0; i < v.length; i++) {
            int j = offset + i;
            if (j < 0 || j >= a.length) continue;
            sv += v[i];
            sa += a[j];
            svv += v[i] * v[i];
            saa += a[j] * a[j];
            sva += v[i] * a[j];
            m++;
        }
        if (m < minPairs) return Double.NaN;
        double cov = sva / m - sv / m * sa / m;
        double vv = svv / m - sv / m * sv / m, aa = saa / m - sa / m * sa / m;
        return vv <= 1e-12 || aa <= 1e-18 ? 0 : cov / Math.sqrt(vv * aa);
    }

    /**
     * Speaking frames of a track by the default rule: voice activity at the frame and mouth motion,
     * averaged over +-2 frames as Light-ASD's scores are, of at least {@code minMotion} grey levels.
     *
     * @param speech speech flag of every frame of the clip's sync clock
     */
    public static boolean[] speaking(double[] motion, boolean[] speech, int first, double minMotion) {
        boolean[] out = new boolean[motion.length];
        for (int i = 0; i < motion.length; i++) {
            double s = 0;
            int c = 0;
            for (int k = Math.max(1, i - 2); k <= Math.min(motion.length - 1, i + 2); k++, c++) s += motion[k];
            int j = first + i;
            out[i] = c > 0 && s / c >= minMotion && j < speech.length && speech[j];
        }
        return out;
    }
}
