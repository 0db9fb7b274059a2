package dev.avcurate.ingest.shots;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts shots into clips between a minimum and a maximum duration. A shot shorter than the
 * minimum becomes a {@code too_short} piece; a longer one is split into equal clips (or, when
 * equal parts would be under the minimum, into maximum-length clips plus a too-short remainder).
 */
public final class ClipCutter {
    private final double minS;
    private final double maxS;

    /** One piece of a shot: a clip, or a rejected too-short span. */
    public record Piece(Shot shot, int indexInShot, double startS, double endS, boolean tooShort) {
        public double durationS() {
            return endS - startS;
        }
    }

    public ClipCutter(double minS, double maxS) {
        if (minS <= 0 || maxS < minS) throw new IllegalArgumentException("need 0 < min <= max");
        this.minS = minS;
        this.maxS = maxS;
    }

    public List<Piece> cut(Shot shot) {
        List<Piece> out = new ArrayList<>();
        double d = shot.durationS();
        double eps = 1e-6;
        if (d + eps < minS) {
            out.add(new Piece(shot, 0, shot.startS(), shot.endS(), true));
            return out;
        }
        if (d <= maxS + eps) {
            out.add(new Piece(shot, 0, shot.startS(), shot.endS(), false));
            return out;
        }
        int n = (int) Math.ceil(d / maxS - eps);
        if (d / n + eps >= minS) {
            double len = d / n;
            for (int k = 0; k < n; k++) {
                double s = shot.startS() + k * len;
                double e = k == n - 1 ? shot.endS() : shot.startS() + (k + 1) * len;
                out.add(new Piece(shot, k, s, e, false));
            }
            return out;
        }
        int full = (int) Math.floor(d / maxS + eps);
        for (int k = 0; k < full; k++) {
            out.add(new Piece(shot, k, shot.startS() + k * maxS, shot.startS() + (k + 1) * maxS, false));
        }
        double rest = shot.startS() + full * maxS;
        if (shot.endS() - rest > eps) out.add(new Piece(shot, full, rest, shot.endS(), true));
        return out;
    }
}
