package dev.avcurate.shards.write;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import dev.avcurate.trainerbridge.ShardFormat;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a check: the size of one shard of encoded clips under each codec, for choosing the
 * default. A talking head over a panning texture with speech is the closest to real content
 * that is generated here (real footage has more detail, so larger JPEGs, and a noise floor in
 * the pauses that compresses worse than this signal's exact silence).
 */
@Tag("slow") // generates two 17 s videos: about 25 s
class ShardFileSizeReportTest {
    @TempDir java.nio.file.Path tmp;

    @Test
    void shardSizeByCodecOfADrawnScene() throws Exception {
        report("drawn", null);
    }

    @Test
    void shardSizeByCodecWithSensorNoise() throws Exception {
        // Grain of about 4 grey levels, new every frame, as a camera gives.
        java.util.Random rnd = new java.util.Random(11);
        BufferedImage[] grain = new BufferedImage[4];
        for (int k = 0; k < grain.length; k++) {
            grain[k] = new BufferedImage(640, 360, BufferedImage.TYPE_INT_ARGB);
            for (int y = 0; y < 360; y++) for (int x = 0; x < 640; x++) {
                int v = rnd.nextInt(256);
                grain[k].setRGB(x, y, (16 << 24) | (v << 16) | (v << 8) | v);
            }
        }
        report("grain", grain);
    }

    private void report(String name, BufferedImage[] grain) throws Exception {
        SpeechSignal speech = new SpeechSignal(3, 120);
        SyntheticVideo.Painter scene = Scenes.talkingHead(Scenes.pan(5, 40), speech, 0.5, 0.6, 7);
        SyntheticVideo.Painter painter = grain == null ? scene : (g, i, t, w, h) -> {
            scene.paint(g, i, t, w, h);
            g.drawImage(grain[i % grain.length], 0, 0, null);
        };
        java.nio.file.Path video = new SyntheticVideo().size(640, 360).fps(25).seconds(17).quality(2)
                .painter(painter).audio(speech::sample, 44_100, 1).write(tmp.resolve(name + ".mp4"));
        Bucket b = new Bucket(256, 448, 49);
        ClipShardEncoder enc = ClipShardEncoder.defaults();
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            double start = i * 2.0; // no overlap: no frame twice
            rows.add(enc.encode(new ClipInput("clip-" + i, "talk", video.toString(), start, start + 2, "pretrain", 0.04,
                    "A person talks.", "composed", new float[384], Map.of("sync", 8.0)), b));
        }
        long jpeg = rows.stream().mapToLong(r -> r.frames().stream().mapToLong(f -> f.length).sum() + r.referenceFrame().length).sum();
        long audio = rows.stream().mapToLong(r -> r.audio().length).sum();
        System.out.printf("[" + name + "] shard of %d rows %s: %d KB of JPEG (%.1f KB/frame), %d KB of audio%n", rows.size(), b.name(),
                jpeg / 1024, jpeg / 1024.0 / (rows.size() * 50), audio / 1024);
        long distinct = rows.stream().flatMap(r -> r.frames().stream()).map(java.nio.ByteBuffer::wrap).distinct().count();
        System.out.printf("  %d distinct frames of %d%n", distinct, rows.size() * b.frames());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (CompressionCodecName c : new CompressionCodecName[] {CompressionCodecName.ZSTD, CompressionCodecName.UNCOMPRESSED,
                CompressionCodecName.SNAPPY, CompressionCodecName.ZSTD, CompressionCodecName.GZIP}) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            List<ShardFormat.IndexEntry> entries;
            Path dir = new Path(tmp.resolve(name + c.name() + System.nanoTime()).toUri());
            try (ShardFileWriter w = new ShardFileWriter(dir, "pretrain", b.name(),
                    ShardFileWriter.Settings.defaults().withCodec(c), new Configuration())) {
                for (ShardRow r : rows) w.write(r);
                entries = w.finish();
            }
            double ms = (mx.getCurrentThreadCpuTime() - cpu0) / 1e6;
            assertEquals(1, entries.size());
            assertEquals(rows.size(), entries.get(0).rows());
            Path file = new Path(dir, entries.get(0).path());
            Map<String, long[]> cols = new java.util.TreeMap<>();
            try (ParquetFileReader f = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
                for (BlockMetaData blk : f.getFooter().getBlocks()) {
                    for (ColumnChunkMetaData col : blk.getColumns()) {
                        long[] a = cols.computeIfAbsent(col.getPath().toDotString(), k -> new long[2]);
                        a[0] += col.getTotalSize();
                        a[1] += col.getTotalUncompressedSize();
                    }
                }
            }
            System.out.printf("  %-12s %8d bytes (%.2f%% of the blobs; frames %.1f%%, audio %.1f%%), write %.1f ms CPU%n", c,
                    entries.get(0).bytes(), 100.0 * entries.get(0).bytes() / (jpeg + audio),
                    100.0 * cols.get("frames.list.element")[0] / cols.get("frames.list.element")[1],
                    100.0 * cols.get("audio")[0] / cols.get("audio")[1], ms);
        }
    }
}
