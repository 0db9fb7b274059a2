package dev.avcurate.filters.sync;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.OnnxSessions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a float-in, float-out model: inputs from direct buffers, outputs copied out, every tensor closed here. */
final class OnnxIo {
    private OnnxIo() {}

    static FloatBuffer buffer(long elements) {
        return ByteBuffer.allocateDirect(Math.toIntExact(elements * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * {@code old} cleared and limited to {@code elements} when it is large enough, else a new
     * buffer: operators keep theirs across batches, since direct memory is only returned when
     * the garbage collector gets to it.
     */
    static FloatBuffer reuse(FloatBuffer old, long elements) {
        FloatBuffer b = old != null && old.capacity() >= elements ? old : buffer(elements);
        b.clear();
        b.limit(Math.toIntExact(elements));
        return b;
    }

    /** Splits a flat (rows, d) output into its rows, appended to {@code into}. */
    static void rows(float[] flat, int rows, java.util.List<float[]> into) {
        int d = flat.length / rows;
        for (int i = 0; i < rows; i++) into.add(java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d));
    }

    /** @param inputs name to (buffer, shape); returns name to flat values of each requested output */
    static Map<String, float[]> run(OnnxSessions.Shared shared, String model, Map<String, Object[]> inputs, String... outputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object[]> e : inputs.entrySet()) {
                FloatBuffer b = (FloatBuffer) e.getValue()[0];
                b.rewind();
                tensors.put(e.getKey(), OnnxTensor.createTensor(env, b, (long[]) e.getValue()[1]));
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
}
