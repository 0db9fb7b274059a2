package dev.avcurate.ingest.samples;

import java.util.SplittableRandom;

/**
 * A speech-like signal: syllables at about 4 Hz grouped in phrases with pauses, voiced by a
 * harmonic source with formant-like weights. The same {@link #envelope} drives a drawn mouth, so
 * audio and lips are in sync by construction (or shifted by a known offset).
 */
public final class SpeechSignal {
    private final long seed;
    private final double f0;
    private final double offsetS;

    public SpeechSignal(long seed, double f0Hz) {
        this(seed, f0Hz, 0);
    }

    private SpeechSignal(long seed, double f0, double offsetS) {
        this.seed = seed;
        this.f0 = f0;
        this.offsetS = offsetS;
    }

    /** The same speech played {@code seconds} later (positive = audio lags the video). */
    public SpeechSignal delayed(double seconds) {
        return new SpeechSignal(seed, f0, offsetS + seconds);
    }

    /** Loudness in [0, 1] at time t (mouth opening). */
    public double envelope(double t) {
        t -= offsetS;
        if (t < 0) return 0;
        // Phrases of 1.6..2.8 s separated by 0.4..0.8 s pauses, deterministic per seed.
        int phrase = (int) Math.floor(t / 3.0);
        SplittableRandom r = new SplittableRandom(seed * 7919 + phrase);
        double speak = 1.6 + 1.2 * r.nextDouble();
        double local = t - phrase * 3.0;
        if (local > speak) return 0;
        double rate = 3.5 + 1.5 * r.nextDouble();
        double phase = r.nextDouble();
        double s = Math.sin(Math.PI * (local * rate + phase));
        double syl = s * s;
        double edge = Math.min(1, Math.min(local, speak - local) / 0.08);
        return syl * edge;
    }

    /** One audio sample at time t. */
    public float sample(double t) {
        double e = envelope(t);
        if (e <= 1e-4) return 0;
        double tt = t - offsetS;
        double vib = 1 + 0.03 * Math.sin(2 * Math.PI * 0.7 * tt);
        double v = 0;
        // Harmonics weighted around two formant-like peaks (~500 Hz and ~1500 Hz).
        for (int k = 1; k <= 20; k++) {
            double f = k * f0 * vib;
            double w = Math.exp(-Math.pow((f - 500) / 250, 2)) + 0.6 * Math.exp(-Math.pow((f - 1500) / 400, 2)) + 0.05;
            v += w * Math.sin(2 * Math.PI * f * tt + k);
        }
        return (float) (0.25 * e * v / 3.0);
    }
}
