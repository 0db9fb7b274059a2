package dev.avcurate.filters.audio;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LogMel} against a reference written here from the published formulas of LatentSync's
 * {@code audio.melspectrogram} (librosa 0.10 stft and Slaney mel basis) with a naive O(n^2) DFT
 * (no {@link Fft}, no code from {@link LogMel}), plus known answers.
 */
class LogMelTest {
    static final int SR = 16000, NFFT = 800, HOP = 200, MELS = 80;

    // ---- independent reference ----

    static double slaneyMel(double hz) {
        return hz < 1000 ? 3 * hz / 200 : 15 + 27 * Math.log(hz / 1000) / Math.log(6.4);
    }

    static double slaneyHz(double mel) {
        return mel < 15 ? 200 * mel / 3 : 1000 * Math.pow(6.4, (mel - 15) / 27);
    }

    /** Slaney-normalised triangular filters on bins k * 20 Hz, band edges equally spaced in Slaney mel from 55 to 7600 Hz. */
    static double[][] melFilters() {
        double[] edge = new double[MELS + 2];
        double m0 = slaneyMel(55), m1 = slaneyMel(7600);
        for (int i = 0; i < edge.length; i++) edge[i] = slaneyHz(m0 + (m1 - m0) * i / (MELS + 1));
        double[][] w = new double[MELS][NFFT / 2 + 1];
        for (int i = 0; i < MELS; i++) {
            for (int k = 0; k <= NFFT / 2; k++) {
                double f = k * (double) SR / NFFT;
                double rise = (f - edge[i]) / (edge[i + 1] - edge[i]);
                double fall = (edge[i + 2] - f) / (edge[i + 2] - edge[i + 1]);
                w[i][k] = Math.max(0, Math.min(rise, fall)) * 2 / (edge[i + 2] - edge[i]);
            }
        }
        return w;
    }

    static double[][] reference(double[] x) {
        int n = x.length;
        double[] y = new double[n];
        for (int t = 0; t < n; t++) y[t] = x[t] - (t > 0 ? 0.97 * x[t - 1] : 0);
        int frames = 1 + n / HOP;
        double[] cos = new double[NFFT], sin = new double[NFFT];
        for (int j = 0; j < NFFT; j++) {
            cos[j] = Math.cos(2 * Math.PI * j / NFFT);
            sin[j] = Math.sin(2 * Math.PI * j / NFFT);
        }
        double[] hann = new double[NFFT];
        for (int t = 0; t < NFFT; t++) hann[t] = 0.5 - 0.5 * cos[t]; // periodic
        double[][] w = melFilters();
        double[][] out = new double[MELS][frames];
        for (int f = 0; f < frames; f++) {
            double[] frame = new double[NFFT];
            for (int t = 0; t < NFFT; t++) {
                int idx = f * HOP + t - NFFT / 2; // centred, zero padded
                frame[t] = idx >= 0 && idx < n ? y[idx] * hann[t] : 0;
            }
            double[] mag = new double[NFFT / 2 + 1];
            for (int k = 0; k <= NFFT / 2; k++) {
                double re = 0, im = 0;
                for (int t = 0; t < NFFT; t++) {
                    int j = k * t % NFFT;
                    re += frame[t] * cos[j];
                    im -= frame[t] * sin[j];
                }
                mag[k] = Math.sqrt(re * re + im * im);
            }
            for (int i = 0; i < MELS; i++) {
                double s = 0;
                for (int k = 0; k <= NFFT / 2; k++) s += w[i][k] * mag[k];
                double db = 20 * Math.log10(Math.max(1e-5, s)) - 20;
                out[i][f] = Math.max(-4, Math.min(4, 8 * (db + 100) / 100 - 4));
            }
        }
        return out;
    }

    static float[] signal(int n, double... ampFreq) {
        float[] x = new float[n];
        for (int t = 0; t < n; t++) {
            double v = 0;
            for (int i = 0; i < ampFreq.length; i += 2) v += ampFreq[i] * Math.sin(2 * Math.PI * ampFreq[i + 1] * t / SR + 0.7 * i);
            x[t] = (float) v;
        }
        return x;
    }

    static void assertMatches(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        double[][] want = reference(d);
        float[][] got = LogMel.compute(x);
        assertEquals(MELS, got.length);
        for (int i = 0; i < MELS; i++) {
            assertEquals(want[i].length, got[i].length, "frames");
            for (int f = 0; f < want[i].length; f++) {
                assertEquals(want[i][f], got[i][f], 1e-4 * Math.abs(want[i][f]) + 1e-4, "mel " + i + " frame " + f);
            }
        }
    }

    // ---- tests ----

    @Test
    void frameCountIsOnePlusLenOverHop() {
        for (int n : new int[] {0, 1, 199, 200, 201, 799, 800, 8000, 16000, 16199}) {
            float[][] m = LogMel.compute(new float[n]);
            assertEquals(MELS, m.length);
            assertEquals(1 + n / HOP, m[0].length, "len " + n);
        }
        assertEquals(80, LogMel.FRAMES_PER_SECOND);
        assertEquals(52, LogMel.WINDOW);
    }

    @Test
    void silenceIsMinusFourEverywhere() {
        for (float[] row : LogMel.compute(new float[3210])) for (float v : row) assertEquals(-4f, v, 0f);
    }

    @Test
    void sineMatchesReferenceAndPeaksInItsBand() {
        float[] x = signal(8000, 0.5, 1000);
        assertMatches(x);
        float[][] m = LogMel.compute(x);
        double m0 = slaneyMel(55), m1 = slaneyMel(7600);
        for (int f = 4; f < m[0].length - 4; f++) { // frames whose window lies inside the signal
            int best = 0;
            for (int i = 1; i < MELS; i++) if (m[i][f] > m[best][f]) best = i;
            double lo = slaneyHz(m0 + (m1 - m0) * best / (MELS + 1));
            double hi = slaneyHz(m0 + (m1 - m0) * (best + 2) / (MELS + 1));
            assertTrue(lo < 1000 && 1000 < hi, "frame " + f + ": band " + best + " spans " + lo + ".." + hi);
            assertTrue(m[best][f] > 0, "a 0.5-amplitude tone is well above the floor");
        }
    }

    @Test
    void twoToneImpulseAndNoiseMatchReference() {
        assertMatches(signal(6000 + 123, 0.3, 440, 0.2, 3100));
        float[] imp = new float[4000];
        imp[2100] = 0.9f;
        assertMatches(imp);
        Random r = new Random(3);
        float[] noise = new float[5000];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) (0.1 * r.nextGaussian());
        assertMatches(noise);
        assertMatches(new float[] {0.25f});
    }

    @Test
    void windowStartIsCropAudioWindow() {
        assertEquals(0, LogMel.windowStart(0, 25));
        assertEquals(3, LogMel.windowStart(1, 25)); // int(3.2)
        assertEquals(51, LogMel.windowStart(16, 25)); // int(51.2)
        assertEquals(80, LogMel.windowStart(25, 25));
        assertEquals(13, LogMel.windowStart(5, 29.97)); // int(13.346...)
        assertEquals(320, LogMel.windowStart(100, 25.0));
    }

    @Test
    void fftMatchesNaiveDftAt800And512() {
        for (int size : new int[] {800, 512}) {
            Random r = new Random(size + 1);
            double[] x = new double[size];
            for (int i = 0; i < size; i++) x[i] = r.nextDouble() * 2 - 1;
            double[][] got = new Fft(size).rfft(x);
            for (int k = 0; k <= size / 2; k++) {
                double re = 0, im = 0;
                for (int t = 0; t < size; t++) {
                    double phi = 2 * Math.PI * ((long) k * t % size) / size;
                    re += x[t] * Math.cos(phi);
                    im -= x[t] * Math.sin(phi);
                }
                assertEquals(re, got[0][k], 1e-10 * Math.sqrt(size), "n=" + size + " k=" + k);
                assertEquals(im, got[1][k], 1e-10 * Math.sqrt(size), "n=" + size + " k=" + k);
            }
        }
    }

    @Test
    void tenSecondsGive801Frames() {
        float[][] m = LogMel.compute(signal(160000, 0.3, 220, 0.2, 1500));
        assertEquals(801, m[0].length);
    }
}
