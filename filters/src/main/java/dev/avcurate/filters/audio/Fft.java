package dev.avcurate.filters.audio;

/**
 * Forward discrete Fourier transform of any length, in double precision, by mixed-radix Cooley-Tukey
 * decimation in time (the KISS FFT layout): the length is split into its prime factors (2s first, then 3,
 * 5, ...), each stage combines {@code p} sub-transforms of length {@code m = n / p} with a butterfly of
 * radix {@code p}. All twiddle factors come from one table {@code W[k] = exp(-2 pi i k / n)} computed
 * directly with {@link Math#cos}/{@link Math#sin}, so rounding error grows like {@code log n}.
 *
 * <p>Definition (numpy's sign and scaling, no normalisation):
 * {@code X[k] = sum_{t=0}^{n-1} x[t] * exp(-2 pi i k t / n)}, {@code k = 0 .. n-1}.
 * {@link #rfft} returns the {@code n/2 + 1} non-negative-frequency bins, as {@code numpy.fft.rfft}.
 *
 * <p>The cost is {@code O(n * sum of factors)}: for 512 (2^9) and 800 (2^5 * 5^2) that is a few tens of
 * complex multiply-adds per sample. An instance holds only immutable tables and is safe to share between
 * threads; each call allocates its own scratch.
 */
public final class Fft {
    private final int n;
    private final int[] factors; // radix of each stage, outermost first
    private final double[] twRe;
    private final double[] twIm;

    /** A plan for transforms of length {@code n >= 1}. */
    public Fft(int n) {
        if (n < 1) throw new IllegalArgumentException("FFT length must be >= 1: " + n);
        this.n = n;
        this.factors = factorize(n);
        this.twRe = new double[n];
        this.twIm = new double[n];
        for (int k = 0; k < n; k++) {
            double phi = -2.0 * Math.PI * k / n;
            twRe[k] = Math.cos(phi);
            twIm[k] = Math.sin(phi);
        }
    }

    /** The transform length. */
    public int size() {
        return n;
    }

    private static int[] factorize(int n) {
        int[] buf = new int[32];
        int count = 0;
        int rest = n;
        for (int p = 2; rest > 1; ) {
            if ((long) p * p > rest) p = rest; // rest is prime
            if (rest % p == 0) {
                buf[count++] = p;
                rest /= p;
            } else {
                p = p == 2 ? 3 : p + 2;
            }
        }
        int[] out = new int[count];
        System.arraycopy(buf, 0, out, 0, count);
        return out;
    }

    /**
     * Out-of-place complex forward transform: {@code (outRe, outIm) = DFT(inRe, inIm)}. Inputs are read
     * from index 0 and left unchanged; {@code inIm} may be {@code null} for a real input. Output arrays
     * must hold {@code n} values and must not alias the inputs.
     */
    public void forward(double[] inRe, double[] inIm, double[] outRe, double[] outIm) {
        if (inRe.length < n || (inIm != null && inIm.length < n) || outRe.length < n || outIm.length < n) {
            throw new IllegalArgumentException("arrays shorter than the FFT length " + n);
        }
        int maxP = 1;
        for (int p : factors) maxP = Math.max(maxP, p);
        double[] sRe = new double[maxP];
        double[] sIm = new double[maxP];
        if (n == 1) {
            outRe[0] = inRe[0];
            outIm[0] = inIm == null ? 0.0 : inIm[0];
            return;
        }
        work(outRe, outIm, 0, inRe, inIm, 0, 1, 0, sRe, sIm);
    }

    /**
     * Real-input transform: the first {@code n/2 + 1} bins of the DFT of {@code x[0 .. n-1]}
     * ({@code numpy.fft.rfft(x, n)} for an input of exactly {@code n} samples). Returns {re, im}.
     */
    public double[][] rfft(double[] x) {
        double[] re = new double[n];
        double[] im = new double[n];
        forward(x, null, re, im);
        int h = n / 2 + 1;
        double[] r = new double[h];
        double[] i = new double[h];
        System.arraycopy(re, 0, r, 0, h);
        System.arraycopy(im, 0, i, 0, h);
        return new double[][] {r, i};
    }

    /**
     * Squared magnitudes {@code |X[k]|^2} of the first {@code n/2 + 1} bins of the DFT of the real
     * {@code x[0 .. n-1]}, written to {@code out}; {@code re}/{@code im} are caller-provided scratch of
     * length {@code n} (reused across frames to avoid allocation).
     */
    void powerSpectrum(double[] x, double[] re, double[] im, double[] out) {
        forward(x, null, re, im);
        int h = n / 2 + 1;
        for (int k = 0; k < h; k++) out[k] = re[k] * re[k] + im[k] * im[k];
    }

    /**
     * Transforms the sub-sequence {@code in[inOff + t * stride]}, {@code t = 0 .. len-1} with
     * {@code len = n / stride} into {@code out[outOff .. outOff + len - 1]}. {@code level} indexes the
     * factor used at this stage; {@code stride} also equals {@code n / len}, the twiddle step.
     */
    private void work(double[] outRe, double[] outIm, int outOff, double[] inRe, double[] inIm, int inOff,
                      int stride, int level, double[] sRe, double[] sIm) {
        int p = factors[level];
        int len = n / stride;
        int m = len / p;
        if (m == 1) {
            for (int q = 0; q < p; q++) {
                int src = inOff + q * stride;
                outRe[outOff + q] = inRe[src];
                outIm[outOff + q] = inIm == null ? 0.0 : inIm[src];
            }
        } else {
            for (int q = 0; q < p; q++) {
                work(outRe, outIm, outOff + q * m, inRe, inIm, inOff + q * stride, stride * p, level + 1, sRe, sIm);
            }
        }
        butterfly(outRe, outIm, outOff, stride, m, p, sRe, sIm);
    }

    /**
     * Combines the {@code p} length-{@code m} transforms {@code Y_q} stored at {@code out[off + q*m ..]}
     * into the length {@code p*m} transform: {@code X[k] = sum_q W_{pm}^{q k} Y_q[k mod m]}, with
     * {@code W_{pm}^j = W[j * stride mod n]}.
     */
    private void butterfly(double[] re, double[] im, int off, int stride, int m, int p, double[] sRe, double[] sIm) {
        if (p == 2) {
            for (int u = 0; u < m; u++) {
                int a = off + u, b = a + m;
                int t = u * stride;
                double wr = twRe[t], wi = twIm[t];
                double br = re[b] * wr - im[b] * wi;
                double bi = re[b] * wi + im[b] * wr;
                double ar = re[a], ai = im[a];
                re[a] = ar + br;
                im[a] = ai + bi;
                re[b] = ar - br;
                im[b] = ai - bi;
            }
            return;
        }
        for (int u = 0; u < m; u++) {
            // twiddle the inputs: s[q] = W^{q u} Y_q[u]
            for (int q = 0; q < p; q++) {
                int idx = off + u + q * m;
                int t = (int) (((long) q * u * stride) % n);
                double wr = twRe[t], wi = twIm[t];
                sRe[q] = re[idx] * wr - im[idx] * wi;
                sIm[q] = re[idx] * wi + im[idx] * wr;
            }
            // radix-p DFT of s: X[u + r m] = sum_q s[q] W_p^{q r}, W_p = W[n / p]
            int base = n / p;
            for (int r = 0; r < p; r++) {
                double accR = sRe[0], accI = sIm[0];
                for (int q = 1; q < p; q++) {
                    int t = (int) (((long) q * r % p) * base);
                    double wr = twRe[t], wi = twIm[t];
                    accR += sRe[q] * wr - sIm[q] * wi;
                    accI += sRe[q] * wi + sIm[q] * wr;
                }
                re[off + u + r * m] = accR;
                im[off + u + r * m] = accI;
            }
        }
    }
}
