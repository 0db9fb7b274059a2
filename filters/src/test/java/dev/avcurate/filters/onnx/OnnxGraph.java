package dev.avcurate.filters.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal ONNX model writer for tests: builds a one-graph {@code ModelProto} and encodes the protobuf wire format by
 * hand, so tests can make tiny models to run through ONNX Runtime. It exists because neither Python nor the {@code onnx}
 * library (nor protobuf-java with the ONNX schema) is available at build time.
 *
 * <p>What it writes: {@code ir_version} 8, {@code producer_name} "avcurate-tests", one {@code opset_import} (default
 * domain, version 17), a graph with nodes, initializers (little-endian {@code raw_data}), and typed inputs/outputs.
 * Element types are {@link #FLOAT} and {@link #INT64}; a dimension of {@code -1} is written as the symbolic dimension
 * {@code "N"}. Attribute values may be {@code Long}/{@code Integer} (INT), {@code Double}/{@code Float} (FLOAT),
 * {@code long[]}/{@code int[]} (INTS), {@code float[]} (FLOATS) or {@code String} (STRING); they are written in name
 * order so that the bytes are deterministic. Repeated scalars are written unpacked, which every protobuf parser accepts.
 * Nothing is validated here: ONNX Runtime's own checks do that when the session is created.
 */
public final class OnnxGraph {
    /** {@code TensorProto.DataType} values. */
    public static final int FLOAT = 1, INT64 = 7;
    /** Name written for a dimension given as {@code -1}. */
    public static final String SYMBOLIC_DIM = "N";
    public static final long IR_VERSION = 8, OPSET = 17;

    private final String name;
    private final List<byte[]> nodes = new ArrayList<>(), initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>(), outputs = new ArrayList<>();
    private int counter;

    public OnnxGraph(String name) {
        this.name = name;
    }

    /** A graph input; {@code dims} of {@code -1} are symbolic ("N"). */
    public OnnxGraph input(String name, int elemType, long... dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /** A graph output; {@code dims} of {@code -1} are symbolic ("N"). */
    public OnnxGraph output(String name, int elemType, long... dims) {
        outputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /** A float initializer (a constant the nodes can name as an input). */
    public OnnxGraph constFloat(String name, long[] dims, float... data) {
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) b.putFloat(f);
        return initializer(name, FLOAT, dims, data.length, b.array());
    }

    /** An int64 initializer (shapes, Slice starts/ends/axes, pads...). */
    public OnnxGraph constInt64(String name, long[] dims, long... data) {
        ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) b.putLong(v);
        return initializer(name, INT64, dims, data.length, b.array());
    }

    /** A node of the default domain; {@code attrs} may be empty (see the class comment for the value types). */
    public OnnxGraph node(String opType, List<String> inputs, List<String> outputs, Map<String, ?> attrs) {
        Pb n = new Pb();
        for (String s : inputs) n.string(1, s);
        for (String s : outputs) n.string(2, s);
        n.string(3, opType + "_" + nodes.size());
        n.string(4, opType);
        for (Map.Entry<String, ?> a : new TreeMap<String, Object>(attrs).entrySet()) n.message(5, attribute(a.getKey(), a.getValue()));
        nodes.add(n.bytes());
        return this;
    }

    public OnnxGraph node(String opType, List<String> inputs, List<String> outputs) {
        return node(opType, inputs, outputs, Map.of());
    }

    /**
     * A one-output node whose output gets a fresh name, returned, for chaining intermediates:
     * {@code String m = g.op("ReduceMean", Map.of("axes", new long[] {1}), "x");}.
     */
    public String op(String opType, Map<String, ?> attrs, String... inputs) {
        String out = fresh(opType.toLowerCase());
        node(opType, List.of(inputs), List.of(out), attrs);
        return out;
    }

    /** A name not used before by this builder's generator: {@code prefix_k}. */
    public String fresh(String prefix) {
        return prefix + "_" + counter++;
    }

    /** The serialized {@code ModelProto}. */
    public byte[] toBytes() {
        Pb g = new Pb();
        for (byte[] n : nodes) g.message(1, n);
        g.string(2, name);
        for (byte[] t : initializers) g.message(5, t);
        for (byte[] v : inputs) g.message(11, v);
        for (byte[] v : outputs) g.message(12, v);
        Pb opset = new Pb().string(1, "").varint(2, OPSET);
        return new Pb().varint(1, IR_VERSION).string(2, "avcurate-tests").message(7, g.bytes()).message(8, opset.bytes()).bytes();
    }

    /** Writes {@link #toBytes()} to {@code file} (parent directories created) and returns it. */
    public Path write(Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private OnnxGraph initializer(String name, int type, long[] dims, int count, byte[] raw) {
        long n = 1;
        for (long d : dims) n *= d;
        if (n != count) throw new IllegalArgumentException(name + ": " + count + " values for dims " + java.util.Arrays.toString(dims));
        Pb t = new Pb();
        for (long d : dims) t.varint(1, d);
        t.varint(2, type).string(8, name).bytes(9, raw);
        initializers.add(t.bytes());
        return this;
    }

    private static byte[] valueInfo(String name, int elemType, long[] dims) {
        Pb shape = new Pb();
        for (long d : dims) shape.message(1, (d < 0 ? new Pb().string(2, SYMBOLIC_DIM) : new Pb().varint(1, d)).bytes());
        Pb tensor = new Pb().varint(1, elemType).message(2, shape.bytes());
        return new Pb().string(1, name).message(2, new Pb().message(1, tensor.bytes()).bytes()).bytes();
    }

    private static byte[] attribute(String name, Object v) {
        Pb a = new Pb().string(1, name);
        if (v instanceof Long || v instanceof Integer) {
            a.varint(3, ((Number) v).longValue()).varint(20, 2);
        } else if (v instanceof Double || v instanceof Float) {
            a.fixed32(2, ((Number) v).floatValue()).varint(20, 1);
        } else if (v instanceof String s) {
            a.string(4, s).varint(20, 3);
        } else if (v instanceof float[] fs) {
            for (float f : fs) a.fixed32(7, f);
            a.varint(20, 6);
        } else if (v instanceof long[] ls) {
            for (long l : ls) a.varint(8, l);
            a.varint(20, 7);
        } else if (v instanceof int[] is) {
            for (int i : is) a.varint(8, i);
            a.varint(20, 7);
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + v);
        }
        return a.bytes();
    }

    /** Protobuf wire-format encoder: varint (type 0), length-delimited (type 2) and fixed32 (type 5) fields. */
    private static final class Pb {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** A varint field; negative values take ten bytes (two's complement), as protobuf's int64 does. */
        Pb varint(int field, long v) {
            raw((long) field << 3);
            raw(v);
            return this;
        }

        Pb fixed32(int field, float f) {
            raw((long) field << 3 | 5);
            int bits = Float.floatToIntBits(f);
            for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
            return this;
        }

        Pb bytes(int field, byte[] b) {
            raw((long) field << 3 | 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        Pb string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Pb message(int field, byte[] m) {
            return bytes(field, m);
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
