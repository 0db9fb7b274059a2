package dev.avcurate.filters.mediapipe;

/**
 * One SSD detection: box and keypoints in normalized coordinates of the detector's input
 * ({@code [0, 1]}, before letterbox removal), and the sigmoid score.
 *
 * @param keypoints x, y pairs
 */
public record Detection(double xmin, double ymin, double xmax, double ymax, double score, double[] keypoints) {
    public double width() {
        return xmax - xmin;
    }

    public double height() {
        return ymax - ymin;
    }

    /** Intersection over union of the boxes (MediaPipe's OverlapSimilarity, INTERSECTION_OVER_UNION). */
    public double iou(Detection o) {
        double w = Math.min(xmax, o.xmax) - Math.max(xmin, o.xmin), h = Math.min(ymax, o.ymax) - Math.max(ymin, o.ymin);
        if (w <= 0 || h <= 0) return 0;
        double inter = w * h;
        double union = width() * height() + o.width() * o.height() - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
