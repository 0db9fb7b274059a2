package dev.avcurate.filters.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The ONNX sessions of this JVM (one executor): each model is opened lazily once, on first use,
 * and shared by every task of the executor (OrtSession.run is thread-safe). Sessions are closed
 * by a shutdown hook when the executor goes. The CUDA execution provider is used when
 * {@code device} asks for it and the onnxruntime_gpu build offers it (device id from the Spark
 * task's GPU resource), CPU otherwise; the chosen device is reported with every score.
 */
public final class OnnxSessions {
    /** A shared session and the device it runs on ("cpu" or "cuda:N"). Owned by this class, not the caller. */
    public record Shared(OrtSession session, String device) {}

    private static final Map<String, Shared> SESSIONS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OnnxSessions::closeAll, "onnx-sessions-close"));
    }

    private OnnxSessions() {}

    /**
     * @param device "cpu", "cuda" (fall back to CPU with a message when absent) or "auto"
     */
    public static Shared get(ModelSpec spec, Path file, String device, int intraOpThreads) {
        // A JVM can serve tasks given different GPUs: one session per GPU, not the first task's for all.
        String gpu = device.equals("cpu") ? "" : "|gpu" + taskGpu();
        String key = file.toAbsolutePath() + "|" + device + "|" + intraOpThreads + gpu;
        return SESSIONS.computeIfAbsent(key, k -> open(spec, file, device, intraOpThreads));
    }

    private static Shared open(ModelSpec spec, Path file, String device, int threads) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException(spec.name() + ": model file missing: " + file + " (run `bin/curate models fetch`)");
        }
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                // ORT warns about unused initializers in these exports on every open: only errors are news.
                o.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                String used = "cpu";
                boolean wantCuda = device.equals("cuda") || device.equals("auto");
                if (wantCuda && OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA)) {
                    int id = taskGpu();
                    try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(id)) {
                        o.addCUDA(cuda);
                        used = "cuda:" + id;
                    }
                } else if (device.equals("cuda")) {
                    System.err.println("[onnx] " + spec.name() + ": CUDA asked for (onnx.device=cuda) but this ONNX Runtime has no CUDA "
                            + "provider (build with -Pgpu and run on a GPU executor): using the CPU");
                }
                return new Shared(env.createSession(file.toString(), o), used);
            }
        } catch (OrtException e) {
            throw new ModelException(spec.name() + ": " + file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    /** The GPU Spark gave this task (spark.task.resource.gpu.amount), else 0. */
    static int taskGpu() {
        TaskContext tc = TaskContext.get();
        if (tc == null) return 0;
        scala.Option<ResourceInformation> gpu = tc.resources().get("gpu");
        if (gpu.isEmpty() || gpu.get().addresses().length == 0) return 0;
        return Integer.parseInt(gpu.get().addresses()[0]);
    }

    static void closeAll() {
        for (Shared s : SESSIONS.values()) {
            try {
                s.session().close();
            } catch (OrtException ignored) {
                // the JVM is exiting
            }
        }
        SESSIONS.clear();
    }
}
