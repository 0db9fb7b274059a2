package dev.avcurate.filters.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The lip-opening fallback on signals with a known answer: a random opening pattern, and a
 * speech-band energy that follows it {@link LipOpeningSync#LAG_FRAMES} frames later (the lips open
 * before the syllable is loudest) plus the audio's own delay; the offset must be that delay, with
 * the SPEC sign. And the gap filling the mesh's misses need.
 */
class LipOpeningSyncTest {
    static double[] pattern(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] p = new double[n];
        for (int i = 0; i < n; i++) p[i] = r.nextDouble();
        return p;
    }

    @Test
    void recoversTheAudioDelayAfterTheLipLead() {
        int n = 150;
        double[] open = pattern(n, 5);
        for (int delay : new int[] {-7, 0, 4, 9}) {
            double[] energy = new double[n];
            for (int j = 0; j < n; j++) {
                int i = j - delay - LipOpeningSync.LAG_FRAMES;
                energy[j] = Math.log(1e-3 + (i >= 0 && i < n ? open[i] : 0.5));
            }
            SyncResult r = LipOpeningSync.estimate(open, energy, 0);
            assertEquals(delay, r.offsetFrames(), "delay " + delay);
            assertTrue(r.confidence() > 0.5, "a clean pattern stands out: " + r.confidence());
            assertEquals(LipOpeningSync.ESTIMATOR, r.estimator());
        }
    }

    @Test
    void anUnrelatedVoiceHasALowConfidence() {
        double[] open = pattern(150, 1), energy = pattern(150, 2);
        assertTrue(LipOpeningSync.estimate(open, energy, 0).confidence() < 0.3);
    }

    @Test
    void gapsAreInterpolatedAndMostlyMissingTracksGiveNothing() {
        float nan = Float.NaN;
        assertArrayEquals(new double[] {2, 2, 3, 4, 5, 5}, LipOpeningSync.filled(new float[] {nan, 2, nan, 4, 5, nan}), 1e-9);
        assertNull(LipOpeningSync.filled(new float[] {nan, nan, 1, nan}), "the mesh missed the face on most frames");
    }

    @Test
    void speechBandEnergyIsCentredOnTheFrame() {
        // A 1 kHz burst from 0.50 s to 0.54 s: loudest in the frame at 0.52 s (window 0.50-0.54), not at 0.48 or 0.56.
        float[] a = new float[16000];
        for (int i = 8000; i < 8640; i++) a[i] = (float) Math.sin(2 * Math.PI * 1000 * i / 16000.0);
        double[] pts = {0.48, 0.52, 0.56};
        double[] e = LipOpeningSync.speechBandLogEnergy(a, 16000, 0, pts, 25);
        assertTrue(e[1] > e[0] + 3 && e[1] > e[2] + 3, java.util.Arrays.toString(e));
    }
}
