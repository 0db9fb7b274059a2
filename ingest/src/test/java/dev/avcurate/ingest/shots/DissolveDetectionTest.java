package dev.avcurate.ingest.shots;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gradual transitions on generated videos (encoded, then decoded as ingest does): where they are is known. */
class DissolveDetectionTest {
    @TempDir Path dir;

    static final int FPS = 25;

    static SyntheticVideo video(int frames, SyntheticVideo.Painter p) {
        return new SyntheticVideo().size(320, 180).fps(FPS).frames(frames).noAudio().painter(p);
    }

    /** A talking head whose whole head sways, nods and tilts, over a still background. */
    static SyntheticVideo.Painter movingHead(long seed, double amplitudePx) {
        SpeechSignal s = new SpeechSignal(seed, 100);
        SyntheticVideo.Painter head = Scenes.talkingHead((g, i, t, w, h) -> {}, s, 0.5, 0.6, seed);
        SyntheticVideo.Painter bg = Scenes.textured(seed + 100);
        return (g, i, t, w, h) -> {
            bg.paint(g, i, t, w, h);
            AffineTransform saved = g.getTransform();
            g.translate(amplitudePx * Math.sin(t * 1.7), 0.4 * amplitudePx * Math.sin(t * 2.9));
            g.rotate(0.15 * Math.sin(t * 1.1), w / 2.0, h * 0.8);
            head.paint(g, i, t, w, h);
            g.setTransform(saved);
        };
    }

    @ParameterizedTest(name = "a {0} s cross-dissolve ends the clip")
    @ValueSource(doubles = {0.5, 1.0, 2.0, 3.0})
    void aCrossDissolveIsABoundaryAndItsFramesBelongToNoClip(double seconds) throws Exception {
        int start = 75, len = (int) Math.round(seconds * FPS), end = start + len, frames = end + 75;
        SpeechSignal s = new SpeechSignal(3, 150);
        Path v = video(frames, Scenes.dissolve(
                Scenes.talkingHead(Scenes.textured(21), s, 0.4, 0.6, 1),
                Scenes.talkingHead(Scenes.pan(22, 20), s, 0.6, 0.5, 2), start, end)).write(dir.resolve("dissolve.mp4"));
        List<Shot> shots = ShotDetectionTest.detect(v);
        assertEquals(2, shots.size(), "shots: " + shots);
        assertBoundaryInDissolve(shots.get(0), shots.get(1), start, end);
        assertEquals(0, shots.get(0).startFrame());
        assertEquals(frames, shots.get(1).endFrame());
    }

    /**
     * The first shot ends, and the second starts, inside the dissolve (or at its edges): no clean
     * frame is lost beyond 2, and no frame blended more than 20 % with the other shot is kept.
     */
    static void assertBoundaryInDissolve(Shot a, Shot b, int start, int end) {
        assertBoundaryInDissolve(a, b, start, end, 0.2, 2);
    }

    /**
     * @param maxKeptWeight most weight of the other shot a kept frame may have
     * @param maxLost most clean frames either shot may lose next to the dissolve
     */
    static void assertBoundaryInDissolve(Shot a, Shot b, int start, int end, double maxKeptWeight, int maxLost) {
        // Frame start + k shows the next shot at weight (k + 1) / (len + 1).
        double len = end - start;
        long lastKeptA = a.endFrame() - 1, firstKeptB = b.startFrame();
        String where = "dissolve [" + start + ", " + end + "), shots " + a + " " + b;
        assertTrue(a.endFrame() >= start - maxLost, "first shot ends too early: " + where);
        assertTrue(b.startFrame() <= end + maxLost, "second shot starts too late: " + where);
        assertTrue(a.endFrame() <= b.startFrame(), where);
        double weightInA = lastKeptA < start ? 0 : (lastKeptA - start + 1) / (len + 1);
        double weightInB = firstKeptB >= end ? 0 : 1 - (firstKeptB - start + 1) / (len + 1);
        assertTrue(weightInA <= maxKeptWeight, "first clip keeps frames " + Math.round(100 * weightInA) + " % the next shot: " + where);
        assertTrue(weightInB <= maxKeptWeight, "second clip keeps frames " + Math.round(100 * weightInB) + " % the previous shot: " + where);
    }

    /** Both shots move (see {@link #dissolvesAmongCutsAndMotionAreEachFound}): the same tolerances. */
    @Test
    void aDissolveBetweenTwoMovingTalkingHeadsIsFound() throws Exception {
        int start = 80, end = 155; // 3 s
        Path v = video(240, Scenes.dissolve(movingHead(51, 10), movingHead(52, 10), start, end)).write(dir.resolve("heads.mp4"));
        List<Shot> shots = ShotDetectionTest.detect(v);
        assertEquals(2, shots.size(), "shots: " + shots);
        assertBoundaryInDissolve(shots.get(0), shots.get(1), start, end, 0.3, FPS / 2);
    }

    @Test
    void aDissolveAt60FpsIsFound() throws Exception {
        int start = 150, end = 270; // 2 s at 60 fps
        SpeechSignal s = new SpeechSignal(6, 150);
        Path v = new SyntheticVideo().size(320, 180).fps(60).frames(420).noAudio()
                .painter(Scenes.dissolve(Scenes.talkingHead(Scenes.textured(61), s, 0.5, 0.6, 1),
                        Scenes.talkingHead(Scenes.textured(62), s, 0.5, 0.6, 2), start, end))
                .write(dir.resolve("dissolve60.mp4"));
        List<Shot> shots = ShotDetectionTest.detect(v);
        assertEquals(2, shots.size(), "shots: " + shots);
        assertBoundaryInDissolve(shots.get(0), shots.get(1), start, end, 0.2, 15);
    }

    /**
     * Shots that move (a swaying head, a 40 px/s pan) fit the blend model only near the middle of
     * their dissolve, and motion blurs where it starts and ends: the boundary is still inside it,
     * but frames blended up to 40 % may stay in the clips on either side, or up to half a second
     * of clean frames be lost (the still dissolves above: none over 20 %, at most 2 frames).
     */
    @Test
    void dissolvesAmongCutsAndMotionAreEachFound() throws Exception {
        // Cut at 60, a 1.5 s dissolve over [120, 158), a 2.5 s one from a pan over [230, 293), cut at 360.
        SpeechSignal s = new SpeechSignal(5, 150);
        SyntheticVideo.Painter one = Scenes.talkingHead(Scenes.textured(31), s, 0.5, 0.6, 1);
        SyntheticVideo.Painter two = movingHead(32, 12);
        SyntheticVideo.Painter three = Scenes.pan(33, 40);
        SyntheticVideo.Painter four = Scenes.talkingHead(Scenes.textured(34), s, 0.4, 0.5, 4);
        SyntheticVideo.Painter five = Scenes.textured(35);
        SyntheticVideo.Painter p = Scenes.cuts(new int[] {60, 360}, one,
                Scenes.dissolve(Scenes.dissolve(two, three, 120, 158), four, 230, 293), five);
        List<Shot> shots = ShotDetectionTest.detect(video(430, p).write(dir.resolve("mixed.mp4")));
        assertEquals(5, shots.size(), "shots: " + shots);
        assertTrue(Math.abs(shots.get(0).endFrame() - 60) <= 1 && shots.get(1).startFrame() == shots.get(0).endFrame(), "cut at 60: " + shots);
        assertBoundaryInDissolve(shots.get(1), shots.get(2), 120, 158, 0.4, FPS / 2);
        assertBoundaryInDissolve(shots.get(2), shots.get(3), 230, 293, 0.4, FPS / 2);
        assertTrue(Math.abs(shots.get(4).startFrame() - 360) <= 1 && shots.get(3).endFrame() == shots.get(4).startFrame(), "cut at 360: " + shots);
    }

    /**
     * Eight minutes at 96x54 (as ingest decodes for shot detection) fed straight to the detector:
     * 40 shots of 12 s, alternately joined by a 1 s dissolve and a hard cut, each shot a still
     * texture or a slow pan. Every dissolve and cut is found, in a stream far longer than the window.
     */
    @Test
    void aLongStreamOfDissolvesAndCutsIsDecidedFrameByFrame() {
        int w = 96, h = 54, shotFrames = 300, dissolveFrames = 25, shotsN = 40;
        List<int[]> dissolves = new ArrayList<>();
        List<Integer> cuts = new ArrayList<>();
        SyntheticVideo.Painter video = null;
        for (int k = 0; k < shotsN; k++) {
            double t0 = k * shotFrames / (double) FPS;
            SyntheticVideo.Painter pan = Scenes.pan(200 + k, 6);
            SyntheticVideo.Painter shot = k % 3 == 2 ? (g, i, t, ww, hh) -> pan.paint(g, i, t - t0, ww, hh) : Scenes.textured(200 + k);
            if (k == 0) {
                video = shot;
            } else if (k % 2 == 1) {
                int[] dv = {k * shotFrames - dissolveFrames / 2, k * shotFrames - dissolveFrames / 2 + dissolveFrames};
                dissolves.add(dv);
                video = Scenes.dissolve(video, shot, dv[0], dv[1]);
            } else {
                cuts.add(k * shotFrames);
                video = Scenes.cuts(new int[] {k * shotFrames}, video, shot);
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        ShotDetector d = ShotDetectionTest.detector(FPS);
        int total = shotsN * shotFrames;
        for (int i = 0; i < total; i++) {
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            video.paint(g, i, i / (double) FPS, w, h);
            g.dispose();
            d.accept(i / (double) FPS, w, h, px);
        }
        List<Shot> shots = d.finish();
        assertEquals(shotsN, shots.size(), "shots: " + shots);
        int di = 0, ci = 0;
        for (int k = 1; k < shotsN; k++) {
            if (k % 2 == 1) {
                int[] dv = dissolves.get(di++);
                boolean moving = k % 3 == 2 || (k - 1) % 3 == 2; // into or out of a pan: the moving-shot tolerances
                assertBoundaryInDissolve(shots.get(k - 1), shots.get(k), dv[0], dv[1], 0.2, moving ? FPS / 2 : 2);
            } else {
                int cut = cuts.get(ci++);
                assertTrue(Math.abs(shots.get(k).startFrame() - cut) <= 1 && shots.get(k - 1).endFrame() == shots.get(k).startFrame(),
                        "cut at " + cut + ": " + shots.get(k - 1) + " " + shots.get(k));
            }
        }
        assertEquals(total, shots.get(shotsN - 1).endFrame());
    }

    @ParameterizedTest(name = "a pan at {0} px/s is one shot")
    @ValueSource(doubles = {5, 15, 30, 60, 120})
    void aSlowPanIsOneShot(double pxPerSecond) throws Exception {
        assertOneShot(video(200, Scenes.pan(41, pxPerSecond)), "pan");
    }

    @Test
    void aPanBehindATalkingHeadIsOneShot() throws Exception {
        assertOneShot(video(200, Scenes.talkingHead(Scenes.pan(42, 25), new SpeechSignal(2, 100), 0.5, 0.6, 1)), "pan-head");
    }

    @ParameterizedTest(name = "a zoom at {0} per second is one shot")
    @ValueSource(doubles = {0.1, 0.25, -0.15})
    void aZoomIsOneShot(double rate) throws Exception {
        assertOneShot(video(175, Scenes.zoom(43, rate)), "zoom");
    }

    @ParameterizedTest(name = "a talking head moving {0} px is one shot")
    @ValueSource(doubles = {6, 20, 40})
    void aTalkingHeadWithHeadMotionIsOneShot(double amplitudePx) throws Exception {
        assertOneShot(video(250, movingHead(44, amplitudePx)), "head");
    }

    void assertOneShot(SyntheticVideo sv, String name) throws Exception {
        Path v = sv.write(dir.resolve(name + ".mp4"));
        List<Shot> shots = ShotDetectionTest.detect(v);
        assertEquals(1, shots.size(), "shots: " + shots);
        assertEquals(0, shots.get(0).startFrame());
    }
}
