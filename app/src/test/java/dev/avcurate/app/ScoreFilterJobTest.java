package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ingest, score and filter on local Spark over generated clips whose scores are known in kind. */
@Tag("slow")
class ScoreFilterJobTest {
    @TempDir static Path dir;
    static SparkSession spark;
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));
    static Path input;

    @BeforeAll
    static void setUp() throws Exception {
        input = dir.resolve("in");
        SpeechSignal s = new SpeechSignal(1, 120);
        var head = Scenes.talkingHead(Scenes.textured(1), s, 0.5, 0.55, 1);
        new SyntheticVideo().size(456, 256).fps(25).seconds(4).painter(head).audio(s::sample, 44_100, 2)
                .write(input.resolve("head.mp4"));
        new SyntheticVideo().size(456, 256).fps(25).seconds(4)
                .painter(Scenes.subtitles(head, new String[] {"Tell me what happened next."}, 10))
                .audio(s::sample, 44_100, 2).write(input.resolve("head_subtitled.mp4"));
        new SyntheticVideo().size(456, 256).fps(25).seconds(4)
                .painter(Scenes.talkingHead(Scenes.pan(7, 120), s, 0.5, 0.55, 1)).audio(s::sample, 44_100, 2)
                .write(input.resolve("head_pan.mp4"));
        new SyntheticVideo().size(456, 256).fps(25).seconds(4).painter(Scenes.textured(9)).audio(t -> 0f, 44_100, 2)
                .write(input.resolve("no_face_silent.mp4"));
        spark = CurateCli.spark();
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    /** The weight-free sync estimator the generated talking heads were made for, and the fix-up at LatentSync's 6 frames. */
    static final String[] SYNC_ON_DRAWN_HEADS = {"score.sync.estimator=mouth_motion", "score.sync.asd_estimator=mouth_motion",
            "score.sync.mouth_motion_lips=false", "filter.audio_fixup_max_frames=6"};

    static int curate(String... args) {
        return CurateCli.curate(args);
    }

    static Map<String, Row> byFile(Path out) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : spark.read().format("delta").load(out.resolve("tables/clips").toString()).collectAsList()) {
            String uri = r.getAs("uri");
            m.put(uri.substring(uri.lastIndexOf('/') + 1), r);
        }
        return m;
    }

    @Test
    void scoresAreStoredWithEstimatorsAndThresholdsMoveWithoutDecoding() throws Exception {
        Path out = dir.resolve("out");
        String models = "models.dir=" + System.getProperty("avcurate.models.dir", ROOT.resolve("models").toString());
        // Drawn heads are no input for Light-ASD (the default sync estimator, checked on real speakers in the filters
        // module): the classical mouth-patch estimator, whose answer these generated heads know, checks the plumbing here,
        // with LatentSync's audio fix-up on.
        assertEquals(0, curate("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--input", input.toString(),
                "--output", out.toString(), "--set", models, "--set", SYNC_ON_DRAWN_HEADS[0], "--set", SYNC_ON_DRAWN_HEADS[1],
                "--set", SYNC_ON_DRAWN_HEADS[2], "--set", SYNC_ON_DRAWN_HEADS[3]));
        Map<String, Row> c = byFile(out);
        Row head = c.get("head.mp4"), sub = c.get("head_subtitled.mp4"), pan = c.get("head_pan.mp4"), none = c.get("no_face_silent.mp4");
        assertTrue(head.<Double>getAs("face_frames_ratio") > 0.9, "face in the talking head");
        assertTrue(head.<String>getAs("face_frames_ratio_estimator").startsWith("blazeface_front_128@cpu"));
        assertEquals(0.0, none.<Double>getAs("face_frames_ratio"), 1e-9, "no face in a texture");
        assertTrue(sub.<Double>getAs("text_area_ratio") > head.<Double>getAs("text_area_ratio") + 0.01, "subtitles are text");
        assertEquals("static", head.getAs("camera_motion"));
        assertEquals("pan_right", pan.getAs("camera_motion"));
        assertTrue(pan.<Double>getAs("motion_mean") > head.<Double>getAs("motion_mean") + 10);
        assertTrue(head.<Double>getAs("speech_ratio") > 0.3, "synthetic speech is heard");
        assertEquals(0.0, none.<Double>getAs("speech_ratio"), 0.02, "silence");
        assertTrue(head.<Boolean>getAs("keep"), "the talking head passes every default rule: " + head);
        assertEquals(List.of("no_face", "no_continuous_face", "small_person", "no_speech", "no_speaker"),
                none.<String>getList(none.fieldIndex("reject_reasons")));
        assertEquals(0.0, head.<Double>getAs("av_offset_frames"), 1.0, "lips and voice in sync by construction");
        assertTrue(head.<Double>getAs("active_speaker_ratio") > 0.3, head.toString());
        assertEquals("mouth_motion_xcorr+blazeface", head.getAs("av_offset_frames_estimator"));
        assertEquals(head.<Double>getAs("av_offset_frames") / 25, head.<Double>getAs("audio_shift_s"), 1e-9, "the fix-up to apply");
        assertNotNull(head.getAs("quality_technical"));
        String summary = Files.readString(out.resolve("run-summary.json"));
        assertTrue(summary.contains("\"failing_by_rule\""), summary);
        // Where the score stage's CPU went, summed over the tasks: model loading, decoding and each scorer that ran.
        var taskSeconds = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary).path("stages").path("score").path("task_seconds");
        for (String k : List.of("model_loading", "decoding", "faces", "people", "text", "speech", "sync")) {
            assertTrue(taskSeconds.path(k).isNumber() && taskSeconds.path(k).asDouble() >= 0, k + " in " + taskSeconds);
        }
        assertTrue(taskSeconds.path("decoding").asDouble() > 0 && taskSeconds.path("sync").asDouble() > 0, taskSeconds.toString());

        // Move a threshold: the filter stage alone, no decode, and only the moved clips change.
        long v = DeltaTables.version(spark, out.resolve("tables/clips").toString());
        assertEquals(0, curate("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--output", out.toString(),
                "--stages", "filter", "--set", models, "--set", SYNC_ON_DRAWN_HEADS[3], "--set",
                "filter.rules=[{score: text_area_ratio, op: '<=', value: 0.01, reason: has_text}]"));
        Map<String, Row> after = byFile(out);
        assertEquals(List.of("has_text"), after.get("head_subtitled.mp4").<String>getList(after.get("head_subtitled.mp4").fieldIndex("reject_reasons")));
        assertTrue(after.get("no_face_silent.mp4").<Boolean>getAs("keep"), "only the new rule applies now");
        assertEquals(head.<Double>getAs("face_frames_ratio"), after.get("head.mp4").<Double>getAs("face_frames_ratio"), "scores untouched");
        assertEquals(v + 1, DeltaTables.version(spark, out.resolve("tables/clips").toString()), "one commit");

        // Rerun everything: nothing is scored again.
        assertEquals(0, curate("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--input", input.toString(),
                "--output", out.toString(), "--set", models, "--set", SYNC_ON_DRAWN_HEADS[0], "--set", SYNC_ON_DRAWN_HEADS[1],
                "--set", SYNC_ON_DRAWN_HEADS[2], "--stages", "ingest,score"));
        assertTrue(Files.readString(out.resolve("run-summary.json")).contains("\"clips_scored\" : 0"));
    }

    @Test
    void aMissingModelStopsTheScoreStageBeforeAnyDecodeAndNamesTheFile() throws Exception {
        Path out = dir.resolve("out-missing");
        Path empty = Files.createDirectories(dir.resolve("no-models"));
        CurateCli.Result r = CurateCli.run("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--input", input.toString(),
                "--output", out.toString(), "--set", "models.dir=" + empty);
        String msg = r.err();
        assertEquals(2, r.code(), msg);
        assertTrue(msg.contains("model file missing: " + empty.resolve("blazeface/face_detection_front_128x128_barracuda.onnx")), msg);
        Files.createDirectories(empty.resolve("silero"));
        Files.write(empty.resolve("silero/silero_vad_v5.onnx"), new byte[] {1, 2, 3});
        CurateCli.Result corrupt = CurateCli.run("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--output",
                out.toString(), "--stages", "score", "--set", "models.dir=" + empty);
        assertEquals(2, corrupt.code(), corrupt.err());
        assertTrue(corrupt.err().contains("silero_vad_v5.onnx: SHA-256 is"), corrupt.err());
    }
}
