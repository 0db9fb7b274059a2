package dev.avcurate.filters.sync;

import dev.avcurate.filters.audio.Fft;

/**
 * The classical sync fallback with a real mouth signal: the face mesh's inner-lip opening per 25 fps
 * frame (MediaPipe Face Mesh, {@code FaceMeshLandmarker.mouthOpening}) against the speech-band
 * (300-3000 Hz) log energy of the audio under each frame, Pearson-correlated over shifts -15..+15
 * frames. An open mouth and a loud syllable go together, so the correlation is positive at the
 * right shift; distance = 1 - r, reduced as SyncNet's (offset = argmin, confidence = median - min).
 * The lips open before the sound they shape is loudest: on real speakers (CALIBRATION.md) the peak
 * sits {@link #LAG_FRAMES} frames after the true shift, which is taken off.
 */
public final class LipOpeningSync {
    public static final String ESTIMATOR = "lip_opening_xcorr";
    /** Measured constant lag of the correlation peak (CALIBRATION.md: best of 0..5 frames). */
    static final int LAG_FRAMES = 3;
    static final int MIN_PAIRS = 25;

    private LipOpeningSync() {}

    /**
     * log(energy of 300-3000 Hz + 1e-8) under each frame of the clock, Hann window centred on the
     * frame's time (as {@link MouthMotionSync#frameRms}); audio sample 0 is at {@code audioStartS}.
     */
    public static double[] speechBandLogEnergy(float[] audio, int rate, double audioStartS, double[] pts, double fps) {
        double[] out = new double[pts.length];
        if (audio == null) return out;
        int hop = (int) Math.round(rate / fps), n = 1;
        while (n < hop) n <<= 1;
        Fft fft = new Fft(n);
        double[] x = new double[n];
        int lo = (int) Math.ceil(300.0 * n / rate), hi = (int) Math.floor(3000.0 * n / rate);
        for (int f = 0; f < pts.length; f++) {
            java.util.Arrays.fill(x, 0);
            int a = (int) Math.round((pts[f] - 0.5 / fps - audioStartS) * rate);
            for (int i = 0; i < hop; i++) {
                int j = a + i;
                x[i] = j >= 0 && j < audio.length ? audio[j] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / hop)) : 0;
            }
            double[][] spec = fft.rfft(x);
            double e = 0;
            for (int b = lo; b <= hi; b++) e += spec[0][b] * spec[0][b] + spec[1][b] * spec[1][b];
            out[f] = Math.log(e + 1e-8);
        }
        return out;
    }

    /** Gaps (NaN) filled by linear interpolation; null when fewer than half the frames have a value. */
    public static double[] filled(float[] opening) {
        int n = opening.length, valid = 0;
        for (float v : opening) if (!Float.isNaN(v)) valid++;
        if (valid * 2 < n || valid == 0) return null;
        double[] out = new double[n];
        int prev = -1;
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(opening[i])) continue;
            out[i] = opening[i];
            for (int g = prev + 1; g < i; g++) {
                out[g] = prev < 0 ? opening[i] : opening[prev] + (opening[i] - opening[prev]) * (g - prev) / (double) (i - prev);
            }
            prev = i;
        }
        for (int g = prev + 1; g < n; g++) out[g] = opening[prev];
        return out;
    }

    /**
     * @param opening lip opening of the track's frames (no gaps: see {@link #filled})
     * @param energy  speech-band log energy of every frame of the clip's clock
     * @param first   the track's first frame on that clock
     * @return the estimate, or null when the track is too short for any shift
     */
    public static SyncResult estimate(double[] opening, double[] energy, int first) {
        int m = SyncResult.MAX_SHIFT;
        double[] d = new double[2 * m + 1];
        boolean any = false;
        for (int k = -m; k <= m; k++) {
            // Opening frame i pairs with energy frame first + i + k + LAG: the lips lead the sound.
            double r = MouthMotionSync.pearson(opening, energy, first + k + LAG_FRAMES, MIN_PAIRS);
            if (Double.isNaN(r)) {
                r = 0;
            } else {
                any = true;
            }
            d[k + m] = 1 - r;
        }
        return any ? SyncResult.fromDistances(d, ESTIMATOR) : null;
    }
}
