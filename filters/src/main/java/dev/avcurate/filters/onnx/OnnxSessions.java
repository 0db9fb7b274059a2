package dev.avcurate.filters.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
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
        return SESSIONS.computeIfAbsent(sessionKey(file.toAbsolutePath().toString(), device, intraOpThreads), k -> {
            if (!Files.isRegularFile(file)) {
                throw new ModelException(spec.name() + ": model file missing: " + file + " (run `bin/curate models fetch`)");
            }
            return open(spec.name(), file.toString(), device, intraOpThreads, (env, o) -> env.createSession(file.toString(), o));
        });
    }

    /**
     * For models shipped inside a jar rather than fetched to the models directory: {@code bytes} is
     * only called when the session is opened, so the model is read once per JVM and not kept.
     *
     * @param key names the model among this JVM's sessions, e.g. "classpath:/model.onnx"
     * @param device as for {@link #get}
     */
    public static Shared getFromBytes(String name, String key, Supplier<byte[]> bytes, String device, int intraOpThreads) {
        return SESSIONS.computeIfAbsent(sessionKey(key, device, intraOpThreads),
                k -> open(name, key, device, intraOpThreads, (env, o) -> env.createSession(bytes.get(), o)));
    }

    /** A JVM can serve tasks given different GPUs: one session per GPU, not the first task's for all. */
    private static String sessionKey(String model, String device, int intraOpThreads) {
        String gpu = device.equals("cpu") ? "" : "|gpu" + taskGpu();
        return model + "|" + device + "|" + intraOpThreads + gpu;
    }

    private interface SessionSource {
        OrtSession create(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException;
    }

    private static Shared open(String name, String source, String device, int threads, SessionSource session) {
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
                    System.err.println("[onnx] " + name + ": CUDA asked for (onnx.device=cuda) but this ONNX Runtime has no CUDA "
                            + "provider (build with -Pgpu and run on a GPU executor): using the CPU");
                }
                return new Shared(session.create(env, o), used);
            }
        } catch (OrtException e) {
            throw new ModelException(name + ": " + source + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
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
