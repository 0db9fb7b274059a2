package dev.avcurate.filters.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.ScoreColumns;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one registry of score columns (core's ScoreColumns) against what the scorers declare and write. */
class ScoreColumnsRegistryTest {
    @Test
    void everyColumnAScorerDeclaresIsInTheRegistryAndViceVersa() {
        Set<String> declared = new LinkedHashSet<>();
        for (String scorer : CurateKeys.SCORERS) {
            List<String> cols = ScorerSet.columnsOf(scorer);
            assertFalse(cols.isEmpty(), "scorer " + scorer + " declares no column");
            for (String c : cols) {
                assertNotNull(ScoreColumns.get(c), "scorer " + scorer + " writes " + c + ", which the registry lacks");
                assertEquals(scorer, ScoreColumns.get(c).scorer(), c + ": registered under another scorer");
                assertTrue(ScoreColumns.ALL.containsKey(c), c);
            }
            declared.addAll(cols);
        }
        assertEquals(ScoreColumns.ALL.keySet(), declared, "registry columns that no scorer writes, or the reverse");
        // Every string column is typed STRING in the table, every other DOUBLE.
        for (String c : declared) assertEquals(!ScoreColumns.isNumeric(c), ScorerSet.STRING_COLUMNS.contains(c), c);
        // The columns the SFT selection and the near-duplicate step read are there.
        for (String c : List.of("max_people", "identity_count", "key_frame_phash")) assertTrue(ScoreColumns.ALL.containsKey(c), c);
    }

    @Test
    void whatTheModelFreeScorersWriteIsRegisteredAndDeclared() {
        var p = Scenes.talkingHead(Scenes.textured(4), new SpeechSignal(1, 120), 0.5, 0.6, 1);
        DecodedClip clip = ClassicalScorersTest.clip(p, 0, 1.0);
        int w = clip.frames().get(0).width(), h = clip.frames().get(0).height();
        Box face = new Box(w / 2.0 - 60, h * 0.48 - 80, w / 2.0 + 60, h * 0.48 + 80, 1, null);
        List<List<Box>> boxes = new ArrayList<>();
        for (int i = 0; i < clip.frames().size(); i++) boxes.add(List.of(face));
        ClipContext ctx = new ClipContext();
        ctx.faces(boxes, "test_boxes");
        List<Scorer> scorers = List.of(new PersonScorer(), new SharpnessScorer(64, 256), new MotionScorer(15, 0.5, 2,
                org.bytedeco.opencv.opencv_video.DISOpticalFlow.PRESET_FAST), new BrightnessScorer(), new PerceptualHashScorer());
        for (Scorer s : scorers) {
            Map<String, Object> out = new HashMap<>();
            s.score(clip, ctx, out);
            assertFalse(out.isEmpty(), s.name());
            for (String k : out.keySet()) {
                String col = k.endsWith("_estimator") ? k.substring(0, k.length() - "_estimator".length()) : k;
                assertNotNull(ScoreColumns.get(col), s.name() + " wrote " + k + ", which the registry lacks");
                assertTrue(s.columns().contains(col), s.name() + " wrote " + k + " without declaring it");
                assertEquals(ScoreColumns.of(s.name()), s.columns(), s.name());
            }
            s.close();
        }
    }
}
