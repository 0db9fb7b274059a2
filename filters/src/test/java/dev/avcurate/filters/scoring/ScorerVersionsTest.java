package dev.avcurate.filters.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.filters.JobFiles;
import dev.avcurate.filters.onnx.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Per-scorer versions: a change moves the version of the scorer that reads it and of the scorers
 * that run after that one, and no other; the combined version moves with any of them.
 */
class ScorerVersionsTest {
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));
    static final Path MODELS = Path.of(System.getProperty("avcurate.models.dir", ROOT.resolve("models").toString()));
    static final ModelRegistry REG = ModelRegistry.load(ROOT.resolve("conf/models.yaml"));

    /** Every scorer, faces by SCRFD (identity needs it); the people estimator as given. */
    static CurateConfig cfg(String people, String... overrides) {
        List<String> o = new ArrayList<>(List.of("score.scorers=[" + String.join(", ", CurateKeys.SCORERS) + "]",
                "score.face.estimator=scrfd", "score.people.estimator=" + people));
        o.addAll(List.of(overrides));
        return CurateConfig.defaults().withOverrides(o);
    }

    static Map<String, String> versions(CurateConfig c) {
        return ScorerSet.versions(c, REG, JobFiles.of(c, REG, MODELS));
    }

    /** The scorers whose version differs between the two configs. */
    static Set<String> moved(CurateConfig a, CurateConfig b) {
        Map<String, String> va = versions(a), vb = versions(b);
        assertEquals(va.keySet(), vb.keySet());
        Set<String> out = new TreeSet<>();
        va.forEach((s, v) -> {
            if (!v.equals(vb.get(s))) out.add(s);
        });
        assertEquals(out.isEmpty(), ScorerSet.combined(va).equals(ScorerSet.combined(vb)), "the combined version moves with any scorer's");
        return out;
    }

    static Set<String> moved(String people, String... change) {
        return moved(cfg(people), cfg(people, change));
    }

    @Test
    void aScorersOwnKeyMovesItAndTheScorersThatReadItsResultsOnly() {
        assertEquals(Set.of("sharpness"), moved("face_boxes", "score.sharpness.frame_width=128"));
        assertEquals(Set.of("brightness", "faces", "identity", "motion", "people", "phash", "quality", "sharpness", "sync", "text"),
                moved("face_boxes", "decode.short_side=320"), "every scorer of frames; speech hears audio only");
        assertEquals(Set.of("speech", "sync"), moved("face_boxes", "decode.audio_rate=22050"));
        assertEquals(Set.of("motion"), moved("face_boxes", "score.motion.gap_frames=10"));
        assertEquals(Set.of("identity"), moved("face_boxes", "score.identity.threshold=0.5"));
    }

    @Test
    void aFaceSettingMovesFacesAndEveryScorerOfFaceBoxes() {
        // people (face_boxes: bodies from face boxes), sharpness (face crops), text (text over faces), sync (face tracks),
        // identity (faces to embed); not motion, brightness, phash, quality or speech.
        assertEquals(Set.of("faces", "identity", "people", "sharpness", "sync", "text"), moved("face_boxes", "score.face.min_score=0.7"));
        // YOLOX finds people on its own: its people scores do not depend on faces.
        assertEquals(Set.of("faces", "identity", "sharpness", "sync", "text"), moved("yolox", "score.face.min_score=0.7"));
    }

    @Test
    void speechMovesSyncAndAPeopleSettingMovesSharpnessWhenPeopleFindHands() {
        assertEquals(Set.of("speech", "sync"), moved("face_boxes", "score.speech.threshold=0.4"));
        assertEquals(Set.of("people"), moved("face_boxes", "score.people.min_score=0.5"), "face_boxes gives sharpness no hands");
        assertEquals(Set.of("people", "sharpness"), moved("mediapipe", "score.people.mediapipe_min_detection=0.6"),
                "MediaPipe's hand boxes go to sharpness");
    }

    @Test
    void throughputAndFilePlacesMoveNothing() {
        assertEquals(Set.of(), moved("face_boxes", "score.batch_clips=3", "score.model_batch_clips=9", "score.gpu_per_task=0.5",
                "onnx.intra_op_threads=2", "ingest.timeout_s=30"));
        // The order of score.scorers is no input: the scorers run in their own order.
        List<String> reversed = new ArrayList<>(CurateKeys.SCORERS);
        java.util.Collections.reverse(reversed);
        assertEquals(Set.of(), moved("face_boxes", "score.scorers=[" + String.join(", ", reversed) + "]"));
    }

    @Test
    void turningSyncOnMovesOnlyTheScorersThatReadTheSyncClock() {
        CurateConfig without = CurateConfig.defaults().withOverrides(List.of("score.scorers=[faces, motion, quality, speech]"));
        CurateConfig with = CurateConfig.defaults().withOverrides(List.of("score.scorers=[faces, motion, quality, speech, sync]"));
        Map<String, String> a = versions(without), b = versions(with);
        for (String s : List.of("faces", "motion", "quality", "speech")) assertEquals(a.get(s), b.get(s), s);
        CurateConfig unimatch = without.withOverrides(List.of("score.motion.estimator=unimatch"));
        CurateConfig unimatchSync = with.withOverrides(List.of("score.motion.estimator=unimatch"));
        assertNotEquals(versions(unimatch).get("motion"), versions(unimatchSync).get("motion"),
                "UniMatch reads the sync-clock frames when sync is on");
        assertTrue(ScorerSet.syncClock(unimatchSync, List.of("motion")));
        assertFalse(ScorerSet.syncClock(with, List.of("motion", "quality")), "DIS and BRISQUE read the sampled frames only");
        assertFalse(ScorerSet.syncClock(unimatch, List.of("motion")), "no sync scorer, no sync clock");
    }

    @Test
    void aRescoredScorerRunsWithTheScorersItDependsOn() {
        CurateConfig c = cfg("mediapipe");
        assertEquals(List.of("faces", "people", "sharpness"), ScorerSet.closure(List.of("sharpness"), c));
        assertEquals(List.of("faces", "speech", "sync"), ScorerSet.closure(List.of("sync"), c));
        assertEquals(List.of("faces", "identity"), ScorerSet.closure(List.of("identity"), c));
        assertEquals(List.of("brightness", "phash"), ScorerSet.closure(List.of("phash", "brightness"), c));
        CurateConfig noFaces = CurateConfig.defaults().withOverrides(List.of("score.scorers=[brightness, phash, sharpness]"));
        assertEquals(List.of("sharpness"), ScorerSet.closure(List.of("sharpness"), noFaces), "only configured scorers run");
    }

    @Test
    void everyScoreKeyIsAScorersInputOrDeclaredNone() {
        // A new score.* key must land in the table of ScorerSet: a scorer's section, or the list of non-inputs.
        Set<String> sections = Set.of("score.face.", "score.people.", "score.sharpness.", "score.motion.", "score.quality.", "score.text.",
                "score.speech.", "score.sync.", "score.identity.");
        for (String k : CurateKeys.ALL.keySet()) {
            if (!k.startsWith("score.")) continue;
            boolean owned = sections.stream().anyMatch(k::startsWith);
            assertTrue(owned || ScorerSet.NOT_INPUTS.contains(k), k + " is no scorer's input and not declared as none");
            assertFalse(owned && ScorerSet.NOT_INPUTS.contains(k), k);
        }
        for (String place : ScorerSet.FILE_PLACES) assertTrue(CurateKeys.ALL.containsKey(place), place);
    }
}
