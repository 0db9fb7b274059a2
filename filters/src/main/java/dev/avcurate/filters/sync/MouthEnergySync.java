package dev.avcurate.filters.sync;

import dev.avcurate.filters.audio.Fft;

/**
 * Classical lip-sync signal: mouth-region motion energy against the speech-band envelope.
 */
public final class MouthEnergySync {
    private MouthEnergySync() {}

    /** Mean absolute change of the lower face (rows 60..104, columns 28..84 of the 112 Light-ASD crop) per frame; 0 on the first. */
    public static double[] mouthEnergy(float[] crops, int frames, int size) {
        double[] out = new double[frames];
        int r0 = size * 60 / 112, r1 = size * 104 / 112, c0 = size / 4, c1 = size * 3 / 4;
        for (int f = 1; f < frames; f++) {
            double s = 0;
            int base = f * size * size, prev = (f - 1) * size * size;
            for (int r = r0; r < r1; r++) {
                for (int c = c0; c < c1; c++) s += Math.abs(crops[base + r * size + c] - crops[prev + r * size + c]);
            }
            out[f] = s / ((r1 - r0) * (c1 - c0));
        }
        return out;
    }

    /** log energy of 300-3000 Hz in each frame's audio (frame i = samples [i*hop, (i+1)*hop) of {@code audio}). */
    public static double[] speechBandLogEnvelope(float[] audio, int rate, int frames, int hop) {
        int n = 1;
        while (n < hop) n <<= 1;
        Fft fft = new Fft(n);
        double[] out = new double[frames];
        double[] x = new double[n];
        int lo = (int) Math.ceil(300.0 * n / rate), hi = (int) Math.floor(3000.0 * n / rate);
        for (int f = 0; f < frames; f++) {
            java.util.Arrays.fill(x, 0);
            for (int i = 0; i < hop; i++) {
                int j = f * hop + i;
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / hop);
                x[i] = j < audio.length ? audio[j] * w : 0;
            }
            double[][] spec = fft.rfft(x);
            double e = 0;
            for (int b = lo; b <= hi; b++) e += spec[0][b] * spec[0][b] + spec[1][b] * spec[1][b];
            out[f] = Math.log(e + 1e-8);
        }
        return out;
    }

    /** Pearson r of v[M+i] with a[M+k+i] over the common window, per shift k in -M..M. */
    public static double[] correlations(double[] v, double[] a, int m) {
        int t = Math.min(v.length, a.length), w = t - 2 * m;
        double[] out = new double[2 * m + 1];
        if (w < 3) return out;
        for (int s = 0; s <= 2 * m; s++) {
            int k = s - m;
            double sv = 0, sa = 0, svv = 0, saa = 0, sva = 0;
            for (int i = 0; i < w; i++) {
                double x = v[m + i], y = a[m + k + i];
                sv += x; sa += y; svv += x * x; saa += y * y; sva += x * y;
            }
            double cov = sva / w - sv / w * sa / w, vv = svv / w - sv / w * sv / w, aa = saa / w - sa / w * sa / w;
            out[s] = vv <= 1e-12 || aa <= 1e-12 ? 0 : cov / Math.sqrt(vv * aa);
        }
        return out;
    }
}
