package dev.avcurate.filters.sync;

import dev.avcurate.filters.onnx.BlazeFace;
import dev.avcurate.filters.scoring.Box;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Links per-frame face detections into tracks and puts them on the sync clock. Detections come
 * at the scorers' sampling rate (5 fps by default); a detection joins the track whose last box
 * overlaps it most (IoU at least {@code minIou}), a track survives up to {@code maxGapS} seconds
 * without a detection (the gap is bridged), and tracks shorter than {@code minTrackS} are
 * dropped. Boxes and mouth points are interpolated linearly onto every sync frame, then smoothed
 * with a median filter of {@code smoothFrames} frames, as syncnet_python and Light-ASD smooth
 * theirs (kernel 13 at 25 fps).
 */
public final class FaceTracker {
    private final double minIou;
    private final double maxGapS;
    private final double minTrackS;
    private final int smoothFrames;

    public FaceTracker(double minIou, double maxGapS, double minTrackS, int smoothFrames) {
        this.minIou = minIou;
        this.maxGapS = maxGapS;
        this.minTrackS = minTrackS;
        this.smoothFrames = smoothFrames;
    }

    private static final class Linked {
        final List<Double> t = new ArrayList<>();
        final List<Box> boxes = new ArrayList<>();

        Box last() {
            return boxes.get(boxes.size() - 1);
        }

        double lastT() {
            return t.get(t.size() - 1);
        }
    }

    /**
     * @param detectionTimes presentation time of each detection frame, seconds
     * @param detections     face boxes per detection frame (BlazeFace boxes with keypoints)
     * @param syncTimes      presentation time of each frame of the sync clock, ascending
     * @param samplePeriodS  spacing of the detection frames: a detection stands for the frames
     *                       shown until the next one, so a track runs from its first detection to
     *                       this long after its last
     */
    public List<FaceTrack> track(double[] detectionTimes, List<List<Box>> detections, double[] syncTimes, double samplePeriodS) {
        List<Linked> open = new ArrayList<>(), done = new ArrayList<>();
        for (int f = 0; f < detections.size(); f++) {
            double t = detectionTimes[f];
            for (java.util.Iterator<Linked> it = open.iterator(); it.hasNext(); ) {
                Linked l = it.next();
                if (t - l.lastT() > maxGapS + 1e-9) {
                    done.add(l);
                    it.remove();
                }
            }
            List<Box> boxes = new ArrayList<>(detections.get(f));
            boxes.sort((a, b) -> Double.compare(b.score(), a.score()));
            boolean[] taken = new boolean[open.size()];
            for (Box b : boxes) {
                int best = -1;
                double bestIou = minIou;
                for (int k = 0; k < open.size(); k++) {
                    if (taken[k]) continue;
                    double iou = open.get(k).last().iou(b);
                    if (iou > 0 && iou >= bestIou) { // boxes that do not touch never link, even with track_iou 0
                        bestIou = iou;
                        best = k;
                    }
                }
                Linked l;
                if (best >= 0) {
                    l = open.get(best);
                    taken[best] = true;
                } else {
                    l = new Linked();
                    open.add(l);
                    taken = Arrays.copyOf(taken, open.size());
                    taken[open.size() - 1] = true;
                }
                l.t.add(t);
                l.boxes.add(b);
            }
        }
        done.addAll(open);
        List<FaceTrack> out = new ArrayList<>();
        for (Linked l : done) {
            FaceTrack tr = resample(l, syncTimes, samplePeriodS);
            if (tr != null && tr.length() >= Math.max(1, Math.round(minTrackS * rate(syncTimes)))) out.add(tr);
        }
        out.sort((a, b) -> Integer.compare(a.first(), b.first()));
        return out;
    }

    private static double rate(double[] syncTimes) {
        if (syncTimes.length < 2) return 25;
        return (syncTimes.length - 1) / (syncTimes[syncTimes.length - 1] - syncTimes[0]);
    }

    private FaceTrack resample(Linked l, double[] syncTimes, double period) {
        double t0 = l.t.get(0), t1 = l.lastT() + period;
        int first = -1, end = -1;
        for (int i = 0; i < syncTimes.length; i++) {
            if (syncTimes[i] + 1e-9 >= t0 && syncTimes[i] + 1e-9 < t1) {
                if (first < 0) first = i;
                end = i + 1;
            }
        }
        if (first < 0) return null;
        int n = end - first;
        double[][] v = new double[5][n];
        for (int i = 0; i < n; i++) {
            double t = syncTimes[first + i];
            int k = 0;
            while (k + 1 < l.t.size() && l.t.get(k + 1) <= t) k++;
            Box a = l.boxes.get(k), b = l.boxes.get(Math.min(k + 1, l.boxes.size() - 1));
            double ta = l.t.get(k), tb = l.t.get(Math.min(k + 1, l.t.size() - 1));
            double w = tb > ta ? Math.min(1, Math.max(0, (t - ta) / (tb - ta))) : 0;
            double[] pa = params(a), pb = params(b);
            for (int c = 0; c < 5; c++) v[c][i] = pa[c] + w * (pb[c] - pa[c]);
        }
        for (int c = 0; c < 5; c++) v[c] = medianFilter(v[c], smoothFrames);
        return new FaceTrack(first, v[0], v[1], v[2], v[3], v[4]);
    }

    /** centre x, centre y, half of the larger side, mouth x, mouth y (box centre shifted down when no keypoints). */
    private static double[] params(Box b) {
        double cx = (b.x0() + b.x1()) / 2, cy = (b.y0() + b.y1()) / 2;
        double s = Math.max(b.width(), b.height()) / 2;
        double[] kp = b.keypoints();
        int m = BlazeFace.MOUTH;
        boolean hasMouth = kp != null && kp.length > 2 * m + 1;
        return new double[] {cx, cy, s, hasMouth ? kp[2 * m] : cx, hasMouth ? kp[2 * m + 1] : cy + 0.5 * s};
    }

    /** scipy.signal.medfilt: odd kernel, zero padding at both ends (as the reference tracks are smoothed). */
    static double[] medianFilter(double[] x, int kernel) {
        if (kernel <= 1 || x.length == 0) return x.clone();
        int half = kernel / 2;
        double[] out = new double[x.length], win = new double[kernel];
        for (int i = 0; i < x.length; i++) {
            for (int k = -half; k <= half; k++) {
                int j = i + k;
                win[k + half] = j < 0 || j >= x.length ? 0 : x[j];
            }
            double[] w = win.clone();
            Arrays.sort(w);
            out[i] = w[half];
        }
        return out;
    }
}
