package dev.avcurate.filters.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Silero VAD v5: 16 kHz audio in windows of 512 samples, each preceded by the last 64 samples of
 * the previous window (as silero-vad's own ONNX wrapper feeds it), with the recurrent state
 * (2, B, 128) carried from window to window. Returns one speech probability per window (32 ms).
 * Does not own the session.
 */
public final class SileroVad {
    public static final int RATE = 16_000;
    public static final int WINDOW = 512;
    static final int CONTEXT = 64;
    private final OnnxSessions.Shared shared;

    public SileroVad(OnnxSessions.Shared shared) {
        this.shared = shared;
    }

    public String device() {
        return shared.device();
    }

    /** Speech probability of each full 512-sample window of {@code audio} (16 kHz mono). */
    public float[] probabilities(float[] audio) {
        return probabilities(java.util.List.of(audio)).get(0);
    }

    /**
     * Several clips at once: their windows run in lockstep as one batch (input (B, 576), state
     * (2, B, 128)); a clip that has run out of windows is fed silence and its outputs dropped.
     */
    public java.util.List<float[]> probabilities(java.util.List<float[]> audios) {
        int b = audios.size();
        int[] windows = new int[b];
        int maxW = 0;
        for (int i = 0; i < b; i++) {
            windows[i] = audios.get(i).length / WINDOW;
            maxW = Math.max(maxW, windows[i]);
        }
        java.util.List<float[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < b; i++) out.add(new float[windows[i]]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int row = CONTEXT + WINDOW;
        FloatBuffer in = java.nio.ByteBuffer.allocateDirect(b * row * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer state = java.nio.ByteBuffer.allocateDirect(2 * b * 128 * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        long[] inShape = {b, row}, stateShape = {2, b, 128};
        try (OnnxTensor sr = OnnxTensor.createTensor(env, (long) RATE)) {
            for (int w = 0; w < maxW; w++) {
                in.clear();
                for (int i = 0; i < b; i++) {
                    float[] a = audios.get(i);
                    for (int k = 0; k < row; k++) {
                        int src = w * WINDOW - CONTEXT + k;
                        in.put(w < windows[i] && src >= 0 ? a[src] : 0f);
                    }
                }
                in.flip();
                state.rewind();
                try (OnnxTensor x = OnnxTensor.createTensor(env, in, inShape);
                     OnnxTensor st = OnnxTensor.createTensor(env, state, stateShape);
                     OrtSession.Result r = shared.session().run(Map.of("input", x, "state", st, "sr", sr))) {
                    FloatBuffer p = ((OnnxTensor) r.get("output").get()).getFloatBuffer();
                    for (int i = 0; i < b; i++) if (w < windows[i]) out.get(i)[w] = p.get(i);
                    FloatBuffer next = ((OnnxTensor) r.get("stateN").get()).getFloatBuffer();
                    state.clear();
                    state.put(next).flip();
                }
            }
        } catch (OrtException e) {
            throw new ModelException("silero_vad: inference failed: " + e.getMessage(), e);
        }
        return out;
    }
}
