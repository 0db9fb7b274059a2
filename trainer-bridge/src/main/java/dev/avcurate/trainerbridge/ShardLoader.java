package dev.avcurate.trainerbridge;

import dev.avcurate.trainerbridge.ShardFormat.IndexEntry;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Reads the rows of one shard that a consumer needs and checks the file against its index entry on
 * the way. Never throws for a bad shard: the failure comes back as a result, so that the consumer
 * thread, not a prefetch thread, decides between failing and skipping.
 */
final class ShardLoader {
    private ShardLoader() {}

    /**
     * What came of loading one shard.
     *
     * @param path the shard's fully qualified path
     * @param rows the rows read, ascending (the ones asked for)
     * @param samples decoded rows, parallel to {@code rows}; null on failure
     * @param failure why the shard was rejected; null on success
     */
    record Loaded(String path, int[] rows, Sample[] samples, String failure, Throwable cause) {
        boolean failed() {
            return failure != null;
        }

        /** The sample of {@code row}, released from this result (each row is taken once). */
        Sample take(int row) {
            int i = java.util.Arrays.binarySearch(rows, row);
            Sample s = samples[i];
            samples[i] = null;
            return s;
        }
    }

    /** Reads {@code rows} (ascending) of {@code shard}; every row is decoded by Parquet, only these are kept. */
    static Loaded load(Path shardsDir, IndexEntry shard, int[] rows, Configuration conf, boolean verifyChecksum) {
        Path path = new Path(shardsDir, shard.path());
        String full = path.toString();
        try {
            FileSystem fs = path.getFileSystem(conf);
            full = fs.makeQualified(path).toString();
            FileStatus status;
            try {
                status = fs.getFileStatus(path);
            } catch (FileNotFoundException e) {
                return failed(full, "file is missing", e);
            }
            if (status.getLen() != shard.bytes()) {
                return failed(full, status.getLen() + " bytes but the index says " + shard.bytes(), null);
            }
            if (verifyChecksum) {
                String sha = sha256(fs, path);
                if (!sha.equalsIgnoreCase(shard.sha256())) {
                    return failed(full, "sha256 " + sha + " but the index says " + shard.sha256(), null);
                }
            }
            Sample[] samples = new Sample[rows.length];
            long row = 0;
            int next = 0;
            try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(conf).build()) {
                for (Group g; (g = reader.read()) != null; row++) {
                    if (next < rows.length && rows[next] == row) {
                        Sample s = decode(g);
                        if (!s.split().equals(shard.split()) || !s.bucket().equals(shard.bucket())) {
                            return failed(full, "row " + row + " is split " + s.split() + ", bucket " + s.bucket()
                                    + " but the index says split " + shard.split() + ", bucket " + shard.bucket(), null);
                        }
                        samples[next++] = s;
                    }
                }
            }
            if (row != shard.rows()) return failed(full, row + " rows but the index says " + shard.rows(), null);
            return new Loaded(full, rows, samples, null, null);
        } catch (IOException | RuntimeException e) {
            return failed(full, "unreadable: " + e, e);
        }
    }

    private static Loaded failed(String path, String reason, Throwable cause) {
        return new Loaded(path, null, null, reason, cause);
    }

    static String sha256(FileSystem fs, Path path) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = fs.open(path)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * One row of {@link ShardFormat#SCHEMA}. Lists and maps are read by position inside their
     * group (list/element, key_value/key/value) so that files written by Spark, whose list elements
     * may be optional, read the same.
     */
    static Sample decode(Group g) {
        Group framesGroup = g.getGroup("frames", 0);
        int n = framesGroup.getFieldRepetitionCount(0);
        List<byte[]> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) frames.add(framesGroup.getGroup(0, i).getBinary(0, 0).getBytes());

        ByteBuffer pcm = g.getBinary("audio", 0).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN); // a view, not a copy
        if (pcm.remaining() % 2 != 0) {
            throw new IllegalArgumentException("audio of clip " + g.getString("clip_id", 0) + " has an odd byte count " + pcm.remaining());
        }
        short[] audio = new short[pcm.remaining() / 2];
        pcm.asShortBuffer().get(audio);

        float[] embedding = null;
        if (g.getFieldRepetitionCount("caption_embedding") > 0) {
            Group e = g.getGroup("caption_embedding", 0);
            embedding = new float[e.getFieldRepetitionCount(0)];
            for (int i = 0; i < embedding.length; i++) embedding[i] = e.getGroup(0, i).getFloat(0, 0);
        }

        Group scoresGroup = g.getGroup("scores", 0);
        int ns = scoresGroup.getFieldRepetitionCount(0);
        Map<String, Double> scores = new LinkedHashMap<>();
        for (int i = 0; i < ns; i++) {
            Group kv = scoresGroup.getGroup(0, i);
            scores.put(kv.getString(0, 0), kv.getFieldRepetitionCount(1) > 0 ? kv.getDouble(1, 0) : null);
        }

        return new Sample(
                g.getString("clip_id", 0),
                g.getString("split", 0),
                g.getString("bucket", 0),
                g.getInteger("width", 0),
                g.getInteger("height", 0),
                g.getInteger("num_frames", 0),
                g.getDouble("fps", 0),
                Collections.unmodifiableList(frames),
                g.getBinary("reference_frame", 0).getBytes(),
                audio,
                g.getInteger("audio_rate", 0),
                g.getDouble("audio_shift_s", 0),
                optionalString(g, "caption"),
                optionalString(g, "caption_estimator"),
                embedding,
                Collections.unmodifiableMap(scores),
                g.getString("video_id", 0),
                g.getString("uri", 0),
                g.getDouble("start_s", 0),
                g.getDouble("end_s", 0),
                g.getDouble("frames_start_s", 0));
    }

    private static String optionalString(Group g, String field) {
        return g.getFieldRepetitionCount(field) > 0 ? g.getString(field, 0) : null;
    }
}
