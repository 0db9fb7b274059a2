package dev.avcurate.filters.sync;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.OnnxGraph;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SyncNet, StableSyncNet and Light-ASD wrappers against small generated ONNX models with the
 * real exports' input and output names and shapes. The models compute something the test can
 * predict: the crop's brightness per frame for the video branch, the loudness per video frame
 * from the audio features for the audio branch (MFCC c0, or the mean log-mel), each centred
 * and L2-normalized, so the embeddings meet only when the crops, windows and feature frames fed
 * in are the right ones. The scene: a face whose brightness follows a random loudness pattern,
 * and a tone whose amplitude follows the same pattern delayed by a known number of frames.
 */
class SyncOperatorsTest {
    static final int W = 320, H = 240, T = 100;
    static final double X = 160, Y = 110, S = 40;
    @TempDir
    Path dir;

    /** Loudness level per video frame, random (no periodicity for a wrong shift to lock on to). */
    static double[] pattern(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[T + 40];
        for (int i = 0; i < a.length; i++) a[i] = 0.03 + 0.4 * r.nextDouble();
        return a;
    }

    /** Frame i: black, with a region around the face, larger than any crop, of grey {@code grey[i]}. */
    static List<VideoFrame> frames(double[] grey) {
        List<VideoFrame> out = new ArrayList<>();
        for (int i = 0; i < T; i++) {
            byte[] px = new byte[W * H * 3];
            int g = (int) Math.round(grey[i]);
            for (int y = (int) (Y - 1.2 * S); y < (int) (Y + 2.0 * S); y++) {
                for (int x = (int) (X - 1.6 * S); x < (int) (X + 1.6 * S); x++) {
                    int o = (y * W + x) * 3;
                    px[o] = px[o + 1] = px[o + 2] = (byte) g;
                }
            }
            out.add(new VideoFrame(i / 25.0, W, H, px));
        }
        return out;
    }

    static FaceTrack track() {
        double[] cx = new double[T], cy = new double[T], s = new double[T];
        Arrays.fill(cx, X);
        Arrays.fill(cy, Y);
        Arrays.fill(s, S);
        return new FaceTrack(0, cx, cy, s, cx.clone(), cy.clone());
    }

    /** A 440 Hz tone whose amplitude in video frame i is {@code gain * amp[i - delay]} (delay > 0: the audio lags). */
    static float[] tone(double[] amp, int delay, double gain) {
        float[] a = new float[T * 640];
        for (int n = 0; n < a.length; n++) {
            int f = n / 640 - delay + 20;
            a[n] = (float) (gain * amp[f] * Math.sin(2 * Math.PI * 440 * n / 16000.0));
        }
        return a;
    }

    static double[] brightness(double[] amp) {
        double[] g = new double[T];
        for (int i = 0; i < T; i++) g[i] = 150 + 25 * Math.log(amp[i + 20]);
        return g;
    }

    /** Centre then L2-normalize along axis 1, and pad to {@code dim} columns. */
    static String centredUnit(OnnxGraph g, String x, int n, int dim) {
        String m = g.op("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 1L), x);
        String c = g.op("Sub", Map.of(), x, m);
        String u = g.op("LpNormalization", Map.of("axis", 1L, "p", 2L), c);
        float[] eye = new float[n * dim];
        for (int i = 0; i < n; i++) eye[i * dim + i] = 1;
        String w = g.fresh("eye");
        g.constFloat(w, new long[] {n, dim}, eye);
        return g.op("MatMul", Map.of(), u, w);
    }

    static OnnxSessions.Shared session(Path file, dev.avcurate.filters.onnx.ModelSpec spec) {
        assertEquals(List.of(), ModelRegistry.checkInterface(spec, file), "the generated model has the real interface");
        return OnnxSessions.get(spec, file, "cpu", 1);
    }

    Path syncNetModel() {
        OnnxGraph g = new OnnxGraph("syncnet_probe");
        g.input("video", OnnxGraph.FLOAT, -1, 3, 5, 224, 224);
        g.input("audio", OnnxGraph.FLOAT, -1, 1, 13, 20);
        String v = g.op("ReduceMean", Map.of("axes", new long[] {1, 3, 4}, "keepdims", 0L), "video"); // (N,5)
        g.node("Identity", List.of(centredUnit(g, v, 5, 1024)), List.of("video_embedding"));
        g.constInt64("starts", new long[] {1}, 0);
        g.constInt64("ends", new long[] {1}, 1);
        g.constInt64("axes", new long[] {1}, 2);
        String c0 = g.op("Slice", Map.of(), "audio", "starts", "ends", "axes"); // (N,1,1,20): MFCC c0, the log energy
        g.constInt64("shape", new long[] {3}, -1, 5, 4);
        String per = g.op("ReduceMean", Map.of("axes", new long[] {2}, "keepdims", 0L), g.op("Reshape", Map.of(), c0, "shape"));
        g.node("Identity", List.of(centredUnit(g, per, 5, 1024)), List.of("audio_embedding"));
        g.output("video_embedding", OnnxGraph.FLOAT, -1, 1024);
        g.output("audio_embedding", OnnxGraph.FLOAT, -1, 1024);
        return g.write(dir.resolve("syncnet.onnx"));
    }

    @Test
    void syncNetFindsTheKnownOffsetWithItsSign() {
        SyncNet net = new SyncNet(session(syncNetModel(), SyncNet.SPEC));
        double[] amp = pattern(5);
        List<VideoFrame> frames = frames(brightness(amp));
        for (int d : new int[] {-7, 0, 5}) {
            SyncResult r = net.evaluate(frames, track(), tone(amp, d, 1));
            assertEquals(d, r.offsetFrames(), "offset for an audio delay of " + d + " frames: " + Arrays.toString(r.distances()));
            assertTrue(r.confidence() > 0.5, "Sync-C " + r.confidence());
            assertTrue(r.minDistance() < 0.6, "Sync-D " + r.minDistance());
            assertEquals(r.minDistance(), Arrays.stream(r.distances()).min().orElseThrow(), 1e-12);
            assertTrue(r.estimator().startsWith("syncnet@cpu"));
        }
    }

    @Test
    void syncNetCropsAreBgrPlanesOfRawPixels() {
        byte[] px = new byte[W * H * 3];
        for (int o = 0; o < px.length; o += 3) {
            px[o] = (byte) 200; // blue
            px[o + 2] = (byte) 30; // red
        }
        List<VideoFrame> one = List.of(new VideoFrame(0, W, H, px));
        FaceTrack t = new FaceTrack(0, new double[] {X}, new double[] {Y}, new double[] {S}, new double[] {X}, new double[] {Y});
        float[] c = SyncNet.crop(one, t, 0);
        assertEquals(200f, c[112 * 224 + 112]);
        assertEquals(0f, c[224 * 224 + 112 * 224 + 112]);
        assertEquals(30f, c[2 * 224 * 224 + 112 * 224 + 112]);
        float[] h = StableSyncNet.lowerHalf(one.get(0), X, Y, S);
        assertEquals(30 / 127.5 - 1, h[64 * 256 + 128], 1e-6, "RGB: red plane first, in [-1, 1]");
        assertEquals(200 / 127.5 - 1, h[2 * 128 * 256 + 64 * 256 + 128], 1e-6);
    }

    Path stableModel() {
        OnnxGraph g = new OnnxGraph("stable_syncnet_probe");
        g.input("video", OnnxGraph.FLOAT, -1, 48, 128, 256);
        g.input("audio", OnnxGraph.FLOAT, -1, 1, 80, 52);
        g.constInt64("vshape", new long[] {5}, -1, 16, 3, 128, 256);
        String v = g.op("ReduceMean", Map.of("axes", new long[] {2, 3, 4}, "keepdims", 0L), g.op("Reshape", Map.of(), "video", "vshape"));
        g.node("Identity", List.of(centredUnit(g, v, 16, 64)), List.of("video_embedding"));
        // Mel bins 8..13 hold 440 Hz (Slaney scale from 55 Hz); the tone's steps at frame edges spread to the others.
        g.constInt64("mstart", new long[] {1}, 8);
        g.constInt64("mend", new long[] {1}, 14);
        g.constInt64("maxis", new long[] {1}, 2);
        String band = g.op("Slice", Map.of(), "audio", "mstart", "mend", "maxis");
        String melT = g.op("ReduceMean", Map.of("axes", new long[] {1, 2}, "keepdims", 0L), band); // (N,52)
        float[] pool = new float[52 * 16]; // mel frames of video frame f: [3.2 f, 3.2 (f+1))
        for (int f = 0; f < 16; f++) {
            int a = (int) Math.floor(3.2 * f), b = (int) Math.floor(3.2 * (f + 1));
            for (int m = a; m < b; m++) pool[m * 16 + f] = 1f / (b - a);
        }
        g.constFloat("pool", new long[] {52, 16}, pool);
        g.node("Identity", List.of(centredUnit(g, g.op("MatMul", Map.of(), melT, "pool"), 16, 64)), List.of("audio_embedding"));
        g.output("video_embedding", OnnxGraph.FLOAT, -1, 64);
        g.output("audio_embedding", OnnxGraph.FLOAT, -1, 64);
        return g.write(dir.resolve("stable.onnx"));
    }

    @Test
    void stableSyncNetFindsTheKnownOffset() {
        StableSyncNet net = new StableSyncNet(session(stableModel(), StableSyncNet.SPEC));
        double[] amp = pattern(9);
        List<VideoFrame> frames = frames(brightness(amp));
        for (int d : new int[] {-4, 6}) {
            // Quiet enough that the normalized log-mel (clipped at +4) does not saturate at 440 Hz.
            SyncResult r = net.evaluate(frames, track(), tone(amp, d, 0.02));
            assertEquals(d, r.offsetFrames(), Arrays.toString(r.distances()));
            // The 50 ms STFT window blurs the per-frame pattern across frame edges: correlated, not identical.
            assertTrue(r.confidence() > 0.4, "cosine at the best shift " + r.confidence());
            double[] sorted = r.distances().clone();
            Arrays.sort(sorted);
            assertTrue(sorted[15] - r.minDistance() > 0.3, "the best shift stands out: " + Arrays.toString(r.distances()));
        }
    }

    Path lightAsdModel() {
        OnnxGraph g = new OnnxGraph("light_asd_probe");
        g.input("audio", OnnxGraph.FLOAT, -1, -1, 13);
        g.input("video", OnnxGraph.FLOAT, -1, -1, 112, 112);
        g.constFloat("v0", new long[] {}, 100f);
        String v = g.op("Sub", Map.of(), g.op("ReduceMean", Map.of("axes", new long[] {2, 3}, "keepdims", 0L), "video"), "v0");
        g.constInt64("starts", new long[] {1}, 0);
        g.constInt64("ends", new long[] {1}, 1);
        g.constInt64("axes", new long[] {1}, 2);
        g.constInt64("shape", new long[] {3}, 0, -1, 4);
        String c0 = g.op("Reshape", Map.of(), g.op("Slice", Map.of(), "audio", "starts", "ends", "axes"), "shape"); // (N,T,4)
        g.constFloat("a0", new long[] {}, -5f);
        g.constFloat("ten", new long[] {}, 10f);
        // (c0 - a0) * 10: far above the video term when the voice sounds, far below in silence.
        String a = g.op("Mul", Map.of(), g.op("Sub", Map.of(), g.op("ReduceMean", Map.of("axes", new long[] {2}, "keepdims", 0L), c0), "a0"), "ten");
        g.node("Min", List.of(v, a), List.of("scores"));
        g.output("scores", OnnxGraph.FLOAT, -1, -1);
        return g.write(dir.resolve("light_asd.onnx"));
    }

    @Test
    void lightAsdSpeakingFramesAreWhereFaceAndVoiceMeet() {
        LightAsd asd = new LightAsd(session(lightAsdModel(), LightAsd.SPEC));
        double[] grey = new double[T];
        double[] amp = new double[T + 40];
        for (int i = 0; i < T; i++) grey[i] = i < 50 ? 180 : 40;          // the crop is bright on frames 0..49
        for (int i = 0; i < T; i++) amp[i + 20] = i >= 25 && i < 75 ? 0.3 : 0; // the voice sounds on frames 25..74
        float[] logits = asd.logits(frames(grey), track(), tone(amp, 0, 1));
        // 64000 samples give 399 MFCC frames; the reference trims both to (399 - 399 % 4) / 100 s = 99 frames.
        assertEquals(T - 1, logits.length);
        assertEquals(80f, logits[30], 1e-3, "voice on, crop centre inside the bright region: grey 180 - 100");
        assertEquals(-60f, logits[60], 1e-3, "voice on, dark region: grey 40 - 100");
        assertTrue(logits[10] < -100, "silence: the MFCC energy is log(eps)");
        boolean[] speaking = LightAsd.speaking(logits);
        for (int i = 0; i < T; i++) {
            if (i >= 27 && i <= 47) assertTrue(speaking[i], "frame " + i);
            if (i <= 22 || (i >= 52 && i < T - 1)) assertFalse(speaking[i], "frame " + i);
        }
    }
}
