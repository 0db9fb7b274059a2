package dev.avcurate.trainerbridge;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a reader stands in an epoch, small enough to store in a trainer's checkpoint:
 * {@link ShardReader#open(ReaderOptions, ReaderState)} with the same options yields exactly the
 * batches that would have followed. The text form ({@link #toString()}, read back by
 * {@link #parse(String)}) is one line, {@code seed=42,epoch=3,batchesEmitted=17}, so it fits in any
 * checkpoint format without a JSON library.
 *
 * @param seed the options' seed (a resume with another seed is refused)
 * @param epoch the epoch being read
 * @param batchesEmitted batches already handed to the trainer in this epoch by this consumer
 */
public record ReaderState(long seed, int epoch, long batchesEmitted) {
    private static final Pattern TEXT = Pattern.compile("seed=(-?\\d+),epoch=(\\d+),batchesEmitted=(\\d+)");

    public ReaderState {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        if (batchesEmitted < 0) throw new IllegalArgumentException("batchesEmitted must be >= 0, got " + batchesEmitted);
    }

    /** The start of an epoch. */
    public static ReaderState start(long seed, int epoch) {
        return new ReaderState(seed, epoch, 0);
    }

    /** Reads the text form written by {@link #toString()}. */
    public static ReaderState parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a reader state (seed=<long>,epoch=<int>,batchesEmitted=<long>): " + text);
        }
        try {
            return new ReaderState(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("reader state out of range: " + text, e);
        }
    }

    @Override
    public String toString() {
        return "seed=" + seed + ",epoch=" + epoch + ",batchesEmitted=" + batchesEmitted;
    }
}
