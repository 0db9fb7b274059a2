package dev.avcurate.filters.vision;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.OnnxSessions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Float-in, float-out runs for the vision operators (a copy of the sync package's OnnxIo, which
 * is package-private there): inputs wrap flat arrays in direct buffers, outputs are copied out,
 * every tensor is closed here.
 */
final class VisionIo {
    private VisionIo() {}

    static FloatBuffer buffer(float[] data) {
        FloatBuffer b = ByteBuffer.allocateDirect(Math.multiplyExact(data.length, 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(data);
        b.rewind();
        return b;
    }

    /** @param inputs name to (float[] data, long[] shape); returns name to flat values of each requested output */
    static Map<String, float[]> run(OnnxSessions.Shared shared, String model, Map<String, Object[]> inputs, String... outputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object[]> e : inputs.entrySet()) {
                tensors.put(e.getKey(), OnnxTensor.createTensor(env, buffer((float[]) e.getValue()[0]), (long[]) e.getValue()[1]));
            }
            try (OrtSession.Result r = shared.session().run(tensors)) {
                Map<String, float[]> out = new LinkedHashMap<>();
                for (String o : outputs) {
                    OnnxTensor t = (OnnxTensor) r.get(o).orElseThrow(() -> new ModelException(model + ": the model has no output '" + o + "'"));
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    out.put(o, v);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new ModelException(model + ": inference failed: " + e.getMessage(), e);
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
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
