package dev.avcurate.trainerbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardReaderResumeTest {
    @TempDir static Path dir;

    @BeforeAll
    static void writeShards() {
        TestShards.write(dir, TestShards.DEFAULT);
    }

    /** A batch as comparable text: bucket and clip ids. */
    static List<String> describe(List<Batch> batches) {
        List<String> out = new ArrayList<>();
        for (Batch b : batches) out.add(b.bucket() + ":" + b.samples().stream().map(Sample::clipId).toList());
        return out;
    }

    static List<Batch> rest(ShardReader r) {
        List<Batch> out = new ArrayList<>();
        r.forEachRemaining(out::add);
        return out;
    }

    /** Stops after every k and resumes from the state's text form: the batches after k equal the uninterrupted ones. */
    void resumesExactly(ReaderOptions o) throws IOException {
        List<String> full;
        try (ShardReader r = ShardReader.open(o)) {
            full = describe(rest(r));
        }
        assertTrue(full.size() >= 3, "enough batches to test: " + full);
        for (int k = 0; k <= full.size(); k++) {
            String checkpoint;
            try (ShardReader r = ShardReader.open(o)) {
                for (int i = 0; i < k; i++) r.next();
                checkpoint = r.state().toString();
            }
            ReaderState state = ReaderState.parse(checkpoint);
            assertEquals(k, state.batchesEmitted());
            try (ShardReader resumed = ShardReader.open(o, state)) {
                assertEquals(full.subList(k, full.size()), describe(rest(resumed)), "resume after " + k + " of " + full.size() + " batches, " + o);
                assertEquals(full.size(), resumed.state().batchesEmitted());
            }
        }
    }

    @Test
    void resumeAfterAnyBatchCountEqualsUninterrupted() throws IOException {
        ReaderOptions.Builder b = ReaderOptions.builder().shardsDir(dir.toString()).batchSize(3).shuffle(true).shuffleWindow(8).seed(11).epoch(2);
        resumesExactly(b.build());
        resumesExactly(b.worldSize(2).rank(1).build());
        resumesExactly(b.worldSize(3).rank(0).numWorkers(2).workerId(1).batchSize(2).build());
        resumesExactly(b.worldSize(1).rank(0).numWorkers(1).workerId(0).batchSize(4).dropLast(true).build());
        resumesExactly(b.dropLast(false).split("pretrain", 2.0).split("sft", 0.5).prefetchShards(0).build());
        resumesExactly(b.shuffle(false).batchSize(5).build());
    }

    @Test
    void resumeTakesTheEpochFromTheStateAndRefusesAnotherSeed() throws IOException {
        ReaderOptions o = ReaderOptions.builder().shardsDir(dir.toString()).batchSize(4).shuffle(true).seed(5).epoch(0).build();
        List<String> epoch1;
        try (ShardReader r = ShardReader.open(o.toBuilder().epoch(1).build())) {
            epoch1 = describe(rest(r));
        }
        try (ShardReader r = ShardReader.open(o, new ReaderState(5, 1, 2))) {
            assertEquals(epoch1.subList(2, epoch1.size()), describe(rest(r)));
            assertEquals(new ReaderState(5, 1, epoch1.size()), r.state());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardReader.open(o, new ReaderState(6, 0, 1)));
        assertTrue(e.getMessage().contains("seed 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ShardReader.open(o, new ReaderState(5, 0, 1000)));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void stateTextRoundTrips() {
        ReaderState s = new ReaderState(-42, 3, 17);
        assertEquals("seed=-42,epoch=3,batchesEmitted=17", s.toString());
        assertEquals(s, ReaderState.parse(s.toString()));
        assertEquals(s, ReaderState.parse(" " + s + "\n"));
        assertThrows(IllegalArgumentException.class, () -> ReaderState.parse("seed=1,epoch=2"));
        assertThrows(IllegalArgumentException.class, () -> ReaderState.parse("seed=1,epoch=-2,batchesEmitted=0"));
        assertThrows(IllegalArgumentException.class, () -> new ReaderState(1, 0, -1));
    }
}
