package dev.avcurate.filters.sync;

import static org.bytedeco.opencv.global.opencv_imgproc.*;

import dev.avcurate.filters.scoring.VideoFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Face crops with the geometry of syncnet_python's and Light-ASD's {@code crop_video}: around a
 * track point (centre x, y, half-size s) with crop scale cs = 0.4, rows from y - s to
 * y + s(1 + 2cs) and columns x ± s(1 + cs) (a square of side 2.8 s, shifted down to hold the
 * mouth), the frame padded with grey 110 where the crop leaves it, then resized bilinearly
 * (cv2.resize's default). Integer truncation follows the reference's {@code int()} on padded
 * coordinates.
 */
public final class FaceCrops {
    public static final double CROP_SCALE = 0.4;
    private static final int PAD_VALUE = 110;

    private FaceCrops() {}

    /** BGR crop of {@code size x size}, interleaved. */
    public static byte[] bgr(VideoFrame f, double x, double y, double s, int size) {
        return crop(f, x, y, s, size, false);
    }

    /** Grey (Rec. 601, as cv2.COLOR_BGR2GRAY) crop of {@code size x size}. */
    public static byte[] grey(VideoFrame f, double x, double y, double s, int size) {
        return crop(f, x, y, s, size, true);
    }

    private static byte[] crop(VideoFrame f, double x, double y, double s, int size, boolean grey) {
        double cs = CROP_SCALE;
        int bsi = (int) (s * (1 + 2 * cs));
        double my = y + bsi, mx = x + bsi;
        // Coordinates in the padded frame, then back in the frame's own.
        int r0 = (int) (my - s) - bsi, r1 = (int) (my + s * (1 + 2 * cs)) - bsi;
        int c0 = (int) (mx - s * (1 + cs)) - bsi, c1 = (int) (mx + s * (1 + cs)) - bsi;
        int h = Math.max(1, r1 - r0), w = Math.max(1, c1 - c0);
        byte[] raw = new byte[w * h * 3];
        byte[] src = f.bgr();
        for (int r = 0; r < h; r++) {
            int sy = r0 + r;
            for (int c = 0; c < w; c++) {
                int sx = c0 + c, o = (r * w + c) * 3;
                if (sy < 0 || sy >= f.height() || sx < 0 || sx >= f.width()) {
                    raw[o] = raw[o + 1] = raw[o + 2] = (byte) PAD_VALUE;
                } else {
                    int so = (sy * f.width() + sx) * 3;
                    raw[o] = src[so];
                    raw[o + 1] = src[so + 1];
                    raw[o + 2] = src[so + 2];
                }
            }
        }
        int channels = grey ? 1 : 3;
        byte[] out = new byte[size * size * channels];
        try (BytePointer in = new BytePointer(raw); Mat m = new Mat(h, w, org.bytedeco.opencv.global.opencv_core.CV_8UC3, in);
             Mat g = new Mat(); Mat resized = new Mat(); Size sz = new Size(size, size)) {
            Mat from = m;
            if (grey) {
                cvtColor(m, g, COLOR_BGR2GRAY);
                from = g;
            }
            resize(from, resized, sz, 0, 0, INTER_LINEAR);
            resized.data().get(out);
        }
        return out;
    }

    /**
     * Grey patch around the mouth point, {@code width x height} pixels, covering 0.9 s by 0.5 s of
     * the frame (s = half the face size): what the default estimator watches move.
     */
    public static float[] mouthPatch(VideoFrame f, double mx, double my, double s, int width, int height) {
        double pw = 0.9 * s, ph = 0.5 * s;
        float[] out = new float[width * height];
        byte[] src = f.bgr();
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                // Box-average the source pixels this output pixel covers (area resampling).
                double ya = my - ph / 2 + ph * r / height, yb = ya + ph / height;
                double xa = mx - pw / 2 + pw * c / width, xb = xa + pw / width;
                double sum = 0;
                int n = 0;
                for (int yy = (int) Math.floor(ya); yy < Math.max(Math.ceil(yb), Math.floor(ya) + 1); yy++) {
                    for (int xx = (int) Math.floor(xa); xx < Math.max(Math.ceil(xb), Math.floor(xa) + 1); xx++) {
                        int cy = Math.min(f.height() - 1, Math.max(0, yy)), cx = Math.min(f.width() - 1, Math.max(0, xx));
                        int o = (cy * f.width() + cx) * 3;
                        sum += 0.114 * (src[o] & 0xff) + 0.587 * (src[o + 1] & 0xff) + 0.299 * (src[o + 2] & 0xff);
                        n++;
                    }
                }
                out[r * width + c] = (float) (sum / n);
            }
        }
        return out;
    }
}
