package dev.avcurate.ingest.shots;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Streaming shot-boundary detection on small BGR frames, every decoded frame.
 *
 * <p>Hard cuts: the mean absolute HSV difference to the previous frame (the content score of
 * PySceneDetect's ContentDetector) must reach {@code cutThreshold} and be {@code adaptiveRatio}
 * times the mean score of the {@code window} frames on each side (its AdaptiveDetector), so that a
 * pan or a fast motion, whose scores are high but even, is not cut. Fades: frames whose mean luma
 * is under {@code fadeLuma} end the current shot and belong to no shot. Memory is a window of
 * {@code 2*window+1} scores, whatever the video's length.
 */
public final class ShotDetector {
    private final double cutThreshold;
    private final double adaptiveRatio;
    private final int window;
    private final double fadeLuma;
    private final int minFrames;

    private final ArrayDeque<FrameScore> pending = new ArrayDeque<>();
    private final List<Shot> shots = new ArrayList<>();
    private byte[] prevHsv;
    private byte[] spare;
    private long frameCount;
    private long nextToDecide;
    private double lastPts = Double.NaN;
    private double intervalSum;
    private long intervals;
    private long shotStartFrame = -1;
    private double shotStartPts;
    private long lastCutFrame = Long.MIN_VALUE / 2;

    private record FrameScore(long index, double pts, double luma, double score) {}

    public ShotDetector(double cutThreshold, double adaptiveRatio, int window, double fadeLuma, int minFrames) {
        this.cutThreshold = cutThreshold;
        this.adaptiveRatio = adaptiveRatio;
        this.window = window;
        this.fadeLuma = fadeLuma;
        this.minFrames = minFrames;
    }

    /** Feeds the next decoded frame (packed BGR, {@code w x h}) shown at {@code ptsS}. */
    public void accept(double ptsS, int w, int h, byte[] bgr) {
        int n = w * h;
        // Two buffers, swapped each frame: no allocation per frame.
        byte[] hsv = spare != null && spare.length == n * 3 ? spare : new byte[n * 3];
        double lumaSum = 0;
        for (int p = 0, o = 0; p < n; p++, o += 3) {
            int b = bgr[o] & 0xff, g = bgr[o + 1] & 0xff, r = bgr[o + 2] & 0xff;
            int max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b));
            int delta = max - min;
            int hue;
            if (delta == 0) hue = 0;
            else if (max == r) hue = (int) (42.5 * (g - b) / delta + 255) % 255;
            else if (max == g) hue = (int) (42.5 * (b - r) / delta + 85);
            else hue = (int) (42.5 * (r - g) / delta + 170);
            hsv[o] = (byte) hue;
            hsv[o + 1] = (byte) (max == 0 ? 0 : 255 * delta / max);
            hsv[o + 2] = (byte) max;
            lumaSum += 0.114 * b + 0.587 * g + 0.299 * r;
        }
        double score = 0;
        if (prevHsv != null && prevHsv.length == hsv.length) {
            long dh = 0, ds = 0, dv = 0;
            for (int o = 0; o < hsv.length; o += 3) {
                int d = Math.abs((hsv[o] & 0xff) - (prevHsv[o] & 0xff));
                dh += Math.min(d, 255 - d); // hue is circular
                ds += Math.abs((hsv[o + 1] & 0xff) - (prevHsv[o + 1] & 0xff));
                dv += Math.abs((hsv[o + 2] & 0xff) - (prevHsv[o + 2] & 0xff));
            }
            score = (dh + ds + dv) / (3.0 * n);
        }
        spare = prevHsv;
        prevHsv = hsv;
        if (!Double.isNaN(lastPts) && ptsS > lastPts) {
            intervalSum += ptsS - lastPts;
            intervals++;
        }
        lastPts = ptsS;
        pending.addLast(new FrameScore(frameCount++, ptsS, lumaSum / n, score));
        while (nextToDecide + window <= frameCount - 1) decide(nextToDecide++);
        while (!pending.isEmpty() && pending.peekFirst().index < nextToDecide - window) pending.removeFirst();
    }

    /** Ends the stream and returns the shots found, in order. */
    public List<Shot> finish() {
        while (nextToDecide < frameCount) decide(nextToDecide++);
        double end = Double.isNaN(lastPts) ? 0 : lastPts + meanInterval();
        closeShot(frameCount, end);
        return List.copyOf(shots);
    }

    /** Mean time between decoded frames (0 before two frames). */
    public double meanInterval() {
        return intervals == 0 ? 0 : intervalSum / intervals;
    }

    private void decide(long idx) {
        FrameScore[] w = pending.toArray(new FrameScore[0]);
        int centre = (int) (idx - w[0].index);
        FrameScore f = w[centre];
        boolean black = f.luma < fadeLuma;
        if (black) {
            closeShot(f.index, f.pts);
            return;
        }
        boolean prevBlack = centre > 0 && w[centre - 1].luma < fadeLuma;
        boolean cut = false;
        if (!prevBlack && f.index > 0 && f.score >= cutThreshold && f.index - lastCutFrame >= minFrames
                && f.index - shotStartFrame >= minFrames) {
            double sum = 0;
            int count = 0;
            for (int k = Math.max(0, centre - window); k <= Math.min(w.length - 1, centre + window); k++) {
                if (k == centre || w[k].luma < fadeLuma) continue;
                sum += w[k].score;
                count++;
            }
            double mean = count == 0 ? 0 : sum / count;
            cut = f.score >= adaptiveRatio * Math.max(mean, 1.0);
        }
        if (cut) {
            closeShot(f.index, f.pts);
            lastCutFrame = f.index;
        }
        if (shotStartFrame < 0) {
            shotStartFrame = f.index;
            shotStartPts = f.pts;
        }
    }

    private void closeShot(long endFrame, double endPts) {
        if (shotStartFrame >= 0 && endFrame > shotStartFrame) {
            shots.add(new Shot(shots.size(), shotStartFrame, endFrame, shotStartPts, endPts));
        }
        shotStartFrame = -1;
    }

    /** Start frames of the cuts between consecutive shots (for tests and debugging). */
    public static List<Long> cutFrames(List<Shot> shots) {
        List<Long> cuts = new ArrayList<>();
        Iterator<Shot> it = shots.iterator();
        Shot prev = it.hasNext() ? it.next() : null;
        while (it.hasNext()) {
            Shot s = it.next();
            if (prev != null && s.startFrame() == prev.endFrame()) cuts.add(s.startFrame());
            prev = s;
        }
        return cuts;
    }
}
