package dev.avcurate.filters.onnx;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OnnxGraph} writes models ONNX Runtime loads and runs with the expected (exact) results. */
class OnnxGraphTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void headerIsIrVersion8FromAvcurateTestsWithOpset17() {
        byte[] b = new OnnxGraph("empty").toBytes();
        assertArrayEquals(new byte[] {0x08, 8, 0x12, 14}, Arrays.copyOf(b, 4));
        assertEquals("avcurate-tests", new String(b, 4, 14, StandardCharsets.UTF_8));
        // ... graph (field 7), then opset_import (field 8): {domain "", version 17}
        assertArrayEquals(new byte[] {0x42, 4, 0x0A, 0, 0x10, 17}, Arrays.copyOfRange(b, b.length - 6, b.length));
    }

    @Test
    void reduceMeanKeepdims0ThenReshapeThenMatMulAgainstAConstant() throws OrtException {
        OnnxGraph g = new OnnxGraph("pool_project");
        g.input("video", OnnxGraph.FLOAT, -1, 2, 3, 2, 2);
        g.constInt64("shape", new long[] {2}, -1, 3);
        float[] w = {1, -1, 0.5f, 2, -2, 0.25f};   // [3, 2]
        g.constFloat("w", new long[] {3, 2}, w);
        String m = g.op("ReduceMean", Map.of("axes", new long[] {1, 3, 4}, "keepdims", 0L), "video");
        String r = g.op("Reshape", Map.of(), m, "shape");
        g.node("MatMul", List.of(r, "w"), List.of("video_embedding"));
        g.output("video_embedding", OnnxGraph.FLOAT, -1, 2);

        int n = 2;
        float[] x = new float[n * 24];
        for (int i = 0; i < x.length; i++) x[i] = (i * 5 % 11) - 4;   // small integers: means over 8 values are exact
        float[] expected = new float[n * 2];
        for (int b = 0; b < n; b++) {
            for (int t = 0; t < 3; t++) {
                float sum = 0;
                for (int c = 0; c < 2; c++) for (int k = 0; k < 4; k++) sum += x[b * 24 + c * 12 + t * 4 + k];
                float mean = sum / 8;
                for (int j = 0; j < 2; j++) expected[b * 2 + j] += mean * w[t * 2 + j];
            }
        }
        Map<String, float[]> out = run(g.toBytes(), Map.of("video", x), Map.of("video", new long[] {n, 2, 3, 2, 2}), Map.of("video_embedding", new long[] {n, 2}));
        assertArrayEquals(expected, out.get("video_embedding"), 0f);
    }

    @Test
    void sliceWithInt64InputsThenSubThenLpNormalization() throws OrtException {
        OnnxGraph g = new OnnxGraph("slice_norm");
        g.input("x", OnnxGraph.FLOAT, -1, 6);
        g.constInt64("starts", new long[] {1}, 1);
        g.constInt64("ends", new long[] {1}, -1);   // negative: counted from the end
        g.constInt64("axes", new long[] {1}, 1);
        g.constFloat("mu", new long[] {4}, 1, 1, 1, 1);
        String s = g.op("Slice", Map.of(), "x", "starts", "ends", "axes");
        String d = g.op("Sub", Map.of(), s, "mu");
        g.node("LpNormalization", List.of(d), List.of("y"), Map.of("axis", -1L, "p", 2L));
        g.output("y", OnnxGraph.FLOAT, -1, 4);

        float[] x = {9, 4, 5, 1, 1, 9, /* */ 0, 6, 1, -11, 1, 0};   // sliced - 1: (3,4,0,0) and (5,0,-12,0)
        float[] expected = {3f / 5, 4f / 5, 0, 0, 5f / 13, 0, -12f / 13, 0};
        Map<String, float[]> out = run(g.toBytes(), Map.of("x", x), Map.of("x", new long[] {2, 6}), Map.of("y", new long[] {2, 4}));
        assertArrayEquals(expected, out.get("y"), 0f);
    }

    @Test
    void twoInputsTwoOutputsWithADynamicBatchOf3AndEveryAttributeType(@TempDir Path dir) throws OrtException {
        OnnxGraph g = new OnnxGraph("two_by_two");
        g.input("a", OnnxGraph.FLOAT, -1, 4);
        g.input("b", OnnxGraph.FLOAT, -1, 2);
        g.constInt64("pads", new long[] {4}, 0, 1, 0, 1);
        String bias = g.op("Constant", Map.of("value_floats", new float[] {1, 2, 3, 4}));   // FLOATS
        String leaky = g.op("LeakyRelu", Map.of("alpha", 0.5), "a");                        // FLOAT
        g.node("Add", List.of(leaky, bias), List.of("scaled"));
        String cat = g.op("Concat", Map.of("axis", 1L), "a", "b");                         // INT
        g.node("Pad", List.of(cat, "pads"), List.of("padded"), Map.of("mode", "edge"));     // STRING
        g.output("scaled", OnnxGraph.FLOAT, -1, 4);
        g.output("padded", OnnxGraph.FLOAT, -1, 8);
        Path file = g.write(dir.resolve("m/two.onnx"));

        int n = 3;
        float[] a = {-2, 0, 1, 3, 4, -6, 2, -1, 0, 5, -8, 7};
        float[] b = {10, 11, 20, 21, 30, 31};
        float[] scaled = new float[n * 4], padded = new float[n * 8];
        for (int r = 0; r < n; r++) {
            float[] row = new float[6];
            for (int c = 0; c < 4; c++) {
                float v = a[r * 4 + c];
                scaled[r * 4 + c] = (v < 0 ? v * 0.5f : v) + (c + 1);
                row[c] = v;
            }
            row[4] = b[r * 2];
            row[5] = b[r * 2 + 1];
            padded[r * 8] = row[0];
            System.arraycopy(row, 0, padded, r * 8 + 1, 6);
            padded[r * 8 + 7] = row[5];
        }
        try (OrtSession s = ENV.createSession(file.toString(), new OrtSession.SessionOptions())) {
            assertEquals(List.of("a", "b"), List.copyOf(s.getInputNames()));
            assertEquals(List.of("scaled", "padded"), List.copyOf(s.getOutputNames()));
            TensorInfo ai = (TensorInfo) s.getInputInfo().get("a").getInfo();
            assertArrayEquals(new long[] {-1, 4}, ai.getShape());
            assertEquals("N", ai.getDimensionNames()[0]);
        }
        Map<String, float[]> out = run(g.toBytes(), Map.of("a", a, "b", b), Map.of("a", new long[] {n, 4}, "b", new long[] {n, 2}),
                Map.of("scaled", new long[] {n, 4}, "padded", new long[] {n, 8}));
        assertArrayEquals(scaled, out.get("scaled"), 0f);
        assertArrayEquals(padded, out.get("padded"), 0f);
    }

    @Test
    void unsupportedAttributeValuesAndWrongInitializerSizesAreRejected() {
        OnnxGraph g = new OnnxGraph("bad");
        assertThrows(IllegalArgumentException.class, () -> g.node("Foo", List.of(), List.of("y"), Map.of("x", new Object())));
        assertThrows(IllegalArgumentException.class, () -> g.constFloat("w", new long[] {2, 2}, 1, 2, 3));
    }

    /** Runs the model on float inputs and returns each output, checking its shape. */
    private static Map<String, float[]> run(byte[] model, Map<String, float[]> in, Map<String, long[]> inShapes, Map<String, long[]> outShapes)
            throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try (OrtSession s = ENV.createSession(model, new OrtSession.SessionOptions())) {
            for (var e : in.entrySet()) feeds.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(e.getValue()), inShapes.get(e.getKey())));
            try (OrtSession.Result r = s.run(feeds)) {
                Map<String, float[]> out = new LinkedHashMap<>();
                for (var e : outShapes.entrySet()) {
                    OnnxTensor t = (OnnxTensor) r.get(e.getKey()).orElseThrow();
                    assertArrayEquals(e.getValue(), t.getInfo().getShape(), e.getKey());
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    out.put(e.getKey(), v);
                }
                return out;
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }
}
