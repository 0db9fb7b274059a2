package dev.avcurate.filters.scoring;

/** An axis-aligned box in frame pixels, with a score; keypoints (x, y pairs) when the detector gives them. */
public record Box(double x0, double y0, double x1, double y1, double score, double[] keypoints) {
    public double width() { return Math.max(0, x1 - x0); }
    public double height() { return Math.max(0, y1 - y0); }
    public double area() { return width() * height(); }

    public double iou(Box o) {
        double inter = intersection(o);
        double union = area() + o.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    public double intersection(Box o) {
        double w = Math.min(x1, o.x1) - Math.max(x0, o.x0);
        double h = Math.min(y1, o.y1) - Math.max(y0, o.y0);
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    /** Clipped to a w x h frame. */
    public Box clip(int w, int h) {
        return new Box(Math.max(0, x0), Math.max(0, y0), Math.min(w, x1), Math.min(h, y1), score, keypoints);
    }
}
