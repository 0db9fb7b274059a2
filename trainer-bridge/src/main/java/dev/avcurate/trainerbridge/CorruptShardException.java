package dev.avcurate.trainerbridge;

/**
 * A shard the reader cannot trust (missing, not matching its index entry, unreadable), thrown under
 * {@link ReaderOptions.OnCorrupt#FAIL}. The message names the file's full path and the reason, so
 * the shard can be found and rewritten without digging in logs.
 */
public final class CorruptShardException extends RuntimeException {
    private final String path;
    private final String reason;

    public CorruptShardException(String path, String reason, Throwable cause) {
        super("corrupt shard " + path + ": " + reason, cause);
        this.path = path;
        this.reason = reason;
    }

    /** The shard's fully qualified path. */
    public String path() {
        return path;
    }

    /** Why it was rejected, e.g. {@code sha256 ab12... but the index says cd34...}. */
    public String reason() {
        return reason;
    }
}
