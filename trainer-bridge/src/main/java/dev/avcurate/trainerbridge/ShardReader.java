package dev.avcurate.trainerbridge;

import dev.avcurate.trainerbridge.EpochPlan.ShardPass;
import dev.avcurate.trainerbridge.EpochPlan.Slice;
import dev.avcurate.trainerbridge.ShardFormat.IndexEntry;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Streams one consumer's share of an epoch of training shards as batches, the way MosaicML
 * Streaming, WebDataset or Petastorm feed a PyTorch trainer, for trainers on the JVM and without
 * Spark. Every rank and loader worker of a job opens its own reader with the same options except
 * {@code rank} and {@code workerId}; they never talk to each other, because everything that must
 * agree between them is computed from {@code index.tsv} alone.
 *
 * <p>The contract trainers rely on:
 * <ol>
 *   <li><b>Epoch order</b>, from the index alone (no file is read to compute it): the shards of the
 *       selected splits and buckets, sorted by path; split {@code s} with repeat factor {@code r}
 *       and {@code N} rows contributes {@code round(r * N)} samples: each of its shards is read in
 *       {@code floor(r)} whole passes, and the remaining {@code round(r * N) - floor(r) * N} rows are
 *       picked without replacement among the split's rows, by (seed, epoch, split), and read in one
 *       more pass of each shard they fall in. With {@code shuffle}, the passes are shuffled by (seed,
 *       epoch), rows keep their file order inside a pass, and the resulting global sequence is cut
 *       into windows of {@code shuffleWindow} positions, each permuted by (seed, epoch, window).
 *       Without {@code shuffle}, passes follow path order (all first passes, then second passes,
 *       then fractional ones). The same index, options, seed and epoch always give the same order,
 *       whatever the JDK; another epoch gives another order.</li>
 *   <li><b>Partitioning</b>: the global sequence of {@code T} samples is cut into
 *       {@code C = worldSize * numWorkers} contiguous slices; consumer {@code c = rank * numWorkers
 *       + workerId} gets positions {@code [c*T/C, (c+1)*T/C)}, so the slices differ in size by at
 *       most one, together cover every sample exactly once, and a consumer opens only the shards
 *       its slice touches.</li>
 *   <li><b>Batches</b> never mix buckets: each sample, in slice order, goes to its bucket's buffer,
 *       and a full buffer ({@code batchSize}) becomes a batch. At the end of the slice the partial
 *       buffers become batches in bucket-name order, or are dropped with {@code dropLast}.</li>
 *   <li><b>Resume</b>: {@link #state()} is (seed, epoch, batches handed out). {@link #open(ReaderOptions,
 *       ReaderState)} replays the slice from the index (every sample's bucket is its shard's), finds
 *       which samples were consumed and which were waiting in bucket buffers at that point, and
 *       reads only the shards holding those waiting samples and the rest of the slice. A reader
 *       stopped after {@code k} batches and resumed with the same options yields exactly the
 *       batches an uninterrupted reader yields after its {@code k}-th, including mid-buffer and
 *       during the final partial batches. The options must equal the original ones except
 *       {@code epoch}, which is taken from the state.</li>
 *   <li><b>Prefetch</b>: {@code prefetchShards} daemon threads, owned by this reader and stopped by
 *       {@link #close()}, read ahead the next shards the slice needs, in the order it first needs
 *       them; at most {@code prefetchShards} shards are loaded ahead of the consumer. Only the rows
 *       the slice needs are kept, and each is released once handed out. Memory is therefore bounded
 *       by the shards being read ahead plus the unconsumed rows of the shards whose rows the
 *       current shuffle window interleaves (about {@code shuffleWindow} rows), plus the bucket
 *       buffers. With {@code prefetchShards = 0} the consumer's thread reads each shard when
 *       needed.</li>
 *   <li><b>Corrupt shards</b>: a missing file, a size or (with {@code verifyChecksum}) a sha256
 *       different from the index entry, a file Parquet cannot read, a row count different from the
 *       index, or a row of another split or bucket than the index says. With
 *       {@link ReaderOptions.OnCorrupt#FAIL}, {@link #hasNext()}/{@link #next()} throw
 *       {@link CorruptShardException} naming the full path and the reason when the slice reaches
 *       that shard. With {@link ReaderOptions.OnCorrupt#SKIP}, one line on stderr names the path and
 *       reason, and the shard's samples are left out of this consumer's epoch, which is then
 *       shorter than {@link #plannedBatches()} and its batches shift: a state taken after a skip
 *       resumes exactly only if the shard is still skipped, and other consumers that share the
 *       shard decide for themselves.</li>
 * </ol>
 *
 * <p>Not thread-safe: one thread iterates a reader. The reader owns its prefetch threads and the
 * shards they hold; whoever opened it closes it (try-with-resources), which stops the threads and
 * drops whatever was read ahead. Batches already handed out stay valid after close.
 */
public final class ShardReader implements Iterator<Batch>, AutoCloseable {
    private static final AtomicInteger READERS = new AtomicInteger();

    private final ReaderOptions options;
    private final long seed;
    private final int epoch;
    private final Path shardsDir;
    private final Configuration conf;
    private final List<ShardPass> passes;
    private final Slice slice;
    private final long plannedBatches;

    /** Bucket names in flush order, and each pass's bucket as an index into it. */
    private final String[] bucketNames;
    private final int[] bucketOfPass;

    /** Slice positions still to be processed, ascending: the restored buffer contents, then the rest. */
    private final int[] stream;
    private int streamPos;
    /** Passes in the order the stream first needs them, with the rows it needs of each and its last use. */
    private final int[] loadOrder;
    private final int[][] rowsNeeded;
    private final int[] lastUse;
    private final ShardLoader.Loaded[] loaded;
    private final boolean[] skippedPass;
    private int nextTake;
    private int nextSubmit;

    private final ExecutorService prefetch;
    private final ArrayDeque<Future<ShardLoader.Loaded>> inFlight = new ArrayDeque<>();
    /** Failed loads by index path, so that a later pass over a corrupt shard does not read it again. */
    private final Map<String, ShardLoader.Loaded> corruptShards = new ConcurrentHashMap<>();
    private final Set<String> reported = new LinkedHashSet<>();

    private final List<List<Sample>> buffers = new ArrayList<>();
    private final ArrayDeque<Batch> ready = new ArrayDeque<>();
    private boolean flushed;
    private Batch next;
    private long batchesEmitted;
    private RuntimeException failure;
    private boolean closed;

    private ShardReader(ReaderOptions options, ReaderState state, Path shardsDir, Configuration conf, EpochPlan plan) {
        this.options = options;
        this.seed = state.seed();
        this.epoch = state.epoch();
        this.shardsDir = shardsDir;
        this.conf = conf;
        this.passes = plan.passes;
        this.slice = plan.slice(options.consumerIndex(), options.consumers());

        TreeSet<String> names = new TreeSet<>();
        for (ShardPass p : passes) names.add(p.shard().bucket());
        this.bucketNames = names.toArray(new String[0]);
        this.bucketOfPass = new int[passes.size()];
        for (int i = 0; i < passes.size(); i++) bucketOfPass[i] = Arrays.binarySearch(bucketNames, passes.get(i).shard().bucket());
        for (int b = 0; b < bucketNames.length; b++) buffers.add(new ArrayList<>(options.batchSize()));

        Replay replay = replay(state.batchesEmitted());
        this.plannedBatches = replay.totalBatches;
        this.batchesEmitted = state.batchesEmitted();
        this.stream = replay.stream;

        // Which passes the stream needs, in order of first use, and which of their rows.
        int n = passes.size();
        int[] count = new int[n];
        this.lastUse = new int[n];
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < stream.length; s++) {
            int p = slice.passOf()[stream[s]];
            if (count[p]++ == 0) order.add(p);
            lastUse[p] = s;
        }
        this.loadOrder = order.stream().mapToInt(Integer::intValue).toArray();
        this.rowsNeeded = new int[n][];
        for (int p : loadOrder) rowsNeeded[p] = new int[count[p]];
        int[] fill = new int[n];
        for (int j : stream) {
            int p = slice.passOf()[j];
            rowsNeeded[p][fill[p]++] = slice.rowOf()[j];
        }
        for (int p : loadOrder) Arrays.sort(rowsNeeded[p]);
        this.loaded = new ShardLoader.Loaded[n];
        this.skippedPass = new boolean[n];

        if (options.prefetchShards() > 0 && loadOrder.length > 0) {
            int id = READERS.incrementAndGet();
            AtomicInteger thread = new AtomicInteger();
            this.prefetch = Executors.newFixedThreadPool(Math.min(options.prefetchShards(), loadOrder.length), r -> {
                Thread t = new Thread(r, "shard-reader-" + id + "-prefetch-" + thread.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            topUp();
        } else {
            this.prefetch = null;
        }
    }

    /** Opens the start of {@code options.epoch()}. */
    public static ShardReader open(ReaderOptions options) throws IOException {
        return open(options, ReaderState.start(options.seed(), options.epoch()));
    }

    /**
     * Opens where {@code state} left off; {@code options} must be the ones the state was taken under,
     * except that the epoch is the state's.
     *
     * @throws IOException when the index cannot be read
     * @throws IllegalArgumentException when the state's seed differs from the options', when it
     *     counts more batches than this consumer's epoch has, or when a selected split or bucket is
     *     not in the index
     */
    public static ShardReader open(ReaderOptions options, ReaderState state) throws IOException {
        if (state.seed() != options.seed()) {
            throw new IllegalArgumentException("the reader state was taken with seed " + state.seed()
                    + " but the options have seed " + options.seed() + "; resume with the options it was taken under");
        }
        Path dir = new Path(options.shardsDir());
        Configuration conf = options.hadoopConf();
        List<IndexEntry> index = ShardFormat.readIndex(dir, conf);
        String where = new Path(dir, ShardFormat.INDEX).toString();

        Set<String> splitsInIndex = new TreeSet<>();
        Set<String> bucketsInIndex = new TreeSet<>();
        Set<String> paths = new HashSet<>();
        for (IndexEntry e : index) {
            splitsInIndex.add(e.split());
            bucketsInIndex.add(e.bucket());
            if (!paths.add(e.path())) throw new IOException(where + " lists " + e.path() + " twice");
            if (e.rows() < 0) throw new IOException(where + ": negative row count for " + e.path());
        }
        Map<String, Double> repeats = new LinkedHashMap<>();
        if (options.splits().isEmpty()) {
            for (String s : splitsInIndex) repeats.put(s, 1.0);
        } else {
            for (Map.Entry<String, Double> e : options.splits().entrySet()) {
                if (!splitsInIndex.contains(e.getKey())) {
                    throw new IllegalArgumentException("split '" + e.getKey() + "' is not in " + where + " (it lists " + splitsInIndex + ")");
                }
                repeats.put(e.getKey(), e.getValue());
            }
        }
        for (String b : options.buckets()) {
            if (!bucketsInIndex.contains(b)) {
                throw new IllegalArgumentException("bucket '" + b + "' is not in " + where + " (it lists " + bucketsInIndex + ")");
            }
        }
        List<IndexEntry> selected = new ArrayList<>();
        for (IndexEntry e : index) {
            if (repeats.containsKey(e.split()) && (options.buckets().isEmpty() || options.buckets().contains(e.bucket()))) selected.add(e);
        }
        EpochPlan plan = EpochPlan.of(selected, repeats, options.seed(), state.epoch(), options.shuffle(), options.shuffleWindow());
        return new ShardReader(options, state, dir, conf, plan);
    }

    /** Where this reader stands, for a checkpoint: batches handed out so far by {@link #next()} in this epoch. */
    public ReaderState state() {
        return new ReaderState(seed, epoch, batchesEmitted);
    }

    /** Batches this consumer's epoch has when no shard is skipped (the count a trainer's progress bar wants). */
    public long plannedBatches() {
        return plannedBatches;
    }

    /** Full paths of the shards skipped so far under {@link ReaderOptions.OnCorrupt#SKIP}, in the order met. */
    public List<String> skippedShards() {
        return List.copyOf(reported);
    }

    /** The options this reader was opened with. */
    public ReaderOptions options() {
        return options;
    }

    /**
     * May block while the shards the next batch needs are read.
     *
     * @throws CorruptShardException under {@link ReaderOptions.OnCorrupt#FAIL} when the next batch
     *     needs a corrupt shard (and again on every later call: the reader cannot go on)
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public boolean hasNext() {
        if (closed) throw new IllegalStateException("the shard reader is closed");
        if (failure != null) throw failure;
        if (next == null) {
            try {
                next = advance();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return next != null;
    }

    @Override
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException("end of epoch " + epoch + " for consumer " + options.consumerIndex());
        Batch b = next;
        next = null;
        batchesEmitted++;
        return b;
    }

    /**
     * Stops the prefetch threads (interrupting their reads, and waiting up to 10 s for them to end,
     * so that no thread of this reader touches the shards after it returns) and drops what they
     * read ahead. Batches already returned stay valid.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (prefetch != null) {
            prefetch.shutdownNow();
            try {
                prefetch.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        inFlight.clear();
        Arrays.fill(loaded, null);
        ready.clear();
        next = null;
    }

    /** The next batch, or null at the end of the slice. */
    private Batch advance() {
        while (ready.isEmpty()) {
            if (streamPos < stream.length) {
                int j = stream[streamPos];
                int p = slice.passOf()[j];
                if (loaded[p] == null && !skippedPass[p]) {
                    ShardLoader.Loaded l = take(p);
                    if (l == null) skippedPass[p] = true;
                    else loaded[p] = l;
                }
                Sample s = skippedPass[p] ? null : loaded[p].take(slice.rowOf()[j]);
                if (lastUse[p] == streamPos) loaded[p] = null;
                streamPos++;
                if (s != null) {
                    int b = bucketOfPass[p];
                    List<Sample> buf = buffers.get(b);
                    buf.add(s);
                    if (buf.size() == options.batchSize()) {
                        ready.add(new Batch(bucketNames[b], buf));
                        buffers.set(b, new ArrayList<>(options.batchSize()));
                    }
                }
            } else if (!flushed) {
                flushed = true;
                for (int b = 0; b < bucketNames.length; b++) {
                    List<Sample> buf = buffers.get(b);
                    if (!buf.isEmpty() && !options.dropLast()) ready.add(new Batch(bucketNames[b], buf));
                    buffers.set(b, new ArrayList<>());
                }
            } else {
                return null;
            }
        }
        return ready.poll();
    }

    /** The loaded rows of pass {@code p}, the next in load order; null when its shard is skipped. */
    private ShardLoader.Loaded take(int p) {
        if (loadOrder[nextTake] != p) throw new IllegalStateException("load order broken: pass " + p + " before " + loadOrder[nextTake]);
        nextTake++;
        ShardLoader.Loaded l;
        if (prefetch == null) {
            l = load(p);
        } else {
            Future<ShardLoader.Loaded> f = inFlight.poll();
            topUp();
            try {
                l = f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for shard " + passes.get(p).shard().path(), e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) throw r;
                if (c instanceof Error err) throw err;
                throw new IllegalStateException(c);
            }
        }
        if (!l.failed()) return l;
        if (options.onCorrupt() == ReaderOptions.OnCorrupt.FAIL) throw new CorruptShardException(l.path(), l.failure(), l.cause());
        if (reported.add(l.path())) System.err.println("[shard-reader] skipping corrupt shard " + l.path() + ": " + l.failure());
        return null;
    }

    /** Keeps {@code prefetchShards} loads submitted ahead of the consumer. */
    private void topUp() {
        while (nextSubmit < loadOrder.length && nextSubmit - nextTake < options.prefetchShards()) {
            int p = loadOrder[nextSubmit++];
            inFlight.add(prefetch.submit(() -> load(p)));
        }
    }

    private ShardLoader.Loaded load(int p) {
        IndexEntry shard = passes.get(p).shard();
        ShardLoader.Loaded known = corruptShards.get(shard.path());
        if (known != null) return known;
        ShardLoader.Loaded l = ShardLoader.load(shardsDir, shard, rowsNeeded[p], conf, options.verifyChecksum());
        if (l.failed()) corruptShards.put(shard.path(), l);
        return l;
    }

    private record Replay(long totalBatches, int[] stream) {}

    /**
     * Replays the slice from the index: where the {@code target}-th batch was handed out, which
     * samples sat in bucket buffers then, and how many batches the slice makes in all. The stream to
     * process is those buffered samples followed by the rest of the slice, less the samples that
     * {@code dropLast} would drop at the end anyway.
     */
    private Replay replay(long target) {
        int n = slice.length();
        int batch = options.batchSize();
        int[][] buf = new int[bucketNames.length][batch];
        int[] cnt = new int[bucketNames.length];
        long emitted = 0;
        int resumeAt = target == 0 ? 0 : -1;
        int[] restored = new int[0];
        for (int j = 0; j < n; j++) {
            int b = bucketOfPass[slice.passOf()[j]];
            buf[b][cnt[b]++] = j;
            if (cnt[b] == batch) {
                cnt[b] = 0;
                if (++emitted == target) {
                    resumeAt = j + 1;
                    restored = buffered(buf, cnt);
                }
            }
        }
        int[] droppedAtEnd = options.dropLast() ? buffered(buf, cnt) : new int[0];
        if (!options.dropLast()) {
            for (int b = 0; b < bucketNames.length; b++) {
                if (cnt[b] == 0) continue;
                cnt[b] = 0;
                if (++emitted == target) {
                    resumeAt = n;
                    restored = buffered(buf, cnt);
                }
            }
        }
        if (target > emitted) {
            throw new IllegalArgumentException("the reader state counts " + target + " batches but consumer "
                    + options.consumerIndex() + " of " + options.consumers() + " has " + emitted + " in epoch " + epoch
                    + " with these options");
        }
        int[] out = new int[restored.length + (n - resumeAt)];
        int k = 0;
        for (int j : restored) if (Arrays.binarySearch(droppedAtEnd, j) < 0) out[k++] = j;
        for (int j = resumeAt; j < n; j++) if (Arrays.binarySearch(droppedAtEnd, j) < 0) out[k++] = j;
        return new Replay(emitted, Arrays.copyOf(out, k));
    }

    /** The slice positions waiting in the buffers, ascending (their order of arrival). */
    private static int[] buffered(int[][] buf, int[] cnt) {
        int total = 0;
        for (int c : cnt) total += c;
        int[] out = new int[total];
        int k = 0;
        for (int b = 0; b < cnt.length; b++) for (int i = 0; i < cnt[b]; i++) out[k++] = buf[b][i];
        Arrays.sort(out);
        return out;
    }

    @Override
    public String toString() {
        return "ShardReader{" + state() + ", consumer " + options.consumerIndex() + "/" + options.consumers()
                + ", " + slice.length() + " samples, " + plannedBatches + " batches planned}";
    }
}
