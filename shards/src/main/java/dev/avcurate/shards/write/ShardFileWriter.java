package dev.avcurate.shards.write;

import dev.avcurate.trainerbridge.ShardFormat;
import java.io.IOException;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Writes shard rows of one split and one bucket into {@code <shardsDir>/<split>/<bucket>/}, starting
 * a new file once the current one reaches the target size. A file is written under a hidden
 * temporary name ({@code .part-<uuid>.parquet.tmp}, which Hadoop, Spark and the index all
 * ignore) and renamed to {@code part-<uuid>.parquet} only once its footer is written, so no
 * reader ever sees a half file. Names are random so that a retried or speculative task attempt
 * never collides with another; which files count is decided by the index, built from the
 * committed {@code shards} table.
 *
 * <p>The SHA-256 and size of each file are taken from the bytes as they are written, so nothing
 * is read back (on object stores that would be a second transfer).
 *
 * <p>Owned by the task that created it; not thread-safe. {@link #finish()} completes the open file
 * and returns every file written. {@link #close()} without {@code finish()} is an abort: an
 * exception inside try-with-resources leaves neither temporary nor complete files behind (the
 * failed task's files would never be in the index).
 */
public final class ShardFileWriter implements AutoCloseable {

    /**
     * @param targetFileBytes a file is closed once this many bytes are written (rows are whole, so
     *                        a file ends up to one row larger)
     * @param rowGroupBytes   Parquet row group size: what a writer buffers per open file and a
     *                        reader holds at once. 64 MiB keeps a task with a few buckets open within
     *                        executor memory and still holds one very large row (a long 720p clip is
     *                        tens of MB); typical rows (1-2 MB) make row groups of dozens of clips
     * @param codec           page compression
     */
    public record Settings(long targetFileBytes, long rowGroupBytes, CompressionCodecName codec) implements Serializable {
        public static final long DEFAULT_TARGET_FILE_BYTES = 256L << 20;
        public static final long DEFAULT_ROW_GROUP_BYTES = 64L << 20;

        public Settings {
            if (targetFileBytes <= 0) throw new IllegalArgumentException("target file size must be positive: " + targetFileBytes);
            if (rowGroupBytes <= 0) throw new IllegalArgumentException("row group size must be positive: " + rowGroupBytes);
            if (codec == null) throw new IllegalArgumentException("codec");
        }

        /**
         * 256 MiB files, 64 MiB row groups, ZSTD. JPEG is already entropy-coded, yet on generated
         * talking heads ZSTD still took 6.5% off frames with camera-like grain (43% off flat drawn
         * ones) and 42% off the PCM audio (generated speech: real pauses are noisier), for write
         * CPU far below the cost of encoding the clips; Snappy took 0.1% off the grainy frames.
         * Readers need zstd-jni (a dependency of parquet-hadoop) or pyarrow.
         */
        public static Settings defaults() {
            return new Settings(DEFAULT_TARGET_FILE_BYTES, DEFAULT_ROW_GROUP_BYTES, CompressionCodecName.ZSTD);
        }

        public Settings withTargetFileBytes(long bytes) {
            return new Settings(bytes, rowGroupBytes, codec);
        }

        public Settings withCodec(CompressionCodecName c) {
            return new Settings(targetFileBytes, rowGroupBytes, c);
        }
    }

    /** Columns of unique binary blobs: a dictionary or min/max statistics over JPEGs would be wasted work. */
    private static final String[] BLOB_COLUMNS = {"frames.list.element", "reference_frame", "audio"};

    private final String split;
    private final String bucket;
    private final Path dir;
    private final Settings settings;
    private final Configuration conf;
    private final FileSystem fs;
    private final List<ShardFormat.IndexEntry> entries = new ArrayList<>();
    private final List<Path> completed = new ArrayList<>();

    private ParquetWriter<Group> writer;
    private DigestingOutputFile out;
    private Path tmp;
    private String uuid;
    private long rows;
    private boolean finished;
    private boolean aborted;

    public ShardFileWriter(Path shardsDir, String split, String bucket, Settings settings, Configuration conf) throws IOException {
        if (split == null || split.isEmpty() || split.contains("/")) throw new IllegalArgumentException("bad split name: " + split);
        ShardFormat.bucketDims(bucket);
        this.split = split;
        this.bucket = bucket;
        this.dir = new Path(new Path(shardsDir, split), bucket);
        this.settings = settings;
        this.conf = conf;
        this.fs = dir.getFileSystem(conf);
    }

    /** Directory the files go to. */
    public Path directory() {
        return dir;
    }

    /** Appends one row of {@link ShardFormat#SCHEMA}; it must belong to this writer's split and bucket. */
    public void write(Group row) throws IOException {
        if (finished || aborted) throw new IllegalStateException("writer for " + dir + " is " + (finished ? "finished" : "aborted"));
        String rs = row.getString("split", 0), rb = row.getString("bucket", 0);
        if (!split.equals(rs) || !bucket.equals(rb)) {
            throw new IllegalArgumentException("row " + row.getString("clip_id", 0) + " is " + rs + "/" + rb + ", writer is " + split + "/" + bucket);
        }
        if (writer == null) open();
        writer.write(row);
        rows++;
        if (writer.getDataSize() >= settings.targetFileBytes()) completeCurrent();
    }

    public void write(ShardRow row) throws IOException {
        write(row.toGroup());
    }

    /** Completes the open file and returns every file this writer produced, in order. */
    public List<ShardFormat.IndexEntry> finish() throws IOException {
        if (aborted) throw new IllegalStateException("writer for " + dir + " was aborted");
        if (!finished) {
            if (writer != null) completeCurrent();
            finished = true;
        }
        return List.copyOf(entries);
    }

    /**
     * Deletes the temporary file and every file this writer completed. Failures to delete are
     * swallowed (the task is already failing; a hidden leftover is never read).
     */
    public void abort() {
        if (aborted) return;
        aborted = true;
        if (out != null) out.closeQuietly();
        writer = null;
        out = null;
        if (tmp != null) deleteQuietly(tmp);
        tmp = null;
        for (Path p : completed) deleteQuietly(p);
        completed.clear();
        entries.clear();
    }

    /** Aborts unless {@link #finish()} was called. */
    @Override
    public void close() {
        if (!finished) abort();
    }

    private void open() throws IOException {
        uuid = UUID.randomUUID().toString();
        tmp = new Path(dir, ".part-" + uuid + ".parquet.tmp");
        out = new DigestingOutputFile(HadoopOutputFile.fromPath(tmp, conf));
        ExampleParquetWriter.Builder b = ExampleParquetWriter.builder(out)
                .withType(ShardFormat.SCHEMA)
                .withConf(conf)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(settings.codec())
                .withRowGroupSize(settings.rowGroupBytes())
                .withMaxPaddingSize(0)
                // Rows are megabytes: check sizes after every row, or a row group (and a page)
                // would grow to Parquet's first check at 100 rows before it is cut.
                .withMinRowCountForPageSizeCheck(1)
                .withMaxRowCountForPageSizeCheck(1);
        for (String c : BLOB_COLUMNS) b = b.withDictionaryEncoding(c, false).withStatisticsEnabled(c, false);
        writer = b.build();
        rows = 0;
    }

    private void completeCurrent() throws IOException {
        writer.close();
        writer = null;
        Path fin = new Path(dir, "part-" + uuid + ".parquet");
        if (!fs.rename(tmp, fin)) throw new IOException("cannot rename " + tmp + " to " + fin);
        completed.add(fin);
        tmp = null;
        long len = fs.getFileStatus(fin).getLen();
        if (len != out.bytes) throw new IOException(fin + " is " + len + " bytes, " + out.bytes + " were written");
        entries.add(new ShardFormat.IndexEntry(split + "/" + bucket + "/" + fin.getName(), split, bucket, rows, out.bytes,
                HexFormat.of().formatHex(out.digest.digest())));
        out = null;
        rows = 0;
    }

    private void deleteQuietly(Path p) {
        try {
            fs.delete(p, false);
        } catch (IOException | RuntimeException ignored) {
            // best effort while failing
        }
    }

    /** A Hadoop output file whose bytes are counted and hashed on their way out. */
    private static final class DigestingOutputFile implements OutputFile {
        final HadoopOutputFile target;
        final MessageDigest digest;
        long bytes;
        PositionOutputStream stream;

        DigestingOutputFile(HadoopOutputFile target) {
            this.target = target;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) throws IOException {
            return wrap(target.create(blockSizeHint));
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
            return wrap(target.createOrOverwrite(blockSizeHint));
        }

        @Override
        public boolean supportsBlockSize() {
            return target.supportsBlockSize();
        }

        @Override
        public long defaultBlockSize() {
            return target.defaultBlockSize();
        }

        @Override
        public String getPath() {
            return target.getPath();
        }

        void closeQuietly() {
            if (stream == null) return;
            try {
                stream.close();
            } catch (IOException | RuntimeException ignored) {
                // aborting
            }
        }

        private PositionOutputStream wrap(PositionOutputStream s) {
            stream = new PositionOutputStream() {
                @Override
                public long getPos() throws IOException {
                    return s.getPos();
                }

                @Override
                public void write(int b) throws IOException {
                    s.write(b);
                    digest.update((byte) b);
                    bytes++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    s.write(b, off, len);
                    digest.update(b, off, len);
                    bytes += len;
                }

                @Override
                public void flush() throws IOException {
                    s.flush();
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
            return stream;
        }
    }
}
