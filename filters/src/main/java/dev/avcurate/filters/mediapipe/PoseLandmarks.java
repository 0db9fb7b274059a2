package dev.avcurate.filters.mediapipe;

import dev.avcurate.filters.scoring.Box;

/**
 * One person's 33 BlazePose landmarks in frame pixels (0 nose, 1-6 eyes, 7-8 ears, 9-10 mouth,
 * 11-12 shoulders, 13-14 elbows, 15-16 wrists, 17-22 hands, 23-24 hips, 25-26 knees, 27-28
 * ankles, 29-32 feet; "left" is the subject's left), each with visibility and presence
 * probabilities (sigmoid of the model's logits), the pose-presence score of the crop, and the
 * region the next frame's landmarks are looked for in (from the two auxiliary landmarks).
 */
public record PoseLandmarks(double[] x, double[] y, double[] visibility, double[] presence, double score, Roi roi, Roi nextRoi) {
    public static final int COUNT = 33;
    public static final int NOSE = 0;

    /** Extent of the landmarks whose visibility is at least {@code minVisibility}; null when none. Score = pose presence. */
    public Box box(double minVisibility) {
        double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        int n = 0;
        for (int i = 0; i < COUNT; i++) {
            if (visibility[i] < minVisibility) continue;
            x0 = Math.min(x0, x[i]);
            y0 = Math.min(y0, y[i]);
            x1 = Math.max(x1, x[i]);
            y1 = Math.max(y1, y[i]);
            n++;
        }
        if (n < 2) return null;
        double[] kp = new double[2 * COUNT];
        for (int i = 0; i < COUNT; i++) {
            kp[2 * i] = x[i];
            kp[2 * i + 1] = y[i];
        }
        return new Box(x0, y0, x1, y1, score, kp);
    }
}
