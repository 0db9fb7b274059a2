package dev.avcurate.filters.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs float-in, float-out operator models for every operator: inputs from direct buffers (no
 * copy into ONNX Runtime), outputs copied out, every tensor closed here; and the shapes an
 * export declares, which decide batching. Failures are {@link ModelException}s naming the model.
 */
public final class OnnxRuns {
    private OnnxRuns() {}

    /** An output's actual shape and flat values. */
    public record Out(long[] shape, float[] values) {}

    public static FloatBuffer buffer(long elements) {
        return ByteBuffer.allocateDirect(Math.toIntExact(elements * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public static FloatBuffer buffer(float[] data) {
        FloatBuffer b = buffer(data.length);
        b.put(data);
        b.rewind();
        return b;
    }

    /**
     * {@code old} cleared and limited to {@code elements} when it is large enough, else a new
     * buffer: operators keep theirs across batches, since direct memory is only returned when
     * the garbage collector gets to it.
     */
    public static FloatBuffer reuse(FloatBuffer old, long elements) {
        FloatBuffer b = old != null && old.capacity() >= elements ? old : buffer(elements);
        b.clear();
        b.limit(Math.toIntExact(elements));
        return b;
    }

    /**
     * @param inputs name to {data, shape}; data is a FloatBuffer (rewound here) or a float[]
     * @return name to flat values of each requested output
     */
    public static Map<String, float[]> run(OnnxSessions.Shared shared, String model, Map<String, Object[]> inputs, String... outputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object[]> e : inputs.entrySet()) {
                Object data = e.getValue()[0];
                FloatBuffer b = data instanceof float[] a ? buffer(a) : (FloatBuffer) data;
                b.rewind();
                tensors.put(e.getKey(), OnnxTensor.createTensor(env, b, (long[]) e.getValue()[1]));
            }
            try (OrtSession.Result r = shared.session().run(tensors)) {
                Map<String, float[]> out = new LinkedHashMap<>();
                for (String o : outputs) {
                    OnnxTensor t = (OnnxTensor) r.get(o).orElseThrow(() -> new ModelException(model + ": the model has no output '" + o + "'"));
                    out.put(o, values(model, o, t));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new ModelException(model + ": inference failed: " + e.getMessage(), e);
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    /** One input; every output with its actual shape, in the export's order (for exports whose output names vary). */
    public static Map<String, Out> runAll(OnnxSessions.Shared shared, String model, String input, FloatBuffer b, long[] shape) {
        b.rewind();
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), b, shape);
             OrtSession.Result r = shared.session().run(Map.of(input, t))) {
            Map<String, Out> out = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> e : r) {
                OnnxTensor o = (OnnxTensor) e.getValue();
                out.put(e.getKey(), new Out(o.getInfo().getShape(), values(model, e.getKey(), o)));
            }
            return out;
        } catch (OrtException e) {
            throw new ModelException(model + ": inference failed: " + e.getMessage(), e);
        }
    }

    private static float[] values(String model, String name, OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();
        if (fb == null) throw new ModelException(model + ": output '" + name + "' is not float");
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
    }

    /** The declared shape of a model input or output ({@code -1} for a symbolic dimension). */
    public static long[] shape(OnnxSessions.Shared shared, String model, String name, boolean input) {
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
}
