package dev.avcurate.trainerbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avcurate.trainerbridge.ShardFormat.IndexEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardReaderCorruptTest {
    @TempDir Path dir;

    static final TestShards.Spec VICTIM = TestShards.DEFAULT.get(4); // sft/8x16x5/part-0, 9 rows

    ReaderOptions.Builder options() {
        return ReaderOptions.builder().shardsDir(dir.toString()).batchSize(4).shuffle(true).shuffleWindow(8).prefetchShards(2);
    }

    String victimPath() {
        return "file:" + dir.resolve(VICTIM.path());
    }

    /** Reads under SKIP, capturing stderr; returns the clip ids read and the stderr text. */
    record Skipped(List<String> ids, String stderr, List<String> skippedShards) {}

    Skipped readSkipping(ReaderOptions o) throws IOException {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> ids = new ArrayList<>();
        List<String> skipped;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (ShardReader r = ShardReader.open(o)) {
            r.forEachRemaining(b -> b.samples().forEach(s -> ids.add(s.clipId())));
            skipped = r.skippedShards();
        } finally {
            System.setErr(old);
        }
        return new Skipped(ids, err.toString(StandardCharsets.UTF_8), skipped);
    }

    Set<String> allButVictim() {
        Set<String> s = new HashSet<>();
        for (TestShards.Spec spec : TestShards.DEFAULT) {
            if (!spec.equals(VICTIM)) IntStream.range(0, spec.rows()).forEach(r -> s.add(spec.clipId(r)));
        }
        return s;
    }

    void failsNaming(ReaderOptions o, String reasonPart) throws IOException {
        try (ShardReader r = ShardReader.open(o)) {
            CorruptShardException e = assertThrows(CorruptShardException.class, () -> { while (r.hasNext()) r.next(); });
            assertEquals(victimPath(), e.path());
            assertTrue(e.getMessage().contains(victimPath()), e.getMessage());
            assertTrue(e.reason().contains(reasonPart), e.reason());
            assertThrows(CorruptShardException.class, r::hasNext, "a failed reader stays failed");
        }
    }

    void skipsAndReports(ReaderOptions o, String reasonPart) throws IOException {
        Skipped s = readSkipping(o.toBuilder().onCorrupt(ReaderOptions.OnCorrupt.SKIP).build());
        assertEquals(allButVictim(), Set.copyOf(s.ids()));
        assertEquals(allButVictim().size(), s.ids().size());
        assertEquals(List.of(victimPath()), s.skippedShards());
        List<String> lines = s.stderr().lines().filter(l -> l.contains("[shard-reader]")).toList();
        assertEquals(1, lines.size(), s.stderr());
        assertTrue(lines.get(0).contains(victimPath()) && lines.get(0).contains(reasonPart), lines.get(0));
    }

    /** Changes one byte in the middle of the victim (same size); the index keeps the old sha256. */
    void alterVictim() throws IOException {
        Path f = dir.resolve(VICTIM.path());
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x5A;
        Files.write(f, b);
    }

    void rewriteVictimEntry(UnaryOperator<IndexEntry> change) throws IOException {
        List<IndexEntry> entries = new ArrayList<>();
        for (IndexEntry e : ShardFormat.readIndex(new org.apache.hadoop.fs.Path(dir.toUri()), TestShards.CONF)) {
            entries.add(e.path().equals(VICTIM.path()) ? change.apply(e) : e);
        }
        ShardFormat.writeIndex(new org.apache.hadoop.fs.Path(dir.toUri()), entries, TestShards.CONF);
    }

    @Test
    void alteredBytesFailTheChecksum() throws IOException {
        TestShards.write(dir, TestShards.DEFAULT);
        alterVictim();
        failsNaming(options().verifyChecksum(true).build(), "sha256");
        skipsAndReports(options().verifyChecksum(true).build(), "sha256");
        // Two passes over the corrupt shard (repeat 2.0): still reported once, both passes skipped.
        Skipped twice = readSkipping(options().verifyChecksum(true).split("sft", 2.0).onCorrupt(ReaderOptions.OnCorrupt.SKIP).build());
        assertEquals(1, twice.stderr().lines().filter(l -> l.contains("[shard-reader]")).count());
        assertEquals(2 * (16 - 9), twice.ids().size());
    }

    @Test
    void garbageThatMatchesItsIndexEntryIsUnreadable() throws IOException {
        TestShards.write(dir, TestShards.DEFAULT);
        Path f = dir.resolve(VICTIM.path());
        byte[] garbage = new byte[1000];
        for (int i = 0; i < garbage.length; i++) garbage[i] = (byte) (i * 7);
        Files.write(f, garbage);
        rewriteVictimEntry(e -> new IndexEntry(e.path(), e.split(), e.bucket(), e.rows(), garbage.length, TestShards.sha256(garbage)));
        failsNaming(options().verifyChecksum(true).build(), "unreadable");
        skipsAndReports(options().build(), "unreadable");
    }

    @Test
    void missingFileSizeAndRowCountMismatches() throws IOException {
        TestShards.write(dir, TestShards.DEFAULT);
        rewriteVictimEntry(e -> new IndexEntry(e.path(), e.split(), e.bucket(), e.rows() + 1, e.bytes(), e.sha256()));
        failsNaming(options().build(), "9 rows but the index says 10");
        skipsAndReports(options().build(), "9 rows but the index says 10");

        rewriteVictimEntry(e -> new IndexEntry(e.path(), e.split(), e.bucket(), e.rows() - 1, e.bytes() + 1, e.sha256()));
        failsNaming(options().build(), "but the index says " + (Files.size(dir.resolve(VICTIM.path())) + 1));

        Files.delete(dir.resolve(VICTIM.path()));
        failsNaming(options().build(), "missing");
        skipsAndReports(options().prefetchShards(0).build(), "missing");
    }

    @Test
    void otherConsumersAreNotAffected() throws IOException {
        TestShards.write(dir, TestShards.DEFAULT);
        alterVictim();
        // Without checksum verification and without the victim's split, nobody opens it.
        ReaderOptions o = options().verifyChecksum(true).split("pretrain", 1.0).build();
        try (ShardReader r = ShardReader.open(o)) {
            int n = 0;
            while (r.hasNext()) n += r.next().size();
            assertEquals(23, n);
        }
    }

    @Test
    void aResumedReaderOpensOnlyTheShardsItStillNeeds() throws IOException {
        TestShards.write(dir, TestShards.DEFAULT);
        // Without shuffle the first shard in path order is pretrain/16x8x3/part-0 (7 rows, all of bucket 16x8x3).
        Files.delete(dir.resolve(TestShards.DEFAULT.get(0).path()));
        ReaderOptions one = options().shuffle(false).batchSize(1).build();
        try (ShardReader r = ShardReader.open(one, new ReaderState(0, 0, 7))) {
            int n = 0;
            while (r.hasNext()) n += r.next().size();
            assertEquals(39 - 7, n);
        }
        // Batches of 4: after one batch, rows 4..6 of that shard wait in the buffer, so the resume must read it.
        ReaderOptions four = options().shuffle(false).batchSize(4).build();
        try (ShardReader r = ShardReader.open(four, new ReaderState(0, 0, 1))) {
            CorruptShardException e = assertThrows(CorruptShardException.class, r::hasNext);
            assertTrue(e.reason().contains("missing"), e.reason());
        }
        // After two batches (rows 0..7 of bucket 16x8x3 in path order), nothing of it is needed.
        try (ShardReader r = ShardReader.open(four, new ReaderState(0, 0, 2))) {
            int n = 0;
            while (r.hasNext()) n += r.next().size();
            assertEquals(39 - 8, n);
        }
    }
}
