package dev.avcurate.filters.mediapipe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * MediaPipe's {@code TensorsToDetectionsCalculator} and {@code NonMaxSuppressionCalculator}
 * (WEIGHTED) for the BlazePose and palm detectors: raw boxes (x, y, w, h, then keypoints, in
 * input pixels relative to the anchor centre; {@code reverse_output_order}), scores through a
 * sigmoid after clipping to +-100, then weighted NMS: the highest remaining detection absorbs
 * every detection overlapping it by more than the IoU threshold, its box and keypoints becoming
 * their score-weighted mean while it keeps its own score.
 */
public final class SsdDecoder {
    private final float[][] anchors;
    private final int coords;
    private final int keypoints;
    private final double scale;
    private final double minScore;
    private final double nmsIou;

    /**
     * @param coords    values per anchor (4 + 2 * keypoints)
     * @param scale     x/y/w/h scale (the input size)
     */
    public SsdDecoder(SsdAnchors anchors, int keypoints, double minScore, double nmsIou) {
        this.anchors = anchors.generate();
        this.coords = 4 + 2 * keypoints;
        this.keypoints = keypoints;
        this.scale = anchors.inputWidth();
        this.minScore = minScore;
        this.nmsIou = nmsIou;
    }

    public int anchorCount() {
        return anchors.length;
    }

    /** Detections scoring at least minScore, before NMS. */
    public List<Detection> decode(float[] boxes, float[] scores) {
        List<Detection> out = new ArrayList<>();
        for (int i = 0; i < anchors.length; i++) {
            double s = sigmoid(Math.max(-100, Math.min(100, scores[i])));
            if (s < minScore) continue;
            int o = i * coords;
            double ax = anchors[i][0], ay = anchors[i][1];
            double cx = boxes[o] / scale + ax, cy = boxes[o + 1] / scale + ay;
            double w = boxes[o + 2] / scale, h = boxes[o + 3] / scale;
            double[] kp = new double[2 * keypoints];
            for (int k = 0; k < keypoints; k++) {
                kp[2 * k] = boxes[o + 4 + 2 * k] / scale + ax;
                kp[2 * k + 1] = boxes[o + 5 + 2 * k] / scale + ay;
            }
            out.add(new Detection(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, s, kp));
        }
        return out;
    }

    /** Decode then weighted NMS, at most {@code max} detections, best first. */
    public List<Detection> detect(float[] boxes, float[] scores, int max) {
        return weightedNms(decode(boxes, scores), nmsIou, max);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** MediaPipe's weighted non-maximum suppression; {@code max <= 0} keeps every cluster. */
    public static List<Detection> weightedNms(List<Detection> in, double iou, int max) {
        List<Detection> remaining = new ArrayList<>(in);
        remaining.sort(Comparator.comparingDouble(Detection::score).reversed());
        List<Detection> out = new ArrayList<>();
        while (!remaining.isEmpty()) {
            Detection top = remaining.get(0);
            List<Detection> cluster = new ArrayList<>(), rest = new ArrayList<>();
            cluster.add(top); // MediaPipe's top overlaps itself (IoU 1); a zero-area box would not, so it is added directly
            for (Detection d : remaining.subList(1, remaining.size())) (top.iou(d) > iou ? cluster : rest).add(d);
            double total = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
            double[] kp = new double[top.keypoints().length];
            for (Detection d : cluster) {
                double s = d.score();
                total += s;
                x0 += s * d.xmin();
                y0 += s * d.ymin();
                x1 += s * d.xmax();
                y1 += s * d.ymax();
                for (int k = 0; k < kp.length; k++) kp[k] += s * d.keypoints()[k];
            }
            for (int k = 0; k < kp.length; k++) kp[k] /= total;
            out.add(new Detection(x0 / total, y0 / total, x1 / total, y1 / total, top.score(), kp));
            remaining = rest;
            if (max > 0 && out.size() >= max) break;
        }
        return out;
    }
}
