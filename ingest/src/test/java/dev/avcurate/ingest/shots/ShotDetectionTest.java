package dev.avcurate.ingest.shots;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.MediaReader;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shot detection on generated videos whose cut frames are known. */
class ShotDetectionTest {
    @TempDir Path dir;

    /** The defaults of ingest.shots.*: hard cuts, fades and cross-dissolves. */
    static ShotDetector detector(double fps) {
        return new ShotDetector(20, 3, 3, 16, 6, 4.0, 0.8, fps);
    }

    static List<Shot> detect(Path video) throws Exception {
        try (MediaReader r = MediaReader.open(video.toString(), Long.MAX_VALUE / 4, 1)) {
            ShotDetector d = detector(r.probe().fps());
            r.decode(DecodeRequest.allFrames(96, 0), new FrameSink() {
                @Override
                public void frame(long i, double pts, int w, int h, byte[] px) {
                    d.accept(pts, w, h, px);
                }
            });
            return d.finish();
        }
    }

    @Test
    void hardCutsAreFoundWithinOneFrame() throws Exception {
        int[] cuts = {40, 97, 150, 211};
        SpeechSignal s = new SpeechSignal(4, 150);
        Path v = new SyntheticVideo().size(320, 180).fps(25).frames(260).noAudio()
                .painter(Scenes.cuts(cuts,
                        Scenes.talkingHead(Scenes.textured(1), s, 0.5, 0.6, 1),
                        Scenes.talkingHead(Scenes.textured(2), s, 0.3, 0.5, 2),
                        Scenes.pan(3, 200),
                        Scenes.textured(4),
                        Scenes.talkingHead(Scenes.textured(5), s, 0.6, 0.4, 3)))
                .write(dir.resolve("cuts.mp4"));
        List<Long> found = ShotDetector.cutFrames(detect(v));
        assertEquals(cuts.length, found.size(), "cuts found: " + found);
        for (int k = 0; k < cuts.length; k++) assertTrue(Math.abs(found.get(k) - cuts[k]) <= 1, "cut " + cuts[k] + " vs " + found);
    }

    @Test
    void aFastPanIsOneShot() throws Exception {
        Path v = new SyntheticVideo().size(320, 180).fps(25).frames(150).noAudio()
                .painter(Scenes.talkingHead(Scenes.pan(7, 300), new SpeechSignal(1, 100), 0.5, 0.5, 1))
                .write(dir.resolve("pan.mp4"));
        List<Shot> shots = detect(v);
        assertEquals(1, shots.size(), "shots: " + shots);
        assertEquals(0, shots.get(0).startFrame());
        assertEquals(150, shots.get(0).endFrame());
        assertEquals(6.0, shots.get(0).endS(), 1e-6);
    }

    @Test
    void aStaticShotIsOneShot() throws Exception {
        Path v = new SyntheticVideo().size(320, 180).fps(30).frames(120).noAudio()
                .painter(Scenes.textured(9)).write(dir.resolve("static.mp4"));
        assertEquals(1, detect(v).size());
    }

    @Test
    void aFadeThroughBlackSplitsTheShotsAndDropsTheBlackFrames() throws Exception {
        // Fade out over frames 60..71, black 72..79, fade in 80..91 (dark until the mean luma rises).
        Path v = new SyntheticVideo().size(320, 180).fps(25).frames(150).noAudio()
                .painter(Scenes.fade(Scenes.cuts(new int[] {76}, Scenes.textured(11), Scenes.textured(12)), 60, 72, 80, 92))
                .write(dir.resolve("fade.mp4"));
        List<Shot> shots = detect(v);
        assertEquals(2, shots.size(), "shots: " + shots);
        assertTrue(shots.get(0).endFrame() > 60 && shots.get(0).endFrame() <= 72, "first shot ends in the fade-out: " + shots);
        assertTrue(shots.get(1).startFrame() >= 80 && shots.get(1).startFrame() < 92, "second starts in the fade-in: " + shots);
        assertEquals(150, shots.get(1).endFrame());
    }
}
