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
        int n = audio.length / WINDOW;
        float[] out = new float[n];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] state = new float[2 * 128];
        float[] input = new float[CONTEXT + WINDOW];
        // Direct buffers, reused window to window: ONNX Runtime reads them in place.
        FloatBuffer in = java.nio.ByteBuffer.allocateDirect(input.length * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer st0 = java.nio.ByteBuffer.allocateDirect(state.length * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        try (OnnxTensor sr = OnnxTensor.createTensor(env, (long) RATE)) {
            for (int w = 0; w < n; w++) {
                // context: the last 64 samples before this window (zeros at the start)
                for (int i = 0; i < CONTEXT; i++) {
                    int src = w * WINDOW - CONTEXT + i;
                    input[i] = src >= 0 ? audio[src] : 0f;
                }
                System.arraycopy(audio, w * WINDOW, input, CONTEXT, WINDOW);
                in.clear();
                in.put(input).flip();
                st0.clear();
                st0.put(state).flip();
                try (OnnxTensor x = OnnxTensor.createTensor(env, in, new long[] {1, CONTEXT + WINDOW});
                     OnnxTensor st = OnnxTensor.createTensor(env, st0, new long[] {2, 1, 128});
                     OrtSession.Result r = shared.session().run(Map.of("input", x, "state", st, "sr", sr))) {
                    out[w] = ((OnnxTensor) r.get("output").get()).getFloatBuffer().get(0);
                    FloatBuffer next = ((OnnxTensor) r.get("stateN").get()).getFloatBuffer();
                    next.get(state);
                }
            }
        } catch (OrtException e) {
            throw new ModelException("silero_vad: inference failed: " + e.getMessage(), e);
        }
        return out;
    }
}
