package dev.avcurate.shards.dedup;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.scoring.PerceptualHash;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Spark version of near-duplicate removal gives the driver version's answer, row for row, on
 * clips with planted duplicates of every kind: identical copies (a mass re-upload), re-encodes a
 * few bits away, chains, loose pairs that only their VLM captions join, look-alikes whose captions
 * differ, clips without quality.
 */
class SparkNearDuplicatesTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("dedup-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static long[] flip(long[] h, int bits, SplittableRandom r) {
        long[] c = h.clone();
        java.util.Set<Integer> done = new java.util.HashSet<>();
        while (done.size() < bits) {
            int p = r.nextInt(NearDuplicates.BITS);
            if (done.add(p)) c[p >>> 6] ^= 1L << (p & 63);
        }
        return c;
    }

    static float[] unit(SplittableRandom r, int dim) {
        float[] e = new float[dim];
        double n = 0;
        for (int i = 0; i < dim; i++) {
            e[i] = (float) (r.nextDouble() - 0.5);
            n += e[i] * e[i];
        }
        for (int i = 0; i < dim; i++) e[i] /= (float) Math.sqrt(n);
        return e;
    }

    static float[] near(float[] e, SplittableRandom r, double noise) {
        float[] c = e.clone();
        for (int i = 0; i < c.length; i++) c[i] += (float) ((r.nextDouble() - 0.5) * noise);
        return c;
    }

    @Test
    void sameDuplicatesAsTheDriverVersion() {
        SplittableRandom r = new SplittableRandom(7);
        List<NearDuplicates.Item> items = new ArrayList<>();
        int id = 0;
        for (int c = 0; c < 400; c++) {
            long[] h = {r.nextLong(), r.nextLong(), r.nextLong()};
            float[] e = unit(r, 16);
            double q = c % 17 == 0 ? Double.NaN : r.nextDouble() * 100;
            items.add(new NearDuplicates.Item(String.format("c%05d", id++), h, c % 3 == 0 ? e : null, q));
            switch (c % 8) {
                case 0 -> { // identical copies
                    for (int k = 0; k < 3; k++) items.add(new NearDuplicates.Item(String.format("c%05d", id++), h.clone(), null, r.nextDouble() * 100));
                }
                case 1 -> items.add(new NearDuplicates.Item(String.format("c%05d", id++), flip(h, 1 + r.nextInt(12), r), null, r.nextDouble() * 100));
                case 2 -> { // a chain: each step within the threshold, the ends possibly not
                    long[] x = h;
                    for (int k = 0; k < 3; k++) {
                        x = flip(x, 18 + r.nextInt(6), r);
                        items.add(new NearDuplicates.Item(String.format("c%05d", id++), x, null, r.nextDouble() * 100));
                    }
                }
                case 3 -> { // loose pair joined by near-identical captions, and one whose caption differs
                    float[] e3 = unit(r, 16);
                    items.set(items.size() - 1, new NearDuplicates.Item(items.get(items.size() - 1).clipId(), h, e3, q));
                    items.add(new NearDuplicates.Item(String.format("c%05d", id++), flip(h, 28 + r.nextInt(8), r), near(e3, r, 0.01), r.nextDouble() * 100));
                    items.add(new NearDuplicates.Item(String.format("c%05d", id++), flip(h, 28 + r.nextInt(8), r), unit(r, 16), r.nextDouble() * 100));
                }
                case 4 -> items.add(new NearDuplicates.Item(String.format("c%05d", id++), flip(h, 30, r), null, r.nextDouble() * 100));
                default -> { }
            }
        }
        items.add(new NearDuplicates.Item("nohash", null, null, 1));
        NearDuplicates.Params p = NearDuplicates.Params.DEFAULTS;
        TreeMap<String, String> expected = new TreeMap<>();
        for (NearDuplicates.Duplicate d : new NearDuplicates(p).find(items)) {
            expected.put(d.clipId(), d.duplicateOf() + " " + d.distanceBits() + " " + d.evidence() + " " + fmt(d.cosine()));
        }
        StructType schema = new StructType().add("clip_id", DataTypes.StringType).add("key_frame_phash", DataTypes.StringType)
                .add("quality", DataTypes.DoubleType).add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
        List<Row> rows = new ArrayList<>();
        for (NearDuplicates.Item it : items) {
            List<Float> e = null;
            if (it.captionEmbedding() != null) {
                e = new ArrayList<>();
                for (float f : it.captionEmbedding()) e.add(f);
            }
            // Quality NaN and null must both sort last.
            Double q = Double.isNaN(it.quality()) && it.clipId().hashCode() % 2 == 0 ? null : it.quality();
            rows.add(RowFactory.create(it.clipId(), it.keyFrameHashes() == null ? null : PerceptualHash.format(it.keyFrameHashes()), q, e));
        }
        SparkNearDuplicates s = new SparkNearDuplicates(p);
        TreeMap<String, String> actual = new TreeMap<>();
        for (Row x : s.find(spark, spark.createDataFrame(rows, schema).repartition(3)).collectAsList()) {
            assertNull(actual.put(x.getString(0), x.getString(1) + " " + x.getInt(2) + " " + x.getString(4) + " " + fmt(x.getDouble(3))),
                    "one row per duplicate");
        }
        assertTrue(expected.size() > 300, "the planted duplicates are found: " + expected.size());
        assertTrue(expected.values().stream().anyMatch(v -> v.contains(NearDuplicates.PHASH_CAPTION)), "caption evidence planted");
        assertEquals(expected, actual);
        assertTrue(s.stats().rounds() >= 2, "components need more than one round for chains");
    }

    static String fmt(double d) {
        return Double.isNaN(d) ? "NaN" : String.format(java.util.Locale.ROOT, "%.5f", d);
    }
}
