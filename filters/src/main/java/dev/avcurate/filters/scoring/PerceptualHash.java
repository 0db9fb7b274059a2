package dev.avcurate.filters.scoring;

import java.util.Arrays;

/**
 * The classic 64-bit DCT perceptual hash, as {@code imagehash.phash} defines it: grey, 32x32, 2D
 * DCT-II, the top-left 8x8 coefficients (DC included) compared with their median. Hashing only
 * the lowest frequencies of a tiny thumbnail is what makes re-encodes, rescales, mild blur,
 * brightness shifts and small crops land a few bits apart, while different scenes land about 32
 * bits apart. Bits are in row-major order of the 8x8 block, the first one the most significant,
 * so {@link #format} prints the same hex string as imagehash (up to the resampling filter: we
 * average areas, PIL uses Lanczos). Pure Java and strictly deterministic (no native code).
 */
public final class PerceptualHash {
    private PerceptualHash() {}

    /** Side of the thumbnail the DCT runs on. */
    public static final int SIZE = 32;
    /** Side of the low-frequency block kept (64 bits). */
    public static final int LOW = 8;

    /** DCT-II basis: COS[k][n] = cos(pi k (2n + 1) / 2N), only the LOW frequencies we keep. */
    private static final double[][] COS = new double[LOW][SIZE];

    static {
        for (int k = 0; k < LOW; k++) {
            for (int n = 0; n < SIZE; n++) COS[k][n] = Math.cos(Math.PI * k * (2 * n + 1) / (2.0 * SIZE));
        }
    }

    /** The hash of a {@code w x h} grey image (one byte per pixel, rows packed). */
    public static long dct64(byte[] grey, int w, int h) {
        if (w <= 0 || h <= 0 || grey.length < (long) w * h) throw new IllegalArgumentException("bad image " + w + "x" + h);
        double[] px = new double[w * h];
        for (int i = 0; i < px.length; i++) px[i] = grey[i] & 0xff;
        return dctOfThumbnail(resizeArea(px, w, h, SIZE, SIZE));
    }

    /** The hash of a packed BGR frame (grey by Rec. 601 first). */
    public static long ofBgr(byte[] bgr, int w, int h) {
        return dct64(grey(bgr, w, h), w, h);
    }

    /** Rec. 601 luma of packed BGR pixels, rounded to a byte. */
    public static byte[] grey(byte[] bgr, int w, int h) {
        byte[] g = new byte[w * h];
        for (int i = 0, o = 0; i < g.length; i++, o += 3) {
            double y = 0.114 * (bgr[o] & 0xff) + 0.587 * (bgr[o + 1] & 0xff) + 0.299 * (bgr[o + 2] & 0xff);
            g[i] = (byte) Math.min(255, (int) Math.round(y));
        }
        return g;
    }

    /**
     * The hash of a 32x32 thumbnail (row-major). The DCT's scale factors are left out: they are
     * positive and the bits only compare coefficients with their median.
     */
    static long dctOfThumbnail(double[] t) {
        // Rows first: R[y][v] = sum_x t[y][x] COS[v][x]; then columns: F[u][v] = sum_y COS[u][y] R[y][v].
        double[] rows = new double[SIZE * LOW];
        for (int y = 0; y < SIZE; y++) {
            for (int v = 0; v < LOW; v++) {
                double s = 0;
                for (int x = 0; x < SIZE; x++) s += t[y * SIZE + x] * COS[v][x];
                rows[y * LOW + v] = s;
            }
        }
        double[] f = new double[LOW * LOW];
        for (int u = 0; u < LOW; u++) {
            for (int v = 0; v < LOW; v++) {
                double s = 0;
                for (int y = 0; y < SIZE; y++) s += COS[u][y] * rows[y * LOW + v];
                f[u * LOW + v] = s;
            }
        }
        return bits(f);
    }

    /** Bit i (most significant first) = f[i] > median of f, as numpy's median (mean of the middle two). */
    static long bits(double[] f) {
        double[] s = f.clone();
        Arrays.sort(s);
        double median = (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        long h = 0;
        for (double v : f) h = (h << 1) | (v > median ? 1 : 0);
        return h;
    }

    /**
     * Box-filter resampling: each output pixel is the mean of the source area it covers, partial
     * pixels weighted by coverage. Downscaling by area is what keeps the hash stable under
     * rescaling (no aliasing of fine texture into the low frequencies).
     */
    static double[] resizeArea(double[] src, int w, int h, int ow, int oh) {
        double[] mid = new double[h * ow];
        double sx = (double) w / ow;
        for (int x = 0; x < ow; x++) {
            double a = x * sx, b = (x + 1) * sx;
            for (int y = 0; y < h; y++) mid[y * ow + x] = span(src, y * w, 1, a, b, w);
        }
        double[] out = new double[oh * ow];
        double sy = (double) h / oh;
        for (int y = 0; y < oh; y++) {
            double a = y * sy, b = (y + 1) * sy;
            for (int x = 0; x < ow; x++) out[y * ow + x] = span(mid, x, ow, a, b, h);
        }
        return out;
    }

    /** Mean of v[base + i * stride] over the continuous interval [a, b) of indices i in [0, n). */
    private static double span(double[] v, int base, int stride, double a, double b, int n) {
        int i0 = (int) Math.floor(a), i1 = Math.min(n, (int) Math.ceil(b));
        double sum = 0, wsum = 0;
        for (int i = i0; i < i1; i++) {
            double wgt = Math.min(b, i + 1) - Math.max(a, i);
            if (wgt <= 0) continue;
            sum += wgt * v[base + i * stride];
            wsum += wgt;
        }
        return sum / wsum;
    }

    /** Hamming distance. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /** Summed Hamming distance of two equally long hash lists. */
    public static int distance(long[] a, long[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("hash lists of " + a.length + " and " + b.length);
        int d = 0;
        for (int i = 0; i < a.length; i++) d += Long.bitCount(a[i] ^ b[i]);
        return d;
    }

    /** The column form: each hash as 16 lower-case hex digits, joined by ','. */
    public static String format(long... hashes) {
        StringBuilder sb = new StringBuilder(hashes.length * 17);
        for (int i = 0; i < hashes.length; i++) {
            if (i > 0) sb.append(',');
            String hex = Long.toHexString(hashes[i]);
            sb.append("0".repeat(16 - hex.length())).append(hex);
        }
        return sb.toString();
    }

    /** Parses {@link #format}'s output; null or blank gives null (a clip without frames). */
    public static long[] parse(String column) {
        if (column == null || column.isBlank()) return null;
        String[] parts = column.split(",", -1);
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.length() != 16) throw new IllegalArgumentException("not a 16-hex-digit hash: '" + p + "' in '" + column + "'");
            out[i] = Long.parseUnsignedLong(p, 16);
        }
        return out;
    }
}
