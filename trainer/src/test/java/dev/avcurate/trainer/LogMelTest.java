package dev.avcurate.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LogMelTest {
    static short[] tone(double hz, int n) {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) a[i] = (short) Math.round(0.5 * 32767 * Math.sin(2 * Math.PI * hz * i / 16000));
        return a;
    }

    @Test
    void aToneLightsTheMelBinOfItsFrequency() {
        LogMel mel = new LogMel(40, 16000);
        int frames = 4, per = 8;
        for (double hz : new double[] {300, 1000, 3000}) {
            float[] f = mel.features(tone(hz, 16000), 3200, 1280, frames, per);
            int cols = frames * per, best = 0;
            for (int b = 1; b < 40; b++) if (f[b * cols + 10] > f[best * cols + 10]) best = b;
            // the bin's centre on the mel scale (HTK), 40 bins from 0 to 8 kHz
            double melHi = 2595 * Math.log10(1 + 8000 / 700.0);
            double centre = 700 * (Math.pow(10, melHi * (best + 1) / 41 / 2595) - 1);
            assertEquals(1.0, centre / hz, 0.12, hz + " Hz tone peaks in bin " + best + " (centre " + centre + " Hz)");
        }
        float[] silence = mel.features(new short[16000], 3200, 1280, frames, per);
        assertTrue(Arrays.stream(toDouble(silence)).allMatch(v -> v < -1.5), "silence is about -1.8");
    }

    @Test
    void featuresOfFrameIHoldNoAudioFromAfterFrameI() {
        LogMel mel = new LogMel(40, 16000);
        short[] a = tone(440, 16000);
        short[] b = a.clone();
        int start = 1000, span = 1280, per = 8;
        for (int i = start + 2 * span; i < b.length; i++) b[i] = (short) (b[i] / 3 + 1234); // change audio from frame 2 on
        float[] fa = mel.features(a, start, span, 4, per), fb = mel.features(b, start, span, 4, per);
        int cols = 4 * per;
        for (int bin = 0; bin < 40; bin++) {
            assertArrayEquals(Arrays.copyOfRange(fa, bin * cols, bin * cols + 2 * per), Arrays.copyOfRange(fb, bin * cols, bin * cols + 2 * per),
                    "frames 0 and 1 must not see frame 2's audio");
        }
        boolean changed = false;
        for (int bin = 0; bin < 40; bin++) for (int c = 2 * per; c < cols; c++) changed |= fa[bin * cols + c] != fb[bin * cols + c];
        assertTrue(changed);
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
