package dev.avcurate.trainerbridge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;

/**
 * What one {@link ShardReader} reads and how: which part of the index, the epoch's order, which
 * consumer this is, and batching. Immutable; every consumer of a job builds the same options except
 * {@code rank} and {@code workerId}, which is what lets each of them compute the same epoch order
 * and take its own slice of it without talking to the others.
 *
 * <p>Defaults: every split of the index once, every bucket, seed 0, epoch 0, one consumer, no
 * shuffle (as MosaicML Streaming), shuffle window 1024 rows, 2 shards prefetched, no checksum
 * verification (it reads every file twice), {@link OnCorrupt#FAIL}. {@code shardsDir} and
 * {@code batchSize} have no default.
 */
public final class ReaderOptions {
    /** What a reader does with a shard it cannot trust (see {@link ShardReader}, rule 6). */
    public enum OnCorrupt {
        /** Throw {@link CorruptShardException}: training on a silently smaller epoch is worse than stopping. */
        FAIL,
        /** Report the shard on stderr and leave its samples out of this consumer's epoch. */
        SKIP
    }

    private final String shardsDir;
    private final Configuration hadoopConf;
    private final Map<String, Double> splits;
    private final Set<String> buckets;
    private final long seed;
    private final int epoch;
    private final int rank;
    private final int worldSize;
    private final int workerId;
    private final int numWorkers;
    private final int batchSize;
    private final boolean dropLast;
    private final boolean shuffle;
    private final int shuffleWindow;
    private final int prefetchShards;
    private final boolean verifyChecksum;
    private final OnCorrupt onCorrupt;

    private ReaderOptions(Builder b) {
        this.shardsDir = b.shardsDir;
        this.hadoopConf = new Configuration(b.hadoopConf);
        this.splits = Collections.unmodifiableMap(new LinkedHashMap<>(b.splits));
        this.buckets = Collections.unmodifiableSet(new TreeSet<>(b.buckets));
        this.seed = b.seed;
        this.epoch = b.epoch;
        this.rank = b.rank;
        this.worldSize = b.worldSize;
        this.workerId = b.workerId;
        this.numWorkers = b.numWorkers;
        this.batchSize = b.batchSize;
        this.dropLast = b.dropLast;
        this.shuffle = b.shuffle;
        this.shuffleWindow = b.shuffleWindow;
        this.prefetchShards = b.prefetchShards;
        this.verifyChecksum = b.verifyChecksum;
        this.onCorrupt = b.onCorrupt;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to derive others (another rank, the next epoch). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.shardsDir = shardsDir;
        b.hadoopConf = hadoopConf;
        b.splits.putAll(splits);
        b.buckets.addAll(buckets);
        b.seed = seed;
        b.epoch = epoch;
        b.rank = rank;
        b.worldSize = worldSize;
        b.workerId = workerId;
        b.numWorkers = numWorkers;
        b.batchSize = batchSize;
        b.dropLast = dropLast;
        b.shuffle = shuffle;
        b.shuffleWindow = shuffleWindow;
        b.prefetchShards = prefetchShards;
        b.verifyChecksum = verifyChecksum;
        b.onCorrupt = onCorrupt;
        return b;
    }

    /** The directory holding {@code index.tsv}, as a Hadoop file-system URI or path. */
    public String shardsDir() { return shardsDir; }

    /** A copy of the Hadoop configuration (file-system credentials and settings); the reader uses its own copy. */
    public Configuration hadoopConf() { return new Configuration(hadoopConf); }

    /** Split name to repeat factor, in the order given; empty means every split of the index at 1.0. */
    public Map<String, Double> splits() { return splits; }

    /** The buckets to read; empty means all. */
    public Set<String> buckets() { return buckets; }

    public long seed() { return seed; }

    public int epoch() { return epoch; }

    public int rank() { return rank; }

    public int worldSize() { return worldSize; }

    public int workerId() { return workerId; }

    public int numWorkers() { return numWorkers; }

    /** This reader's place among all consumers: {@code rank * numWorkers + workerId}. */
    public int consumerIndex() { return rank * numWorkers + workerId; }

    /** How many consumers share each epoch: {@code worldSize * numWorkers}. */
    public int consumers() { return worldSize * numWorkers; }

    public int batchSize() { return batchSize; }

    public boolean dropLast() { return dropLast; }

    public boolean shuffle() { return shuffle; }

    public int shuffleWindow() { return shuffleWindow; }

    public int prefetchShards() { return prefetchShards; }

    public boolean verifyChecksum() { return verifyChecksum; }

    public OnCorrupt onCorrupt() { return onCorrupt; }

    @Override
    public String toString() {
        return "ReaderOptions{shardsDir=" + shardsDir + ", splits=" + (splits.isEmpty() ? "all" : splits)
                + ", buckets=" + (buckets.isEmpty() ? "all" : buckets) + ", seed=" + seed + ", epoch=" + epoch
                + ", rank=" + rank + "/" + worldSize + ", worker=" + workerId + "/" + numWorkers
                + ", batchSize=" + batchSize + ", dropLast=" + dropLast + ", shuffle=" + shuffle
                + ", shuffleWindow=" + shuffleWindow + ", prefetchShards=" + prefetchShards
                + ", verifyChecksum=" + verifyChecksum + ", onCorrupt=" + onCorrupt + "}";
    }

    /** Collects options; {@link #build()} checks them all and says which one is wrong. */
    public static final class Builder {
        private String shardsDir;
        private Configuration hadoopConf = new Configuration();
        private final Map<String, Double> splits = new LinkedHashMap<>();
        private final Set<String> buckets = new TreeSet<>();
        private long seed;
        private int epoch;
        private int rank;
        private int worldSize = 1;
        private int workerId;
        private int numWorkers = 1;
        private int batchSize;
        private boolean dropLast;
        private boolean shuffle;
        private int shuffleWindow = 1024;
        private int prefetchShards = 2;
        private boolean verifyChecksum;
        private OnCorrupt onCorrupt = OnCorrupt.FAIL;

        private Builder() {}

        public Builder shardsDir(String shardsDir) { this.shardsDir = shardsDir; return this; }

        public Builder hadoopConf(Configuration conf) { this.hadoopConf = conf; return this; }

        /** Replaces the split selection: split name to repeat factor (0 or more; 2.0 = twice, 0.5 = half of its rows). */
        public Builder splits(Map<String, Double> splitRepeats) {
            this.splits.clear();
            if (splitRepeats != null) this.splits.putAll(splitRepeats);
            return this;
        }

        /** Adds one split with its repeat factor. */
        public Builder split(String split, double repeat) { this.splits.put(split, repeat); return this; }

        /** Replaces the bucket filter; empty or null means all buckets. */
        public Builder buckets(Set<String> buckets) {
            this.buckets.clear();
            if (buckets != null) this.buckets.addAll(buckets);
            return this;
        }

        /** Adds one bucket to the filter. */
        public Builder bucket(String bucket) { this.buckets.add(bucket); return this; }

        public Builder seed(long seed) { this.seed = seed; return this; }

        public Builder epoch(int epoch) { this.epoch = epoch; return this; }

        public Builder rank(int rank) { this.rank = rank; return this; }

        public Builder worldSize(int worldSize) { this.worldSize = worldSize; return this; }

        public Builder workerId(int workerId) { this.workerId = workerId; return this; }

        public Builder numWorkers(int numWorkers) { this.numWorkers = numWorkers; return this; }

        public Builder batchSize(int batchSize) { this.batchSize = batchSize; return this; }

        public Builder dropLast(boolean dropLast) { this.dropLast = dropLast; return this; }

        public Builder shuffle(boolean shuffle) { this.shuffle = shuffle; return this; }

        public Builder shuffleWindow(int rows) { this.shuffleWindow = rows; return this; }

        public Builder prefetchShards(int shards) { this.prefetchShards = shards; return this; }

        public Builder verifyChecksum(boolean verify) { this.verifyChecksum = verify; return this; }

        public Builder onCorrupt(OnCorrupt onCorrupt) { this.onCorrupt = onCorrupt; return this; }

        /** @throws IllegalArgumentException naming the first option that is missing or out of range */
        public ReaderOptions build() {
            require(shardsDir != null && !shardsDir.isBlank(), "shardsDir is required (the directory holding " + ShardFormat.INDEX + ")");
            require(hadoopConf != null, "hadoopConf must not be null (use new Configuration())");
            for (Map.Entry<String, Double> e : splits.entrySet()) {
                require(e.getKey() != null && !e.getKey().isBlank(), "split names must not be blank");
                Double r = e.getValue();
                require(r != null && Double.isFinite(r) && r >= 0,
                        "repeat factor of split '" + e.getKey() + "' must be a finite number >= 0, got " + r);
            }
            for (String b : buckets) {
                try {
                    ShardFormat.bucketDims(b);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("bucket filter: '" + b + "' is not a bucket name (WxHxF, e.g. 256x448x49)");
                }
            }
            require(epoch >= 0, "epoch must be >= 0, got " + epoch);
            require(worldSize >= 1, "worldSize must be >= 1, got " + worldSize);
            require(rank >= 0 && rank < worldSize, "rank must be in [0, worldSize=" + worldSize + "), got " + rank);
            require(numWorkers >= 1, "numWorkers must be >= 1, got " + numWorkers);
            require(workerId >= 0 && workerId < numWorkers, "workerId must be in [0, numWorkers=" + numWorkers + "), got " + workerId);
            require((long) worldSize * numWorkers <= Integer.MAX_VALUE, "worldSize * numWorkers is too large");
            require(batchSize >= 1, batchSize == 0 ? "batchSize is required (>= 1)" : "batchSize must be >= 1, got " + batchSize);
            require(shuffleWindow >= 1, "shuffleWindow must be >= 1 row, got " + shuffleWindow);
            require(prefetchShards >= 0, "prefetchShards must be >= 0 (0 reads in the caller's thread), got " + prefetchShards);
            require(onCorrupt != null, "onCorrupt must not be null (FAIL or SKIP)");
            return new ReaderOptions(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) throw new IllegalArgumentException(message);
        }
    }
}
