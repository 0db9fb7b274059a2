package dev.avcurate.ingest.shots;

import java.util.ArrayDeque;

/**
 * Streaming detection of gradual transitions (cross-dissolves) on small grey thumbnails.
 *
 * <p>A dissolve from shot A to shot B shows {@code (1 - a) A + a B} with {@code a} rising from
 * 0 to 1, so every frame of it lies on the straight line between two frames taken on either side
 * of its middle. For each window half-length {@code h} of a geometric series (ratio 1.5, from 2
 * frames up to half the longest dissolve plus 2 frames), the frame {@code M = n - h} is fitted by
 * least squares as {@code a P + b Q} of {@code P = n - 2h} and {@code Q = n}, all mean-removed (a
 * change of brightness alone is no transition). M is part of a dissolve when:
 * <ul>
 *   <li>P and Q show different pictures: their correlation is at most {@code MAX_ENDPOINT_CORR}
 *       (within a shot most windows stop here, after one dot product);
 *   <li>M mixes both: {@code a} and {@code b} are in {@code [MIN_WEIGHT, 1 - MIN_WEIGHT]} and
 *       their sum in {@code [MIN_WEIGHT_SUM, MAX_WEIGHT_SUM]};
 *   <li>the blend explains M: at least {@code minFit} of M's variance (its correlation with the
 *       fit, squared);
 *   <li>M's variance dips as a mix of two different pictures does: at most {@code MAX_DIP} of
 *       {@code a var(P) + b var(Q)} (motion keeps a picture's variance; two mixed pictures lose
 *       about half of it at the middle of a dissolve);
 *   <li>no motion explains M as well: neither P nor Q, translated (up to a third of the frame) or
 *       zoomed (up to 25 %), correlates with M as well as the blend does. A slow pan over smooth
 *       content keeps the middle frame close to the average of the ends (a shifted linear ramp is
 *       a mean offset), which is what this and the variance dip rule out.
 * </ul>
 * The motion search runs only on windows that pass the rest. Of such a window, the frames whose
 * projection on the line from P to Q is between {@code EDGE_ALPHA} and {@code 1 - EDGE_ALPHA},
 * contiguous around M, are the dissolve; overlapping findings are merged. In shots that move,
 * the blend fits only near the middle of the dissolve and the projection drifts: the frames found
 * may then stop short of its ends, or reach up to about half a second past them. The thumbnails of
 * the last {@code 2 hMax + 1} frames are kept (4 KB each), so memory does not grow with the video.
 */
final class DissolveDetector {
    static final double MAX_ENDPOINT_CORR = 0.5;
    static final double MIN_WEIGHT = 0.3;
    static final double MAX_WEIGHT_SUM = 1.35;
    static final double MIN_WEIGHT_SUM = 0.65;
    static final double EDGE_ALPHA = 0.08;
    static final double MAX_DIP = 0.85;
    /** Thumbnails flatter than this standard deviation (grey levels) take part in no test. */
    static final double MIN_STD = 3.0;
    private static final double[] ZOOMS = {1.0, 1.12, 1.25, 1 / 1.12, 1 / 1.25};

    private final int[] scales;
    private final int capacity;
    private final double minFit;
    private int tw;
    private int th;
    private int[][] ring;
    private final long[] sum;
    private final long[] sumSq;
    private final boolean[] usable;
    private long count;
    private int[] diff;
    private final ArrayDeque<long[]> found = new ArrayDeque<>();

    /**
     * @param maxHalf the largest window half-length in frames (at least 2)
     * @param minFit the least share of the middle frame's variance the blend must explain
     */
    DissolveDetector(int maxHalf, double minFit) {
        if (maxHalf < 2) throw new IllegalArgumentException("maxHalf < 2");
        this.minFit = minFit;
        java.util.List<Integer> s = new java.util.ArrayList<>();
        for (double h = maxHalf; h >= 2; h /= 1.5) {
            int v = (int) Math.round(h);
            if (s.isEmpty() || s.get(s.size() - 1).intValue() != v) s.add(v);
        }
        scales = s.stream().mapToInt(Integer::intValue).toArray();
        capacity = 2 * maxHalf + 1;
        sum = new long[capacity];
        sumSq = new long[capacity];
        usable = new boolean[capacity];
    }

    /** Frames from a frame's index to the last one whose detection can still cover it. */
    int lookahead() {
        return 2 * scales[0];
    }

    /** Thumbnail width and height in blocks for a {@code w x h} frame: about 1024 blocks. */
    static int blockSize(int w, int h) {
        return Math.max(1, (int) Math.ceil(Math.sqrt(w * (double) h / 1024.0)));
    }

    /** The buffer to write the next frame's thumbnail into ({@code w x h} grey values 0..255). */
    int[] next(int w, int h) {
        if (ring == null || w != tw || h != th) {
            tw = w;
            th = h;
            ring = new int[capacity][w * h];
            diff = new int[w * h];
            java.util.Arrays.fill(usable, false);
        }
        return ring[(int) (count % capacity)];
    }

    /** Adds the thumbnail written into {@link #next}'s buffer as frame {@code count}. */
    void push(boolean black) {
        int slot = (int) (count % capacity);
        int[] t = ring[slot];
        long s = 0, q = 0;
        for (int v : t) {
            s += v;
            q += (long) v * v;
        }
        sum[slot] = s;
        sumSq[slot] = q;
        int n = t.length;
        usable[slot] = !black && (q - (double) s * s / n) / n >= MIN_STD * MIN_STD;
        long frame = count++;
        for (int h : scales) {
            if (frame - 2 * h < 0) continue;
            test(frame - 2 * h, frame - h, frame);
        }
    }

    private void test(long p, long m, long q) {
        int sp = (int) (p % capacity), sm = (int) (m % capacity), sq = (int) (q % capacity);
        if (!usable[sp] || !usable[sm] || !usable[sq]) return;
        int n = tw * th;
        double vp = var(sp), vq = var(sq), vm = var(sm);
        double cpq = cov(sp, sq);
        if (cpq > MAX_ENDPOINT_CORR * Math.sqrt(vp * vq)) return; // within a shot: most windows end here
        double cpm = cov(sp, sm), cqm = cov(sq, sm);
        double det = vp * vq - cpq * cpq;
        if (det <= 0) return;
        double a = (cpm * vq - cqm * cpq) / det;
        double b = (cqm * vp - cpm * cpq) / det;
        if (a < MIN_WEIGHT || b < MIN_WEIGHT || a > 1 - MIN_WEIGHT || b > 1 - MIN_WEIGHT) return;
        if (a + b < MIN_WEIGHT_SUM || a + b > MAX_WEIGHT_SUM) return;
        double explained = (a * cpm + b * cqm) / vm; // squared correlation of M with its fit
        double dip = vm / (a * vp + b * vq);
        if (explained < minFit || dip > MAX_DIP) return;
        double blendCorr = Math.sqrt(Math.max(0, explained));
        if (motionCorr(ring[sm], ring[sp]) >= blendCorr || motionCorr(ring[sm], ring[sq]) >= blendCorr) return;
        mark(p, m, q, n);
    }

    /** Frames of the window around M whose picture lies between P and Q: the dissolve. */
    private void mark(long p, long m, long q, int n) {
        int[] tp = ring[(int) (p % capacity)], tq = ring[(int) (q % capacity)];
        long ds = 0;
        for (int i = 0; i < n; i++) {
            diff[i] = tq[i] - tp[i];
            ds += diff[i];
        }
        double dd = centredDot(diff, diff, ds, ds, n);
        if (dd <= 0) return;
        double base = centredDot(tp, diff, sum[(int) (p % capacity)], ds, n);
        long s = m, e = m + 1;
        while (s - 1 > p && alpha(s - 1, ds, base, dd, n) > EDGE_ALPHA) s--;
        while (e < q && alpha(e, ds, base, dd, n) < 1 - EDGE_ALPHA) e++;
        long[] last = found.peekLast();
        if (last != null && s <= last[1]) {
            last[0] = Math.min(last[0], s);
            last[1] = Math.max(last[1], e);
        } else {
            found.addLast(new long[] {s, e});
        }
    }

    private double alpha(long k, long ds, double base, double dd, int n) {
        int slot = (int) (k % capacity);
        return (centredDot(ring[slot], diff, sum[slot], ds, n) - base) / dd;
    }

    /** True when frame {@code k} is inside a dissolve found so far; forgets dissolves before it. */
    boolean covers(long k) {
        found.removeIf(f -> f[1] <= k); // a few entries at most
        for (long[] f : found) {
            if (f[0] <= k && k < f[1]) return true;
        }
        return false;
    }

    private double var(int slot) {
        int n = tw * th;
        return (sumSq[slot] - (double) sum[slot] * sum[slot] / n) / n;
    }

    private double cov(int a, int b) {
        int n = tw * th;
        return centredDot(ring[a], ring[b], sum[a], sum[b], n) / n;
    }

    private static double centredDot(int[] x, int[] y, long sx, long sy, int n) {
        return dot(x, y, n) - (double) sx * sy / n;
    }

    private static long dot(int[] x, int[] y, int n) {
        // int products of grey values: 255 * 255 * 1024 < 2^31 per chunk of 1024.
        long total = 0;
        for (int start = 0; start < n; start += 1024) {
            int end = Math.min(n, start + 1024), acc = 0;
            for (int i = start; i < end; i++) acc += x[i] * y[i];
            total += acc;
        }
        return total;
    }

    /**
     * The best correlation of {@code m} with {@code ref} moved: translated by up to a third of the
     * thumbnail (coarse grid of 2 blocks, then refined) at each zoom of {@link #ZOOMS}, over the
     * part of {@code m} that the moved {@code ref} covers (at least 40 %).
     */
    private double motionCorr(int[] m, int[] ref) {
        double best = -1;
        int rx = Math.max(1, tw / 3), ry = Math.max(1, th / 3);
        for (double z : ZOOMS) {
            int bx = 0, by = 0;
            double zb = -1;
            int step = z == 1.0 ? 2 : 1;
            int lx = z == 1.0 ? rx : 1, ly = z == 1.0 ? ry : 1;
            for (int dy = -ly; dy <= ly; dy += step) {
                for (int dx = -lx; dx <= lx; dx += step) {
                    if (z == 1.0 && dx == 0 && dy == 0) continue; // not moved: that is M against P itself
                    double c = warpCorr(m, ref, z, dx, dy);
                    if (c > zb) {
                        zb = c;
                        bx = dx;
                        by = dy;
                    }
                }
            }
            if (step == 2) {
                for (int dy = by - 1; dy <= by + 1; dy++) {
                    for (int dx = bx - 1; dx <= bx + 1; dx++) {
                        if (dx == 0 && dy == 0) continue;
                        zb = Math.max(zb, warpCorr(m, ref, z, dx, dy));
                    }
                }
            }
            best = Math.max(best, zb);
        }
        return best;
    }

    /** Correlation of m(x, y) with ref(cx + (x - cx) / z + dx, cy + (y - cy) / z + dy), nearest sample. */
    private double warpCorr(int[] m, int[] ref, double z, int dx, int dy) {
        double cx = (tw - 1) / 2.0, cy = (th - 1) / 2.0;
        long n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int y = 0; y < th; y++) {
            int ry = (int) Math.round(cy + (y - cy) / z + dy);
            if (ry < 0 || ry >= th) continue;
            int rowM = y * tw, rowR = ry * tw;
            for (int x = 0; x < tw; x++) {
                int rx = z == 1.0 ? x + dx : (int) Math.round(cx + (x - cx) / z + dx);
                if (rx < 0 || rx >= tw) continue;
                int a = m[rowM + x], b = ref[rowR + rx];
                n++;
                sx += a;
                sy += b;
                sxx += (long) a * a;
                syy += (long) b * b;
                sxy += (long) a * b;
            }
        }
        if (n < 0.4 * tw * th) return -1;
        double vx = sxx - (double) sx * sx / n, vy = syy - (double) sy * sy / n;
        if (vx <= 0 || vy <= 0) return -1;
        return (sxy - (double) sx * sy / n) / Math.sqrt(vx * vy);
    }
}
