package dev.avcurate.filters.scoring;

import java.util.ArrayList;
import java.util.List;

/**
 * What one scorer finds that a later one uses, for one clip: the face boxes of each sampled frame
 * (faces) and the voice-activity probability of each 32 ms audio window (speech).
 */
public final class ClipContext {
    private List<List<Box>> faces;
    private String faceDetector;
    private List<List<Box>> hands;
    private String handsSource;
    private float[] speechProbabilities;

    /** Silero VAD probability per 512-sample window of the clip's audio; null when the speech scorer did not run or the clip has no audio. */
    public float[] speechProbabilities() {
        return speechProbabilities;
    }

    public void speechProbabilities(float[] p) {
        this.speechProbabilities = p;
    }

    /** Face boxes per sampled frame, or null when no face detector ran. */
    public List<List<Box>> faces() {
        return faces;
    }

    /**
     * Sets the face boxes per sampled frame and the detector that found them ({@code blazeface},
     * {@code scrfd}, a pose model's face keypoints): later scorers name it in their estimator columns.
     */
    public void faces(List<List<Box>> perFrame, String detector) {
        this.faces = new ArrayList<>(perFrame);
        this.faceDetector = java.util.Objects.requireNonNull(detector, "detector");
    }

    /** What found {@link #faces()}, or null when no face detector ran. */
    public String faceDetector() {
        return faceDetector;
    }

    /** Hand boxes per sampled frame from a whole-body pose model or MediaPipe Hands, or null when none ran. */
    public List<List<Box>> hands() {
        return hands;
    }

    public void hands(List<List<Box>> perFrame) {
        hands(perFrame, null);
    }

    /** @param source the estimator that found the hands (null: a whole-body pose model) */
    public void hands(List<List<Box>> perFrame, String source) {
        this.hands = new ArrayList<>(perFrame);
        this.handsSource = source;
    }

    /** What found the hand boxes (e.g. mediapipe_hands_full@cpu), null for a whole-body pose model. */
    public String handsSource() {
        return handsSource;
    }
}
