package dev.avcurate.filters.audio;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MFCC features exactly as {@code python_speech_features.mfcc(signal, samplerate)} computes them with its
 * defaults (the audio front end of SyncNet's {@code SyncNetInstance} and Light-ASD), in double precision:
 * {@code winlen = 0.025 s}, {@code winstep = 0.01 s}, {@code numcep = 13}, {@code nfilt = 26},
 * {@code nfft = 512} (at 16 kHz), {@code lowfreq = 0}, {@code highfreq = samplerate / 2},
 * {@code preemph = 0.97}, {@code ceplifter = 22}, {@code appendEnergy = True}, rectangular window.
 *
 * <p><b>Input scale.</b> The reference callers pass the {@code int16} samples of
 * {@code scipy.io.wavfile.read} unscaled (range +-32768), and every value below except the lifter depends
 * on that scale: pass samples in the same units as the model expects (a {@code float[]} holds any int16
 * exactly).
 *
 * <p>Steps (python_speech_features {@code base.py} / {@code sigproc.py}):
 * <ol>
 *   <li>Pre-emphasis: {@code y[0] = x[0]}, {@code y[t] = x[t] - 0.97 x[t-1]}.</li>
 *   <li>Framing ({@code framesig}): {@code L = round_half_up(winlen * sr)} (400), {@code S =
 *       round_half_up(winstep * sr)} (160); {@code F = 1} if {@code len <= L}, else
 *       {@code F = 1 + ceil((len - L) / S)}; the signal is zero-padded at the end to
 *       {@code (F - 1) S + L}; frame {@code f} is {@code y[f S .. f S + L - 1]} (window of ones).</li>
 *   <li>Power spectrum ({@code powspec}): {@code P[k] = |rfft(frame, nfft)[k]|^2 / nfft},
 *       {@code k = 0 .. nfft/2} (a frame longer than {@code nfft} is truncated to its first {@code nfft}
 *       samples, as numpy's {@code rfft(frame, nfft)}; shorter is zero-padded).</li>
 *   <li>Energy: {@code E = sum_k P[k]}, replaced by machine epsilon {@code 2^-52} when exactly 0.</li>
 *   <li>Filterbank ({@code get_filterbanks}): {@code mel(h) = 2595 log10(1 + h/700)},
 *       {@code hz(m) = 700 (10^(m/2595) - 1)}; {@code nfilt + 2} points equally spaced in mel from
 *       {@code mel(lowfreq)} to {@code mel(highfreq)} ({@code numpy.linspace});
 *       {@code bin[i] = floor((nfft + 1) hz(mel_i) / sr)}; filter {@code j} is
 *       {@code (k - bin[j]) / (bin[j+1] - bin[j])} for {@code bin[j] <= k < bin[j+1]} and
 *       {@code (bin[j+2] - k) / (bin[j+2] - bin[j+1])} for {@code bin[j+1] <= k < bin[j+2]}, else 0.</li>
 *   <li>{@code feat[j] = log(sum_k P[k] fbank[j][k])}, an exact 0 replaced by epsilon first.</li>
 *   <li>DCT-II, orthonormal ({@code scipy.fftpack.dct(type=2, norm='ortho')}):
 *       {@code c[i] = s(i) sum_{j=0}^{N-1} feat[j] cos(pi i (2j + 1) / (2N))}, {@code s(0) = sqrt(1/N)},
 *       {@code s(i>0) = sqrt(2/N)}, {@code N = nfilt}; the first {@code numcep} are kept.</li>
 *   <li>Lifter: {@code c[i] *= 1 + (L/2) sin(pi i / L)}, {@code L = 22}.</li>
 *   <li>{@code c[0] = log(E)} (appendEnergy).</li>
 * </ol>
 *
 * <p>Precision: everything is double; results differ from numpy only by summation order (FFT, BLAS dot,
 * FFT-based DCT: ~1e-15 relative) before the final cast to float, so they agree with the reference to
 * float rounding.
 */
public final class Mfcc {
    /** Feature frames per second at the default 10 ms step. */
    public static final int FRAMES_PER_SECOND = 100;
    /** Coefficients per frame ({@code numcep}). */
    public static final int NUM_CEP = 13;
    /** Mel filters ({@code nfilt}). */
    public static final int NUM_FILTERS = 26;
    /** The default sample rate. */
    public static final int SAMPLE_RATE = 16000;

    static final double WIN_LEN_S = 0.025;
    static final double WIN_STEP_S = 0.01;
    static final double PREEMPH = 0.97;
    static final int CEP_LIFTER = 22;
    /** {@code numpy.finfo(float).eps}. */
    static final double EPS = Math.ulp(1.0);

    private static final ConcurrentHashMap<Integer, Plan> PLANS = new ConcurrentHashMap<>();

    private Mfcc() {}

    /**
     * MFCCs of 16 kHz audio in [-1, 1] as SyncNet and Light-ASD compute them: they read WAVs with
     * scipy as int16 and pass those numbers on unscaled, so the samples are scaled by 32768 first.
     */
    public static float[][] ofUnitAudio(float[] audio16k) {
        float[] s = new float[audio16k.length];
        for (int i = 0; i < s.length; i++) s[i] = audio16k[i] * 32768f;
        return compute(s);
    }

    /** MFCCs of a 16 kHz signal: {@code [frames][13]}, as {@code python_speech_features.mfcc(signal, 16000)}. */
    public static float[][] compute(float[] signal16k) {
        return compute(signal16k, SAMPLE_RATE);
    }

    /**
     * MFCCs at another sample rate: {@code python_speech_features.mfcc(signal, sampleRate)} with
     * {@code nfft} the smallest power of two {@code >= winlen * sampleRate} ({@code calculate_nfft} of
     * python_speech_features 0.6.1; 512 at 16 kHz, the hard default of older releases).
     */
    public static float[][] compute(float[] signal, int sampleRate) {
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be positive: " + sampleRate);
        if (signal.length == 0) throw new IllegalArgumentException("empty signal"); // python: IndexError
        Plan plan = PLANS.computeIfAbsent(sampleRate, Plan::new);
        int n = signal.length;
        double[] y = new double[n];
        y[0] = signal[0];
        for (int t = 1; t < n; t++) y[t] = signal[t] - PREEMPH * (double) signal[t - 1];

        int frameLen = plan.frameLen, step = plan.frameStep, nfft = plan.nfft, bins = nfft / 2 + 1;
        int frames = numFrames(n, frameLen, step);
        float[][] out = new float[frames][NUM_CEP];
        double[] buf = new double[nfft];
        double[] re = new double[nfft];
        double[] im = new double[nfft];
        double[] pow = new double[bins];
        double[] feat = new double[NUM_FILTERS];
        int copy = Math.min(frameLen, nfft);
        double invNfft = 1.0 / nfft;
        for (int f = 0; f < frames; f++) {
            int start = f * step;
            java.util.Arrays.fill(buf, 0.0);
            for (int t = 0; t < copy; t++) {
                int idx = start + t;
                buf[t] = idx < n ? y[idx] : 0.0;
            }
            plan.fft.powerSpectrum(buf, re, im, pow);
            double energy = 0.0;
            for (int k = 0; k < bins; k++) {
                pow[k] = invNfft * pow[k]; // 1.0/NFFT * numpy.square(numpy.absolute(rfft))
                energy += pow[k];
            }
            if (energy == 0.0) energy = EPS;
            for (int j = 0; j < NUM_FILTERS; j++) {
                double s = 0.0;
                double[] w = plan.fbank[j];
                for (int k = plan.lo[j]; k < plan.hi[j]; k++) s += pow[k] * w[k];
                feat[j] = Math.log(s == 0.0 ? EPS : s);
            }
            float[] row = out[f];
            for (int i = 0; i < NUM_CEP; i++) {
                double s = 0.0;
                double[] basis = plan.dct[i];
                for (int j = 0; j < NUM_FILTERS; j++) s += feat[j] * basis[j];
                row[i] = (float) (s * plan.lift[i]);
            }
            row[0] = (float) Math.log(energy);
        }
        return out;
    }

    /** {@code framesig}'s frame count: 1 if {@code len <= frameLen}, else {@code 1 + ceil((len - frameLen) / step)}. */
    public static int numFrames(int len, int frameLen, int step) {
        if (len <= frameLen) return 1;
        return 1 + (int) Math.ceil((1.0 * len - frameLen) / step);
    }

    /** {@code sigproc.round_half_up}: {@code Decimal(x).quantize(1, ROUND_HALF_UP)} on the exact binary value. */
    static int roundHalfUp(double x) {
        return new BigDecimal(x).setScale(0, RoundingMode.HALF_UP).intValueExact();
    }

    /** {@code calculate_nfft}: the smallest power of two {@code >= winlen * sampleRate}. */
    static int nfftFor(int sampleRate) {
        double windowLengthSamples = WIN_LEN_S * sampleRate;
        int nfft = 1;
        while (nfft < windowLengthSamples) nfft *= 2;
        return nfft;
    }

    static double hz2mel(double hz) {
        return 2595 * Math.log10(1 + hz / 700.);
    }

    static double mel2hz(double mel) {
        return 700 * (Math.pow(10, mel / 2595.0) - 1);
    }

    /** {@code numpy.linspace(start, stop, num)}: {@code start + i * ((stop - start) / (num - 1))}, last = stop. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /** {@code get_filterbanks(nfilt, nfft, samplerate, lowfreq, highfreq)}: {@code [nfilt][nfft/2 + 1]}. */
    static double[][] filterbank(int nfilt, int nfft, int sampleRate, double lowFreq, double highFreq) {
        double[] melPoints = linspace(hz2mel(lowFreq), hz2mel(highFreq), nfilt + 2);
        double[] bin = new double[nfilt + 2];
        for (int i = 0; i < bin.length; i++) bin[i] = Math.floor((nfft + 1) * mel2hz(melPoints[i]) / sampleRate);
        double[][] fb = new double[nfilt][nfft / 2 + 1];
        for (int j = 0; j < nfilt; j++) {
            for (int i = (int) bin[j]; i < (int) bin[j + 1]; i++) fb[j][i] = (i - bin[j]) / (bin[j + 1] - bin[j]);
            for (int i = (int) bin[j + 1]; i < (int) bin[j + 2]; i++) fb[j][i] = (bin[j + 2] - i) / (bin[j + 2] - bin[j + 1]);
        }
        return fb;
    }

    /** Everything that depends only on the sample rate. */
    private static final class Plan {
        final int frameLen, frameStep, nfft;
        final Fft fft;
        final double[][] fbank;
        final int[] lo, hi; // non-zero support of each filter
        final double[][] dct; // [numcep][nfilt] orthonormal DCT-II basis
        final double[] lift;

        Plan(int sampleRate) {
            frameLen = roundHalfUp(WIN_LEN_S * sampleRate);
            frameStep = roundHalfUp(WIN_STEP_S * sampleRate);
            if (frameLen < 1 || frameStep < 1) throw new IllegalArgumentException("sample rate too low: " + sampleRate);
            nfft = nfftFor(sampleRate);
            fft = new Fft(nfft);
            fbank = filterbank(NUM_FILTERS, nfft, sampleRate, 0, sampleRate / 2.0);
            lo = new int[NUM_FILTERS];
            hi = new int[NUM_FILTERS];
            for (int j = 0; j < NUM_FILTERS; j++) {
                int a = 0, b = 0;
                double[] w = fbank[j];
                while (a < w.length && w[a] == 0.0) a++;
                b = w.length;
                while (b > a && w[b - 1] == 0.0) b--;
                lo[j] = a;
                hi[j] = b;
            }
            int nf = NUM_FILTERS;
            dct = new double[NUM_CEP][nf];
            for (int i = 0; i < NUM_CEP; i++) {
                double scale = i == 0 ? Math.sqrt(1.0 / nf) : Math.sqrt(2.0 / nf);
                for (int j = 0; j < nf; j++) dct[i][j] = scale * Math.cos(Math.PI * i * (2 * j + 1) / (2.0 * nf));
            }
            lift = new double[NUM_CEP];
            for (int i = 0; i < NUM_CEP; i++) lift[i] = 1 + (CEP_LIFTER / 2.) * Math.sin(Math.PI * i / CEP_LIFTER);
        }
    }
}
