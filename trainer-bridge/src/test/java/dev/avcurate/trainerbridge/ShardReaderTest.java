package dev.avcurate.trainerbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardReaderTest {
    @TempDir static Path dir;

    @BeforeAll
    static void writeShards() {
        TestShards.write(dir, TestShards.DEFAULT);
    }

    static ReaderOptions.Builder options() {
        return ReaderOptions.builder().shardsDir(dir.toString()).batchSize(4).shuffle(true).shuffleWindow(8).seed(7);
    }

    static List<Batch> readAll(ReaderOptions o) {
        try (ShardReader r = ShardReader.open(o)) {
            List<Batch> out = new ArrayList<>();
            r.forEachRemaining(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> ids(List<Batch> batches) {
        List<String> out = new ArrayList<>();
        for (Batch b : batches) for (Sample s : b.samples()) out.add(s.clipId());
        return out;
    }

    static Set<String> allIds(String split) {
        return TestShards.DEFAULT.stream().filter(s -> split == null || s.split().equals(split))
                .flatMap(s -> java.util.stream.IntStream.range(0, s.rows()).mapToObj(s::clipId)).collect(Collectors.toSet());
    }

    /** Clip id to times seen, over every consumer of a world. */
    static Map<String, Integer> countOverWorld(ReaderOptions.Builder base, int world, int workers, List<Integer> sliceSizes) {
        Map<String, Integer> seen = new HashMap<>();
        for (int rank = 0; rank < world; rank++) {
            for (int w = 0; w < workers; w++) {
                List<String> ids = ids(readAll(base.rank(rank).worldSize(world).workerId(w).numWorkers(workers).build()));
                sliceSizes.add(ids.size());
                for (String id : ids) seen.merge(id, 1, Integer::sum);
            }
        }
        return seen;
    }

    @Test
    void everySampleOncePerEpochWhateverTheWorld() {
        Set<String> all = allIds(null);
        assertEquals(39, all.size());
        for (int world = 1; world <= 4; world++) {
            for (int workers = 1; workers <= 2; workers++) {
                List<Integer> sizes = new ArrayList<>();
                Map<String, Integer> seen = countOverWorld(options(), world, workers, sizes);
                assertEquals(all, seen.keySet(), "world " + world + " x " + workers);
                assertTrue(seen.values().stream().allMatch(c -> c == 1), "no sample twice: world " + world + " x " + workers);
                int min = sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
                int max = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
                assertTrue(max - min <= 1, "slice sizes " + sizes);
            }
        }
    }

    @Test
    void repeatFactorsSetHowOftenEachSplitIsSeen() {
        for (int world = 1; world <= 4; world++) {
            for (int workers = 1; workers <= 2; workers++) {
                Map<String, Integer> seen = countOverWorld(options().split("pretrain", 2.0).split("sft", 0.5), world, workers, new ArrayList<>());
                for (String id : allIds("pretrain")) assertEquals(2, seen.get(id), id);
                Map<String, Integer> sft = new TreeMap<>(seen);
                sft.keySet().retainAll(allIds("sft"));
                assertEquals(8, sft.size(), "round(0.5 x 16) sft clips");
                assertTrue(sft.values().stream().allMatch(c -> c == 1));
                assertEquals(46 + 8, seen.values().stream().mapToInt(Integer::intValue).sum());
            }
        }
        // 1.5 x 23 = 34.5 -> 35: every clip once, 12 of them twice; 0.25 x 16 = 4.
        Map<String, Integer> seen = countOverWorld(options().split("pretrain", 1.5).split("sft", 0.25), 3, 2, new ArrayList<>());
        Map<String, Integer> pre = new TreeMap<>(seen);
        pre.keySet().retainAll(allIds("pretrain"));
        assertEquals(allIds("pretrain"), pre.keySet());
        assertEquals(12, pre.values().stream().filter(c -> c == 2).count());
        assertEquals(35, pre.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(4, seen.size() - pre.size());
    }

    @Test
    void batchesNeverMixBucketsAndAreFullExceptEachBucketsLast() {
        for (int world = 1; world <= 3; world++) {
            for (int rank = 0; rank < world; rank++) {
                List<Batch> batches = readAll(options().worldSize(world).rank(rank).build());
                Map<String, List<Integer>> sizes = new TreeMap<>();
                for (Batch b : batches) {
                    for (Sample s : b.samples()) assertEquals(b.bucket(), s.bucket());
                    sizes.computeIfAbsent(b.bucket(), k -> new ArrayList<>()).add(b.size());
                }
                for (List<Integer> s : sizes.values()) {
                    for (int i = 0; i < s.size() - 1; i++) assertEquals(4, s.get(i), "only a bucket's last batch is partial: " + sizes);
                    assertTrue(s.get(s.size() - 1) >= 1 && s.get(s.size() - 1) <= 4);
                }
                // The partial batches come last, in bucket-name order.
                List<String> tail = new ArrayList<>();
                for (Batch b : batches) if (b.size() < 4) tail.add(b.bucket());
                assertEquals(tail.stream().sorted().toList(), tail);
                List<Batch> dropped = readAll(options().worldSize(world).rank(rank).dropLast(true).build());
                assertTrue(dropped.stream().allMatch(b -> b.size() == 4));
                assertEquals(batches.stream().filter(b -> b.size() == 4).count(), dropped.size());
            }
        }
    }

    @Test
    void sameSeedAndEpochSameOrderOtherEpochOrSeedAnother() {
        List<String> a = ids(readAll(options().epoch(3).build()));
        assertEquals(a, ids(readAll(options().epoch(3).build())));
        assertEquals(a, ids(readAll(options().epoch(3).prefetchShards(0).build())), "prefetch does not change the order");
        assertEquals(a, ids(readAll(options().epoch(3).prefetchShards(5).build())));
        assertNotEquals(a, ids(readAll(options().epoch(4).build())));
        assertNotEquals(a, ids(readAll(options().epoch(3).seed(8).build())));
        assertEquals(Set.copyOf(a), Set.copyOf(ids(readAll(options().epoch(4).build()))));
    }

    @Test
    void withoutShuffleShardsInPathOrderRowsInFileOrder() {
        List<String> a = ids(readAll(options().shuffle(false).batchSize(1).build()));
        List<String> expected = new ArrayList<>();
        TestShards.DEFAULT.stream().sorted((x, y) -> x.path().compareTo(y.path()))
                .forEach(s -> { for (int r = 0; r < s.rows(); r++) expected.add(s.clipId(r)); });
        assertEquals(expected, a);
        assertEquals(a, ids(readAll(options().shuffle(false).batchSize(1).epoch(9).build())));
    }

    @Test
    void bucketAndSplitFilters() {
        List<Batch> b = readAll(options().bucket("8x16x5").build());
        assertTrue(b.stream().allMatch(x -> x.bucket().equals("8x16x5")));
        assertEquals(5 + 9 + 4, ids(b).size());
        List<Batch> s = readAll(options().split("sft", 1.0).build());
        assertEquals(allIds("sft"), Set.copyOf(ids(s)));
        assertEquals(16, ids(s).size());
        List<Batch> both = readAll(options().split("sft", 1.0).bucket("16x8x3").build());
        assertEquals(3, ids(both).size());
        assertTrue(ids(both).stream().allMatch(id -> id.startsWith("sft-16x8x3-")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardReader.open(options().split("eval", 1.0).build()));
        assertTrue(e.getMessage().contains("'eval'") && e.getMessage().contains("[pretrain, sft]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ShardReader.open(options().bucket("1x2x3").build()));
        assertTrue(e.getMessage().contains("'1x2x3'"), e.getMessage());
    }

    @Test
    void decodedSamplesRoundTrip() {
        Map<String, Sample> byId = new HashMap<>();
        for (Batch b : readAll(options().build())) for (Sample s : b.samples()) byId.put(s.clipId(), s);
        assertEquals(39, byId.size());
        for (TestShards.Spec spec : TestShards.DEFAULT) {
            for (int r = 0; r < spec.rows(); r++) {
                String id = spec.clipId(r);
                Sample s = byId.get(id);
                int[] dims = ShardFormat.bucketDims(spec.bucket());
                assertEquals(spec.split(), s.split());
                assertEquals(spec.bucket(), s.bucket());
                assertEquals(dims[0], s.width());
                assertEquals(dims[1], s.height());
                assertEquals(dims[2], s.numFrames());
                assertEquals(25.0, s.fps());
                assertEquals(dims[2], s.frames().size());
                for (int i = 0; i < dims[2]; i++) assertArrayEquals(TestShards.frame(id, i), s.frames().get(i));
                assertArrayEquals(TestShards.frame(id, -1), s.referenceFrame());
                assertArrayEquals(TestShards.audio(id), s.audio());
                assertEquals(Short.MIN_VALUE, s.audio()[0]);
                assertEquals(16000, s.audioRate());
                assertEquals(0.04, s.audioShiftS());
                if (r % 2 == 0) {
                    assertEquals(TestShards.caption(id), s.caption());
                    assertEquals("test-vlm", s.captionEstimator());
                } else {
                    assertNull(s.caption());
                    assertNull(s.captionEstimator());
                }
                if (r % 3 == 0) assertArrayEquals(TestShards.embedding(id), s.captionEmbedding());
                else assertNull(s.captionEmbedding());
                assertEquals(TestShards.scores(id), s.scores());
                assertTrue(s.scores().containsKey("ocr_area") && s.scores().get("ocr_area") == null);
                assertEquals("video-" + spec.part(), s.videoId());
                assertEquals("file:/videos/" + id + ".mp4", s.uri());
                assertEquals(r * 10.0, s.startS());
                assertEquals(r * 10.0 + 5, s.endS());
                assertEquals(r * 10.0 + 0.02, s.framesStartS());
            }
        }
    }

    @Test
    void plannedBatchesMatchWhatIsRead() throws IOException {
        for (int world = 1; world <= 4; world++) {
            for (int rank = 0; rank < world; rank++) {
                for (boolean dropLast : new boolean[] {false, true}) {
                    ReaderOptions o = options().worldSize(world).rank(rank).dropLast(dropLast).split("pretrain", 1.5).split("sft", 1.0).build();
                    try (ShardReader r = ShardReader.open(o)) {
                        long n = 0;
                        while (r.hasNext()) {
                            r.next();
                            n++;
                        }
                        assertEquals(r.plannedBatches(), n);
                        assertEquals(n, r.state().batchesEmitted());
                        assertFalse(r.hasNext());
                    }
                }
            }
        }
    }

    @Test
    void aConsumerWithNothingToReadEndsAtOnce() throws IOException {
        // 3 samples over 8 consumers: consumer 0 gets [0*3/8, 1*3/8) = nothing.
        ReaderOptions o = options().split("sft", 1.0).bucket("16x8x3").worldSize(4).numWorkers(2).rank(0).workerId(0).build();
        try (ShardReader r = ShardReader.open(o)) {
            assertFalse(r.hasNext());
            assertEquals(0, r.plannedBatches());
        }
    }

    @Test
    void closedReaderRefusesToIterate() throws IOException {
        ShardReader r = ShardReader.open(options().build());
        assertTrue(r.hasNext());
        r.next();
        r.close();
        r.close();
        assertThrows(IllegalStateException.class, r::hasNext);
    }
}
