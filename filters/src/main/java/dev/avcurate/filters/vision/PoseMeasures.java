package dev.avcurate.filters.vision;

import dev.avcurate.filters.scoring.Box;
import java.util.ArrayList;
import java.util.List;

/**
 * Clip measures from per-frame person boxes or poses. {@code person_area_ratio} keeps
 * PersonScorer's meaning: per sampled frame the share of pixels covered by the union of the
 * person boxes (clipped, whole pixels as TextScorer's mask counts them), the median over frames,
 * 0 for frames without a person; only the source of the boxes changes.
 */
public final class PoseMeasures {
    private PoseMeasures() {}

    /** Share of a w x h frame covered by the union of {@code boxes}. */
    public static double coveredShare(List<Box> boxes, int w, int h) {
        boolean[] m = new boolean[w * h];
        int covered = 0;
        for (Box b : boxes) {
            Box c = b.clip(w, h);
            for (int y = (int) c.y0(); y < (int) Math.ceil(c.y1()); y++) {
                for (int x = (int) c.x0(); x < (int) Math.ceil(c.x1()); x++) {
                    if (!m[y * w + x]) {
                        m[y * w + x] = true;
                        covered++;
                    }
                }
            }
        }
        return covered / (double) (w * h);
    }

    /** Median over frames of the covered share; 0 for no frames. */
    public static double personAreaRatio(List<List<Box>> boxesPerFrame, int w, int h) {
        List<Double> shares = new ArrayList<>();
        for (List<Box> boxes : boxesPerFrame) shares.add(coveredShare(boxes, w, h));
        return median(shares);
    }

    /** As {@link #personAreaRatio} with each pose's keypoint extent (keypoints scoring at least {@code minScore}) as its box. */
    public static double personAreaRatioFromPoses(List<List<Pose>> posesPerFrame, int w, int h, double minScore) {
        List<List<Box>> boxes = new ArrayList<>();
        for (List<Pose> poses : posesPerFrame) {
            List<Box> b = new ArrayList<>();
            for (Pose p : poses) {
                Box e = p.bbox(minScore);
                if (e != null) b.add(e);
            }
            boxes.add(b);
        }
        return personAreaRatio(boxes, w, h);
    }

    /** The most persons in any one frame. */
    public static int maxPeople(List<? extends List<?>> perFrame) {
        int m = 0;
        for (List<?> f : perFrame) m = Math.max(m, f.size());
        return m;
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) return 0;
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
