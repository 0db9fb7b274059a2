package dev.avcurate.filters.sync;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxGraph;
import dev.avcurate.filters.onnx.OnnxSessions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Light-ASD audio-shift search against three small generated graphs with the bundled
 * exports' names and shapes: the audio front-end passes each video frame's loudness (MFCC c0,
 * the log energy, averaged over its 4 MFCC frames), the visual front-end each crop's brightness,
 * and the backend scores a frame by the product of the two, each centred over its window, so the
 * mean logit is highest exactly where the audio is aligned with the picture. The scene is the one
 * of {@link SyncOperatorsTest}: a face whose brightness follows a random loudness pattern, under a
 * tone whose amplitude follows the same pattern delayed by a known number of frames. It pins the
 * plumbing the real weights rely on: the common window, the slicing of the audio embedding per
 * shift, the 1 s windows of the batch, the speech gating and the SPEC sign of the offset.
 */
class LightAsdSyncTest {
    @TempDir
    Path dir;

    static final ModelSpec AUDIO = new ModelSpec("light_asd_audio", "", "", "test",
            Map.of("mfcc", new long[] {1, -1, 13}), Map.of("audio_embed", new long[] {1, -1, 128}));
    static final ModelSpec VISUAL = new ModelSpec("light_asd_visual", "", "", "test",
            Map.of("video", new long[] {1, -1, 112, 112}), Map.of("visual_embed", new long[] {1, -1, 128}));
    static final ModelSpec BACKEND = new ModelSpec("light_asd_backend", "", "", "test",
            Map.of("audio_embed", new long[] {-1, -1, 128}, "visual_embed", new long[] {-1, -1, 128}), Map.of("scores", new long[] {-1, -1}));

    /** (1, T, 1) to (1, T, 128), the value in feature 0. */
    static String widen(OnnxGraph g, String x) {
        float[] e = new float[128];
        e[0] = 1;
        String w = g.fresh("e0");
        g.constFloat(w, new long[] {1, 128}, e);
        return g.op("MatMul", Map.of(), x, w);
    }

    Path audioModel() {
        OnnxGraph g = new OnnxGraph("asd_audio_probe");
        g.input("mfcc", OnnxGraph.FLOAT, 1, -1, 13);
        g.constInt64("starts", new long[] {1}, 0);
        g.constInt64("ends", new long[] {1}, 1);
        g.constInt64("axes", new long[] {1}, 2);
        String c0 = g.op("Slice", Map.of(), "mfcc", "starts", "ends", "axes"); // (1, 4T, 1)
        g.constInt64("shape", new long[] {3}, 1, -1, 4);
        String perFrame = g.op("ReduceMean", Map.of("axes", new long[] {2}, "keepdims", 1L), g.op("Reshape", Map.of(), c0, "shape"));
        g.node("Identity", List.of(widen(g, perFrame)), List.of("audio_embed"));
        g.output("audio_embed", OnnxGraph.FLOAT, 1, -1, 128);
        return g.write(dir.resolve("audio.onnx"));
    }

    Path visualModel() {
        OnnxGraph g = new OnnxGraph("asd_visual_probe");
        g.input("video", OnnxGraph.FLOAT, 1, -1, 112, 112);
        String mean = g.op("ReduceMean", Map.of("axes", new long[] {2, 3}, "keepdims", 0L), "video"); // (1, T)
        g.constInt64("shape", new long[] {3}, 1, -1, 1);
        g.node("Identity", List.of(widen(g, g.op("Reshape", Map.of(), mean, "shape"))), List.of("visual_embed"));
        g.output("visual_embed", OnnxGraph.FLOAT, 1, -1, 128);
        return g.write(dir.resolve("visual.onnx"));
    }

    Path backendModel() {
        OnnxGraph g = new OnnxGraph("asd_backend_probe");
        g.input("audio_embed", OnnxGraph.FLOAT, -1, -1, 128);
        g.input("visual_embed", OnnxGraph.FLOAT, -1, -1, 128);
        String a = g.op("Sub", Map.of(), "audio_embed", g.op("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 1L), "audio_embed"));
        String v = g.op("Sub", Map.of(), "visual_embed", g.op("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 1L), "visual_embed"));
        g.node("ReduceSum", List.of(g.op("Mul", Map.of(), a, v), "sumAxes"), List.of("scores"), Map.of("keepdims", 0L));
        g.constInt64("sumAxes", new long[] {1}, 2);
        g.output("scores", OnnxGraph.FLOAT, -1, -1);
        return g.write(dir.resolve("backend.onnx"));
    }

    LightAsdSync operator() {
        return new LightAsdSync(OnnxSessions.get(AUDIO, audioModel(), "cpu", 1), OnnxSessions.get(VISUAL, visualModel(), "cpu", 1),
                OnnxSessions.get(BACKEND, backendModel(), "cpu", 1));
    }

    static boolean[] allSpeech() {
        boolean[] s = new boolean[SyncOperatorsTest.T];
        Arrays.fill(s, true);
        return s;
    }

    @Test
    void recoversKnownAudioDelaysWithTheSpecSign() {
        LightAsdSync asd = operator();
        double[] amp = SyncOperatorsTest.pattern(11);
        var frames = SyncOperatorsTest.frames(SyncOperatorsTest.brightness(amp));
        for (int delay : new int[] {-8, -3, 0, 4, 8}) {
            LightAsdSync.Result r = asd.evaluate(frames, SyncOperatorsTest.track(), SyncOperatorsTest.tone(amp, delay, 0.5), allSpeech());
            assertNotNull(r.sync(), "a 4 s track leaves a 70-frame common window");
            assertEquals(delay, r.sync().offsetFrames(), "delay " + delay + ": " + Arrays.toString(r.sync().distances()));
            assertTrue(r.sync().confidence() > 0, "the aligned shift stands out");
            assertEquals(LightAsdSync.NAME, r.sync().estimator());
            // Columbia_test's trimming: 100 frames of audio give 399 MFCC frames, so 3.96 s = 99 video frames.
            assertEquals(SyncOperatorsTest.T - 1, r.logits().length, "one speaking logit per track frame the audio covers");
        }
    }

    @Test
    void framesWhoseAudioIsSilentDoNotVote() {
        LightAsdSync asd = operator();
        double[] amp = SyncOperatorsTest.pattern(3);
        var frames = SyncOperatorsTest.frames(SyncOperatorsTest.brightness(amp));
        // The audio lags by 5 frames; every frame is flagged silent but 20 in the middle: the gated curve still peaks at +5.
        boolean[] speech = new boolean[SyncOperatorsTest.T];
        for (int i = 40; i < 60; i++) speech[i] = true;
        double[] curve = LightAsdSync.curve(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1, 10, speech);
        assertEquals(5.5, curve[0], 1e-9, "fewer than 5 speech frames under the window: every frame counts");
        LightAsdSync.Result r = asd.evaluate(frames, SyncOperatorsTest.track(), SyncOperatorsTest.tone(amp, 5, 0.5), speech);
        assertEquals(5, r.sync().offsetFrames());
    }

    @Test
    void aTrackShorterThanTheCommonWindowHasNoSyncEstimateButHasLogits() {
        LightAsdSync asd = operator();
        double[] amp = SyncOperatorsTest.pattern(7);
        var frames = SyncOperatorsTest.frames(SyncOperatorsTest.brightness(amp));
        double[] cx = new double[38], cy = new double[38], s = new double[38];
        Arrays.fill(cx, SyncOperatorsTest.X);
        Arrays.fill(cy, SyncOperatorsTest.Y);
        Arrays.fill(s, SyncOperatorsTest.S);
        FaceTrack shortTrack = new FaceTrack(10, cx, cy, s, cx.clone(), cy.clone());
        float[] audio = Arrays.copyOfRange(SyncOperatorsTest.tone(amp, 0, 0.5), 10 * 640, 48 * 640);
        LightAsdSync.Result r = asd.evaluate(frames, shortTrack, audio, allSpeech());
        assertNull(r.sync(), "38 frames leave 8 < " + LightAsdSync.MIN_WINDOW + " after 15 on each side");
        assertEquals(37, r.logits().length, "38 frames of audio give 151 MFCC frames: 1.48 s, 37 frames");
    }
}
