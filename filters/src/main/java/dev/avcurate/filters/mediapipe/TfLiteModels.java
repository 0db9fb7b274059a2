package dev.avcurate.filters.mediapipe;

import dev.avcurate.filters.onnx.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TensorFlow Lite models of this JVM (one executor), as {@code OnnxSessions} holds the ONNX
 * sessions: each model file is opened lazily once, on first use, and shared by every task of the
 * executor ({@link TfLiteModel} pools an interpreter per concurrent caller). Closed by a shutdown
 * hook when the executor goes. TFLite runs on the CPU here (XNNPACK); estimator columns say
 * {@code @cpu}.
 */
public final class TfLiteModels {
    private static final Map<String, TfLiteModel> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TfLiteModels::closeAll, "tflite-models-close"));
    }

    private TfLiteModels() {}

    /** The shared model for {@code file} (owned by this class: do not close it). */
    public static TfLiteModel get(ModelSpec spec, Path file, int threads) {
        return MODELS.computeIfAbsent(file.toAbsolutePath() + "|" + threads, k -> new TfLiteModel(spec.name(), file, threads));
    }

    /** Opens {@code f} with TensorFlow Lite and compares its inputs and outputs (names and shapes) with the spec. */
    public static List<String> checkInterface(ModelSpec spec, Path f) {
        List<String> problems = new ArrayList<>();
        try (TfLiteModel m = new TfLiteModel(spec.name(), f, 1)) {
            compare(spec.name() + ": " + f + ": input", spec.inputs(), m.inputNames(), m.inputShapes(), problems);
            compare(spec.name() + ": " + f + ": output", spec.outputs(), m.outputNames(), m.outputShapes(), problems);
        } catch (RuntimeException e) {
            problems.add(spec.name() + ": " + f + ": TensorFlow Lite cannot load it: " + e.getMessage());
        }
        return problems;
    }

    private static void compare(String what, Map<String, long[]> expected, List<String> names, List<long[]> shapes, List<String> problems) {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            int i = names.indexOf(e.getKey());
            if (i < 0) {
                problems.add(what + " '" + e.getKey() + "' missing; the model has " + names);
            } else if (!ModelSpec.shapeMatches(e.getValue(), shapes.get(i))) {
                problems.add(what + " '" + e.getKey() + "' has shape " + Arrays.toString(shapes.get(i)) + ", expected " + Arrays.toString(e.getValue()));
            }
        }
    }

    static void closeAll() {
        for (TfLiteModel m : MODELS.values()) m.close();
        MODELS.clear();
    }
}
