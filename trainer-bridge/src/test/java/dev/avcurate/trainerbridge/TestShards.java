package dev.avcurate.trainerbridge;

import dev.avcurate.trainerbridge.ShardFormat.IndexEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;

/**
 * Small shard sets for the reader's tests: every field of a row is a function of its clip id, so a
 * test can tell what it should have read from the id alone.
 */
final class TestShards {
    private TestShards() {}

    /** One shard to write. */
    record Spec(String split, String bucket, int part, int rows) {
        String path() {
            return split + "/" + bucket + "/part-" + part + ".parquet";
        }

        String clipId(int row) {
            return split + "-" + bucket + "-p" + part + "-r" + row;
        }
    }

    /** 2 splits x 2 buckets, 6 shards of 3 to 11 rows: 23 pretrain rows, 16 sft rows, 39 in all. */
    static final List<Spec> DEFAULT = List.of(
            new Spec("pretrain", "16x8x3", 0, 7),
            new Spec("pretrain", "16x8x3", 1, 11),
            new Spec("pretrain", "8x16x5", 0, 5),
            new Spec("sft", "16x8x3", 0, 3),
            new Spec("sft", "8x16x5", 0, 9),
            new Spec("sft", "8x16x5", 1, 4));

    static final Configuration CONF = new Configuration();

    /** Writes the shards and index.tsv under {@code dir}; returns the index entries. */
    static List<IndexEntry> write(Path dir, List<Spec> specs) {
        try {
            List<IndexEntry> entries = new ArrayList<>();
            for (Spec s : specs) {
                Path file = dir.resolve(s.path());
                Files.createDirectories(file.getParent());
                try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF))
                        .withType(ShardFormat.SCHEMA).withConf(CONF).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
                    SimpleGroupFactory f = new SimpleGroupFactory(ShardFormat.SCHEMA);
                    for (int r = 0; r < s.rows(); r++) w.write(row(f, s, r));
                }
                Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
                entries.add(entryOf(dir, s));
            }
            ShardFormat.writeIndex(new org.apache.hadoop.fs.Path(dir.toUri()), entries, CONF);
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index entry of a written shard, from its current bytes. */
    static IndexEntry entryOf(Path dir, Spec s) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve(s.path()));
        return new IndexEntry(s.path(), s.split(), s.bucket(), s.rows(), bytes.length, sha256(bytes));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Group row(SimpleGroupFactory f, Spec s, int r) {
        String id = s.clipId(r);
        int[] dims = ShardFormat.bucketDims(s.bucket());
        Group g = f.newGroup();
        g.append("clip_id", id).append("split", s.split()).append("bucket", s.bucket())
                .append("width", dims[0]).append("height", dims[1]).append("num_frames", dims[2]).append("fps", 25.0);
        Group frames = g.addGroup("frames");
        for (int i = 0; i < dims[2]; i++) frames.addGroup("list").append("element", Binary.fromConstantByteArray(frame(id, i)));
        g.append("reference_frame", Binary.fromConstantByteArray(frame(id, -1)));
        short[] audio = audio(id);
        ByteBuffer pcm = ByteBuffer.allocate(audio.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short a : audio) pcm.putShort(a);
        g.append("audio", Binary.fromConstantByteArray(pcm.array())).append("audio_rate", 16000).append("audio_shift_s", 0.04);
        if (r % 2 == 0) g.append("caption", caption(id)).append("caption_estimator", "test-vlm");
        if (r % 3 == 0) {
            Group e = g.addGroup("caption_embedding");
            for (float v : embedding(id)) e.addGroup("list").append("element", v);
        }
        Group scores = g.addGroup("scores");
        for (Map.Entry<String, Double> e : scores(id).entrySet()) {
            Group kv = scores.addGroup("key_value").append("key", e.getKey());
            if (e.getValue() != null) kv.append("value", e.getValue());
        }
        g.append("video_id", "video-" + s.part()).append("uri", "file:/videos/" + id + ".mp4")
                .append("start_s", r * 10.0).append("end_s", r * 10.0 + 5).append("frames_start_s", r * 10.0 + 0.02);
        return g;
    }

    /** A few bytes that look like a JPEG and differ per clip and frame (-1: the reference frame). */
    static byte[] frame(String clipId, int i) {
        byte[] tag = (clipId + "#" + i).getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[tag.length + 4];
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        System.arraycopy(tag, 0, b, 2, tag.length);
        b[b.length - 2] = (byte) 0xFF;
        b[b.length - 1] = (byte) 0xD9;
        return b;
    }

    /** 0.01 s of 16 kHz audio, covering negative and extreme values. */
    static short[] audio(String clipId) {
        short[] a = new short[160];
        int h = clipId.hashCode();
        for (int i = 0; i < a.length; i++) a[i] = (short) (h * 31 + i * 977);
        a[0] = Short.MIN_VALUE;
        a[1] = Short.MAX_VALUE;
        return a;
    }

    static String caption(String clipId) {
        return "a person talks (" + clipId + ")";
    }

    static float[] embedding(String clipId) {
        float[] v = new float[4];
        for (int i = 0; i < v.length; i++) v[i] = clipId.length() + i * 0.25f;
        return v;
    }

    static Map<String, Double> scores(String clipId) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("aesthetic", clipId.length() / 10.0);
        m.put("sync_confidence", 7.5);
        m.put("ocr_area", null);
        return m;
    }
}
