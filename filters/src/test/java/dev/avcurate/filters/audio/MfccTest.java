package dev.avcurate.filters.audio;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Mfcc} against a reference written here from python_speech_features' published formulas with a
 * naive O(n^2) DFT (no {@link Fft}, no code from {@link Mfcc}), plus known answers.
 */
class MfccTest {
    static final double EPS = 2.220446049250313e-16;

    // ---- independent reference (python_speech_features.mfcc defaults) ----

    /** mfcc(signal, sr) from the formulas: preemph 0.97, 25 ms / 10 ms frames, |DFT|^2/nfft, 26 mel filters, ortho DCT-II, lifter 22, c0 = log energy. */
    static double[][] reference(double[] x, int sr) {
        int frameLen = (int) Math.floor(0.025 * sr + 0.5); // exact here: 0.025*sr is never a tie for these rates
        int step = (int) Math.floor(0.01 * sr + 0.5);
        int nfft = Integer.highestOneBit(frameLen - 1) << 1; // smallest power of two >= frameLen
        int bins = nfft / 2 + 1;
        double[] y = new double[x.length];
        for (int t = 0; t < x.length; t++) y[t] = t == 0 ? x[0] : x[t] - 0.97 * x[t - 1];
        int frames = x.length <= frameLen ? 1 : 1 + (int) Math.ceil((double) (x.length - frameLen) / step);

        // naive DFT with a cos/sin table indexed by (k*t) mod nfft
        double[] cos = new double[nfft], sin = new double[nfft];
        for (int j = 0; j < nfft; j++) {
            cos[j] = Math.cos(2 * Math.PI * j / nfft);
            sin[j] = Math.sin(2 * Math.PI * j / nfft);
        }
        // triangular filters on floor((nfft+1) * hz / sr) bins, equally spaced in 2595 log10(1 + f/700)
        int nfilt = 26;
        double melHi = 2595 * Math.log10(1 + (sr / 2.0) / 700);
        int[] bin = new int[nfilt + 2];
        for (int i = 0; i < nfilt + 2; i++) {
            double mel = melHi * i / (nfilt + 1);
            double hz = 700 * (Math.pow(10, mel / 2595) - 1);
            bin[i] = (int) Math.floor((nfft + 1) * hz / sr);
        }
        double[][] out = new double[frames][13];
        for (int f = 0; f < frames; f++) {
            double[] frame = new double[frameLen];
            for (int t = 0; t < frameLen; t++) frame[t] = f * step + t < y.length ? y[f * step + t] : 0;
            double[] p = new double[bins];
            double energy = 0;
            for (int k = 0; k < bins; k++) {
                double re = 0, im = 0;
                for (int t = 0; t < Math.min(frameLen, nfft); t++) {
                    int j = (int) ((long) k * t % nfft);
                    re += frame[t] * cos[j];
                    im -= frame[t] * sin[j];
                }
                p[k] = (re * re + im * im) / nfft;
                energy += p[k];
            }
            double[] logE = new double[nfilt];
            for (int m = 0; m < nfilt; m++) {
                double s = 0;
                for (int k = bin[m]; k < bin[m + 2]; k++) {
                    double w = k < bin[m + 1] ? (double) (k - bin[m]) / (bin[m + 1] - bin[m])
                            : (double) (bin[m + 2] - k) / (bin[m + 2] - bin[m + 1]);
                    s += w * p[k];
                }
                logE[m] = Math.log(s == 0 ? EPS : s);
            }
            for (int n = 0; n < 13; n++) {
                double c = 0;
                for (int m = 0; m < nfilt; m++) c += logE[m] * Math.cos(Math.PI * n * (m + 0.5) / nfilt);
                c *= Math.sqrt((n == 0 ? 1.0 : 2.0) / nfilt);
                out[f][n] = c * (1 + 11 * Math.sin(Math.PI * n / 22));
            }
            out[f][0] = Math.log(energy == 0 ? EPS : energy);
        }
        return out;
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    static double[] widened(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    static float[] tone(int n, int sr, double... ampFreq) {
        double[] x = new double[n];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < ampFreq.length; i += 2) x[t] += ampFreq[i] * Math.sin(2 * Math.PI * ampFreq[i + 1] * t / sr + 0.3 * i);
        }
        // round to int16 values as wavfile.read gives them, so float input is exact
        for (int t = 0; t < n; t++) x[t] = Math.rint(x[t]);
        return toFloat(x);
    }

    static void assertMatches(float[] signal, int sr) {
        float[][] got = sr == 16000 ? Mfcc.compute(signal) : Mfcc.compute(signal, sr);
        double[][] want = reference(widened(signal), sr);
        assertEquals(want.length, got.length, "frames");
        for (int f = 0; f < want.length; f++) {
            assertEquals(13, got[f].length);
            for (int n = 0; n < 13; n++) {
                double tol = 1e-4 * Math.abs(want[f][n]) + 2e-4;
                assertEquals(want[f][n], got[f][n], tol, "frame " + f + " coef " + n);
            }
        }
    }

    // ---- tests ----

    @Test
    void frameCountsFollowFramesig() {
        assertEquals(1, Mfcc.compute(new float[1]).length);
        assertEquals(1, Mfcc.compute(new float[400]).length);
        assertEquals(2, Mfcc.compute(new float[401]).length);
        assertEquals(2, Mfcc.compute(new float[560]).length);
        assertEquals(3, Mfcc.compute(new float[561]).length);
        assertEquals(99, Mfcc.compute(new float[16000]).length); // 1 + ceil(15600 / 160)
        assertEquals(1 + (int) Math.ceil((160000 - 400) / 160.0), Mfcc.compute(new float[160000]).length);
        assertEquals(100, Mfcc.FRAMES_PER_SECOND);
        assertThrows(IllegalArgumentException.class, () -> Mfcc.compute(new float[0]));
    }

    @Test
    void sineMatchesReference() {
        assertMatches(tone(16000, 16000, 10000, 1000), 16000);
    }

    @Test
    void twoToneMatchesReference() {
        assertMatches(tone(8000 + 77, 16000, 6000, 440, 3000, 2500), 16000);
    }

    @Test
    void impulseAndNoiseMatchReference() {
        float[] imp = new float[3000];
        imp[1234] = 20000;
        assertMatches(imp, 16000);
        Random r = new Random(7);
        float[] noise = new float[4321];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) Math.rint(r.nextGaussian() * 3000);
        assertMatches(noise, 16000);
    }

    @Test
    void otherSampleRateMatchesReference() {
        // 8 kHz: 200-sample frames, 80 step, nfft 256
        float[] x = tone(4000, 8000, 8000, 500, 2000, 1800);
        assertEquals(1 + (int) Math.ceil((4000 - 200) / 80.0), Mfcc.compute(x, 8000).length);
        assertMatches(x, 8000);
    }

    @Test
    void silenceGivesLogEpsFloor() {
        float[][] m = Mfcc.compute(new float[2000]);
        assertEquals(1 + (int) Math.ceil(1600 / 160.0), m.length);
        for (float[] row : m) {
            assertEquals(Math.log(EPS), row[0], 1e-5); // -36.04365338911715
            // every filter energy is eps: a constant vector has no DCT energy beyond c0
            for (int n = 1; n < 13; n++) assertEquals(0.0, row[n], 1e-5);
        }
    }

    @Test
    void sineEnergyIsAnalytic() {
        // 1 kHz at 16 kHz: a 400-sample frame holds 25 whole periods, so the one-sided sum of |X_k|^2 / 512
        // over 257 bins is half the frame's sum of squares: E = (400 * A'^2 / 2) / 2, with A' the amplitude
        // after pre-emphasis, A' = A |1 - 0.97 e^{-i w}|, w = 2 pi / 16.
        double a = 0.8;
        int n = 16000;
        float[] x = new float[n];
        for (int t = 0; t < n; t++) x[t] = (float) (a * Math.sin(2 * Math.PI * 1000 * t / 16000.0 + 0.1));
        double w = 2 * Math.PI / 16;
        double gain2 = 1 - 2 * 0.97 * Math.cos(w) + 0.97 * 0.97;
        double expected = Math.log(100 * a * a * gain2);
        float[][] m = Mfcc.compute(x);
        for (int f = 1; f * 160 + 400 <= n; f++) assertEquals(expected, m[f][0], 2e-5, "frame " + f);
    }

    @Test
    void fftMatchesNaiveDft() {
        for (int size : new int[] {512, 800, 1, 2, 3, 12, 75, 256}) {
            Random r = new Random(size);
            double[] re = new double[size], im = new double[size];
            for (int i = 0; i < size; i++) {
                re[i] = r.nextGaussian();
                im[i] = r.nextGaussian();
            }
            double[] oRe = new double[size], oIm = new double[size];
            new Fft(size).forward(re, im, oRe, oIm);
            double scale = Math.sqrt(size);
            for (int k = 0; k < size; k++) {
                double sr = 0, si = 0;
                for (int t = 0; t < size; t++) {
                    double phi = -2 * Math.PI * ((long) k * t % size) / size;
                    sr += re[t] * Math.cos(phi) - im[t] * Math.sin(phi);
                    si += re[t] * Math.sin(phi) + im[t] * Math.cos(phi);
                }
                assertEquals(sr, oRe[k], 1e-10 * scale, "n=" + size + " k=" + k);
                assertEquals(si, oIm[k], 1e-10 * scale, "n=" + size + " k=" + k);
            }
            // real input: rfft returns the n/2 + 1 first bins
            double[][] half = new Fft(size).rfft(re);
            assertEquals(size / 2 + 1, half[0].length);
            double[] fRe = new double[size], fIm = new double[size];
            new Fft(size).forward(re, null, fRe, fIm);
            for (int k = 0; k < half[0].length; k++) {
                assertEquals(fRe[k], half[0][k], 0.0);
                assertEquals(fIm[k], half[1][k], 0.0);
            }
        }
    }
}
