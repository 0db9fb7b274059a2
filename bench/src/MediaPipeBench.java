import dev.avcurate.filters.mediapipe.FaceMeshLandmarker;
import dev.avcurate.filters.mediapipe.HandLandmarker;
import dev.avcurate.filters.mediapipe.PoseLandmarker;
import dev.avcurate.filters.mediapipe.Roi;
import dev.avcurate.filters.mediapipe.TfLiteModel;
import dev.avcurate.filters.mediapipe.TfLiteModels;
import dev.avcurate.filters.onnx.BlazeFace;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cost per sampled frame of the MediaPipe operators (TensorFlow Lite, one thread) on real
 * footage decoded as the score stage does (5 fps, short side 256): pose tracking (detector every
 * 5 frames + landmarks), hands (palm detector + landmarks per palm), face mesh (per face). The
 * baseline of each operator is the bare model run (TfLiteModel.run on an input built once), so
 * operator / bare = what our crops, decoding and projection add.
 * Args: repo root, clip paths...; -Dreps (default 5).
 */
public final class MediaPipeBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int reps = Integer.getInteger("reps", 5);
        ModelRegistry reg = ModelRegistry.load(root.resolve("conf/models.yaml"));
        Path models = root.resolve("models");
        List<VideoFrame> frames = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            DecodedClip c = new ClipDecoder(5, 0, 256, 16000, 120, new org.apache.hadoop.conf.Configuration())
                    .decode("b" + i, Path.of(args[i]).toAbsolutePath().toString(), 0, 4, 25);
            frames.addAll(c.frames());
        }
        ModelSpec bfs = reg.get("blazeface");
        BlazeFace bf = new BlazeFace(OnnxSessions.get(bfs, models.resolve(bfs.file()), "cpu", 1), 0.6, 0.3);
        List<Box> faces = new ArrayList<>();
        for (VideoFrame f : frames) {
            List<Box> b = bf.detect(f);
            faces.add(b.isEmpty() ? null : b.get(0));
        }
        System.out.println("operator\tframes\tms_per_frame\tbare_model_ms_per_call\tcalls_per_frame");
        for (String v : List.of("lite", "full", "heavy")) {
            TfLiteModel det = m(reg, models, "mp_pose_detection"), lm = m(reg, models, "mp_pose_landmark_" + v);
            PoseLandmarker pose = new PoseLandmarker(det, lm, v, 0.5, 0.5, 5, 4);
            pose.track(frames); // warm-up
            long t0 = System.nanoTime();
            int poses = 0;
            for (int r = 0; r < reps; r++) for (var fr : pose.track(frames)) poses += fr.size();
            double ms = (System.nanoTime() - t0) / 1e6 / reps / frames.size();
            double bareLm = bare(lm, reps * 20);
            System.out.printf(Locale.ROOT, "pose_track_%s (detector every 5 frames)\t%d\t%.2f\t%.2f (landmarks)\t%.2f poses%n", v, frames.size(), ms, bareLm,
                    poses / (double) (reps * frames.size()));
            if (v.equals("full")) {
                long t1 = System.nanoTime();
                for (int r = 0; r < reps; r++) for (VideoFrame f : frames) pose.detect(f);
                System.out.printf(Locale.ROOT, "pose_detector\t%d\t%.2f\t%.2f\t1%n", frames.size(), (System.nanoTime() - t1) / 1e6 / reps / frames.size(),
                        bare(det, reps * 20));
            }
        }
        for (String v : List.of("lite", "full")) {
            TfLiteModel palm = m(reg, models, "mp_palm_detection_full"), lm = m(reg, models, "mp_hand_landmark_" + v);
            HandLandmarker hands = new HandLandmarker(palm, lm, v, 0.5, 0.5, 4);
            for (VideoFrame f : frames) hands.hands(f);
            long t0 = System.nanoTime();
            int found = 0;
            for (int r = 0; r < reps; r++) for (VideoFrame f : frames) found += hands.hands(f).size();
            System.out.printf(Locale.ROOT, "hands_%s (palm detector + landmarks)\t%d\t%.2f\t%.2f (palm) %.2f (landmarks)\t%.2f hands%n", v, frames.size(),
                    (System.nanoTime() - t0) / 1e6 / reps / frames.size(), bare(palm, reps * 20), bare(lm, reps * 20), found / (double) (reps * frames.size()));
        }
        TfLiteModel fm = m(reg, models, "mp_face_landmark");
        FaceMeshLandmarker mesh = new FaceMeshLandmarker(fm, 0.5);
        mesh.mouthOpening(frames, faces);
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) mesh.mouthOpening(frames, faces);
        System.out.printf(Locale.ROOT, "face_mesh (one face per frame)\t%d\t%.2f\t%.2f\t1%n", frames.size(), (System.nanoTime() - t0) / 1e6 / reps / frames.size(),
                bare(fm, reps * 20));
        long t2 = System.nanoTime();
        for (int r = 0; r < reps; r++) for (VideoFrame f : frames) bf.detect(f);
        System.out.printf(Locale.ROOT, "(reference) blazeface_front_128 operator\t%d\t%.2f\t\t1%n", frames.size(), (System.nanoTime() - t2) / 1e6 / reps / frames.size());

        // The people scorer as the default profile configures it, on whole 10 s clips, next to their decode.
        dev.avcurate.core.config.CurateConfig cfg = dev.avcurate.core.config.CurateConfig.load(root.resolve("conf/default.yaml"))
                .withOverrides(List.of("score.scorers=[faces, people, sharpness]", "models.dir=" + models));
        System.out.println("\nclip (first 10 s)\tsampled_frames\tdecode_s\tfaces_s\tpeople_s (default profile)\tsharpness_s");
        try (dev.avcurate.filters.scoring.ScorerSet set = new dev.avcurate.filters.scoring.ScorerSet(cfg, reg, models)) {
            for (int i = 1; i < args.length; i++) {
                ClipDecoder dec = new ClipDecoder(5, 0, 256, 16000, 120, new org.apache.hadoop.conf.Configuration());
                long d0 = System.nanoTime();
                DecodedClip c = null;
                for (int r = 0; r < reps; r++) c = dec.decode("c" + i, Path.of(args[i]).toAbsolutePath().toString(), 0, 10, 25);
                double decodeS = (System.nanoTime() - d0) / 1e9 / reps;
                set.score(c); // warm-up
                set.nanosByScorer().clear();
                for (int r = 0; r < reps; r++) set.score(c);
                var n = set.nanosByScorer();
                System.out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f%n", Path.of(args[i]).getFileName(), c.frames().size(), decodeS,
                        n.get("faces") / 1e9 / reps, n.get("people") / 1e9 / reps, n.get("sharpness") / 1e9 / reps);
            }
        }
    }

    static TfLiteModel m(ModelRegistry reg, Path dir, String name) {
        ModelSpec s = reg.get(name);
        return TfLiteModels.get(s, dir.resolve(s.file()), 1);
    }

    /** Milliseconds per bare model run on a fixed input. */
    static double bare(TfLiteModel model, int n) {
        float[] in = new float[model.inputSize()];
        String out = model.outputNames().get(0);
        for (int i = 0; i < 5; i++) model.run(in, out);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) model.run(in, out);
        return (System.nanoTime() - t0) / 1e6 / n;
    }
}
