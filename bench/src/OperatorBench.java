import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.avcurate.filters.onnx.BlazeFace;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.onnx.PpOcrDetector;
import dev.avcurate.filters.onnx.SileroVad;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Our operator runtime against a bare OrtSession.run loop on the same model and the same batch
 * (one intra-op thread each). "run step" is our tensor creation, shared-session run and output
 * extraction; "operator" adds our preprocessing and post-processing. Ratio = ours / bare throughput.
 */
public final class OperatorBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int reps = Integer.parseInt(args.length > 1 ? args[1] : "200");
        ModelRegistry reg = ModelRegistry.load(root.resolve("conf/models.yaml"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("model\tbatch\tbare_per_s\tours_run_step_per_s\tours_operator_per_s\tratio_run_step\tratio_operator");

        VideoFrame frame = randomFrame(456, 256);
        OnnxSessions.Shared bf = session(reg, root, "blazeface");
        BlazeFace blaze = new BlazeFace(bf, 0.6, 0.3);
        float[] in = BlazeFace.preprocess(frame);
        try (OrtSession bare = bare(reg, root, "blazeface");
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in), new long[] {1, 128, 128, 3})) {
            double b = rate(reps, () -> { try (var r = bare.run(Map.of("input:0", t))) { r.get(0); } });
            double ours = rate(reps, () -> blaze.run(in));
            double op = rate(reps, () -> blaze.detect(frame));
            print("blazeface", 1, b, ours, op);
        }

        List<VideoFrame> four = List.of(frame, randomFrame(456, 256), randomFrame(456, 256), randomFrame(456, 256));
        PpOcrDetector det = new PpOcrDetector(session(reg, root, "ppocr_det"), 960, 0.3, 0.6, 1.5);
        float[] batch = new float[4 * 3 * 448 * 256];
        try (OrtSession bare = bare(reg, root, "ppocr_det");
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), new long[] {4, 3, 256, 448})) {
            int r = Math.max(10, reps / 10);
            double b = rate(r, () -> { try (var res = bare.run(Map.of("x", t))) { res.get(0); } });
            double ours = rate(r, () -> det.run(batch, 4, 448, 256));
            double op = rate(r, () -> det.detect(four));
            print("ppocr_det", 4, b, ours, op);
        }

        float[] audio = new float[16_000 * 10];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < audio.length; i++) audio[i] = (float) (0.1 * rnd.nextGaussian());
        SileroVad vad = new SileroVad(session(reg, root, "silero_vad"));
        try (OrtSession bare = bare(reg, root, "silero_vad")) {
            float[] window = new float[576];
            float[] state = new float[256];
            int windows = audio.length / 512;
            int r = Math.max(3, reps / 50);
            double b = rate(r, () -> {
                try (OnnxTensor sr = OnnxTensor.createTensor(env, 16_000L)) {
                    for (int w = 0; w < windows; w++) {
                        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(window), new long[] {1, 576});
                             OnnxTensor st = OnnxTensor.createTensor(env, FloatBuffer.wrap(state), new long[] {2, 1, 128});
                             var res = bare.run(Map.of("input", x, "state", st, "sr", sr))) {
                            res.get(0);
                        }
                    }
                }
            });
            double op = rate(r, () -> vad.probabilities(audio));
            print("silero_vad (10 s = " + windows + " windows)", 1, b, Double.NaN, op);
        }
        System.exit(0);
    }

    interface Body { void run() throws Exception; }

    static double rate(int reps, Body body) throws Exception {
        for (int i = 0; i < Math.max(3, reps / 10); i++) body.run();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) body.run();
        return reps / ((System.nanoTime() - t0) / 1e9);
    }

    static void print(String model, int batch, double bare, double runStep, double op) {
        System.out.printf(Locale.ROOT, "%s\t%d\t%.1f\t%s\t%.1f\t%s\t%.3f%n", model, batch, bare,
                Double.isNaN(runStep) ? "-" : String.format(Locale.ROOT, "%.1f", runStep), op,
                Double.isNaN(runStep) ? "-" : String.format(Locale.ROOT, "%.3f", runStep / bare), op / bare);
    }

    static OnnxSessions.Shared session(ModelRegistry reg, Path root, String name) {
        ModelSpec s = reg.get(name);
        return OnnxSessions.get(s, root.resolve("models").resolve(s.file()), "cpu", 1);
    }

    static OrtSession bare(ModelRegistry reg, Path root, String name) throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(1);
        o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return OrtEnvironment.getEnvironment().createSession(root.resolve("models").resolve(reg.get(name).file()).toString(), o);
    }

    static VideoFrame randomFrame(int w, int h) {
        byte[] px = new byte[w * h * 3];
        new SplittableRandom(w * 31L + h).nextBytes(px);
        return new VideoFrame(0, w, h, px);
    }
}
