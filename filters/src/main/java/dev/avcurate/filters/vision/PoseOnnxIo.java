package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.OnnxRuns;

import dev.avcurate.filters.onnx.OnnxSessions;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Float-in, float-out runs of the vision models (the sync package's OnnxIo, which is
 * package-private there): inputs from direct buffers, outputs copied out, every tensor closed
 * here; and the shapes the loaded export declares, which decide batching and keypoint counts.
 */
final class PoseOnnxIo {
    private PoseOnnxIo() {}

    /** {@code old} cleared and limited to {@code elements} when large enough, else a new direct buffer. */
    static FloatBuffer reuse(FloatBuffer old, long elements) {
        return OnnxRuns.reuse(old, elements);
    }

    /** The declared shape of a model input or output ({@code -1} for a symbolic dimension). */
    static long[] shape(OnnxSessions.Shared shared, String model, String name, boolean input) {
        return OnnxRuns.shape(shared, model, name, input);
    }

    /** @param input the single input's buffer (rewound here) and shape; returns each requested output, flat */
    static Map<String, float[]> run(OnnxSessions.Shared shared, String model, String inputName, FloatBuffer input, long[] shape,
                                    String... outputs) {
        return OnnxRuns.run(shared, model, Map.of(inputName, new Object[] {input, shape}), outputs);
    }
}
