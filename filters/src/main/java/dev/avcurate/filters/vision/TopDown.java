package dev.avcurate.filters.vision;

import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;

/**
 * The top-down crop shared by RTMPose and ViTPose. A person box becomes a centre and a scale
 * (the box size x 1.25, widened or heightened to the input's aspect: rtmlib
 * {@code tools/pose_estimation/pre_processings.py} bbox_xyxy2cs / _fix_aspect_ratio, mmpose 0.x
 * {@code apis/inference.py} _box2cs), the frame is warped into the input with
 * {@code cv2.warpAffine(INTER_LINEAR)} (zero border, uint8 result), and keypoints go back with
 * {@code p / input * scale + centre - scale / 2} (rtmlib rtmpose.py postprocess, mmpose 0.x
 * transform_preds). Rotation is always 0, so the affine is a uniform scale and a shift.
 */
final class TopDown {
    /** ImageNet statistics in 0..255, RGB: both papers' configs (mmpose data_preprocessor / NormalizeTensor). */
    static final double[] MEAN = {123.675, 116.28, 103.53}, STD = {58.395, 57.12, 57.375};
    static final double PADDING = 1.25;

    private TopDown() {}

    /** Centre and (aspect-fixed, padded) scale of a person box in frame pixels. */
    record Crop(double cx, double cy, double sw, double sh) {
        /** Crop input pixel to frame pixel (the inverse affine). */
        double frameX(double px, int inputW) {
            return px / inputW * sw + cx - sw / 2;
        }

        double frameY(double py, int inputH) {
            return py / inputH * sh + cy - sh / 2;
        }
    }

    /**
     * rtmlib's bbox_xyxy2cs + _fix_aspect_ratio. {@code mmpose0x} uses mmpose 0.x's xyxy-to-xywh
     * convention (width = x1 - x0 + 1, centre half a pixel further), which ViTPose's inference
     * code inherits.
     */
    static Crop crop(Box b, int inputW, int inputH, boolean mmpose0x) {
        double one = mmpose0x ? 1 : 0;
        double w = (b.x1() - b.x0() + one) * PADDING, h = (b.y1() - b.y0() + one) * PADDING;
        double cx = (b.x0() + b.x1() + one) / 2, cy = (b.y0() + b.y1() + one) / 2;
        double aspect = inputW / (double) inputH;
        if (w > h * aspect) h = w / aspect;
        else w = h * aspect;
        return new Crop(cx, cy, w, h);
    }

    /**
     * Warps the crop into {@code out} at its position: channel-planar (3, inputH, inputW), RGB,
     * {@code (v - MEAN) / STD}. Destination pixel (x, y) samples the frame at
     * {@code (x - inputW/2) / s + cx} as cv2.warpAffine does (integer destination coordinates,
     * bilinear, taps outside the frame read 0, the result rounded to uint8).
     */
    static void warp(VideoFrame f, Crop c, int inputW, int inputH, FloatBuffer out) {
        double s = inputW / c.sw();
        int plane = inputW * inputH, base = out.position();
        byte[] px = f.bgr();
        int fw = f.width(), fh = f.height();
        for (int y = 0; y < inputH; y++) {
            double sy = (y - inputH / 2.0) / s + c.cy();
            int y0 = (int) Math.floor(sy);
            double ay = sy - y0;
            for (int x = 0; x < inputW; x++) {
                double sx = (x - inputW / 2.0) / s + c.cx();
                int x0 = (int) Math.floor(sx);
                double ax = sx - x0;
                for (int ch = 0; ch < 3; ch++) {
                    int bgr = 2 - ch; // BGR frame, RGB input
                    double v = (1 - ay) * ((1 - ax) * tap(px, fw, fh, x0, y0, bgr) + ax * tap(px, fw, fh, x0 + 1, y0, bgr))
                            + ay * ((1 - ax) * tap(px, fw, fh, x0, y0 + 1, bgr) + ax * tap(px, fw, fh, x0 + 1, y0 + 1, bgr));
                    long u8 = Math.max(0, Math.min(255, Math.round(v)));
                    out.put(base + ch * plane + y * inputW + x, (float) ((u8 - MEAN[ch]) / STD[ch]));
                }
            }
        }
        out.position(base + 3 * plane);
    }

    private static int tap(byte[] px, int w, int h, int x, int y, int ch) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0 : px[(y * w + x) * 3 + ch] & 0xff;
    }
}
