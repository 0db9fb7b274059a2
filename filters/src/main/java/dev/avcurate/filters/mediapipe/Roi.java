package dev.avcurate.filters.mediapipe;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.WARP_INVERSE_MAP;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import dev.avcurate.filters.scoring.VideoFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A rotated rectangle in frame pixels, MediaPipe's {@code NormalizedRect} without the
 * normalization: centre, width, height and rotation (radians, clockwise on screen as y points
 * down). The region a landmark model sees: {@link #crop} samples it into the model's square
 * input, {@link #project} maps a point of that input back to the frame.
 */
public record Roi(double cx, double cy, double width, double height, double rotation) {

    /** The whole frame letterboxed into a square (MediaPipe's ImageToTensor with keep_aspect_ratio, padding centred). */
    public static Roi letterbox(int w, int h) {
        double side = Math.max(w, h);
        return new Roi(w / 2.0, h / 2.0, side, side, 0);
    }

    /** MediaPipe's NormalizeRadians: the angle in [-pi, pi). */
    public static double normalizeRadians(double a) {
        return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
    }

    /**
     * Rotation that turns the vector (x0, y0) -> (x1, y1) to {@code targetAngle} (radians,
     * counter-clockwise from +x with y up), as DetectionsToRectsCalculator computes it.
     */
    public static double rotation(double x0, double y0, double x1, double y1, double targetAngle) {
        return normalizeRadians(targetAngle - Math.atan2(-(y1 - y0), x1 - x0));
    }

    /**
     * AlignmentPointsRectsCalculator: a square centred on (x0, y0) whose side is twice the
     * distance to (x1, y1), rotated so that the vector between them points to {@code targetAngle}.
     */
    public static Roi fromAlignmentPoints(double x0, double y0, double x1, double y1, double targetAngle) {
        double side = 2 * Math.hypot(x1 - x0, y1 - y0);
        return new Roi(x0, y0, side, side, rotation(x0, y0, x1, y1, targetAngle));
    }

    /**
     * RectTransformationCalculator: shift by (shiftX * width, shiftY * height) along the rectangle's
     * own (rotated) axes, square it on its long side when {@code squareLong}, then scale.
     */
    public Roi transform(double scaleX, double scaleY, double shiftX, double shiftY, boolean squareLong) {
        double c = Math.cos(rotation), s = Math.sin(rotation);
        double dx = width * shiftX * c - height * shiftY * s;
        double dy = width * shiftX * s + height * shiftY * c;
        double w = width, h = height;
        if (squareLong) w = h = Math.max(w, h);
        return new Roi(cx + dx, cy + dy, w * scaleX, h * scaleY, rotation);
    }

    /** A point at (u, v) in [0, 1] of the crop, in frame pixels (LandmarkProjectionCalculator). */
    public double[] project(double u, double v) {
        double x = u - 0.5, y = v - 0.5, c = Math.cos(rotation), s = Math.sin(rotation);
        return new double[] {cx + (c * x * width - s * y * height), cy + (s * x * width + c * y * height)};
    }

    /** Axis-aligned bounds {x0, y0, x1, y1} of the rotated rectangle. */
    public double[] bounds() {
        double[][] corners = {project(0, 0), project(1, 0), project(0, 1), project(1, 1)};
        double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (double[] p : corners) {
            x0 = Math.min(x0, p[0]);
            y0 = Math.min(y0, p[1]);
            x1 = Math.max(x1, p[0]);
            y1 = Math.max(y1, p[1]);
        }
        return new double[] {x0, y0, x1, y1};
    }

    /**
     * The rectangle sampled into a {@code size} x {@code size} RGB NHWC float input (bilinear, pixel
     * centres aligned, outside the frame zero), values mapped from 0..255 to {@code lo..hi}, as
     * MediaPipe's ImageToTensorCalculator with BORDER_ZERO does.
     */
    public float[] crop(VideoFrame f, int size, float lo, float hi) {
        double c = Math.cos(rotation), s = Math.sin(rotation);
        double a = 0.5 / size - 0.5;
        // destination (u, v) -> source pixel: centre + R * ((u + 0.5) / size - 0.5) * (w, h), minus half a pixel (OpenCV's pixel centres)
        double m00 = c * width / size, m01 = -s * height / size, m10 = s * width / size, m11 = c * height / size;
        double tx = cx - 0.5 + c * width * a - s * height * a, ty = cy - 0.5 + s * width * a + c * height * a;
        float[] out = new float[size * size * 3];
        try (BytePointer px = new BytePointer(f.bgr()); Mat src = new Mat(f.height(), f.width(), CV_8UC3, px);
             Mat m = new Mat(2, 3, CV_64F); Mat dst = new Mat(); Size sz = new Size(size, size); Scalar zero = new Scalar(0.0)) {
            DoublePointer md = new DoublePointer(m.data());
            md.put(new double[] {m00, m01, tx, m10, m11, ty});
            warpAffine(src, dst, m, sz, INTER_LINEAR | WARP_INVERSE_MAP, BORDER_CONSTANT, zero);
            byte[] b = new byte[size * size * 3];
            dst.data().get(b);
            float k = (hi - lo) / 255f;
            for (int i = 0; i < size * size; i++) {
                out[3 * i] = lo + k * (b[3 * i + 2] & 0xff);
                out[3 * i + 1] = lo + k * (b[3 * i + 1] & 0xff);
                out[3 * i + 2] = lo + k * (b[3 * i] & 0xff);
            }
        }
        return out;
    }
}
