package dev.avcurate.trainerbridge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The training shard format (SPEC §5: {@code <output>/shards/<split>/...parquet}), shared by the
 * writer (the shards stage) and the reader ({@link ShardReader}). One Parquet row per clip; a
 * shard file holds one split and one bucket, so every frame in it has the bucket's size and
 * count. Frames are JPEG (random access, decodable anywhere, measured against H.264 in
 * BENCHMARKS.md); audio is 16 kHz mono int16 little-endian, exactly {@code num_frames / fps}
 * seconds, already shifted by the clip's sync fix-up.
 *
 * <p>{@code <output>/shards/index.tsv} lists the complete shards (it is rewritten from the Delta
 * table {@code shards} after each commit): a reader that goes by it never sees a half-written file.
 */
public final class ShardFormat {
    private ShardFormat() {}

    public static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message shard_row {
              required binary clip_id (STRING);
              required binary split (STRING);
              required binary bucket (STRING);
              required int32 width;
              required int32 height;
              required int32 num_frames;
              required double fps;
              required group frames (LIST) { repeated group list { required binary element; } }
              required binary reference_frame;
              required binary audio;
              required int32 audio_rate;
              required double audio_shift_s;
              optional binary caption (STRING);
              optional binary caption_estimator (STRING);
              optional group caption_embedding (LIST) { repeated group list { required float element; } }
              required group scores (MAP) { repeated group key_value { required binary key (STRING); optional double value; } }
              required binary video_id (STRING);
              required binary uri (STRING);
              required double start_s;
              required double end_s;
              required double frames_start_s;
            }
            """);

    /** The index file under the shards directory. */
    public static final String INDEX = "index.tsv";
    static final String HEADER = "path\tsplit\tbucket\trows\tbytes\tsha256";

    /**
     * One complete shard.
     *
     * @param path relative to the shards directory, e.g. {@code pretrain/256x448x49/part-....parquet}
     */
    public record IndexEntry(String path, String split, String bucket, long rows, long bytes, String sha256) implements java.io.Serializable {}

    /** A bucket name: {@code <width>x<height>x<frames>}. */
    public static String bucketName(int width, int height, int frames) {
        return width + "x" + height + "x" + frames;
    }

    /** Width, height and frames of a bucket name. */
    public static int[] bucketDims(String bucket) {
        String[] p = bucket.split("x");
        if (p.length != 3) throw new IllegalArgumentException("not a bucket name (WxHxF): " + bucket);
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    public static List<IndexEntry> readIndex(Path shardsDir, Configuration conf) throws IOException {
        Path p = new Path(shardsDir, INDEX);
        FileSystem fs = p.getFileSystem(conf);
        List<IndexEntry> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (!HEADER.equals(header)) throw new IOException(p + ": not a shard index (header " + header + ")");
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String[] f = line.split("\t", -1);
                if (f.length != 6) throw new IOException(p + ": bad index line: " + line);
                out.add(new IndexEntry(f[0], f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), f[5]));
            }
        }
        return out;
    }

    /**
     * Writes the index through a temporary file renamed over the old one, so that a reader sees the
     * old index or the new one, never a partial one. Where the file system will not rename over an
     * existing file (HDFS, some object stores), the old index is deleted first, and a reader opening
     * it in that instant finds none.
     */
    public static void writeIndex(Path shardsDir, List<IndexEntry> entries, Configuration conf) throws IOException {
        Path p = new Path(shardsDir, INDEX);
        Path tmp = new Path(shardsDir, "." + INDEX + ".tmp");
        FileSystem fs = p.getFileSystem(conf);
        try (OutputStream o = fs.create(tmp, true)) {
            StringBuilder sb = new StringBuilder(HEADER).append('\n');
            for (IndexEntry e : entries) {
                sb.append(e.path()).append('\t').append(e.split()).append('\t').append(e.bucket()).append('\t').append(e.rows())
                        .append('\t').append(e.bytes()).append('\t').append(e.sha256()).append('\n');
            }
            o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        boolean renamed;
        try {
            renamed = fs.rename(tmp, p); // replaces p on local disks (POSIX rename)
        } catch (FileAlreadyExistsException e) {
            renamed = false;
        }
        if (!renamed) {
            fs.delete(p, false);
            if (!fs.rename(tmp, p)) throw new IOException("cannot write " + p);
        }
    }
}
