package dev.avcurate.shards.write;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.trainerbridge.ShardFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows come back as written; files appear only when complete, roll at the target size, and are indexed truly. */
class ShardFileWriterTest {
    @TempDir java.nio.file.Path tmp;

    private static final Configuration CONF = new Configuration();
    private static final String SPLIT = "pretrain";
    private static final String BUCKET = "64x32x3";
    private static final String CAPTION = "<b>A man</b> says \"hi\" & <i>waves</i>\ttab\nnew line\r\u0000nul \u001b[31mansi\u001b[0m "
            + "é 漢字 🎤 \\n literal";

    private Path shardsDir() {
        return new Path(tmp.resolve("shards").toUri());
    }

    /** A row whose blobs are random (incompressible) bytes of the given size. */
    private static ShardRow row(int n, int frameBytes) {
        Random rnd = new Random(n);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] f = new byte[frameBytes + i];
            rnd.nextBytes(f);
            frames.add(f);
        }
        byte[] ref = new byte[frameBytes / 2];
        rnd.nextBytes(ref);
        byte[] audio = new byte[3 * 640 * 2];
        rnd.nextBytes(audio);
        float[] emb = new float[384];
        for (int i = 0; i < emb.length; i++) emb[i] = (float) rnd.nextGaussian();
        emb[0] = -0.0f;
        emb[1] = Float.MIN_VALUE;
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("sync_confidence", 7.25);
        scores.put("aesthetic", Double.NaN);
        scores.put("not_computed", null);
        boolean bare = n % 3 == 2;
        return new ShardRow("clip-" + n, SPLIT, BUCKET, 64, 32, 3, 25, frames, ref, audio, 16_000, n * 0.01,
                bare ? null : CAPTION + n, bare ? null : "qwen2.5-vl-7b", bare ? null : emb, bare ? Map.of() : scores,
                "video-" + n, "s3a://bucket/videos/" + n + ".mp4", n, n + 4.5, n + 1.27);
    }

    private static List<ShardRow> readRows(Path file) throws IOException {
        List<ShardRow> out = new ArrayList<>();
        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), file).withConf(CONF).build()) {
            for (Group g; (g = r.read()) != null; ) out.add(ShardRow.fromGroup(g));
        }
        return out;
    }

    private List<java.nio.file.Path> filesUnder(java.nio.file.Path d) throws IOException {
        if (!Files.exists(d)) return List.of();
        try (Stream<java.nio.file.Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static boolean hidden(java.nio.file.Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static void assertSameRow(ShardRow want, ShardRow got) {
        assertEquals(want.clipId(), got.clipId());
        assertEquals(want.split(), got.split());
        assertEquals(want.bucket(), got.bucket());
        assertEquals(want.width(), got.width());
        assertEquals(want.height(), got.height());
        assertEquals(want.numFrames(), got.numFrames());
        assertEquals(want.fps(), got.fps());
        assertEquals(want.frames().size(), got.frames().size());
        for (int i = 0; i < want.frames().size(); i++) assertArrayEquals(want.frames().get(i), got.frames().get(i), "frame " + i);
        assertArrayEquals(want.referenceFrame(), got.referenceFrame());
        assertArrayEquals(want.audio(), got.audio());
        assertEquals(want.audioRate(), got.audioRate());
        assertEquals(want.audioShiftS(), got.audioShiftS());
        assertEquals(want.caption(), got.caption());
        assertEquals(want.captionEstimator(), got.captionEstimator());
        assertArrayEquals(want.captionEmbedding(), got.captionEmbedding());
        assertEquals(want.scores(), got.scores());
        assertEquals(new ArrayList<>(want.scores().keySet()), new ArrayList<>(got.scores().keySet()), "score order");
        assertEquals(want.videoId(), got.videoId());
        assertEquals(want.uri(), got.uri());
        assertEquals(want.startS(), got.startS());
        assertEquals(want.endS(), got.endS());
        assertEquals(want.framesStartS(), got.framesStartS());
    }

    @Test
    void rowsComeBackFieldByField() throws Exception {
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) rows.add(row(i, 20_000));
        List<ShardFormat.IndexEntry> entries;
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, BUCKET, ShardFileWriter.Settings.defaults(), CONF)) {
            for (ShardRow r : rows) w.write(r);
            entries = w.finish();
        }
        assertEquals(1, entries.size());
        ShardFormat.IndexEntry e = entries.get(0);
        assertEquals(6, e.rows());
        assertEquals(SPLIT, e.split());
        assertEquals(BUCKET, e.bucket());
        assertTrue(e.path().matches("pretrain/64x32x3/part-[0-9a-f-]{36}\\.parquet"), e.path());
        List<ShardRow> back = readRows(new Path(shardsDir(), e.path()));
        assertEquals(6, back.size());
        for (int i = 0; i < 6; i++) assertSameRow(rows.get(i), back.get(i));
        assertEquals(CAPTION + 0, back.get(0).caption(), "markup and control characters intact");
        assertNull(back.get(2).caption());
        assertNull(back.get(2).captionEmbedding());
        assertTrue(back.get(2).scores().isEmpty());
        assertTrue(back.get(0).scores().containsKey("not_computed") && back.get(0).scores().get("not_computed") == null);
        assertTrue(Double.isNaN(back.get(0).scores().get("aesthetic")));
    }

    @Test
    void theIndexEntrySaysTheFilesSizeAndHash() throws Exception {
        List<ShardFormat.IndexEntry> entries;
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, BUCKET, ShardFileWriter.Settings.defaults(), CONF)) {
            for (int i = 0; i < 4; i++) w.write(row(i, 5_000));
            entries = w.finish();
        }
        for (ShardFormat.IndexEntry e : entries) {
            java.nio.file.Path f = tmp.resolve("shards").resolve(e.path());
            byte[] bytes = Files.readAllBytes(f);
            assertEquals(bytes.length, e.bytes());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), e.sha256());
        }
    }

    @Test
    void filesRollAtTheTargetSizeAndTheirRowsSumUp() throws Exception {
        // Rows of about 120 KB, a 300 KB target: a file closes after its third row.
        ShardFileWriter.Settings s = ShardFileWriter.Settings.defaults().withTargetFileBytes(300_000);
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) rows.add(row(i, 33_000));
        List<ShardFormat.IndexEntry> entries;
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, BUCKET, s, CONF)) {
            for (ShardRow r : rows) w.write(r);
            entries = w.finish();
        }
        assertEquals(List.of(3L, 3L, 3L, 1L), entries.stream().map(ShardFormat.IndexEntry::rows).toList());
        List<ShardRow> back = new ArrayList<>();
        for (ShardFormat.IndexEntry e : entries) {
            List<ShardRow> part = readRows(new Path(shardsDir(), e.path()));
            assertEquals(e.rows(), part.size());
            back.addAll(part);
        }
        assertEquals(rows.stream().map(ShardRow::clipId).toList(), back.stream().map(ShardRow::clipId).toList());
        assertEquals(4, filesUnder(tmp.resolve("shards")).stream().filter(p -> !hidden(p)).count());
    }

    @Test
    void whileWritingEveryVisibleFileIsComplete() throws Exception {
        java.nio.file.Path dir = tmp.resolve("shards").resolve(SPLIT).resolve(BUCKET);
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, BUCKET, ShardFileWriter.Settings.defaults(), CONF)) {
            for (int i = 0; i < 5; i++) {
                w.write(row(i, 50_000));
                List<java.nio.file.Path> files = filesUnder(dir);
                assertFalse(files.isEmpty());
                for (java.nio.file.Path f : files) assertTrue(hidden(f), "only the hidden temporary file while writing: " + f);
                assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().matches("\\.part-[0-9a-f-]{36}\\.parquet\\.tmp")));
            }
            w.finish();
        }
        List<java.nio.file.Path> files = filesUnder(dir);
        assertEquals(1, files.stream().filter(f -> !hidden(f)).count());
        assertTrue(files.stream().noneMatch(f -> f.toString().contains(".tmp")), "no temporary left: " + files);

        // With rolling, what is visible between writes is always a whole file.
        ShardFileWriter.Settings small = ShardFileWriter.Settings.defaults().withTargetFileBytes(120_000);
        java.nio.file.Path dir2 = tmp.resolve("shards").resolve("sft").resolve(BUCKET);
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), "sft", BUCKET, small, CONF)) {
            for (int i = 0; i < 6; i++) {
                ShardRow r = row(i, 30_000);
                w.write(new ShardRow(r.clipId(), "sft", r.bucket(), r.width(), r.height(), r.numFrames(), r.fps(), r.frames(),
                        r.referenceFrame(), r.audio(), r.audioRate(), r.audioShiftS(), r.caption(), r.captionEstimator(),
                        r.captionEmbedding(), r.scores(), r.videoId(), r.uri(), r.startS(), r.endS(), r.framesStartS()));
                for (java.nio.file.Path f : filesUnder(dir2)) {
                    if (!hidden(f)) assertFalse(readRows(new Path(f.toUri())).isEmpty(), f + " reads as a whole file");
                }
            }
            assertTrue(w.finish().size() >= 2);
        }
    }

    @Test
    void abortLeavesNoFile() throws Exception {
        ShardFileWriter.Settings small = ShardFileWriter.Settings.defaults().withTargetFileBytes(120_000);
        ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, BUCKET, small, CONF);
        for (int i = 0; i < 5; i++) w.write(row(i, 30_000));
        assertFalse(filesUnder(tmp.resolve("shards")).isEmpty());
        w.abort();
        assertEquals(List.of(), filesUnder(tmp.resolve("shards")));
        assertThrows(IllegalStateException.class, w::finish);
    }

    @Test
    void leavingTryWithResourcesOnAnExceptionAborts() throws Exception {
        assertThrows(IllegalStateException.class, () -> {
            try (ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, BUCKET, ShardFileWriter.Settings.defaults(), CONF)) {
                w.write(row(0, 10_000));
                throw new IllegalStateException("the task fails");
            }
        });
        assertEquals(List.of(), filesUnder(tmp.resolve("shards")));
    }

    @Test
    void aRowOfAnotherSplitOrBucketIsRefused() throws Exception {
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), "sft", BUCKET, ShardFileWriter.Settings.defaults(), CONF)) {
            assertThrows(IllegalArgumentException.class, () -> w.write(row(0, 100)));
        }
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, "64x32x4", ShardFileWriter.Settings.defaults(), CONF)) {
            assertThrows(IllegalArgumentException.class, () -> w.write(row(0, 100)));
        }
    }

    @Test
    void noRowsNoFile() throws Exception {
        try (ShardFileWriter w = new ShardFileWriter(shardsDir(), SPLIT, BUCKET, ShardFileWriter.Settings.defaults(), CONF)) {
            assertEquals(List.of(), w.finish());
        }
        assertEquals(List.of(), filesUnder(tmp.resolve("shards")));
    }

    @Test
    void everyCodecReadsBack() throws Exception {
        for (CompressionCodecName c : new CompressionCodecName[] {CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY,
                CompressionCodecName.ZSTD}) {
            String split = "c" + c.name().toLowerCase();
            ShardRow r0 = row(0, 10_000);
            ShardRow r = new ShardRow(r0.clipId(), split, r0.bucket(), r0.width(), r0.height(), r0.numFrames(), r0.fps(), r0.frames(),
                    r0.referenceFrame(), r0.audio(), r0.audioRate(), r0.audioShiftS(), r0.caption(), r0.captionEstimator(),
                    r0.captionEmbedding(), r0.scores(), r0.videoId(), r0.uri(), r0.startS(), r0.endS(), r0.framesStartS());
            List<ShardFormat.IndexEntry> entries;
            try (ShardFileWriter w = new ShardFileWriter(shardsDir(), split, BUCKET, ShardFileWriter.Settings.defaults().withCodec(c), CONF)) {
                w.write(r);
                entries = w.finish();
            }
            assertSameRow(r, readRows(new Path(shardsDir(), entries.get(0).path())).get(0));
        }
    }
}
