package dev.avcurate.ingest.shots;

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
 * is under {@code fadeLuma} end the current shot and belong to no shot.
 *
 * <p>Cross-dissolves (gradual transitions up to {@code dissolveMaxS} long): {@link
 * DissolveDetector} finds the frames that are a blend of the shots on either side, on grey
 * thumbnails of about 1024 blocks (32x18 for 96x54 frames). Like black frames, the blended frames
 * end the shot before and belong to no shot, so that no clip holds part of a transition: the
 * boundary is the dissolve itself, the next shot starts at its first clean frame.
 *
 * <p>Decisions are taken {@code max(window, 2 * dissolve half-window)} frames behind the newest
 * frame. Memory is that many scores plus the thumbnails of the dissolve window (about 4 KB a
 * frame), whatever the video's length.
 */
public final class ShotDetector {
    private final double cutThreshold;
    private final double adaptiveRatio;
    private final int window;
    private final double fadeLuma;
    private final int minFrames;
    private final DissolveDetector dissolves;
    private final int lag;

    private final int capacity;
    private final double[] ptsRing;
    private final double[] lumaRing;
    private final double[] scoreRing;
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
    private boolean prevGap;
    private int blockSize;
    private int thumbW;
    private int thumbH;
    private int thumbFrameW = -1;
    private int thumbFrameH = -1;

    /** Hard cuts and fades only (no dissolve detection). */
    public ShotDetector(double cutThreshold, double adaptiveRatio, int window, double fadeLuma, int minFrames) {
        this(cutThreshold, adaptiveRatio, window, fadeLuma, minFrames, 0, 0, 25);
    }

    /**
     * @param dissolveMaxS longest cross-dissolve to find, in seconds; 0 finds none
     * @param dissolveFit least share of a blended frame's variance the blend of the two shots must explain
     * @param fps the video's frame rate (from the probe; 25 when unknown), to turn seconds into frames
     */
    public ShotDetector(double cutThreshold, double adaptiveRatio, int window, double fadeLuma, int minFrames,
                        double dissolveMaxS, double dissolveFit, double fps) {
        this.cutThreshold = cutThreshold;
        this.adaptiveRatio = adaptiveRatio;
        this.window = window;
        this.fadeLuma = fadeLuma;
        this.minFrames = minFrames;
        double f = fps > 0 && fps <= 240 ? fps : 25;
        int maxHalf = dissolveMaxS > 0 ? (int) Math.ceil(dissolveMaxS * f / 2) + 2 : 0;
        this.dissolves = maxHalf >= 2 ? new DissolveDetector(maxHalf, dissolveFit) : null;
        this.lag = Math.max(window, dissolves == null ? 0 : dissolves.lookahead());
        this.capacity = lag + window + 2;
        ptsRing = new double[capacity];
        lumaRing = new double[capacity];
        scoreRing = new double[capacity];
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
        double luma = lumaSum / n;
        int slot = (int) (frameCount % capacity);
        ptsRing[slot] = ptsS;
        lumaRing[slot] = luma;
        scoreRing[slot] = score;
        if (dissolves != null) {
            if (w != thumbFrameW || h != thumbFrameH) setUpThumbnail(w, h);
            thumbnail(bgr, w, dissolves.next(thumbW, thumbH));
            dissolves.push(luma < fadeLuma);
        }
        frameCount++;
        while (nextToDecide + lag <= frameCount - 1) decide(nextToDecide++);
    }

    private void setUpThumbnail(int w, int h) {
        thumbFrameW = w;
        thumbFrameH = h;
        blockSize = DissolveDetector.blockSize(w, h);
        thumbW = Math.max(1, w / blockSize);
        thumbH = Math.max(1, h / blockSize);
    }

    /**
     * Grey (BT.601 luma) thumbnail: each block is the mean of the middle row of its {@code
     * blockSize}-square block (the decoder's downscale already smoothed the frame; a third of the
     * cost of the full block at 96 px); the right and bottom remainders are left out.
     */
    private void thumbnail(byte[] bgr, int w, int[] out) {
        int bs = blockSize, tw = thumbW, th = thumbH, div = bs * 256;
        for (int by = 0; by < th; by++) {
            int o = ((by * bs + bs / 2) * w) * 3, row = by * tw;
            for (int c = 0; c < tw; c++) {
                int acc = 0;
                for (int k = 0; k < bs; k++, o += 3) acc += 29 * (bgr[o] & 0xff) + 150 * (bgr[o + 1] & 0xff) + 77 * (bgr[o + 2] & 0xff);
                out[row + c] = (acc + div / 2) / div;
            }
        }
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
        int slot = (int) (idx % capacity);
        double pts = ptsRing[slot];
        boolean black = lumaRing[slot] < fadeLuma;
        if (black || (dissolves != null && dissolves.covers(idx))) {
            closeShot(idx, pts);
            prevGap = true;
            return;
        }
        boolean afterGap = prevGap;
        prevGap = false;
        double score = scoreRing[slot];
        boolean cut = false;
        if (!afterGap && idx > 0 && score >= cutThreshold && idx - lastCutFrame >= minFrames
                && idx - shotStartFrame >= minFrames) {
            double sum = 0;
            int count = 0;
            for (long k = Math.max(0, idx - window); k <= Math.min(frameCount - 1, idx + window); k++) {
                int s = (int) (k % capacity);
                if (k == idx || lumaRing[s] < fadeLuma) continue;
                sum += scoreRing[s];
                count++;
            }
            double mean = count == 0 ? 0 : sum / count;
            cut = score >= adaptiveRatio * Math.max(mean, 1.0);
        }
        if (cut) {
            closeShot(idx, pts);
            lastCutFrame = idx;
        }
        if (shotStartFrame < 0) {
            shotStartFrame = idx;
            shotStartPts = pts;
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
