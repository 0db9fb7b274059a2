package dev.avcurate.filters.audio;

/**
 * The normalised log-mel spectrogram of LatentSync's {@code latentsync/utils/audio.py}
 * {@code melspectrogram(wav)} (adapted from Wav2Lip's {@code audio.py}) with its {@code configs/audio.yaml}
 * hyper-parameters, in double precision, for 16 kHz audio in [-1, 1] (as {@code librosa.load} /
 * decord's {@code AudioReader} give it):
 * {@code sample_rate 16000, n_fft 800, hop_size 200, win_size 800, num_mels 80, fmin 55, fmax 7600,
 * preemphasize true, preemphasis 0.97, ref_level_db 20, min_level_db -100, signal_normalization true,
 * symmetric_mels true, max_abs_value 4, allow_clipping_in_normalization true, use_lws false}.
 *
 * <p>Steps, against librosa 0.10.1 (LatentSync's pin):
 * <ol>
 *   <li>Pre-emphasis {@code scipy.signal.lfilter([1, -k], [1], wav)}: {@code y[t] = x[t] - 0.97 x[t-1]},
 *       {@code x[-1] = 0} (computed in float64).</li>
 *   <li>{@code librosa.stft(y, n_fft=800, hop_length=200, win_length=800)} with its defaults
 *       {@code center=True, pad_mode='constant', window='hann'}: {@code y} is zero-padded by
 *       {@code n_fft/2 = 400} on each side; frame {@code f} is {@code ypad[200 f .. 200 f + 799]} times the
 *       periodic Hann window {@code w[t] = 0.5 - 0.5 cos(2 pi t / 800)} ({@code scipy.signal.get_window
 *       ('hann', 800, fftbins=True)}, computed as scipy does: {@code 0.5 + 0.5 cos(linspace(-pi, pi, 801)[t])});
 *       {@code D[k, f] = rfft(frame)[k]}, {@code k = 0 .. 400}; frames {@code = 1 + len(y) // 200}.</li>
 *   <li>Mel basis {@code librosa.filters.mel(sr=16000, n_fft=800, n_mels=80, fmin=55, fmax=7600)}
 *       ({@code htk=False, norm='slaney', dtype=float32}): Slaney mel scale
 *       {@code mel(h) = h / (200/3)} below 1000 Hz, {@code 15 + ln(h / 1000) / (ln(6.4) / 27)} above, and
 *       its inverse; {@code fftfreqs = rfftfreq(800, 1/16000) = k * 20 Hz};
 *       {@code mel_f = hz(linspace(mel(55), mel(7600), 82))}; {@code fdiff = diff(mel_f)};
 *       {@code ramps[i][k] = mel_f[i] - fftfreqs[k]};
 *       {@code w[i][k] = max(0, min(-ramps[i][k] / fdiff[i], ramps[i+2][k] / fdiff[i+1]))}, stored as
 *       float32, then multiplied by {@code 2 / (mel_f[i+2] - mel_f[i])} and stored as float32 again
 *       (librosa's in-place {@code weights *= enorm} on a float32 array).</li>
 *   <li>{@code M[i, f] = sum_k w[i][k] |D[k, f]|} (float32 weights times float64 magnitudes, in
 *       float64).</li>
 *   <li>{@code _amp_to_db}: {@code S = 20 log10(max(10^(-100/20), M)) - 20}, the floor computed as
 *       {@code exp(min_level_db / 20 * ln 10)}.</li>
 *   <li>{@code _normalize}: {@code clip(8 ((S + 100) / 100) - 4, -4, 4)}.</li>
 * </ol>
 * Silence therefore maps to {@code -4} everywhere. Output is {@code [80][frames]} like the reference.
 */
public final class LogMel {
    /** Mel frames per second (16000 / hop 200). */
    public static final int FRAMES_PER_SECOND = 80;
    /** Mel frames LatentSync's SyncNet reads per 16-frame clip: {@code ceil(16 / 5 * 16)}. */
    public static final int WINDOW = 52;
    public static final int SAMPLE_RATE = 16000;
    public static final int N_FFT = 800;
    public static final int HOP = 200;
    public static final int WIN = 800;
    public static final int NUM_MELS = 80;
    public static final double FMIN = 55;
    public static final double FMAX = 7600;

    static final double PREEMPH = 0.97;
    static final double REF_LEVEL_DB = 20;
    static final double MIN_LEVEL_DB = -100;
    static final double MAX_ABS = 4.0;

    private static final Fft FFT = new Fft(N_FFT);
    private static final double[] WINDOW_FN = hannPeriodic(WIN);
    private static final float[][] MEL_BASIS = melBasis(SAMPLE_RATE, N_FFT, NUM_MELS, FMIN, FMAX);
    private static final int[] LO = new int[NUM_MELS];
    private static final int[] HI = new int[NUM_MELS];

    static {
        for (int i = 0; i < NUM_MELS; i++) {
            float[] w = MEL_BASIS[i];
            int a = 0;
            while (a < w.length && w[a] == 0f) a++;
            int b = w.length;
            while (b > a && w[b - 1] == 0f) b--;
            LO[i] = a;
            HI[i] = b;
        }
    }

    private LogMel() {}

    /**
     * LatentSync's {@code crop_audio_window} start: {@code int(80.0 * (videoFrame / fps))}; the window is
     * {@code mel[:, start : start + WINDOW]}.
     */
    public static int windowStart(int videoFrame, double fps) {
        return (int) (80.0 * (videoFrame / fps));
    }

    /** The spectrogram of a 16 kHz signal: {@code [80][1 + len / 200]}, values in [-4, 4]. */
    public static float[][] compute(float[] signal16k) {
        int n = signal16k.length;
        double[] y = new double[n];
        for (int t = 0; t < n; t++) y[t] = signal16k[t] - (t > 0 ? PREEMPH * (double) signal16k[t - 1] : 0.0);
        int frames = 1 + n / HOP;
        int bins = N_FFT / 2 + 1;
        int pad = N_FFT / 2;
        float[][] out = new float[NUM_MELS][frames];
        double[] buf = new double[N_FFT];
        double[] re = new double[N_FFT];
        double[] im = new double[N_FFT];
        double[] mag = new double[bins];
        double minLevel = Math.exp(MIN_LEVEL_DB / 20 * Math.log(10));
        for (int f = 0; f < frames; f++) {
            int start = f * HOP - pad; // index into y of the frame's first sample
            for (int t = 0; t < N_FFT; t++) {
                int idx = start + t;
                buf[t] = idx >= 0 && idx < n ? y[idx] * WINDOW_FN[t] : 0.0;
            }
            FFT.forward(buf, null, re, im);
            for (int k = 0; k < bins; k++) mag[k] = Math.hypot(re[k], im[k]);
            for (int i = 0; i < NUM_MELS; i++) {
                float[] w = MEL_BASIS[i];
                double s = 0.0;
                for (int k = LO[i]; k < HI[i]; k++) s += w[k] * mag[k];
                double db = 20 * Math.log10(Math.max(minLevel, s)) - REF_LEVEL_DB;
                double v = (2 * MAX_ABS) * ((db - MIN_LEVEL_DB) / (-MIN_LEVEL_DB)) - MAX_ABS;
                out[i][f] = (float) Math.min(MAX_ABS, Math.max(-MAX_ABS, v));
            }
        }
        return out;
    }

    /** {@code scipy.signal.get_window('hann', n, fftbins=True)}: the symmetric window of {@code n + 1} points, last dropped. */
    static double[] hannPeriodic(int n) {
        int m = n + 1;
        double[] fac = Mfcc.linspace(-Math.PI, Math.PI, m);
        double[] w = new double[n];
        for (int t = 0; t < n; t++) w[t] = 0.0 + 0.5 * Math.cos(0 * fac[t]) + 0.5 * Math.cos(fac[t]);
        return w;
    }

    /** librosa {@code hz_to_mel(f, htk=False)} (Slaney). */
    static double hzToMel(double hz) {
        double fMin = 0.0, fSp = 200.0 / 3;
        double minLogHz = 1000.0, minLogMel = (minLogHz - fMin) / fSp, logstep = Math.log(6.4) / 27.0;
        if (hz >= minLogHz) return minLogMel + Math.log(hz / minLogHz) / logstep;
        return (hz - fMin) / fSp;
    }

    /** librosa {@code mel_to_hz(m, htk=False)} (Slaney). */
    static double melToHz(double mel) {
        double fMin = 0.0, fSp = 200.0 / 3;
        double minLogHz = 1000.0, minLogMel = (minLogHz - fMin) / fSp, logstep = Math.log(6.4) / 27.0;
        if (mel >= minLogMel) return minLogHz * Math.exp(logstep * (mel - minLogMel));
        return fMin + fSp * mel;
    }

    /** {@code librosa.mel_frequencies(n, fmin, fmax, htk=False)}. */
    static double[] melFrequencies(int n, double fmin, double fmax) {
        double[] mels = Mfcc.linspace(hzToMel(fmin), hzToMel(fmax), n);
        double[] hz = new double[n];
        for (int i = 0; i < n; i++) hz[i] = melToHz(mels[i]);
        return hz;
    }

    /** {@code librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax)} with its defaults (Slaney scale and norm, float32). */
    static float[][] melBasis(int sr, int nFft, int nMels, double fmin, double fmax) {
        int bins = 1 + nFft / 2;
        double val = 1.0 / (nFft * (1.0 / sr)); // numpy.fft.rfftfreq(n, d=1/sr)
        double[] fftfreqs = new double[bins];
        for (int k = 0; k < bins; k++) fftfreqs[k] = k * val;
        double[] melF = melFrequencies(nMels + 2, fmin, fmax);
        double[] fdiff = new double[nMels + 1];
        for (int i = 0; i < fdiff.length; i++) fdiff[i] = melF[i + 1] - melF[i];
        float[][] weights = new float[nMels][bins];
        for (int i = 0; i < nMels; i++) {
            double enorm = 2.0 / (melF[i + 2] - melF[i]);
            for (int k = 0; k < bins; k++) {
                double lower = -(melF[i] - fftfreqs[k]) / fdiff[i];
                double upper = (melF[i + 2] - fftfreqs[k]) / fdiff[i + 1];
                float w = (float) Math.max(0, Math.min(lower, upper));
                weights[i][k] = (float) (w * enorm);
            }
        }
        return weights;
    }
}
