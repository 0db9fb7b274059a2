package dev.avcurate.filters.sync;

import dev.avcurate.filters.onnx.OnnxSessions;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs a float-in, float-out model: inputs from direct buffers, outputs copied out, every tensor closed here. */
final class OnnxIo {
    private OnnxIo() {}

    static FloatBuffer buffer(long elements) {
        return dev.avcurate.filters.onnx.OnnxRuns.buffer(elements);
    }

    /**
     * {@code old} cleared and limited to {@code elements} when it is large enough, else a new
     * buffer: operators keep theirs across batches, since direct memory is only returned when
     * the garbage collector gets to it.
     */
    static FloatBuffer reuse(FloatBuffer old, long elements) {
        return dev.avcurate.filters.onnx.OnnxRuns.reuse(old, elements);
    }

    /** Splits a flat (rows, d) output into its rows, appended to {@code into}. */
    static void rows(float[] flat, int rows, java.util.List<float[]> into) {
        int d = flat.length / rows;
        for (int i = 0; i < rows; i++) into.add(java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d));
    }

    /** @param inputs name to (buffer, shape); returns name to flat values of each requested output */
    static Map<String, float[]> run(OnnxSessions.Shared shared, String model, Map<String, Object[]> inputs, String... outputs) {
        return dev.avcurate.filters.onnx.OnnxRuns.run(shared, model, inputs, outputs);
    }
}
