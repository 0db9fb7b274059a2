package dev.avcurate.filters.vision;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.ScoreStage;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The papers' operators wired into the score stage by config alone: every export named in the
 * config is checked before any decode, and one scoring pass over a generated clip fills each
 * column from the configured operator, which its estimator column names.
 */
class PaperModelsScorerSetTest {
    @TempDir Path dir;

    CurateConfig config(boolean withIdentityFaces) throws Exception {
        ArcFaceEmbedderTest arc = new ArcFaceEmbedderTest();
        arc.dir = dir;
        String yaml = """
                score:
                  scorers: [faces, people, sharpness, motion, quality, identity]
                  face: {estimator: %s, scrfd_model: "%s"}
                  people: {estimator: rtmpose, yolox_model: "%s", pose_model: "%s"}
                  quality: {estimator: dover, dover_model: "%s", aesthetic_estimator: laion, clip_model: "%s", aesthetic_head_model: "%s"}
                  motion: {estimator: unimatch, flow_model: "%s"}
                  identity: {arcface_model: "%s"}
                """.formatted(withIdentityFaces ? "scrfd" : "blazeface",
                ScrfdFaceDetectorTest.model(true, "input.1", 4, true).write(dir.resolve("scrfd.onnx")),
                PoseModels.yolox(dir.resolve("yolox.onnx"), "images", -1), PoseModels.rtmpose(dir.resolve("rtm.onnx"), "input", 256, 192, 133),
                DoverQualityTest.model(dir.resolve("dover.onnx"), "aes_view"), AestheticClipTest.clipModel(dir.resolve("clip.onnx")),
                AestheticClipTest.headModel(dir.resolve("head.onnx"), "embedding"), FlowMotionTest.model(dir.resolve("flow.onnx"), 320),
                arc.model("input.1", new long[] {-1, 512}));
        return CurateConfig.parse(yaml, "papers-test.yaml").withOverrides(List.of(
                "models.dir=" + System.getProperty("avcurate.models.dir", "models"),
                "models.registry=" + Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf/models.yaml")));
    }

    @Test
    void everyConfiguredOperatorFillsItsColumnAndNamesItself() throws Exception {
        CurateConfig cfg = config(true);
        Path home = Path.of(System.getProperty("avcurate.repo.root", ".."));
        assertEquals(List.of(), ScoreStage.checkModels(cfg, home), "every export passes its operator's interface check");
        Path video = new SyntheticVideo().size(640, 360).fps(25).seconds(3).painter((g, i, t, w, h) -> {
            g.setColor(Color.DARK_GRAY);
            g.fillRect(0, 0, w, h);
            g.setColor(new Color(230, 40, 40));
            g.fillRect(260 + i, 100, 120, 160); // a red "person" moving right
        }).write(dir.resolve("clip.mp4"));
        DecodedClip clip = new ClipDecoder(5, 25, 256, 16_000, 60, null).decode("c", video.toString(), 0, 3, 25);
        ModelRegistry reg = ModelRegistry.load(home.resolve("conf/models.yaml"));
        try (ScorerSet set = new ScorerSet(cfg, reg, Path.of(System.getProperty("avcurate.models.dir", "models")))) {
            Map<String, Object> out = set.score(clip);
            assertTrue(String.valueOf(out.get("face_frames_ratio_estimator")).startsWith("scrfd@"), out.toString());
            assertTrue(String.valueOf(out.get("person_area_ratio_estimator")).startsWith("yolox@"), out.toString());
            assertTrue(String.valueOf(out.get("person_area_ratio_estimator")).contains("rtmpose"), out.toString());
            assertTrue(((Number) out.get("person_area_ratio")).doubleValue() > 0.05, "the red block is found as a person: " + out);
            // The generated YOLOX fires on every red anchor cell (its geometry is YoloxPersonDetectorTest's job): people were counted.
            assertTrue(((Number) out.get("max_people")).doubleValue() >= 1, out.toString());
            assertTrue(String.valueOf(out.get("max_people_estimator")).startsWith("yolox@"), out.toString());
            assertTrue(String.valueOf(out.get("quality_technical_estimator")).startsWith("dover"), out.toString());
            assertNotNull(out.get("quality_technical"));
            assertTrue(String.valueOf(out.get("quality_aesthetic_estimator")).contains("laion"), out.toString());
            // DOVER's aesthetic view (0..1) has its own column: quality_aesthetic is LAION's 1..10 scale alone.
            assertTrue(String.valueOf(out.get("quality_aesthetic_dover_estimator")).startsWith("dover"), out.toString());
            double dov = ((Number) out.get("quality_aesthetic_dover")).doubleValue();
            assertTrue(dov >= 0 && dov <= 1, out.toString());
            assertTrue(String.valueOf(out.get("motion_mean_estimator")).startsWith("unimatch"), out.toString());
            assertNotNull(out.get("motion_mean"));
            assertNotNull(out.get("camera_motion"), "camera motion stays DIS's");
            assertTrue(String.valueOf(out.get("identity_count_estimator")).startsWith("arcface"), out.toString());
            assertNotNull(out.get("identity_count"));
            assertTrue(String.valueOf(out.get("hand_sharpness_estimator")).contains("wholebody"), out.toString());
        }
    }

    @Test
    void identityWithoutScrfdFacesAndAMissingExportStopTheRunNamingTheKeys() throws Exception {
        Path home = Path.of(System.getProperty("avcurate.repo.root", ".."));
        List<String> p = ScoreStage.checkModels(config(false), home);
        assertTrue(p.stream().anyMatch(x -> x.contains("identity needs the faces scorer with score.face.estimator: scrfd")), p.toString());
        CurateConfig missing = config(true).withOverrides(List.of("score.quality.dover_model=" + dir.resolve("nope.onnx")));
        List<String> q = ScoreStage.checkModels(missing, home);
        assertTrue(q.stream().anyMatch(x -> x.startsWith("score.quality.dover_model: dover model file missing")), q.toString());
    }

    /** 2 s of a flat colour that brightens frame by frame, decoded as the score stage does (sync clock on). */
    DecodedClip plainClip(String name) throws Exception {
        Path video = new SyntheticVideo().size(320, 240).fps(25).seconds(2).painter((g, i, t, w, h) -> {
            g.setColor(new Color(40 + i, 90, 140));
            g.fillRect(0, 0, w, h);
        }).write(dir.resolve(name));
        return new ClipDecoder(5, 25, 256, 16_000, 60, null).decode("c", video.toString(), 0, 2, 25);
    }

    @Test
    void doversAestheticNeverLandsOnLaionsColumn() throws Exception {
        // quality_aesthetic was 0..1 from DOVER and 1..10 from LAION under one name: a 4.5 rule rejected every DOVER clip.
        CurateConfig cfg = config(true).withOverrides(List.of("score.quality.aesthetic_estimator=none"));
        DecodedClip clip = plainClip("plain.mp4");
        Path home = Path.of(System.getProperty("avcurate.repo.root", ".."));
        try (ScorerSet set = new ScorerSet(cfg, ModelRegistry.load(home.resolve("conf/models.yaml")),
                Path.of(System.getProperty("avcurate.models.dir", "models")))) {
            Map<String, Object> out = set.score(clip);
            assertNull(out.get("quality_aesthetic"), "no LAION predictor ran: " + out);
            assertNull(out.get("quality_aesthetic_estimator"), out.toString());
            double a = ((Number) out.get("quality_aesthetic_dover")).doubleValue();
            assertTrue(dev.avcurate.core.ScoreColumns.get("quality_aesthetic_dover").inRange(a), out.toString());
            assertTrue(String.valueOf(out.get("quality_aesthetic_dover_estimator")).startsWith("dover"), out.toString());
            assertTrue(ScorerSet.columns(cfg).containsKey("quality_aesthetic_dover"), "declared in the clips table");
        }
    }

    @Test
    void theEstimatorsOfScoresBuiltOnFacesNameTheFaceDetectorThatRan() throws Exception {
        // text_face_overlap and the mouth-motion sync estimator said "+blazeface" even when SCRFD found the faces.
        DecodedClip clip = plainClip("faces.mp4");
        Path home = Path.of(System.getProperty("avcurate.repo.root", ".."));
        for (String detector : List.of("scrfd", "blazeface")) {
            CurateConfig cfg = config(true).withOverrides(List.of("score.scorers=[faces, text, speech, sync]",
                    "score.face.estimator=" + detector, "score.text.read_subtitles=false", "score.sync.estimator=mouth_motion",
                    "score.sync.mouth_motion_lips=false"));
            try (ScorerSet set = new ScorerSet(cfg, ModelRegistry.load(home.resolve("conf/models.yaml")),
                    Path.of(System.getProperty("avcurate.models.dir", "models")))) {
                Map<String, Object> out = set.score(clip);
                assertTrue(String.valueOf(out.get("face_frames_ratio_estimator")).startsWith(detector), out.toString());
                assertTrue(String.valueOf(out.get("text_face_overlap_estimator")).endsWith("+" + detector), out.toString());
                assertEquals("mouth_motion_xcorr+" + detector, out.get("av_offset_frames_estimator"), out.toString());
            }
        }
    }

    @Test
    void theDefaultProfileNeedsNoUserExport() {
        // MediaPipe people and the bundled Light-ASD come from the registry: a fresh machine runs the
        // default profile after `models fetch` alone (a YOLOX export was asked for when the people
        // estimator was anything but face_boxes).
        Path home = Path.of(System.getProperty("avcurate.repo.root", ".."));
        CurateConfig cfg = CurateConfig.load(home.resolve("conf/default.yaml"));
        assertEquals("mediapipe", cfg.get(dev.avcurate.core.config.CurateKeys.SCORE_PEOPLE_ESTIMATOR));
        assertEquals(Map.of(), ScorerSet.userModels(cfg));
        List<String> registry = ScorerSet.registryModels(cfg);
        assertTrue(registry.containsAll(List.of("light_asd_audio", "light_asd_visual", "light_asd_backend", "mp_pose_detection")), registry.toString());
    }
}
