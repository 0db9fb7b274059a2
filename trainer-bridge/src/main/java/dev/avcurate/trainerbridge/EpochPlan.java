package dev.avcurate.trainerbridge;

import dev.avcurate.trainerbridge.ShardFormat.IndexEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An epoch's global sample order, computed from the index alone so that every consumer of a job
 * derives the same order without reading a file or talking to the others.
 *
 * <p>The order: the selected shards sorted by path (so a rewritten index listing the same shards
 * in another order changes nothing); each shard becomes {@code floor(repeat)} passes over all its
 * rows, plus one pass over the rows picked for the split's fractional part (if any); with shuffle
 * the passes are shuffled by (seed, epoch), the rows of a pass stay in file order, and the global
 * sequence is cut into windows of {@code shuffleWindow} positions, each permuted by (seed, epoch,
 * window). Whole repeats are separate passes, not adjacent copies, so that the copies of a row land
 * in different parts of the epoch.
 */
final class EpochPlan {
    /**
     * One pass over a shard: all its rows, or the rows picked for a fractional repeat.
     *
     * @param rows ascending row numbers, or null for every row
     */
    record ShardPass(IndexEntry shard, int[] rows) {
        int size() {
            return rows == null ? (int) shard.rows() : rows.length;
        }

        int row(int i) {
            return rows == null ? i : rows[i];
        }
    }

    /** A consumer's share of the epoch: for each of its positions, the pass and the row it reads. */
    record Slice(int[] passOf, int[] rowOf) {
        int length() {
            return passOf.length;
        }
    }

    private static final long TAG_SHARDS = 0x5348415244L;
    private static final long TAG_WINDOW = 0x57494e444fL;
    private static final long TAG_REPEAT = 0x5245504541L;

    final List<ShardPass> passes;
    /** starts[i]: position of the first row of passes[i] before the window shuffle; starts[n] = total. */
    private final long[] starts;
    final long total;
    private final long seed;
    private final int epoch;
    private final boolean shuffle;
    private final int window;

    private EpochPlan(List<ShardPass> passes, long seed, int epoch, boolean shuffle, int window) {
        this.passes = List.copyOf(passes);
        this.starts = new long[passes.size() + 1];
        for (int i = 0; i < passes.size(); i++) starts[i + 1] = starts[i] + passes.get(i).size();
        this.total = starts[passes.size()];
        this.seed = seed;
        this.epoch = epoch;
        this.shuffle = shuffle;
        this.window = window;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an epoch of " + total + " samples is more than this reader handles (2^31 - 1)");
        }
    }

    /**
     * @param shards the selected index entries, in any order
     * @param repeats repeat factor of every split that appears in {@code shards}
     */
    static EpochPlan of(List<IndexEntry> shards, Map<String, Double> repeats, long seed, int epoch, boolean shuffle, int window) {
        List<IndexEntry> sorted = new ArrayList<>(shards);
        sorted.sort(Comparator.comparing(IndexEntry::path));
        for (IndexEntry e : sorted) {
            if (e.rows() > Integer.MAX_VALUE) throw new IllegalArgumentException("shard " + e.path() + " has too many rows: " + e.rows());
        }

        // Fractional parts: per split, round(repeat * rows) - floor(repeat) * rows rows, picked without replacement.
        Map<String, List<IndexEntry>> bySplit = new LinkedHashMap<>();
        for (IndexEntry e : sorted) bySplit.computeIfAbsent(e.split(), k -> new ArrayList<>()).add(e);
        Map<IndexEntry, int[]> partialRows = new LinkedHashMap<>();
        int maxWhole = 0;
        for (Map.Entry<String, List<IndexEntry>> s : bySplit.entrySet()) {
            double repeat = repeats.get(s.getKey());
            int whole = (int) Math.floor(repeat);
            maxWhole = Math.max(maxWhole, whole);
            long rows = s.getValue().stream().mapToLong(IndexEntry::rows).sum();
            long extra = Math.round(repeat * rows) - whole * rows;
            if (extra <= 0 || rows == 0) continue;
            if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("split " + s.getKey() + " has too many rows: " + rows);
            int[] picked = pick((int) rows, (int) Math.min(extra, rows), Rng.of(seed, epoch, TAG_REPEAT, s.getKey().hashCode()));
            // Map split-wide row numbers to (shard, row): shards in path order, rows in file order.
            int k = 0;
            long offset = 0;
            for (IndexEntry e : s.getValue()) {
                int from = k;
                while (k < picked.length && picked[k] < offset + e.rows()) k++;
                if (k > from) {
                    int[] r = new int[k - from];
                    for (int i = 0; i < r.length; i++) r[i] = (int) (picked[from + i] - offset);
                    partialRows.put(e, r);
                }
                offset += e.rows();
            }
        }

        List<ShardPass> passes = new ArrayList<>();
        for (int copy = 0; copy < maxWhole; copy++) {
            for (IndexEntry e : sorted) {
                if (copy < (int) Math.floor(repeats.get(e.split())) && e.rows() > 0) passes.add(new ShardPass(e, null));
            }
        }
        for (Map.Entry<IndexEntry, int[]> p : partialRows.entrySet()) passes.add(new ShardPass(p.getKey(), p.getValue()));

        if (shuffle) {
            Rng rng = Rng.of(seed, epoch, TAG_SHARDS, 0);
            for (int i = passes.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                ShardPass t = passes.get(i);
                passes.set(i, passes.get(j));
                passes.set(j, t);
            }
        }
        return new EpochPlan(passes, seed, epoch, shuffle, window);
    }

    /** {@code k} distinct numbers of {@code [0, n)}, ascending (partial Fisher-Yates). */
    private static int[] pick(int n, int k, Rng rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        int[] out = Arrays.copyOf(a, k);
        Arrays.sort(out);
        return out;
    }

    /** First position of consumer {@code c} of {@code n}: slices differ in size by at most one. */
    long sliceStart(int c, int n) {
        return total * c / n;
    }

    /** Consumer {@code c}'s contiguous share of the (window-shuffled) global sequence. */
    Slice slice(int c, int n) {
        int from = (int) sliceStart(c, n);
        int to = (int) sliceStart(c + 1, n);
        int[] passOf = new int[to - from];
        int[] rowOf = new int[to - from];
        int[] perm = null;
        long permWindow = -1;
        for (int g = from; g < to; g++) {
            long pre = g;
            if (shuffle) {
                long w = g / window;
                if (w != permWindow) {
                    perm = windowPermutation(w);
                    permWindow = w;
                }
                pre = w * window + perm[(int) (g - w * window)];
            }
            int p = Arrays.binarySearch(starts, pre);
            p = p >= 0 ? p : -p - 2;
            while (p + 1 < starts.length && starts[p + 1] == pre) p++; // skip empty passes (none are made, but be safe)
            passOf[g - from] = p;
            rowOf[g - from] = passes.get(p).row((int) (pre - starts[p]));
        }
        return new Slice(passOf, rowOf);
    }

    private int[] windowPermutation(long w) {
        int len = (int) Math.min(window, total - w * window);
        int[] perm = new int[len];
        for (int i = 0; i < len; i++) perm[i] = i;
        Rng rng = Rng.of(seed, epoch, TAG_WINDOW, w);
        for (int i = len - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    /**
     * SplitMix64, written out rather than taken from the JDK so that an epoch's order is fixed by
     * this file alone: a checkpoint taken under one JDK resumes to the same batches under another.
     */
    static final class Rng {
        private long state;

        private Rng(long state) {
            this.state = state;
        }

        static Rng of(long seed, int epoch, long tag, long index) {
            return new Rng(mix(mix(mix(mix(seed) ^ epoch) ^ tag) ^ index));
        }

        static long mix(long z) {
            z += 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        long nextLong() {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** Uniform in {@code [0, bound)}, without modulo bias. */
        int nextInt(int bound) {
            long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
            long r;
            do {
                r = nextLong() >>> 1;
            } while (r >= limit);
            return (int) (r % bound);
        }
    }
}
