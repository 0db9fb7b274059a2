package dev.avcurate.filters.vision;

import dev.avcurate.filters.scoring.VideoFrame;

/**
 * The resamplers the reference preprocessing uses, each reproduced as the library computes it,
 * since the three models were trained and calibrated on exactly those pixels: PyTorch's
 * {@code F.interpolate(mode="bilinear")} (both {@code align_corners} conventions, no antialias)
 * and PIL's 8-bit {@code Image.resize(BICUBIC)} (a convolution whose support widens when
 * downscaling, fixed-point coefficients, a rounded 8-bit image after each pass). Images here are
 * channel-planar RGB float arrays {@code [3][h*w]}.
 */
final class Images {
    private Images() {}

    /** Packed BGR bytes to planar RGB floats 0..255. */
    static float[][] rgb(VideoFrame f) {
        int n = f.width() * f.height();
        float[][] p = new float[3][n];
        byte[] b = f.bgr();
        for (int k = 0; k < n; k++) {
            p[0][k] = b[3 * k + 2] & 0xff;
            p[1][k] = b[3 * k + 1] & 0xff;
            p[2][k] = b[3 * k] & 0xff;
        }
        return p;
    }

    /** Transposes a planar image of w x h (x and y swapped): einops' {@code N C H W -> N C W H}. */
    static float[][] transpose(float[][] img, int w, int h) {
        float[][] out = new float[img.length][w * h];
        for (int c = 0; c < img.length; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) out[c][x * h + y] = img[c][y * w + x];
            }
        }
        return out;
    }

    /**
     * PyTorch bilinear interpolation of a planar image to {@code ow x oh}. With
     * {@code alignCorners} the corner pixels map onto each other ({@code src = dst * (in-1)/(out-1)});
     * without it pixel centres do ({@code src = (dst + 0.5) * scale - 0.5}, clamped at 0) with
     * {@code scale = in/out}, or {@code 1/scaleFactor} when the caller passed a scale factor.
     */
    static float[][] bilinear(float[][] img, int w, int h, int ow, int oh, boolean alignCorners, double scaleX, double scaleY) {
        int[] x0 = new int[ow], x1 = new int[ow];
        float[] fx = new float[ow];
        axis(w, ow, alignCorners, scaleX, x0, x1, fx);
        int[] y0 = new int[oh], y1 = new int[oh];
        float[] fy = new float[oh];
        axis(h, oh, alignCorners, scaleY, y0, y1, fy);
        float[][] out = new float[img.length][ow * oh];
        for (int c = 0; c < img.length; c++) {
            float[] s = img[c], d = out[c];
            for (int y = 0; y < oh; y++) {
                int r0 = y0[y] * w, r1 = y1[y] * w;
                float wy = fy[y];
                for (int x = 0; x < ow; x++) {
                    float top = s[r0 + x0[x]] * (1 - fx[x]) + s[r0 + x1[x]] * fx[x];
                    float bot = s[r1 + x0[x]] * (1 - fx[x]) + s[r1 + x1[x]] * fx[x];
                    d[y * ow + x] = top * (1 - wy) + bot * wy;
                }
            }
        }
        return out;
    }

    /** As {@link #bilinear(float[][], int, int, int, int, boolean, double, double)} with scale in/out. */
    static float[][] bilinear(float[][] img, int w, int h, int ow, int oh, boolean alignCorners) {
        return bilinear(img, w, h, ow, oh, alignCorners, (double) w / ow, (double) h / oh);
    }

    private static void axis(int in, int out, boolean alignCorners, double scale, int[] i0, int[] i1, float[] f) {
        for (int o = 0; o < out; o++) {
            double src = alignCorners ? (out > 1 ? o * (double) (in - 1) / (out - 1) : 0) : Math.max(0, (o + 0.5) * scale - 0.5);
            int a = Math.min((int) Math.floor(src), in - 1);
            i0[o] = a;
            i1[o] = Math.min(a + 1, in - 1);
            f[o] = (float) (src - a);
        }
    }

    /** Rounds to 0..255 as a uint8 cast after torch.round. */
    static void roundToBytes(float[][] img) {
        for (float[] p : img) {
            for (int i = 0; i < p.length; i++) p[i] = (float) Math.max(0, Math.min(255, Math.rint(p[i])));
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** PIL's bicubic kernel (a = -0.5). */
    private static double bicubic(double x) {
        double a = -0.5;
        if (x < 0) x = -x;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /** PIL's 8-bit {@code resize(BICUBIC)} of a planar 0..255 image: horizontal pass, then vertical, each rounded to bytes. */
    static float[][] pilBicubic(float[][] img, int w, int h, int ow, int oh) {
        float[][] tmp = ow == w ? img : pass(img, w, h, ow, true);
        return oh == h ? tmp : pass(tmp, ow, h, oh, false);
    }

    /** One separable pass of PIL's ImagingResampleHorizontal/Vertical_8bpc (Resample.c). */
    private static float[][] pass(float[][] img, int w, int h, int out, boolean horizontal) {
        int in = horizontal ? w : h;
        double scale = (double) in / out, filterscale = Math.max(scale, 1), support = 2 * filterscale, ss = 1 / filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * out];
        long[] k = new long[out * ksize];
        for (int o = 0; o < out; o++) {
            double center = (o + 0.5) * scale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), in) - xmin;
            double[] ww = new double[xmax];
            double total = 0;
            for (int x = 0; x < xmax; x++) {
                ww[x] = bicubic((x + xmin - center + 0.5) * ss);
                total += ww[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = total != 0 ? ww[x] / total : 0;
                k[o * ksize + x] = (long) (v < 0 ? v * (1 << PRECISION_BITS) - 0.5 : v * (1 << PRECISION_BITS) + 0.5);
            }
            bounds[2 * o] = xmin;
            bounds[2 * o + 1] = xmax;
        }
        int ow = horizontal ? out : w, oh = horizontal ? h : out;
        float[][] res = new float[img.length][ow * oh];
        for (int c = 0; c < img.length; c++) {
            float[] s = img[c], d = res[c];
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int o = horizontal ? x : y;
                    int xmin = bounds[2 * o], xmax = bounds[2 * o + 1];
                    long acc = 1L << (PRECISION_BITS - 1);
                    for (int t = 0; t < xmax; t++) {
                        int idx = horizontal ? y * w + xmin + t : (xmin + t) * w + x;
                        acc += (long) s[idx] * k[o * ksize + t];
                    }
                    long v = acc >> PRECISION_BITS;
                    d[y * ow + x] = Math.max(0, Math.min(255, v));
                }
            }
        }
        return res;
    }
}
