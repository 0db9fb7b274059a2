package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.OnnxRuns;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.OnnxSessions;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Float-in, float-out runs for the vision operators (a copy of the sync package's OnnxIo, which
 * is package-private there): inputs wrap flat arrays in direct buffers, outputs are copied out,
 * every tensor is closed here.
 */
final class VisionIo {
    private VisionIo() {}

    static FloatBuffer buffer(float[] data) {
        return OnnxRuns.buffer(data);
    }

    /** @param inputs name to (float[] data, long[] shape); returns name to flat values of each requested output */
    static Map<String, float[]> run(OnnxSessions.Shared shared, String model, Map<String, Object[]> inputs, String... outputs) {
        return OnnxRuns.run(shared, model, inputs, outputs);
    }

    /** The fixed size of dimension {@code dim} of an input, or -1 when the export left it dynamic. */
    static long inputDim(OnnxSessions.Shared shared, String input, int dim) {
        try {
            NodeInfo n = shared.session().getInputInfo().get(input);
            if (n != null && n.getInfo() instanceof TensorInfo t && t.getShape().length > dim) return t.getShape()[dim];
            return -1;
        } catch (OrtException e) {
            throw new ModelException("cannot read the inputs of the model: " + e.getMessage(), e);
        }
    }
}
