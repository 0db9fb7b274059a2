package dev.avcurate.filters.mediapipe;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.onnx.BlazeFace;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.filters.scoring.VideoFrame;
import dev.avcurate.ingest.samples.Scenes;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The MediaPipe models (fetched by the build from npm, run by TensorFlow Lite) on real footage
 * from ../shared/media/real-talking (one person on camera, face visible: SOURCES.md there), on a
 * composite of two real frames side by side (two people), and on generated frames with nobody.
 * Tests on the shared media skip with a message where it is absent.
 */
class MediaPipeRealFootageTest {
    static final Path MODELS = Path.of(System.getProperty("avcurate.models.dir", "../models"));
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));
    static final ModelRegistry REG = ModelRegistry.load(ROOT.resolve("conf/models.yaml"));
    static final Path MEDIA = ROOT.resolve("../shared/media/real-talking");

    static TfLiteModel model(String name) {
        ModelSpec s = REG.get(name);
        return TfLiteModels.get(s, MODELS.resolve(s.file()), 1);
    }

    static PoseLandmarker pose() {
        return new PoseLandmarker(model("mp_pose_detection"), model("mp_pose_landmark_full"), "full", 0.5, 0.5, 5, 4);
    }

    static HandLandmarker hands() {
        return new HandLandmarker(model("mp_palm_detection_full"), model("mp_hand_landmark_full"), "full", 0.5, 0.5, 4);
    }

    static BlazeFace blazeFace() {
        ModelSpec s = REG.get("blazeface");
        return new BlazeFace(OnnxSessions.get(s, MODELS.resolve(s.file()), "cpu", 1), 0.6, 0.3);
    }

    static DecodedClip clip(String file, double seconds) throws Exception {
        Path p = MEDIA.resolve(file);
        assumeTrue(Files.isRegularFile(p), "shared media absent: " + p.toAbsolutePath().normalize());
        return new ClipDecoder(5, 0, 256, 16000, 120, new Configuration()).decode(file, p.toAbsolutePath().toString(), 0, seconds, 25);
    }

    static Box largest(List<Box> boxes) {
        Box best = null;
        for (Box b : boxes) if (best == null || b.area() > best.area()) best = b;
        return best;
    }

    static boolean inside(Box b, double x, double y) {
        return x >= b.x0() && x <= b.x1() && y >= b.y0() && y <= b.y1();
    }

    static final List<String> ONE_PERSON = List.of("theresa_may_pose_ref.mp4", "latentsync_demo1_video.mp4", "tpsmm_driving_jackie_chan.mp4",
            "hdtf_WDA_KatieHill.mp4", "obama_weekly_address.mp4");

    @Test
    void onePersonTrackedWithTheNoseInTheBlazeFaceBox() throws Exception {
        PoseLandmarker pose = pose();
        BlazeFace bf = blazeFace();
        for (String file : ONE_PERSON) {
            DecodedClip c = clip(file, 4);
            List<List<PoseLandmarks>> tracked = pose.track(c.frames());
            assertEquals(c.frames().size(), tracked.size());
            int noseInFace = 0, withFace = 0;
            for (int i = 0; i < tracked.size(); i++) {
                assertEquals(1, tracked.get(i).size(), file + " frame " + i + ": one person");
                PoseLandmarks p = tracked.get(i).get(0);
                assertTrue(p.score() >= 0.5);
                Box face = largest(bf.detect(c.frames().get(i)));
                if (face == null) continue;
                withFace++;
                if (inside(face, p.x()[PoseLandmarks.NOSE], p.y()[PoseLandmarks.NOSE])) noseInFace++;
                Box body = p.box(0.3);
                assertNotNull(body);
                assertTrue(body.area() > face.area(), file + " frame " + i + ": the body box is larger than the face box");
            }
            System.out.printf("[mediapipe] %s: %d frames, pose in all, nose inside the BlazeFace box in %d of %d%n", file, tracked.size(), noseInFace, withFace);
            assertTrue(withFace >= tracked.size() * 0.9, file);
            assertEquals(withFace, noseInFace, file + ": the nose keypoint is inside the face box in every frame with a face");
        }
    }

    @Test
    void scorerSetOnRealFootage() throws Exception {
        CurateConfig cfg = CurateConfig.load(ROOT.resolve("conf/default.yaml")).withOverrides(List.of("score.scorers=[faces, people, sharpness]"));
        try (ScorerSet set = new ScorerSet(cfg, REG, MODELS)) {
            for (String file : ONE_PERSON) {
                Map<String, Object> s = set.score(clip(file, 4));
                System.out.println("[mediapipe] " + file + ": " + s);
                double person = (Double) s.get("person_area_ratio"), face = (Double) s.get("face_area_ratio");
                assertTrue(person > face && person < 0.9, file + ": person share " + person + " vs face " + face);
                assertEquals(1.0, (Double) s.get("max_people"), file);
                assertEquals("mediapipe_pose_full@cpu", s.get("person_area_ratio_estimator"));
                assertEquals("mediapipe_pose_full@cpu", s.get("max_people_estimator"));
                assertEquals("laplacian_var_grey_hand_64px_from_mediapipe_hands_full@cpu", s.get("hand_sharpness_estimator"));
                double mouth = (Double) s.get("mouth_open_mean");
                assertTrue(mouth > 0.02 && mouth < 0.4, file + ": speaking, mouth opening " + mouth);
                assertTrue((Double) s.get("mouth_open_std") > 0.01, file + ": the lips move");
            }
            // LatentSync demo 1 is a full-body portrait with the hands in view; hand_sharpness is measured
            assertNotNull(set.score(clip("latentsync_demo1_video.mp4", 4)).get("hand_sharpness"));
            // LivePortrait s18: the woman is silent (music bed): mouth closed
            Map<String, Object> silent = set.score(clip("neg_face_music_s18.mp4", 4));
            assertTrue((Double) silent.get("mouth_open_mean") < 0.03, "silent: " + silent);
        }
    }

    @Test
    void handsFoundWhereVisibleAndNotInCloseUps() throws Exception {
        HandLandmarker hands = hands();
        BlazeFace bf = blazeFace();
        DecodedClip demo = clip("latentsync_demo1_video.mp4", 4);
        int frames = 0;
        for (VideoFrame f : demo.frames()) {
            List<Box> hs = hands.hands(f);
            Box face = largest(bf.detect(f));
            if (!hs.isEmpty()) frames++;
            for (Box h : hs) {
                assertTrue(h.score() >= 0.5);
                assertTrue((h.y0() + h.y1()) / 2 > face.y1(), "a hand below the face: " + h + " face " + face);
                assertTrue(h.width() < f.width() / 2.0 && h.width() > 5, h.toString());
            }
        }
        System.out.println("[mediapipe] latentsync_demo1: hands in " + frames + " of " + demo.frames().size() + " frames");
        assertTrue(frames >= demo.frames().size() / 2, "hands in view in most frames: " + frames);
        for (String closeUp : List.of("tpsmm_driving_jackie_chan.mp4", "hdtf_WDA_KatieHill.mp4")) {
            DecodedClip c = clip(closeUp, 4);
            for (VideoFrame f : c.frames()) assertEquals(List.of(), hands.hands(f), closeUp + ": no hands in a head-and-shoulders close-up");
        }
    }

    static VideoFrame sideBySide(VideoFrame a, VideoFrame b) {
        int h = Math.min(a.height(), b.height()), w = a.width() + b.width();
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(a.bgr(), y * a.width() * 3, px, y * w * 3, a.width() * 3);
            System.arraycopy(b.bgr(), y * b.width() * 3, px, (y * w + a.width()) * 3, b.width() * 3);
        }
        return new VideoFrame(0, w, h, px);
    }

    /**
     * Two real people: frames of theresa_may_pose_ref and tpsmm_driving_jackie_chan side by side.
     * (vtest.avi's pedestrians, about 30 px tall at 256 px, are below the BlazePose detector's range:
     * it finds nobody there, at 256 or at the native 576 px.)
     */
    @Test
    void twoPeopleSideBySide() throws Exception {
        DecodedClip may = clip("theresa_may_pose_ref.mp4", 2), chan = clip("tpsmm_driving_jackie_chan.mp4", 2);
        List<VideoFrame> frames = new ArrayList<>();
        for (int i = 0; i < Math.min(may.frames().size(), chan.frames().size()); i++) frames.add(sideBySide(may.frames().get(i), chan.frames().get(i)));
        PoseLandmarker pose = pose();
        List<List<PoseLandmarks>> tracked = pose.track(frames);
        for (int i = 0; i < tracked.size(); i++) {
            List<PoseLandmarks> ps = tracked.get(i);
            assertEquals(2, ps.size(), "frame " + i + ": two people");
            long left = ps.stream().filter(p -> p.x()[0] < 256).count();
            assertEquals(1, left, "frame " + i + ": one nose in each half");
        }
        System.out.println("[mediapipe] two real frames side by side: 2 poses in each of " + tracked.size() + " frames");
    }

    static VideoFrame draw(dev.avcurate.ingest.samples.SyntheticVideo.Painter p, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        p.paint(g, 0, 0.3, w, h);
        g.dispose();
        return new VideoFrame(0, w, h, ((DataBufferByte) img.getRaster().getDataBuffer()).getData().clone());
    }

    @Test
    void nobodyInAGeneratedTextureOrABlackFrame() {
        PoseLandmarker pose = pose();
        HandLandmarker hands = hands();
        FaceMeshLandmarker mesh = new FaceMeshLandmarker(model("mp_face_landmark"), 0.5);
        for (VideoFrame f : List.of(draw(Scenes.textured(2), 456, 256), new VideoFrame(0, 456, 256, new byte[456 * 256 * 3]))) {
            assertEquals(List.of(), pose.detect(f));
            assertEquals(List.of(List.of(), List.of()), pose.track(List.of(f, f)));
            assertEquals(List.of(), hands.hands(f));
            assertTrue(Double.isNaN(mesh.mouthOpening(f, new Box(150, 60, 250, 180, 0.9, null))), "no face in the box");
        }
    }

    /** A drawn talking head (the generated samples) is a face without a body: BlazePose finds nobody, the face fallback a person. */
    @Test
    void aDrawnHeadIsNoPoseButTheFaceFallbackCountsIt() {
        VideoFrame f = draw(Scenes.talkingHead(Scenes.textured(11), new dev.avcurate.ingest.samples.SpeechSignal(1, 120), 0.5, 0.55, 1), 456, 256);
        PoseLandmarker pose = pose();
        assertEquals(List.of(List.of()), pose.track(List.of(f)));
        List<Box> faces = blazeFace().detect(f);
        assertEquals(1, faces.size());
        for (boolean fallback : new boolean[] {true, false}) {
            dev.avcurate.filters.scoring.MediaPipePersonScorer s = new dev.avcurate.filters.scoring.MediaPipePersonScorer(pose, null, null, 0.3, fallback, 1);
            dev.avcurate.filters.scoring.ClipContext ctx = new dev.avcurate.filters.scoring.ClipContext();
            ctx.faces(List.of(faces), "blazeface");
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            s.score(new DecodedClip("d", 0, 1, 25, 5, List.of(f), new float[0], 16000), ctx, out);
            if (fallback) {
                assertEquals(1.0, (Double) out.get("max_people"));
                assertTrue((Double) out.get("person_area_ratio") > 0.1, out.toString());
                assertEquals("mediapipe_pose_full+face_boxes@cpu", out.get("person_area_ratio_estimator"));
            } else {
                assertEquals(0.0, (Double) out.get("max_people"));
                assertEquals(0.0, (Double) out.get("person_area_ratio"));
                assertEquals("mediapipe_pose_full@cpu", out.get("person_area_ratio_estimator"));
            }
        }
    }

    /** The sync scorer's entry point: one face box per 25 fps frame in, one mouth opening per frame out. */
    @Test
    void mouthOpeningPerFrameOnTheSyncClock() throws Exception {
        FaceMeshLandmarker mesh = new FaceMeshLandmarker(model("mp_face_landmark"), 0.5);
        BlazeFace bf = blazeFace();
        double[] means = new double[2];
        String[] files = {"theresa_may_pose_ref.mp4", "neg_face_music_s18.mp4"};
        for (int k = 0; k < 2; k++) {
            Path p = MEDIA.resolve(files[k]);
            assumeTrue(Files.isRegularFile(p), "shared media absent: " + p);
            DecodedClip c = new ClipDecoder(5, 25, 256, 16000, 120, new Configuration()).decode(files[k], p.toAbsolutePath().toString(), 0, 2, 25);
            List<VideoFrame> frames = c.syncFrames();
            assertEquals(50, frames.size(), "2 s on the 25 fps clock");
            List<Box> faces = new ArrayList<>();
            for (VideoFrame f : frames) faces.add(largest(bf.detect(f)));
            faces.set(7, null); // a gap in the track
            float[] open = mesh.mouthOpening(frames, faces);
            assertEquals(frames.size(), open.length);
            assertTrue(Float.isNaN(open[7]), "no box, no value");
            double sum = 0;
            for (int i = 0; i < open.length; i++) {
                if (i == 7) continue;
                assertFalse(Float.isNaN(open[i]), files[k] + " frame " + i);
                assertTrue(open[i] >= 0 && open[i] < 0.6, files[k] + " frame " + i + ": " + open[i]);
                sum += open[i];
            }
            means[k] = sum / (open.length - 1);
        }
        System.out.printf("[mediapipe] mouth opening, mean over 2 s at 25 fps: speaking %.3f, silent %.3f%n", means[0], means[1]);
        assertTrue(means[0] > 3 * means[1], "a speaker's mouth opens more than a silent face's");
    }

    /** `models check` on the TFLite files: the fetched ones match the registry; a wrong expectation is named. */
    @Test
    void registryChecksTheTfliteInterfaces() {
        for (String m : List.of("mp_pose_detection", "mp_pose_landmark_lite", "mp_pose_landmark_full", "mp_pose_landmark_heavy",
                "mp_palm_detection_full", "mp_hand_landmark_lite", "mp_hand_landmark_full", "mp_face_landmark")) {
            assertEquals(List.of(), ModelRegistry.check(REG.get(m), MODELS), m);
        }
        ModelSpec s = REG.get("mp_face_landmark");
        ModelSpec wrong = new ModelSpec(s.name(), s.file(), s.sha256(), s.source(), Map.of("input_1", new long[] {1, 256, 256, 3}), Map.of("scores", new long[] {1}));
        List<String> p = ModelRegistry.checkInterface(wrong, MODELS.resolve(s.file()));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).contains("input 'input_1' has shape [1, 192, 192, 3], expected [1, 256, 256, 3]"), p.get(0));
        assertTrue(p.get(1).contains("output 'scores' missing"), p.get(1));
    }
}
