package dev.avcurate.filters.sync;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.ScoreStage;
import dev.avcurate.filters.onnx.OnnxGraph;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's operator models are checked before any decode, and the message names the key and the file. */
class SyncConfigTest {
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));
    @TempDir
    Path dir;

    static List<String> problems(String... overrides) {
        CurateConfig cfg = CurateConfig.defaults().withOverrides(List.of(overrides))
                .withOverrides(List.of("models.dir=" + DefaultSyncEstimatorTest.MODELS.toAbsolutePath()));
        return ScoreStage.checkModels(cfg, ROOT);
    }

    @Test
    void syncNetWithoutAFileNamesTheKey() {
        List<String> p = problems("score.sync.estimator=syncnet");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("score.sync.syncnet_model"), p.get(0));
        assertTrue(problems("score.sync.asd_estimator=light_asd", "score.sync.light_asd_model=/nonexistent/asd.onnx").get(0)
                .contains("light_asd model file missing: /nonexistent/asd.onnx"));
    }

    @Test
    void anExportWithTheWrongInterfaceIsRejectedWithItsShapes() {
        OnnxGraph g = new OnnxGraph("not_syncnet");
        g.input("video", OnnxGraph.FLOAT, -1, 3, 5, 112, 112);
        g.input("audio", OnnxGraph.FLOAT, -1, 1, 13, 20);
        g.node("Identity", List.of("audio"), List.of("audio_embedding"));
        g.output("audio_embedding", OnnxGraph.FLOAT, -1, 1, 13, 20);
        Path f = g.write(dir.resolve("wrong.onnx"));
        List<String> p = problems("score.sync.estimator=syncnet", "score.sync.syncnet_model=" + f);
        String all = String.join("\n", p);
        assertTrue(all.contains("input 'video' has shape [-1, 3, 5, 112, 112], expected [-1, 3, 5, 224, 224]"), all);
        assertTrue(all.contains("output 'video_embedding' missing"), all);
        assertTrue(all.contains("output 'audio_embedding' has shape"), all);
    }

    @Test
    void syncNeedsFacesAndSpeech() {
        List<String> p = problems("score.scorers=[faces, sync]");
        assertTrue(String.join("\n", p).contains("sync needs the faces scorer (face tracks) and the speech scorer"), p.toString());
    }

    @Test
    void theBundledLightAsdNeedsTheTwentyFiveFpsClock() {
        // The default estimator reads 4 MFCC frames per video frame: another clock would drift the audio silently.
        String all = String.join("\n", problems("decode.sync_fps=30"));
        assertTrue(all.contains("decode.sync_fps"), all);
        assertFalse(String.join("\n", problems("decode.sync_fps=30", "score.sync.estimator=mouth_motion",
                "score.sync.asd_estimator=mouth_motion")).contains("decode.sync_fps"), "the weight-free estimators take any clock");
    }
}
