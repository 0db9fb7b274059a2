package dev.avcurate.filters.mediapipe;

import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.List;

/**
 * MediaPipe Face Mesh ({@code face_landmark.tflite}: 468 landmarks, 192 px, [0, 1]) on face boxes
 * we already have from BlazeFace, with MediaPipe's region (face_detection_front_detection_to_roi:
 * the box centre, rotated so the eyes (BlazeFace keypoints 0 and 1) are level, squared on the long
 * side and scaled 1.5x). Gives the mouth opening: distance between the inner-lip midpoints 13
 * (upper) and 14 (lower) over the distance between the outer eye corners 33 and 263, so it does
 * not depend on the face's size in the frame (about 0 closed, about 0.3-0.5 wide open).
 *
 * <p>For the sync scorer: {@link #mouthOpening(List, List)} takes its 25 fps frames and one face box
 * per frame (a face track's boxes, in the frame's pixels, with BlazeFace's 6 keypoints, or without
 * keypoints for an unrotated region) and returns one value per frame, {@code NaN} where there is
 * no box or the model finds no face. Thread-safe; the model is shared ({@link TfLiteModels}).
 */
public final class FaceMeshLandmarker {
    public static final int SIZE = 192, LANDMARKS = 468;
    /** Mesh indices: inner lips (upper, lower) and outer eye corners (subject's right, left). */
    public static final int UPPER_LIP = 13, LOWER_LIP = 14, RIGHT_EYE_OUTER = 33, LEFT_EYE_OUTER = 263;
    static final double ROI_SCALE = 1.5;

    private final TfLiteModel model;
    private final double minPresence;

    public FaceMeshLandmarker(TfLiteModel model, double minPresence) {
        this.model = model;
        this.minPresence = minPresence;
    }

    public String estimator() {
        return "mediapipe_face_mesh@cpu";
    }

    /** The mesh's region for a BlazeFace box (eyes level when its keypoints are there). */
    public static Roi roiOf(Box face) {
        double[] k = face.keypoints();
        double rot = k != null && k.length >= 4 ? Roi.rotation(k[0], k[1], k[2], k[3], 0) : 0;
        return new Roi((face.x0() + face.x1()) / 2, (face.y0() + face.y1()) / 2, face.width(), face.height(), rot)
                .transform(ROI_SCALE, ROI_SCALE, 0, 0, true);
    }

    /** 468 landmarks as {x0, y0, x1, y1, ...} in frame pixels, or null when the face presence is under the threshold. */
    public double[] landmarks(VideoFrame f, Box face) {
        Roi roi = roiOf(face);
        float[][] out = model.run(roi.crop(f, SIZE, 0f, 1f), "conv2d_21", "conv2d_31");
        if (SsdDecoder.sigmoid(out[1][0]) < minPresence) return null;
        double[] xy = new double[2 * LANDMARKS];
        for (int i = 0; i < LANDMARKS; i++) {
            double[] p = roi.project(out[0][3 * i] / SIZE, out[0][3 * i + 1] / SIZE);
            xy[2 * i] = p[0];
            xy[2 * i + 1] = p[1];
        }
        return xy;
    }

    /** Inner-lip distance (13-14) over the outer-eye-corner distance (33-263) of a mesh. */
    public static double mouthOpening(double[] xy) {
        double lips = Math.hypot(xy[2 * UPPER_LIP] - xy[2 * LOWER_LIP], xy[2 * UPPER_LIP + 1] - xy[2 * LOWER_LIP + 1]);
        double eyes = Math.hypot(xy[2 * RIGHT_EYE_OUTER] - xy[2 * LEFT_EYE_OUTER], xy[2 * RIGHT_EYE_OUTER + 1] - xy[2 * LEFT_EYE_OUTER + 1]);
        return eyes <= 0 ? Double.NaN : lips / eyes;
    }

    /** Mouth opening of one face; NaN when the model finds no face there. */
    public double mouthOpening(VideoFrame f, Box face) {
        double[] xy = landmarks(f, face);
        return xy == null ? Double.NaN : mouthOpening(xy);
    }

    /**
     * Mouth opening per frame: {@code faces.get(i)} is the face in {@code frames.get(i)} (null = none).
     * NaN for frames without a face or where the mesh finds none.
     */
    public float[] mouthOpening(List<VideoFrame> frames, List<Box> faces) {
        if (frames.size() != faces.size()) throw new IllegalArgumentException(frames.size() + " frames but " + faces.size() + " faces");
        float[] out = new float[frames.size()];
        for (int i = 0; i < out.length; i++) {
            Box b = faces.get(i);
            out[i] = b == null || b.width() < 4 || b.height() < 4 ? Float.NaN : (float) mouthOpening(frames.get(i), b);
        }
        return out;
    }
}
