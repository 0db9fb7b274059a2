package dev.avcurate.filters.mediapipe;

import dev.avcurate.filters.onnx.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * One TensorFlow Lite model (a MediaPipe {@code .tflite}) with a pool of interpreters: a TFLite
 * interpreter is not thread-safe, so each concurrent caller borrows its own (created on demand,
 * returned after the call, kept for reuse). Holds native memory (the mapped model and the
 * interpreters' tensors and XNNPACK state). Owned by {@link TfLiteModels}, which opens each model
 * once per JVM and closes it when the JVM exits; callers never close it.
 */
public final class TfLiteModel implements AutoCloseable {
    private final String name;
    private final Path file;
    private final int threads;
    private final FlatBufferModel model;
    private final BuiltinOpResolver resolver = new BuiltinOpResolver();
    private final ConcurrentLinkedDeque<Interpreter> idle = new ConcurrentLinkedDeque<>();
    private final List<Interpreter> all = new ArrayList<>();
    private final Map<String, Integer> outputIndex = new HashMap<>();
    private final List<String> inputNames = new ArrayList<>();
    private final List<long[]> inputShapes = new ArrayList<>();
    private final List<long[]> outputShapes = new ArrayList<>();
    private final List<String> outputNames = new ArrayList<>();
    private boolean closed;

    TfLiteModel(String name, Path file, int threads) {
        if (!Files.isRegularFile(file)) throw new ModelException(name + ": model file missing: " + file + " (run `bin/curate models fetch`)");
        this.name = name;
        this.file = file;
        this.threads = threads;
        this.model = FlatBufferModel.BuildFromFile(file.toString());
        try {
            if (model == null || model.isNull() || !model.initialized()) throw new ModelException(name + ": " + file + ": TensorFlow Lite cannot load it");
            Interpreter first = newInterpreter();
            for (int i = 0; i < (int) first.inputs().limit(); i++) {
                TfLiteTensor t = first.tensor(first.inputs().get(i));
                inputNames.add(t.name().getString());
                inputShapes.add(dims(t));
            }
            for (int i = 0; i < (int) first.outputs().limit(); i++) {
                TfLiteTensor t = first.tensor(first.outputs().get(i));
                outputNames.add(t.name().getString());
                outputShapes.add(dims(t));
                outputIndex.put(t.name().getString(), i);
            }
            idle.push(first);
        } catch (RuntimeException | LinkageError e) {
            close(); // the model, the resolver and any interpreter built so far hold native memory
            throw e;
        }
    }

    private synchronized Interpreter newInterpreter() {
        if (closed) throw new ModelException(name + ": closed");
        Interpreter it = new Interpreter((Pointer) null);
        try (InterpreterBuilder b = new InterpreterBuilder(model, resolver)) {
            b.SetNumThreads(threads <= 0 ? -1 : threads); // -1: TFLite's default
            if (b.apply(it) != 0 || it.isNull()) throw new ModelException(name + ": " + file + ": TensorFlow Lite cannot build an interpreter");
            if (it.AllocateTensors() != 0) throw new ModelException(name + ": " + file + ": TensorFlow Lite cannot allocate its tensors");
        } catch (RuntimeException e) {
            it.close();
            throw e;
        }
        all.add(it);
        return it;
    }

    static long[] dims(TfLiteTensor t) {
        TfLiteIntArray d = t.dims();
        long[] s = new long[d.size()];
        for (int i = 0; i < s.length; i++) s[i] = d.data(i);
        return s;
    }

    public String name() {
        return name;
    }

    public List<String> inputNames() {
        return inputNames;
    }

    public List<long[]> inputShapes() {
        return inputShapes;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    public List<long[]> outputShapes() {
        return outputShapes;
    }

    /** Elements of the (only) input tensor. */
    public int inputSize() {
        long n = 1;
        for (long d : inputShapes.get(0)) n *= d;
        return (int) n;
    }

    /**
     * Runs the model on one float input (NHWC, the model's size) and copies out the named outputs
     * (new arrays, in the order asked). Thread-safe.
     */
    public float[][] run(float[] input, String... outputs) {
        Interpreter it = idle.poll();
        if (it == null) it = newInterpreter();
        try {
            FloatPointer in = it.typed_input_tensor_float(0);
            if (input.length != inputSize()) throw new IllegalArgumentException(name + ": input has " + input.length + " values, the model takes " + inputSize());
            in.put(input, 0, input.length);
            if (it.Invoke() != 0) throw new ModelException(name + ": TensorFlow Lite inference failed");
            float[][] out = new float[outputs.length][];
            for (int k = 0; k < outputs.length; k++) {
                Integer i = outputIndex.get(outputs[k]);
                if (i == null) throw new ModelException(name + ": no output " + outputs[k] + " (has " + outputNames + ")");
                long n = 1;
                for (long d : outputShapes.get(i)) n *= d;
                out[k] = new float[(int) n];
                it.typed_output_tensor_float(i).get(out[k], 0, out[k].length);
            }
            return out;
        } finally {
            idle.push(it);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Interpreter it : all) it.close();
        all.clear();
        idle.clear();
        resolver.close();
        if (model != null) model.close();
    }
}
