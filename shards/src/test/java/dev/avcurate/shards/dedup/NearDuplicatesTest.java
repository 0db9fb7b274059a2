package dev.avcurate.shards.dedup;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.shards.dedup.NearDuplicates.Duplicate;
import dev.avcurate.shards.dedup.NearDuplicates.Item;
import dev.avcurate.shards.dedup.NearDuplicates.Params;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Clusters, the caption rule, representatives and the LSH's recall, on hashes whose distances are planted. */
class NearDuplicatesTest {
    static long[] random(SplittableRandom r) {
        return new long[] {r.nextLong(), r.nextLong(), r.nextLong()};
    }

    /** A copy with the given bit positions (0..191, most significant bit of hash 0 first) flipped. */
    static long[] flip(long[] h, int... positions) {
        long[] out = h.clone();
        for (int p : positions) out[p >>> 6] ^= 1L << (63 - (p & 63));
        return out;
    }

    /** A copy with {@code n} distinct random positions of [from, 192) flipped. */
    static long[] flipRandom(long[] h, int n, int from, SplittableRandom r) {
        List<Integer> pos = new ArrayList<>(IntStream.range(from, 192).boxed().toList());
        Collections.shuffle(pos, new Random(r.nextLong()));
        return flip(h, pos.subList(0, n).stream().mapToInt(Integer::intValue).toArray());
    }

    static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    static float[] unit(SplittableRandom r) {
        float[] v = new float[384];
        double n = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
            n += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) v[i] /= (float) Math.sqrt(n);
        return v;
    }

    /** A unit vector at exactly {@code cos} from {@code e} (mixed with a direction orthogonal to it). */
    static float[] near(float[] e, double cos, SplittableRandom r) {
        float[] u = unit(r);
        double dot = 0;
        for (int i = 0; i < e.length; i++) dot += e[i] * u[i];
        double n = 0;
        double[] o = new double[e.length];
        for (int i = 0; i < e.length; i++) {
            o[i] = u[i] - dot * e[i];
            n += o[i] * o[i];
        }
        float[] out = new float[e.length];
        double sin = Math.sqrt(1 - cos * cos);
        for (int i = 0; i < e.length; i++) out[i] = (float) (cos * e[i] + sin * o[i] / Math.sqrt(n));
        return out;
    }

    static Map<String, Duplicate> byClip(List<Duplicate> d) {
        Map<String, Duplicate> m = new HashMap<>();
        for (Duplicate x : d) m.put(x.clipId(), x);
        return m;
    }

    @Test
    void duplicatesChainIntoOneClusterKeptByItsBestClip() {
        SplittableRandom r = new SplittableRandom(1);
        long[] a = random(r);
        long[] b = flip(a, range(0, 20));
        long[] c = flip(b, range(100, 120)); // 20 from b, 40 from a: linked through b only
        List<Item> items = List.of(new Item("a", a, null, 0.5), new Item("b", b, null, 0.6), new Item("c", c, null, 0.9),
                new Item("d", random(r), null, 1.0));
        List<Duplicate> out = new NearDuplicates().find(items);
        assertEquals(List.of(new Duplicate("a", "c", 40, Double.NaN, "phash"), new Duplicate("b", "c", 20, Double.NaN, "phash")), out);
    }

    @Test
    void similarCaptionsAloneAreNotDuplicates() {
        SplittableRandom r = new SplittableRandom(2);
        float[] e = unit(r);
        long[] a = random(r);
        // Identical captions, 49 bits apart (just past the loose bound) and 96 apart (another clip).
        List<Item> items = List.of(new Item("a", a, e, 1), new Item("b", flip(a, range(60, 109)), e.clone(), 0.5),
                new Item("c", random(r), e.clone(), 0.4));
        assertEquals(List.of(), new NearDuplicates().find(items));
    }

    @Test
    void looseHashesWithAMatchingVlmCaptionAreDuplicates() {
        SplittableRandom r = new SplittableRandom(3);
        float[] e = unit(r);
        long[] a = random(r);
        // Flips only from bit 64 on: the disjoint bands over the first key frame stay equal, so the pairs are always compared.
        List<Item> items = List.of(
                new Item("a", a, e, 1.0),
                new Item("b", flipRandom(a, 40, 64, r), near(e, 0.97, r), 0.9),  // loose hashes, same caption: duplicate
                new Item("c", flipRandom(a, 40, 64, r), near(e, 0.90, r), 0.9),  // loose hashes, caption too far
                new Item("d", flipRandom(a, 40, 64, r), null, 0.9),              // loose hashes, attribute caption (no embedding)
                new Item("e", flipRandom(a, 30, 64, r), null, 0.9));             // likewise at 30 bits
        List<Duplicate> out = new NearDuplicates().find(items);
        assertEquals(1, out.size(), out.toString());
        Duplicate d = out.get(0);
        assertEquals("b", d.clipId());
        assertEquals("a", d.duplicateOf());
        assertEquals(40, d.distanceBits());
        assertEquals(0.97, d.cosine(), 1e-5);
        assertEquals("phash+caption", d.evidence());
        // With a stricter cosine the same pair stays apart; with a looser hash bound d and e join on hashes alone.
        assertEquals(List.of(), new NearDuplicates(Params.DEFAULTS.withThresholds(24, 48, 0.98)).find(items));
        Map<String, Duplicate> loose = byClip(new NearDuplicates(Params.DEFAULTS.withThresholds(30, 48, 0.95)).find(items));
        assertEquals("phash", loose.get("e").evidence());
        assertEquals("phash+caption", loose.get("b").evidence());
        assertFalse(loose.containsKey("d"));
    }

    @Test
    void clipsWithoutHashesAreNeverDuplicates() {
        SplittableRandom r = new SplittableRandom(4);
        float[] e = unit(r);
        long[] a = random(r);
        List<Item> items = List.of(new Item("a", a, e, 1), new Item("b", null, e, 2), new Item("c", a.clone(), null, Double.NaN));
        assertEquals(List.of(new Duplicate("c", "a", 0, Double.NaN, "phash")), new NearDuplicates().find(items));
        assertThrows(IllegalArgumentException.class, () -> new NearDuplicates().find(List.of(new Item("a", a, null, 1), new Item("a", a, null, 1))));
        assertThrows(IllegalArgumentException.class, () -> new Item("x", new long[2], null, 1));
    }

    @Test
    void theRepresentativeIsTheBestQualityThenTheSmallestIdAndNaNComesLast() {
        long[] h = random(new SplittableRandom(5));
        List<Item> items = List.of(new Item("c", h, null, 0.7), new Item("a", flip(h, 3), null, Double.NaN),
                new Item("b", flip(h, 7), null, 0.7), new Item("d", flip(h, 9, 10), null, -1));
        List<Duplicate> out = new NearDuplicates().find(items);
        assertEquals(List.of("a", "c", "d"), out.stream().map(Duplicate::clipId).toList());
        out.forEach(d -> assertEquals("b", d.duplicateOf()));
        assertEquals(List.of(2, 1, 3), out.stream().map(Duplicate::distanceBits).toList());
    }

    @Test
    void theOutputDoesNotDependOnTheInputOrder() {
        SplittableRandom r = new SplittableRandom(6);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long[] h = random(r);
            float[] e = unit(r);
            items.add(new Item(String.format("o%03d", i), h, e, r.nextDouble()));
            if (i % 3 == 0) items.add(new Item(String.format("p%03d", i), flipRandom(h, r.nextInt(25), 0, r), null, r.nextDouble()));
            if (i % 5 == 0) items.add(new Item(String.format("q%03d", i), flipRandom(h, 30 + r.nextInt(15), 64, r), near(e, 0.96, r), r.nextDouble()));
        }
        NearDuplicates nd = new NearDuplicates();
        List<Duplicate> first = nd.find(items);
        assertEquals(100 + 60, first.size());
        for (int k = 0; k < 5; k++) {
            Collections.shuffle(items, new Random(k));
            assertEquals(first, nd.find(items));
        }
        for (int i = 1; i < first.size(); i++) {
            Duplicate p = first.get(i - 1), q = first.get(i);
            int c = p.duplicateOf().compareTo(q.duplicateOf());
            assertTrue(c < 0 || c == 0 && p.clipId().compareTo(q.clipId()) < 0, "ordered by representative, then clip");
        }
    }

    @Test
    void manyIdenticalHashesCollapseIntoOneCluster() {
        long[] h = random(new SplittableRandom(7));
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) items.add(new Item(String.format("c%05d", i), h.clone(), null, i == 777 ? 2 : 1));
        long t0 = System.nanoTime();
        List<Duplicate> out = new NearDuplicates().find(items);
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(19_999, out.size());
        out.forEach(d -> assertEquals("c00777", d.duplicateOf()));
        assertTrue(s < 5, "identical hashes are one bucket entry, not 2e8 pairs: " + s + " s");
    }

    /**
     * 2000 random clips plus 600 planted copies 0..24 bits away (random positions): every copy
     * below 10 bits is found (the disjoint bands' pigeonhole), at least 99% of them overall (the
     * tables give 0.996 at 24 bits), no pair is invented, and a brute-force all-pairs check agrees.
     */
    @Test
    void lshFindsPlantedCopiesUpToTheThreshold() {
        SplittableRandom r = new SplittableRandom(8);
        List<Item> items = new ArrayList<>();
        List<long[]> originals = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            long[] h = random(r);
            originals.add(h);
            items.add(new Item(String.format("o%04d", i), h, null, 1.0));
        }
        int planted = 600, found = 0;
        int[] plantedAt = new int[25], foundAt = new int[25];
        Map<String, String> copyOf = new HashMap<>();
        Map<String, Integer> bitsOf = new HashMap<>();
        for (int k = 0; k < planted; k++) {
            int orig = k * 3, bits = k % 25;
            String id = String.format("p%04d", k);
            items.add(new Item(id, flipRandom(originals.get(orig), bits, 0, r), null, 0.5));
            copyOf.put(id, String.format("o%04d", orig));
            bitsOf.put(id, bits);
            plantedAt[bits]++;
        }
        List<Duplicate> out = new NearDuplicates().find(items);
        for (Duplicate d : out) {
            assertEquals(copyOf.get(d.clipId()), d.duplicateOf(), "only planted pairs: " + d);
            assertEquals((int) bitsOf.get(d.clipId()), d.distanceBits());
            found++;
            foundAt[d.distanceBits()]++;
        }
        for (int b = 0; b < 10; b++) assertEquals(plantedAt[b], foundAt[b], "every copy " + b + " bits away");
        double recall = found / (double) planted;
        System.out.printf("[dedup] recall of planted copies 0..24 bits: %.4f (%d/%d); at 24 bits %d/%d%n",
                recall, found, planted, foundAt[24], plantedAt[24]);
        assertTrue(recall >= 0.99, "recall " + recall);
        // All pairs, exactly: the closest unplanted pair is far above the loose bound, so nothing was missed there.
        int closest = 192;
        for (int i = 0; i < 2000; i++) {
            for (int j = i + 1; j < 2000; j++) {
                int d = 0;
                for (int k = 0; k < 3; k++) d += Long.bitCount(originals.get(i)[k] ^ originals.get(j)[k]);
                closest = Math.min(closest, d);
            }
        }
        assertTrue(closest > 48, "closest random pair " + closest);
    }

    @Test
    void theDocumentedCandidateProbabilities() {
        Params p = Params.DEFAULTS;
        assertEquals(10, p.bands());
        assertEquals(1.0, p.candidateProbability(9));
        assertTrue(p.candidateProbability(24) >= 0.995, "" + p.candidateProbability(24));
        assertEquals(0.85, p.candidateProbability(32), 0.01);
        assertEquals(0.47, p.candidateProbability(40), 0.01);
        assertEquals(0.18, p.candidateProbability(48), 0.01);
        assertTrue(p.candidateProbability(96) < 1e-4);
        assertThrows(IllegalArgumentException.class, () -> new Params(30, 20, 0.9, 100, 20));
        assertThrows(IllegalArgumentException.class, () -> new Params(24, 48, 0.9, 5, 20));
    }

    /** Throughput on the driver: prints the rate so that a regression shows; bounded loosely for slow CI machines. */
    @Test
    void twoHundredThousandClipsTakeSeconds() {
        SplittableRandom r = new SplittableRandom(9);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) items.add(new Item("c" + i, random(r), null, r.nextDouble()));
        long t0 = System.nanoTime();
        List<Duplicate> out = new NearDuplicates().find(items);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[dedup] 200000 random clips: %.2f s, %d duplicates%n", s, out.size());
        assertEquals(List.of(), out);
        assertTrue(s < 60, s + " s");
    }
}
