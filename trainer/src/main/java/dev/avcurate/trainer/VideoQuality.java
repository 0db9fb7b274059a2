package dev.avcurate.trainer;

/**
 * PSNR and SSIM between generated and reference frames, as the papers report them (on 8-bit RGB;
 * SSIM on luma with 7x7 uniform windows, constants of Wang et al. 2004).
 */
public final class VideoQuality {
    private VideoQuality() {}

    /** PSNR in dB over all values of two (3, T, H, W) arrays in [-1, 1]. */
    public static double psnr(float[] a, float[] b) {
        double mse = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (Mp4Writer.byteOf(a[i]) - Mp4Writer.byteOf(b[i]));
            mse += d * d;
        }
        mse /= a.length;
        return mse == 0 ? 100.0 : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** Mean SSIM over frames of two (3, T, H, W) arrays in [-1, 1]. */
    public static double ssim(float[] a, float[] b, int t, int h, int w) {
        double sum = 0;
        for (int k = 0; k < t; k++) sum += ssimFrame(luma(a, k, t, h, w), luma(b, k, t, h, w), h, w);
        return sum / t;
    }

    static double[] luma(float[] v, int k, int t, int h, int w) {
        int plane = h * w;
        double[] y = new double[plane];
        for (int i = 0; i < plane; i++) {
            int idx = k * plane + i;
            y[i] = 0.299 * Mp4Writer.byteOf(v[idx]) + 0.587 * Mp4Writer.byteOf(v[t * plane + idx]) + 0.114 * Mp4Writer.byteOf(v[2 * t * plane + idx]);
        }
        return y;
    }

    static double ssimFrame(double[] x, double[] y, int h, int w) {
        final double c1 = Math.pow(0.01 * 255, 2), c2 = Math.pow(0.03 * 255, 2);
        int r = Math.min(3, Math.min(h, w) / 2 - 1);
        if (r < 1) r = 0;
        double sum = 0;
        int n = 0;
        for (int i = r; i < h - r; i++) {
            for (int j = r; j < w - r; j++) {
                double mx = 0, my = 0, cnt = 0;
                for (int di = -r; di <= r; di++) for (int dj = -r; dj <= r; dj++) {
                    mx += x[(i + di) * w + j + dj];
                    my += y[(i + di) * w + j + dj];
                    cnt++;
                }
                mx /= cnt;
                my /= cnt;
                double vx = 0, vy = 0, cov = 0;
                for (int di = -r; di <= r; di++) for (int dj = -r; dj <= r; dj++) {
                    double dx = x[(i + di) * w + j + dj] - mx, dy = y[(i + di) * w + j + dj] - my;
                    vx += dx * dx;
                    vy += dy * dy;
                    cov += dx * dy;
                }
                vx /= cnt - 1;
                vy /= cnt - 1;
                cov /= cnt - 1;
                sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                n++;
            }
        }
        return sum / n;
    }
}
