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
import java.util.List;
import java.util.Map;

/**
 * One-input float models whose outputs are told apart by their actual shapes (the user exports'
 * output names vary), so each output comes back with its shape. Small copy of sync/OnnxIo's
 * pattern: direct input buffers reused by the caller, every tensor closed here.
 */
final class FaceOnnxIo {
    private FaceOnnxIo() {}

    /** An output's actual shape and flat values. */
    record Out(long[] shape, float[] values) {}

    static FloatBuffer reuse(FloatBuffer old, long elements) {
        FloatBuffer b = old != null && old.capacity() >= elements ? old
                : ByteBuffer.allocateDirect(Math.toIntExact(elements * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.clear();
        b.limit(Math.toIntExact(elements));
        return b;
    }

    /** Runs the session on one input; returns every output, in the export's order. */
    static Map<String, Out> run(OnnxSessions.Shared shared, String model, String input, FloatBuffer b, long[] shape) {
        b.rewind();
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), b, shape);
             OrtSession.Result r = shared.session().run(Map.of(input, t))) {
            Map<String, Out> out = new LinkedHashMap<>();
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                OnnxTensor o = (OnnxTensor) e.getValue();
                FloatBuffer fb = o.getFloatBuffer();
                if (fb == null) throw new ModelException(model + ": output '" + e.getKey() + "' is not float");
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.put(e.getKey(), new Out(o.getInfo().getShape(), v));
            }
            return out;
        } catch (OrtException e) {
            throw new ModelException(model + ": inference failed: " + e.getMessage(), e);
        }
    }

    /** The declared shape of a tensor input or output ({@code -1} for symbolic dimensions). */
    static long[] shape(NodeInfo n) {
        return n.getInfo() instanceof TensorInfo t ? t.getShape() : new long[0];
    }

    static Map<String, NodeInfo> inputs(OnnxSessions.Shared shared, String model) {
        try {
            return shared.session().getInputInfo();
        } catch (OrtException e) {
            throw new ModelException(model + ": cannot read the model's inputs: " + e.getMessage(), e);
        }
    }

    static Map<String, NodeInfo> outputs(OnnxSessions.Shared shared, String model) {
        try {
            return shared.session().getOutputInfo();
        } catch (OrtException e) {
            throw new ModelException(model + ": cannot read the model's outputs: " + e.getMessage(), e);
        }
    }

    /** Opens the file just to read its declared outputs (for the interface checks). */
    static Map<String, long[]> declaredOutputs(java.nio.file.Path f) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(f.toString(), o)) {
                Map<String, long[]> m = new LinkedHashMap<>();
                for (Map.Entry<String, NodeInfo> e : s.getOutputInfo().entrySet()) m.put(e.getKey(), shape(e.getValue()));
                return m;
            }
        }
    }

    static void problemsIfThrown(List<String> problems, String what, ThrowingRunnable r) {
        try {
            r.run();
        } catch (OrtException e) {
            problems.add(what + ": ONNX Runtime cannot load it: " + e.getMessage());
        }
    }

    interface ThrowingRunnable {
        void run() throws OrtException;
    }
}
