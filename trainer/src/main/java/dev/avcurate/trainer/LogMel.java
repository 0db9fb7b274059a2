package dev.avcurate.trainer;

/**
 * Log-mel features of 16-bit audio, computed in Java (a 512-point FFT per frame, HTK mel
 * filters up to rate/2). Frames are placed per latent frame: each latent frame's samples are split
 * into {@code perFrame} hops and every hop's 25 ms window ends where the hop ends (zeros before
 * the clip), so no feature of frame i holds audio from after frame i. Values are ln(power + 1e-6) mapped by (x + 5) / 5, so silence is about -1.8 and speech
 * mostly in [-1, 2].
 */
public final class LogMel {
    private static final int FFT = 512;
    private final int bins;
    private final int rate;
    private final float[][] filters;
    private final double[] window;

    public LogMel(int bins, int rate) {
        this.bins = bins;
        this.rate = rate;
        int win = Math.min(FFT, Math.round(rate * 0.025f));
        window = new double[win];
        for (int i = 0; i < win; i++) window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / win);
        filters = new float[bins][FFT / 2 + 1];
        double lo = mel(0), hi = mel(rate / 2.0);
        double[] edges = new double[bins + 2];
        for (int i = 0; i < edges.length; i++) edges[i] = melToHz(lo + (hi - lo) * i / (bins + 1)) * FFT / rate;
        for (int b = 0; b < bins; b++) {
            for (int k = 0; k <= FFT / 2; k++) {
                double up = (k - edges[b]) / Math.max(1e-9, edges[b + 1] - edges[b]);
                double down = (edges[b + 2] - k) / Math.max(1e-9, edges[b + 2] - edges[b + 1]);
                filters[b][k] = (float) Math.max(0, Math.min(up, down));
            }
        }
    }

    private static double mel(double hz) {
        return 2595 * Math.log10(1 + hz / 700);
    }

    private static double melToHz(double m) {
        return 700 * (Math.pow(10, m / 2595) - 1);
    }

    /**
     * Features (bins x frames*perFrame, row-major) for {@code frames} latent frames, frame k covering
     * samples [start + k*samplesPerFrame, start + (k+1)*samplesPerFrame).
     */
    public float[] features(short[] audio, double start, double samplesPerFrame, int frames, int perFrame) {
        int cols = frames * perFrame;
        float[] out = new float[bins * cols];
        double hop = samplesPerFrame / perFrame;
        double[] re = new double[FFT], im = new double[FFT];
        for (int c = 0; c < cols; c++) {
            long first = Math.round(start + (c + 1) * hop) - window.length;
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            for (int i = 0; i < window.length; i++) {
                long idx = first + i;
                if (idx >= 0 && idx < audio.length) re[i] = audio[(int) idx] / 32768.0 * window[i];
            }
            fft(re, im);
            for (int b = 0; b < bins; b++) {
                double e = 0;
                float[] f = filters[b];
                for (int k = 0; k <= FFT / 2; k++) if (f[k] != 0) e += f[k] * (re[k] * re[k] + im[k] * im[k]);
                out[b * cols + c] = (float) ((Math.log(e + 1e-6) + 5) / 5);
            }
        }
        return out;
    }

    public int rate() {
        return rate;
    }

    /** In-place radix-2 FFT. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double ang = -2 * Math.PI / len;
            double wr = Math.cos(ang), wi = Math.sin(ang);
            for (int i = 0; i < n; i += len) {
                double cr = 1, ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k, b = i + k + len / 2;
                    double xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - xr; im[b] = im[a] - xi;
                    re[a] += xr; im[a] += xi;
                    double nr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = nr;
                }
            }
        }
    }
}
