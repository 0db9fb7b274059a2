package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.OnnxRuns;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.OnnxSessions;
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


    static FloatBuffer reuse(FloatBuffer old, long elements) {
        return OnnxRuns.reuse(old, elements);
    }

    /** Runs the session on one input; returns every output, in the export's order. */
    static Map<String, OnnxRuns.Out> run(OnnxSessions.Shared shared, String model, String input, FloatBuffer b, long[] shape) {
        return OnnxRuns.runAll(shared, model, input, b, shape);
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

    /**
     * The input checks of {@link dev.avcurate.filters.onnx.ModelRegistry#checkInterface}, then,
     * when they pass, {@code outputProblems} over the outputs the file declares (for exports whose
     * output names vary, so only their shapes can be checked).
     */
    static List<String> checkInterface(dev.avcurate.filters.onnx.ModelSpec spec, java.nio.file.Path f,
                                       java.util.function.BiFunction<String, Map<String, long[]>, List<String>> outputProblems) {
        List<String> problems = new java.util.ArrayList<>(dev.avcurate.filters.onnx.ModelRegistry.checkInterface(spec, f));
        if (!problems.isEmpty()) return problems;
        String where = spec.name() + ": " + f;
        try {
            problems.addAll(outputProblems.apply(where, declaredOutputs(f)));
        } catch (OrtException e) {
            problems.add(where + ": ONNX Runtime cannot load it: " + e.getMessage());
        }
        return problems;
    }
}
