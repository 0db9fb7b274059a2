package dev.avcurate.filters.scoring;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.Laplacian;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Variance of the Laplacian of grey pixels: on the largest face of each frame resized to
 * {@code faceSize}x{@code faceSize} ({@code face_sharpness}, the recipe's local sharpness), and on
 * the whole frame resized to {@code frameWidth} wide ({@code frame_sharpness}). Resizing to a
 * fixed size makes crops of different sizes comparable. Median over frames. Needs the face
 * boxes of an earlier face scorer for {@code face_sharpness}; {@code hand_sharpness} needs the
 * hand boxes of the people scorer (MediaPipe Hands, or a whole-body pose model) and stays null
 * without them.
 */
public final class SharpnessScorer implements Scorer {
    /** The score columns this scorer writes; hand_sharpness stays null unless the people scorer found hand boxes. */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("sharpness");

    private final int faceSize;
    private final int frameWidth;

    public SharpnessScorer(int faceSize, int frameWidth) {
        this.faceSize = faceSize;
        this.frameWidth = frameWidth;
    }

    @Override
    public String name() {
        return "sharpness";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        List<Double> frame = new ArrayList<>(), face = new ArrayList<>(), hand = new ArrayList<>();
        List<List<Box>> faces = ctx.faces();
        List<List<Box>> hands = ctx.hands();
        for (int i = 0; i < clip.frames().size(); i++) {
            VideoFrame f = clip.frames().get(i);
            try (BytePointer px = new BytePointer(f.bgr()); Mat bgr = new Mat(f.height(), f.width(), CV_8UC3, px);
                 Mat grey = new Mat()) {
                cvtColor(bgr, grey, COLOR_BGR2GRAY);
                int h = Math.max(1, Math.round((float) frameWidth * f.height() / f.width()));
                frame.add(laplacianVariance(grey, new Size(frameWidth, h)));
                if (hands != null && i < hands.size()) {
                    for (Box hb : hands.get(i)) {
                        Box b = hb.clip(f.width(), f.height());
                        if (b.width() < 8 || b.height() < 8) continue;
                        try (Rect r = new Rect((int) b.x0(), (int) b.y0(), (int) b.width(), (int) b.height()); Mat crop = new Mat(grey, r)) {
                            hand.add(laplacianVariance(crop, new Size(faceSize, faceSize)));
                        }
                    }
                }
                if (faces != null && i < faces.size() && !faces.get(i).isEmpty()) {
                    Box b = largest(faces.get(i)).clip(f.width(), f.height());
                    if (b.width() >= 8 && b.height() >= 8) {
                        try (Rect r = new Rect((int) b.x0(), (int) b.y0(), (int) b.width(), (int) b.height()); Mat crop = new Mat(grey, r)) {
                            face.add(laplacianVariance(crop, new Size(faceSize, faceSize)));
                        }
                    }
                }
            }
        }
        if (!frame.isEmpty()) {
            out.put("frame_sharpness", median(frame));
            out.put("frame_sharpness_estimator", "laplacian_var_grey_w" + frameWidth);
        }
        if (faces != null) {
            out.put("face_sharpness", face.isEmpty() ? null : median(face));
            out.put("face_sharpness_estimator", "laplacian_var_grey_face_" + faceSize + "px");
        }
        if (hands != null) {
            out.put("hand_sharpness", hand.isEmpty() ? null : median(hand));
            out.put("hand_sharpness_estimator", "laplacian_var_grey_hand_" + faceSize + "px_from_"
                    + (ctx.handsSource() != null ? ctx.handsSource() : "wholebody_pose"));
        } else {
            out.put("hand_sharpness", null);
            out.put("hand_sharpness_estimator", "none: needs a hand-capable pose model");
        }
    }

    /** Variance of the 3x3 Laplacian of a grey image resized to {@code size}. */
    public static double laplacianVariance(Mat grey, Size size) {
        try (Mat small = new Mat(); Mat lap = new Mat(); Mat mean = new Mat(); Mat std = new Mat()) {
            resize(grey, small, size, 0, 0, INTER_AREA);
            Laplacian(small, lap, CV_64F);
            meanStdDev(lap, mean, std);
            double s = new DoublePointer(std.data()).get(0);
            return s * s;
        }
    }

    static Box largest(List<Box> boxes) {
        Box best = boxes.get(0);
        for (Box b : boxes) if (b.area() > best.area()) best = b;
        return best;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
