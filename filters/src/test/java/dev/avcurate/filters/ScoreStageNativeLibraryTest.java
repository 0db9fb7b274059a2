package dev.avcurate.filters;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.scoring.ClipContext;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.NativeLibraryException;
import dev.avcurate.filters.scoring.Scorer;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** A native library that cannot be loaded stops the score stage with one message naming the scorer and the library. */
class ScoreStageNativeLibraryTest {
    static final List<String> COLS = List.of("brightness_mean", "brightness_mean_estimator", "scores_version", "score_error");

    static List<ScoreStage.ClipTask> tasks() {
        return List.of(new ScoreStage.ClipTask("a", "file:/a.mp4", 0, 1, 25), new ScoreStage.ClipTask("b", "file:/b.mp4", 0, 1, 25),
                new ScoreStage.ClipTask("c", "file:/c.mp4", 0, 1, 25));
    }

    static DecodedClip clip(ScoreStage.ClipTask t) {
        return new DecodedClip(t.clipId(), 0, 1, 25, 5, List.of(new VideoFrame(0, 4, 4, new byte[48])), new float[16_000], 16_000);
    }

    /** A scorer named like the real one whose native library (Tesseract, say) is missing, or that fails on clip "b" only. */
    static Scorer scorer(String name, boolean linkError) {
        return new Scorer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> columns() {
                return List.of("brightness_mean");
            }

            @Override
            public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
                if (linkError) throw new UnsatisfiedLinkError("no jnitesseract in java.library.path: /usr/lib");
                if (clip.clipId().equals("b")) throw new IllegalStateException("a bad clip");
                out.put("brightness_mean", 10.0);
                out.put("brightness_mean_estimator", "test");
            }
        };
    }

    @Test
    void aScorerThatCannotLoadItsLibraryStopsTheStageNamingScorerAndLibrary() {
        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> ScoreStage.scoreClips(tasks().iterator(), 2,
                ScoreStageNativeLibraryTest::clip, ScorerSet.of(List.of(scorer("text", true))), COLS, "v1"),
                "an UnsatisfiedLinkError must not become a score_error on every clip");
        assertEquals("text", e.component());
        assertTrue(e.getMessage().startsWith("scorer 'text' cannot load its native library: UnsatisfiedLinkError: no jnitesseract"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void aDecoderWithoutItsLibraryStopsTheStageToo() {
        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> ScoreStage.scoreClips(tasks().iterator(), 2,
                t -> {
                    throw new NoClassDefFoundError("Could not initialize class org.bytedeco.ffmpeg.global.avformat");
                }, ScorerSet.of(List.of(scorer("brightness", false))), COLS, "v1"));
        assertTrue(e.getMessage().startsWith("the clip decoder (FFmpeg) cannot load its native library: NoClassDefFoundError"), e.getMessage());
    }

    @Test
    void anOrdinaryFailureStillCostsOnlyTheCulpritItsScores() {
        List<Row> rows = ScoreStage.scoreClips(tasks().iterator(), 2, ScoreStageNativeLibraryTest::clip,
                ScorerSet.of(List.of(scorer("brightness", false))), COLS, "v1");
        assertEquals(3, rows.size());
        assertEquals(10.0, rows.get(0).get(1));
        assertNull(rows.get(1).get(1));
        assertEquals("IllegalStateException: a bad clip", rows.get(1).get(4));
        assertEquals(10.0, rows.get(2).get(1));
        assertNull(rows.get(2).get(4));
    }

    @Test
    void theDriverFindsTheFailureBehindASparkJobFailure() {
        NativeLibraryException task = new NativeLibraryException("text", new UnsatisfiedLinkError("no jnitesseract"));
        Exception job = new RuntimeException("Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 times, most recent failure: "
                + "Lost task 0.0 (TID 7): " + task + "\n\tat dev.avcurate...", task);
        assertEquals(task.getMessage(), ScoreStage.nativeFailure(job).getMessage());
        // Only the text came back (the exception could not be deserialized): the message is found in it.
        Exception textOnly = new RuntimeException("Job aborted due to stage failure: Lost task 0.0: " + task + "\n\tat x.y(Z.java:1)");
        assertEquals(task.getMessage(), ScoreStage.nativeFailure(textOnly).getMessage());
        assertNull(ScoreStage.nativeFailure(new RuntimeException("Job aborted: disk full")));
    }
}
