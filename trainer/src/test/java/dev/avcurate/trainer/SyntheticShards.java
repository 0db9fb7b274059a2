package dev.avcurate.trainer;

import dev.avcurate.trainerbridge.ShardFormat;
import dev.avcurate.trainerbridge.ShardFormat.IndexEntry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;

/**
 * Shards of drawn talking heads for the trainer's tests: a face whose mouth opens with the
 * loudness of its audio (a 220 Hz tone switched on and off per clip), real JPEG frames, 16 kHz audio.
 */
final class SyntheticShards {
    static final int W = 64, H = 48, FRAMES = 24, FPS = 25, RATE = 16000;

    /** Writes {@code perSplit} clips for each split under {@code dir}, one shard per split. */
    static void write(Path dir, List<String> splits, int perSplit) {
        Configuration conf = new Configuration();
        String bucket = ShardFormat.bucketName(W, H, FRAMES);
        try {
            List<IndexEntry> entries = new ArrayList<>();
            for (String split : splits) {
                String rel = split + "/" + bucket + "/part-0.parquet";
                Path file = dir.resolve(rel);
                Files.createDirectories(file.getParent());
                try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))
                        .withType(ShardFormat.SCHEMA).withConf(conf).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
                    SimpleGroupFactory f = new SimpleGroupFactory(ShardFormat.SCHEMA);
                    for (int c = 0; c < perSplit; c++) w.write(row(f, split, bucket, split + "-clip" + c, c));
                }
                Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
                byte[] bytes = Files.readAllBytes(file);
                entries.add(new IndexEntry(rel, split, bucket, perSplit, bytes.length, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))));
            }
            ShardFormat.writeIndex(new org.apache.hadoop.fs.Path(dir.toUri()), entries, conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the clip's audio is on during frame i (a per-clip on/off pattern). */
    static boolean speaking(int clip, int i) {
        return ((i / 3 + clip) % 2) == 0;
    }

    private static Group row(SimpleGroupFactory f, String split, String bucket, String id, int clip) throws IOException {
        Group g = f.newGroup();
        g.append("clip_id", id).append("split", split).append("bucket", bucket)
                .append("width", W).append("height", H).append("num_frames", FRAMES).append("fps", (double) FPS);
        Group frames = g.addGroup("frames");
        for (int i = 0; i < FRAMES; i++) frames.addGroup("list").append("element", Binary.fromConstantByteArray(jpeg(clip, speaking(clip, i) ? 1 : 0)));
        g.append("reference_frame", Binary.fromConstantByteArray(jpeg(clip, 0)));
        int spf = RATE / FPS;
        ByteBuffer pcm = ByteBuffer.allocate(FRAMES * spf * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < FRAMES * spf; i++) {
            double a = speaking(clip, i / spf) ? 0.5 : 0.0;
            pcm.putShort((short) Math.round(a * 32767 * Math.sin(2 * Math.PI * 220 * i / RATE)));
        }
        g.append("audio", Binary.fromConstantByteArray(pcm.array())).append("audio_rate", RATE).append("audio_shift_s", 0.0);
        g.append("caption", "a drawn face talks").append("caption_estimator", "test");
        Group e = g.addGroup("caption_embedding");
        for (int i = 0; i < 384; i++) e.addGroup("list").append("element", (float) Math.sin(i * 0.1 + clip));
        g.addGroup("scores");
        g.append("video_id", "video-" + clip).append("uri", "file:/videos/" + id + ".mp4")
                .append("start_s", 0.0).append("end_s", FRAMES / (double) FPS).append("frames_start_s", 0.0);
        return g;
    }

    /** A face on a per-clip background colour; mouth open (1) or closed (0). */
    static byte[] jpeg(int clip, int open) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40 + 50 * (clip % 4), 80, 160 - 30 * (clip % 3)));
        g.fillRect(0, 0, W, H);
        g.setColor(new Color(230, 190, 150));
        g.fillOval(W / 2 - 14, 6, 28, 36);
        g.setColor(Color.BLACK);
        g.fillOval(W / 2 - 8, 18, 4, 4);
        g.fillOval(W / 2 + 4, 18, 4, 4);
        g.setColor(new Color(120, 20, 20));
        g.fillRect(W / 2 - 6, 30, 12, open == 1 ? 8 : 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
