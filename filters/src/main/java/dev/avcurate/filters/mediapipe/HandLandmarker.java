package dev.avcurate.filters.mediapipe;

import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * MediaPipe Hands with MediaPipe's pre- and post-processing: the palm detector
 * ({@code palm_detection_full.tflite}, 192 px letterbox, [0, 1], 2016 anchors, 7 keypoints,
 * score 0.5, weighted NMS 0.3); each palm becomes a region rotated so that wrist (keypoint 0) ->
 * middle-finger base (keypoint 2) points up, shifted half its height towards the fingers, squared
 * and scaled 2.6x (palm_detection_detection_to_roi); the landmark model
 * ({@code hand_landmark_{lite,full}.tflite}, 224 px, [0, 1]) gives 21 landmarks and a hand-presence
 * score. The palm detector runs on every sampled frame (frames 200 ms apart move hands too far
 * for MediaPipe's landmark tracking to pay off). The models are shared ({@link TfLiteModels}).
 */
public final class HandLandmarker {
    public static final int DETECTOR_SIZE = 192, LANDMARK_SIZE = 224, LANDMARKS = 21;
    static final double ROI_SCALE = 2.6, ROI_SHIFT_Y = -0.5, TARGET_ANGLE = Math.PI / 2;
    /** Hand box = landmark extent enlarged 1.25x about its centre (as Pose.handBoxes: the landmarks are joints, not skin). */
    public static final double BOX_ENLARGE = 1.25;

    private final TfLiteModel palms;
    private final TfLiteModel landmarks;
    private final String variant;
    private final SsdDecoder decoder;
    private final double minPresence;
    private final int maxHands;

    public HandLandmarker(TfLiteModel palms, TfLiteModel landmarks, String variant, double minDetection, double minPresence, int maxHands) {
        this.palms = palms;
        this.landmarks = landmarks;
        this.variant = variant;
        this.decoder = new SsdDecoder(SsdAnchors.PALM, 7, minDetection, 0.3);
        this.minPresence = minPresence;
        this.maxHands = maxHands;
    }

    public String estimator() {
        return "mediapipe_hands_" + variant + "@cpu";
    }

    /** Palm detections in frame pixels (7 keypoints), best first. */
    public List<Box> palms(VideoFrame f) {
        Roi lb = Roi.letterbox(f.width(), f.height());
        float[][] out = palms.run(lb.crop(f, DETECTOR_SIZE, 0f, 1f), "Identity", "Identity_1");
        List<Box> boxes = new ArrayList<>();
        for (Detection d : decoder.detect(out[0], out[1], maxHands)) boxes.add(PoseLandmarker.toFrame(d, lb));
        return boxes;
    }

    /** The landmark model's region for a palm (box centre, rotation wrist -> middle-finger base at 90 degrees, shift -0.5, square, 2.6x). */
    public static Roi roiOf(Box palm) {
        double[] k = palm.keypoints();
        double rot = Roi.rotation(k[0], k[1], k[4], k[5], TARGET_ANGLE);
        return new Roi((palm.x0() + palm.x1()) / 2, (palm.y0() + palm.y1()) / 2, palm.width(), palm.height(), rot)
                .transform(ROI_SCALE, ROI_SCALE, 0, ROI_SHIFT_Y, true);
    }

    /** 21 landmarks (x, y pairs in frame pixels) as a Box of their extent enlarged 1.25x, score = hand presence; null under the threshold. */
    public Box landmarks(VideoFrame f, Roi roi) {
        float[][] out = landmarks.run(roi.crop(f, LANDMARK_SIZE, 0f, 1f), "Identity", "Identity_1");
        double score = out[1][0];
        if (score < minPresence) return null;
        double[] kp = new double[2 * LANDMARKS];
        double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (int i = 0; i < LANDMARKS; i++) {
            double[] p = roi.project(out[0][3 * i] / LANDMARK_SIZE, out[0][3 * i + 1] / LANDMARK_SIZE);
            kp[2 * i] = p[0];
            kp[2 * i + 1] = p[1];
            x0 = Math.min(x0, p[0]);
            y0 = Math.min(y0, p[1]);
            x1 = Math.max(x1, p[0]);
            y1 = Math.max(y1, p[1]);
        }
        double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, hw = (x1 - x0) / 2 * BOX_ENLARGE, hh = (y1 - y0) / 2 * BOX_ENLARGE;
        return new Box(cx - hw, cy - hh, cx + hw, cy + hh, score, kp);
    }

    /** Hands found in one frame (palm detector, then landmarks per palm). */
    public List<Box> hands(VideoFrame f) {
        List<Box> out = new ArrayList<>();
        for (Box palm : palms(f)) {
            Box h = landmarks(f, roiOf(palm));
            if (h != null) out.add(h);
        }
        return out;
    }
}
