package dev.avcurate.trainerbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ShardReaderOptionsTest {
    static ReaderOptions.Builder valid() {
        return ReaderOptions.builder().shardsDir("/data/shards").batchSize(8);
    }

    static void rejects(UnaryOperator<ReaderOptions.Builder> change, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(valid()).build());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void defaultsAndDerivedValues() {
        ReaderOptions o = valid().worldSize(4).rank(2).numWorkers(3).workerId(1).build();
        assertEquals(7, o.consumerIndex());
        assertEquals(12, o.consumers());
        assertTrue(o.splits().isEmpty() && o.buckets().isEmpty());
        assertEquals(1024, o.shuffleWindow());
        assertEquals(2, o.prefetchShards());
        assertEquals(ReaderOptions.OnCorrupt.FAIL, o.onCorrupt());
        assertEquals(o.toString(), o.toBuilder().build().toString());
        assertThrows(UnsupportedOperationException.class, () -> o.splits().put("x", 1.0));
    }

    @Test
    void everyOptionIsChecked() {
        rejects(b -> b.shardsDir(null), "shardsDir is required");
        rejects(b -> b.batchSize(0), "batchSize is required");
        rejects(b -> b.batchSize(-2), "batchSize must be >= 1");
        rejects(b -> b.worldSize(0), "worldSize must be >= 1");
        rejects(b -> b.worldSize(2).rank(2), "rank must be in [0, worldSize=2)");
        rejects(b -> b.rank(-1), "rank must be in");
        rejects(b -> b.numWorkers(2).workerId(2), "workerId must be in [0, numWorkers=2)");
        rejects(b -> b.numWorkers(0), "numWorkers must be >= 1");
        rejects(b -> b.epoch(-1), "epoch must be >= 0");
        rejects(b -> b.shuffleWindow(0), "shuffleWindow must be >= 1");
        rejects(b -> b.prefetchShards(-1), "prefetchShards must be >= 0");
        rejects(b -> b.split("sft", -1), "repeat factor of split 'sft'");
        rejects(b -> b.splits(Map.of("sft", Double.NaN)), "repeat factor of split 'sft'");
        rejects(b -> b.bucket("256x448"), "'256x448' is not a bucket name");
        rejects(b -> b.onCorrupt(null), "onCorrupt");
        rejects(b -> b.hadoopConf(null), "hadoopConf");
    }
}
