package dev.avcurate.trainer;

import dev.avcurate.trainerbridge.Batch;
import dev.avcurate.trainerbridge.ReaderOptions;
import dev.avcurate.trainerbridge.ReaderState;
import dev.avcurate.trainerbridge.Sample;
import dev.avcurate.trainerbridge.ShardReader;
import java.io.IOException;
import dev.avcurate.trainerbridge.ShardFormat;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Streams training batches from the shards (through trainer-bridge's {@link ShardReader}) on a
 * background thread, {@code data.prefetch_batches} ahead of the trainer. Batches never mix
 * buckets (the reader's batches are per bucket). Epochs follow one another; each batch carries
 * the reader state after it, so a checkpoint taken after consuming it resumes exactly after it.
 * Randomness (window starts) depends only on the seed and the batch's index, never on timing.
 *
 * <p>Owns the reader and its thread: {@link #close()} stops both.
 */
public final class BatchLoader implements AutoCloseable {

    /** A batch of examples and where the stream stands after it. */
    public record Prepared(List<Example> examples, ReaderState after, long index, int skipped) {}

    /** Where a stream starts: a reader state and the index of the next batch. */
    public record Position(ReaderState reader, long nextIndex) {
        public static Position start(long seed) {
            return new Position(ReaderState.start(seed, 0), 0);
        }
    }

    private static final Prepared END = new Prepared(List.of(), null, -1, 0);
    private final BlockingQueue<Prepared> queue;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Throwable failure;
    private long waitNanos;
    private final String shardsDir;

    /**
     * The configured splits that the shards' index has; a missing one is reported on {@code log}
     * and skipped (the samples' shards, for one, may have no SFT clip).
     *
     * @throws IOException when the index cannot be read, or has none of the splits
     */
    public static Map<String, Double> availableSplits(TrainConfig cfg, String shardsDir, PrintStream log) throws IOException {
        Set<String> present = new TreeSet<>();
        for (ShardFormat.IndexEntry e : ShardFormat.readIndex(new org.apache.hadoop.fs.Path(shardsDir), new org.apache.hadoop.conf.Configuration())) {
            present.add(e.split());
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : cfg.splits.entrySet()) {
            if (present.contains(e.getKey())) out.put(e.getKey(), e.getValue());
            else log.println("[train] warning: split '" + e.getKey() + "' (data.splits of " + cfg.source + ") is not in " + shardsDir + "/index.tsv: skipped");
        }
        if (out.isEmpty()) {
            throw new IOException(shardsDir + "/index.tsv has none of the splits " + cfg.splits.keySet() + " of " + cfg.source + " (it lists " + present + ")");
        }
        return out;
    }

    public BatchLoader(TrainConfig cfg, String shardsDir, Map<String, Double> splits, Position from) {
        this.shardsDir = shardsDir;
        this.queue = new ArrayBlockingQueue<>(cfg.prefetchBatches);
        ExampleMaker maker = new ExampleMaker(cfg);
        ReaderOptions base = ReaderOptions.builder().shardsDir(shardsDir).splits(splits).seed(cfg.seed).batchSize(cfg.batchSize)
                .shuffle(true).epoch(from.reader().epoch()).build();
        thread = new Thread(() -> run(base, from, maker, cfg.seed), "shard-loader");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(ReaderOptions base, Position from, ExampleMaker maker, long seed) {
        ReaderState state = from.reader();
        long index = from.nextIndex();
        int emptyEpochs = 0;
        try {
            while (!closed) {
                ReaderOptions opts = base.toBuilder().epoch(state.epoch()).build();
                boolean any = false;
                try (ShardReader reader = ShardReader.open(opts, state)) {
                    while (!closed && reader.hasNext()) {
                        Batch b = reader.next();
                        List<Example> examples = new ArrayList<>();
                        int skipped = 0;
                        for (int i = 0; i < b.samples().size(); i++) {
                            Sample s = b.samples().get(i);
                            if (!maker.fits(s)) {
                                skipped++;
                                continue;
                            }
                            examples.add(maker.random(s, new SplittableRandom(seed * 1_000_003L + index * 1_009L + i)));
                        }
                        ReaderState after = reader.state();
                        if (!examples.isEmpty()) {
                            any = true;
                            queue.put(new Prepared(examples, after, index, skipped));
                        }
                        index++;
                    }
                }
                if (!any && ++emptyEpochs >= 2) {
                    throw new IllegalStateException("no clip in " + shardsDir + " (splits " + base.splits() + ") has the "
                            + maker.framesNeeded() + " frames a training window needs (data.frames x data.frame_stride)");
                }
                if (any) emptyEpochs = 0;
                state = ReaderState.start(state.seed(), state.epoch() + 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        } finally {
            queue.offer(END);
        }
    }

    /** The next batch; blocks while the loader is behind (that time is reported by {@link #waitSeconds()}). */
    public Prepared next() throws IOException {
        long t0 = System.nanoTime();
        try {
            while (true) {
                Prepared p = queue.poll(1, TimeUnit.SECONDS);
                if (p == END) break;
                if (p != null) return p;
                if (failure != null || !thread.isAlive()) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for shards", e);
        } finally {
            waitNanos += System.nanoTime() - t0;
        }
        Throwable f = failure;
        if (f instanceof IOException io) throw io;
        if (f instanceof RuntimeException re) throw re;
        throw new IOException("the shard loader stopped" + (f == null ? "" : ": " + f), f);
    }

    /** Seconds the trainer spent waiting for batches. */
    public double waitSeconds() {
        return waitNanos / 1e9;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        queue.clear();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
