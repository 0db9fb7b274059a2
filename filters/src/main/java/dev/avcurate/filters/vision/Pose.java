package dev.avcurate.filters.vision;

import dev.avcurate.filters.scoring.Box;
import java.util.ArrayList;
import java.util.List;

/**
 * One person's keypoints in frame pixels, as {@link RtmPose} and {@link VitPose} return them:
 * COCO body-17 order (0 nose, 1-2 eyes, 3-4 ears, 5.. body), or COCO-WholeBody 133 (body 0-16,
 * feet 17-22, face 23-90, left hand 91-111, right hand 112-132). Scores are the model's raw
 * confidences (SimCC or heatmap maxima), so thresholds depend on the model.
 */
public record Pose(double[] x, double[] y, double[] score) {
    public static final int WHOLEBODY = 133, BODY = 17;
    /** Enlargement of keypoint extents into hand and face boxes (the extent hugs the joints, not the skin). */
    public static final double HAND_ENLARGE = 1.25, FACE_ENLARGE = 1.25, BODY17_FACE_ENLARGE = 1.5;
    /** Fewest confident keypoints that make a hand or face box. */
    public static final int MIN_PART_KEYPOINTS = 3;

    public int keypoints() {
        return x.length;
    }

    /** Extent of the keypoints scoring at least {@code minScore}; box score = their mean score; null when none. */
    public Box bbox(double minScore) {
        return extent(0, x.length, minScore, 1, false, 1);
    }

    /**
     * Wholebody only (empty for body-17): left hand 91-111 then right hand 112-132, each the
     * keypoint extent enlarged 1.25x about its centre; a hand with fewer than 3 confident
     * keypoints is left out.
     */
    public List<Box> handBoxes(double minScore) {
        List<Box> out = new ArrayList<>();
        if (x.length < WHOLEBODY) return out;
        for (int first : new int[] {91, 112}) {
            Box b = extent(first, first + 21, minScore, HAND_ENLARGE, false, MIN_PART_KEYPOINTS);
            if (b != null) out.add(b);
        }
        return out;
    }

    /**
     * Wholebody: face keypoints 23-90, extent enlarged 1.25x. Body-17: nose, eyes and ears (0-4),
     * whose extent is a flat strip across the face, so the box is a square of 1.5x its larger
     * side. Null with fewer than 3 confident keypoints.
     */
    public Box faceBox(double minScore) {
        if (x.length >= WHOLEBODY) return extent(23, 91, minScore, FACE_ENLARGE, false, MIN_PART_KEYPOINTS);
        return extent(0, Math.min(5, x.length), minScore, BODY17_FACE_ENLARGE, true, MIN_PART_KEYPOINTS);
    }

    private Box extent(int from, int to, double minScore, double enlarge, boolean square, int minPoints) {
        double x0 = Double.POSITIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY, s = 0;
        int n = 0;
        for (int k = from; k < to; k++) {
            if (score[k] < minScore) continue;
            x0 = Math.min(x0, x[k]);
            x1 = Math.max(x1, x[k]);
            y0 = Math.min(y0, y[k]);
            y1 = Math.max(y1, y[k]);
            s += score[k];
            n++;
        }
        if (n == 0 || n < minPoints) return null;
        double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, hw = (x1 - x0) / 2 * enlarge, hh = (y1 - y0) / 2 * enlarge;
        if (square) hw = hh = Math.max(hw, hh);
        return new Box(cx - hw, cy - hh, cx + hw, cy + hh, s / n, null);
    }
}
