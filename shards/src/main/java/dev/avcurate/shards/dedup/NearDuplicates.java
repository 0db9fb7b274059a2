package dev.avcurate.shards.dedup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Finds near-duplicate clips (the same footage re-encoded, rescaled, cropped a little,
 * re-uploaded) so that training shards hold each piece of footage once, in its best copy. Pure
 * Java, run on the driver over the clips' {@code key_frame_phash} and caption embeddings.
 *
 * <p><b>Rule.</b> Two clips are duplicates when the summed Hamming distance of their three
 * key-frame hashes is at most {@code phashMaxBits}, or at most {@code phashLooseBits} and both
 * carry a VLM caption embedding with cosine at least {@code captionMinCosine}. A caption alone is
 * never evidence: two different people talking in two similar rooms get near-identical captions;
 * and only VLM captions may be given ({@link Item#captionEmbedding}), since captions composed from
 * measured attributes are alike for unrelated clips by construction. Duplicates are linked
 * transitively (union-find); each cluster keeps its highest-quality clip (ties: smallest clip id).
 * Per key frame, measured on generated pictures: re-encodes, rescales, blur and brightness shifts
 * move 0-4 bits, a 5% crop 2-16 (pHash's weak spot), unrelated scenes 20 or more (32 on average);
 * hence 24 over three frames for the hashes alone, and up to 48 where the captions agree.
 *
 * <p><b>Candidates.</b> Comparing all pairs is quadratic, so candidate pairs come from locality
 * sensitive hashing over the 192 bits: pairs sharing the key of any table are compared exactly.
 * The first {@code m = ceil(192 / lshBitsPerTable)} tables split the bits into disjoint bands, so
 * by pigeonhole every pair closer than {@code m} bits is found (with the defaults: 10 bands of
 * 19-20 bits, exact below 10 bits). The other tables each sample {@code lshBitsPerTable} random bit
 * positions (fixed seed), so a pair at distance d shares a table with probability
 * {@code 1 - (1 - C(192-d, b) / C(192, b))^(tables - m)}: with the defaults (100 tables of 20 bits)
 * 0.9999 at 20 bits, 0.996 at 24, 0.85 at 32, 0.47 at 40 and 0.18 at 48 ({@link Params#candidateProbability}).
 * So the hash-only rule is all but exact, while the caption rule's loose pairs (25-48 bits) are
 * found only in part: more tables raise that, at a linear cost. Disjoint 8-bit bands, the
 * textbook choice, would be exact up to 23 bits but make about 9% of all unrelated pairs
 * candidates (24 tables x 2^-8), i.e. still quadratic; 20-bit keys make 3e-5 of them candidates
 * at 96 bits (a random pair) and 1e-3 at 80: for three million clips, 1e8 exact checks (cheap:
 * three XOR-popcounts each), 4e9 if every unrelated pair were as close as 80 bits. Measured on
 * one core: a million random clips in 25 s. Cost is quadratic within a bucket: identical hashes
 * (mass re-uploads, black frames) are collapsed into one entry first, so they cost nothing.
 *
 * <p><b>Memory.</b> About 70 bytes per item besides the items themselves (their references, the
 * hashes copied into one array, group and union-find arrays, one table's sorted keys at a time),
 * about 210 MB for three million clips; plus the caption embeddings the items hold (1.5 KB each
 * at 384 floats, VLM-captioned clips only). The result does not depend on the input's order.
 */
public final class NearDuplicates {
    public static final int KEY_FRAMES = 3;
    public static final int BITS = 64 * KEY_FRAMES;
    public static final String PHASH = "phash";
    public static final String PHASH_CAPTION = "phash+caption";
    private static final long SEED = 0x5EED_D0D0_2024L;

    /**
     * One clip.
     *
     * @param keyFrameHashes   the 3 key-frame pHashes, or null (never a duplicate then)
     * @param captionEmbedding the embedding of a VLM caption (L2-normalised), or null; must be null
     *                         for captions composed from attributes
     * @param quality          higher is better; NaN sorts below every number
     */
    public record Item(String clipId, long[] keyFrameHashes, float[] captionEmbedding, double quality) {
        public Item {
            Objects.requireNonNull(clipId, "clipId");
            if (keyFrameHashes != null && keyFrameHashes.length != KEY_FRAMES) {
                throw new IllegalArgumentException(clipId + ": " + keyFrameHashes.length + " key-frame hashes, expected " + KEY_FRAMES);
            }
        }
    }

    /**
     * A clip to drop.
     *
     * @param duplicateOf  the cluster's representative, the clip kept
     * @param distanceBits summed Hamming distance to the representative (through a chain of
     *                     duplicates it may exceed the thresholds)
     * @param cosine       caption cosine to the representative, NaN unless both have an embedding
     * @param evidence     {@link #PHASH} when this clip has a hash-only match in its cluster, else
     *                     {@link #PHASH_CAPTION}
     */
    public record Duplicate(String clipId, String duplicateOf, int distanceBits, double cosine, String evidence) {}

    /**
     * @param phashMaxBits     summed distance up to which the hashes alone make a duplicate
     * @param phashLooseBits   summed distance up to which a caption match makes a duplicate
     * @param captionMinCosine cosine of the caption embeddings for the loose rule
     * @param lshTables        LSH tables (the disjoint bands included)
     * @param lshBitsPerTable  bits of each table's key, 1..32
     */
    public record Params(int phashMaxBits, int phashLooseBits, double captionMinCosine, int lshTables, int lshBitsPerTable) {
        public static final Params DEFAULTS = new Params(24, 48, 0.95, 100, 20);

        public Params {
            if (phashMaxBits < 0 || phashLooseBits < phashMaxBits || phashLooseBits > BITS) {
                throw new IllegalArgumentException("need 0 <= phashMaxBits <= phashLooseBits <= " + BITS);
            }
            if (!(captionMinCosine >= -1 && captionMinCosine <= 1)) throw new IllegalArgumentException("captionMinCosine in [-1, 1]");
            if (lshBitsPerTable < 1 || lshBitsPerTable > 32) throw new IllegalArgumentException("lshBitsPerTable in 1..32");
            int bands = (BITS + lshBitsPerTable - 1) / lshBitsPerTable;
            if (lshTables < bands) throw new IllegalArgumentException("lshTables >= " + bands + " (the disjoint bands)");
        }

        public Params withThresholds(int maxBits, int looseBits, double minCosine) {
            return new Params(maxBits, looseBits, minCosine, lshTables, lshBitsPerTable);
        }

        /** Disjoint bands (pigeonhole: every pair closer than this many bits is a candidate). */
        public int bands() {
            return (BITS + lshBitsPerTable - 1) / lshBitsPerTable;
        }

        /** A lower bound on the chance that a pair at this distance is compared at all. */
        public double candidateProbability(int distanceBits) {
            if (distanceBits < bands()) return 1;
            double p = 1; // C(192 - d, b) / C(192, b): all b sampled bits agree
            for (int i = 0; i < lshBitsPerTable; i++) p *= (double) (BITS - distanceBits - i) / (BITS - i);
            return 1 - Math.pow(1 - Math.max(0, p), lshTables - bands());
        }
    }

    private final Params params;
    private final int[][] tables;

    public NearDuplicates() {
        this(Params.DEFAULTS);
    }

    public NearDuplicates(Params params) {
        this.params = params;
        int b = params.lshBitsPerTable(), m = params.bands();
        tables = new int[params.lshTables()][];
        for (int j = 0; j < m; j++) {
            int from = j * BITS / m, to = (j + 1) * BITS / m;
            tables[j] = new int[to - from];
            for (int k = from; k < to; k++) tables[j][k - from] = k;
        }
        SplittableRandom r = new SplittableRandom(SEED);
        int[] all = new int[BITS];
        for (int t = m; t < tables.length; t++) {
            for (int k = 0; k < BITS; k++) all[k] = k;
            for (int k = 0; k < b; k++) { // partial Fisher-Yates: b distinct positions
                int s = k + r.nextInt(BITS - k);
                int x = all[k];
                all[k] = all[s];
                all[s] = x;
            }
            tables[t] = java.util.Arrays.copyOf(all, b);
        }
    }

    public Params params() {
        return params;
    }

    /** The LSH tables: for each, the bit positions (0..191, frame-major, most significant bit first) its key is made of. */
    public int[][] tables() {
        int[][] t = new int[tables.length][];
        for (int i = 0; i < t.length; i++) t[i] = tables[i].clone();
        return t;
    }

    /** One table's key of a clip's three key-frame hashes: the bits at {@code bits}, in order. */
    public static long key(long[] hashes, int[] bits) {
        long k = 0;
        for (int pos : bits) k = (k << 1) | ((hashes[pos >>> 6] >>> (63 - (pos & 63))) & 1);
        return k;
    }

    /** The clips to drop, ordered by representative then clip id; clips not listed are kept. */
    public List<Duplicate> find(Collection<Item> input) {
        List<Item> all = new ArrayList<>(input);
        all.sort(Comparator.comparing(Item::clipId)); // the order everything below follows: input order is irrelevant
        List<Item> withHash = new ArrayList<>();
        int dim = -1;
        for (int i = 0; i < all.size(); i++) {
            Item it = all.get(i);
            if (i > 0 && all.get(i - 1).clipId().equals(it.clipId())) throw new IllegalArgumentException("clip " + it.clipId() + " given twice");
            if (it.keyFrameHashes() == null) continue;
            withHash.add(it);
            float[] e = it.captionEmbedding();
            if (e != null) {
                if (dim >= 0 && e.length != dim) throw new IllegalArgumentException("caption embeddings of " + dim + " and " + e.length + " floats");
                dim = e.length;
            }
        }
        all = null; // the sorted copy is not needed past this point
        return new Run(withHash.toArray(new Item[0])).result();
    }

    /** One call's state: items indexed in clip id order. */
    private final class Run {
        final Item[] items;
        final int n;
        final long[] h;
        final int[] parent;
        final boolean[] captionEdge;
        /** Items grouped by identical hashes: members[groupStart[g] .. groupStart[g + 1]). */
        final int[] members, groupStart;
        final boolean[] groupPhash;

        Run(Item[] items) {
            this.items = items;
            n = items.length;
            h = new long[n * KEY_FRAMES];
            for (int i = 0; i < n; i++) System.arraycopy(items[i].keyFrameHashes(), 0, h, i * KEY_FRAMES, KEY_FRAMES);
            parent = new int[n];
            for (int i = 0; i < n; i++) parent[i] = i;
            captionEdge = new boolean[n];
            members = new int[n];
            for (int i = 0; i < n; i++) members[i] = i;
            sortIndices(members, (a, b) -> {
                for (int k = 0; k < KEY_FRAMES; k++) {
                    int c = Long.compare(h[a * KEY_FRAMES + k], h[b * KEY_FRAMES + k]);
                    if (c != 0) return c;
                }
                return Integer.compare(a, b);
            });
            int groups = 0;
            for (int i = 0; i < n; i++) if (i == 0 || !sameHash(members[i - 1], members[i])) groups++;
            groupStart = new int[groups + 1];
            groupPhash = new boolean[groups];
            for (int i = 0, g = -1; i < n; i++) {
                if (i == 0 || !sameHash(members[i - 1], members[i])) groupStart[++g] = i;
                else union(members[i - 1], members[i]);
            }
            groupStart[groups] = n;
            for (int g = 0; g < groups; g++) groupPhash[g] = groupStart[g + 1] - groupStart[g] > 1;
        }

        boolean sameHash(int a, int b) {
            for (int k = 0; k < KEY_FRAMES; k++) if (h[a * KEY_FRAMES + k] != h[b * KEY_FRAMES + k]) return false;
            return true;
        }

        List<Duplicate> result() {
            int groups = groupPhash.length;
            long[] keys = new long[groups];
            for (int[] bits : tables) {
                for (int g = 0; g < groups; g++) keys[g] = (key(members[groupStart[g]], bits) << 32) | g;
                java.util.Arrays.sort(keys);
                for (int s = 0; s < groups; ) {
                    int e = s + 1;
                    while (e < groups && keys[e] >>> 32 == keys[s] >>> 32) e++;
                    for (int a = s; a < e; a++) {
                        for (int b = a + 1; b < e; b++) check((int) keys[a], (int) keys[b]);
                    }
                    s = e;
                }
            }
            return duplicates();
        }

        long key(int item, int[] bits) {
            long k = 0;
            for (int pos : bits) k = (k << 1) | ((h[item * KEY_FRAMES + (pos >>> 6)] >>> (63 - (pos & 63))) & 1);
            return k;
        }

        /** Compares two hash groups and links what matches. Skips what can change neither clusters nor evidence. */
        void check(int ga, int gb) {
            int a0 = members[groupStart[ga]], b0 = members[groupStart[gb]];
            if (groupPhash[ga] && groupPhash[gb] && find(a0) == find(b0)) return;
            int d = distance(a0, b0);
            if (d <= params.phashMaxBits()) {
                union(a0, b0);
                groupPhash[ga] = groupPhash[gb] = true;
                return;
            }
            if (d > params.phashLooseBits()) return;
            for (int i = groupStart[ga]; i < groupStart[ga + 1]; i++) {
                int a = members[i];
                if (items[a].captionEmbedding() == null) continue;
                for (int j = groupStart[gb]; j < groupStart[gb + 1]; j++) {
                    int b = members[j];
                    if (items[b].captionEmbedding() == null) continue;
                    boolean known = (groupPhash[ga] || captionEdge[a]) && (groupPhash[gb] || captionEdge[b]);
                    if (known && find(a) == find(b)) continue;
                    if (cosine(a, b) >= params.captionMinCosine()) {
                        union(a, b);
                        captionEdge[a] = captionEdge[b] = true;
                    }
                }
            }
        }

        int distance(int a, int b) {
            int d = 0;
            for (int k = 0; k < KEY_FRAMES; k++) d += Long.bitCount(h[a * KEY_FRAMES + k] ^ h[b * KEY_FRAMES + k]);
            return d;
        }

        double cosine(int a, int b) {
            float[] x = items[a].captionEmbedding(), y = items[b].captionEmbedding();
            if (x == null || y == null) return Double.NaN;
            double dot = 0, nx = 0, ny = 0;
            for (int k = 0; k < x.length; k++) {
                dot += (double) x[k] * y[k];
                nx += (double) x[k] * x[k];
                ny += (double) y[k] * y[k];
            }
            return dot / Math.sqrt(nx * ny);
        }

        int find(int x) {
            while (parent[x] != x) {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            return x;
        }

        void union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra < rb) parent[rb] = ra; else if (rb < ra) parent[ra] = rb;
        }

        /** Higher quality first, NaN last, then the smaller clip id (index order is clip id order). */
        boolean better(int a, int b) {
            double qa = items[a].quality(), qb = items[b].quality();
            if (Double.isNaN(qa) != Double.isNaN(qb)) return !Double.isNaN(qa);
            if (qa != qb) return qa > qb;
            return a < b;
        }

        List<Duplicate> duplicates() {
            int[] best = new int[n], size = new int[n];
            java.util.Arrays.fill(best, -1);
            for (int i = 0; i < n; i++) {
                int r = find(i);
                size[r]++;
                if (best[r] < 0 || better(i, best[r])) best[r] = i;
            }
            List<Duplicate> out = new ArrayList<>();
            int[] groupOf = new int[n];
            for (int g = 0; g < groupPhash.length; g++) for (int i = groupStart[g]; i < groupStart[g + 1]; i++) groupOf[members[i]] = g;
            for (int i = 0; i < n; i++) {
                int r = find(i), rep = best[r];
                if (size[r] < 2 || rep == i) continue;
                String evidence = groupPhash[groupOf[i]] ? PHASH : PHASH_CAPTION;
                out.add(new Duplicate(items[i].clipId(), items[rep].clipId(), distance(i, rep), cosine(i, rep), evidence));
            }
            out.sort(Comparator.comparing(Duplicate::duplicateOf).thenComparing(Duplicate::clipId));
            return out;
        }
    }

    interface IntComparator {
        int compare(int a, int b);
    }

    /** Stable merge sort of int indices (no boxing: millions of items). */
    static void sortIndices(int[] a, IntComparator c) {
        int[] src = a, dst = new int[a.length];
        for (int width = 1; width < a.length; width *= 2) {
            for (int lo = 0; lo < a.length; lo += 2 * width) {
                int mid = Math.min(lo + width, a.length), hi = Math.min(lo + 2 * width, a.length);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) dst[k++] = c.compare(src[i], src[j]) <= 0 ? src[i++] : src[j++];
                while (i < mid) dst[k++] = src[i++];
                while (j < hi) dst[k++] = src[j++];
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != a) System.arraycopy(src, 0, a, 0, a.length);
    }
}
