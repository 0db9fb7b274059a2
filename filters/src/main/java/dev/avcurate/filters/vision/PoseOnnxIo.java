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
 * Float-in, float-out runs of the vision models (the sync package's OnnxIo, which is
 * package-private there): inputs from direct buffers, outputs copied out, every tensor closed
 * here; and the shapes the loaded export declares, which decide batching and keypoint counts.
 */
final class PoseOnnxIo {
    private PoseOnnxIo() {}

    /** {@code old} cleared and limited to {@code elements} when large enough, else a new direct buffer. */
    static FloatBuffer reuse(FloatBuffer old, long elements) {
        FloatBuffer b = old != null && old.capacity() >= elements ? old
                : ByteBuffer.allocateDirect(Math.toIntExact(elements * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.clear();
        b.limit(Math.toIntExact(elements));
        return b;
    }

    /** The declared shape of a model input or output ({@code -1} for a symbolic dimension). */
    static long[] shape(OnnxSessions.Shared shared, String model, String name, boolean input) {
        try {
            Map<String, NodeInfo> info = input ? shared.session().getInputInfo() : shared.session().getOutputInfo();
            NodeInfo n = info.get(name);
            if (n == null || !(n.getInfo() instanceof TensorInfo t)) {
                throw new ModelException(model + ": the model has no " + (input ? "input" : "output") + " tensor '" + name
                        + "' (it has " + info.keySet() + ")");
            }
            return t.getShape();
        } catch (OrtException e) {
            throw new ModelException(model + ": cannot read the model's interface: " + e.getMessage(), e);
        }
    }

    /** @param input the single input's buffer (rewound here) and shape; returns each requested output, flat */
    static Map<String, float[]> run(OnnxSessions.Shared shared, String model, String inputName, FloatBuffer input, long[] shape,
                                    String... outputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        input.rewind();
        try (OnnxTensor t = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result r = shared.session().run(Map.of(inputName, t))) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (String o : outputs) {
                OnnxTensor ot = (OnnxTensor) r.get(o).orElseThrow(() -> new ModelException(model + ": the model has no output '" + o + "'"));
                FloatBuffer fb = ot.getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.put(o, v);
            }
            return out;
        } catch (OrtException e) {
            throw new ModelException(model + ": inference failed: " + e.getMessage(), e);
        }
    }
}
