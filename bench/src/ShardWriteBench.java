import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.MediaReader;
import dev.avcurate.shards.write.Bucket;
import dev.avcurate.shards.write.ClipInput;
import dev.avcurate.shards.write.ClipShardEncoder;
import dev.avcurate.shards.write.ShardFileWriter;
import dev.avcurate.shards.write.ShardRow;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Cost of writing shards per clip-second against the decode of the same seconds, one thread:
 * 10 s clips of a 720p talking-head video (H.264 + AAC, made by bench/run), each encoded into a
 * bucket (its middle window of F frames at 25 fps: decode, cover-scale, crop, JPEG, audio) and
 * written to a ZSTD Parquet shard. The baseline decodes the same window with our reader at the
 * source size, every frame, plus audio, and nothing else. Then the choice of JPEG frames over a
 * short H.264 segment: the same frames of one row encoded by the ffmpeg CLI (libx264, CRF 18,
 * medium), size and the reader's decode CPU, against the JPEGs' size and OpenCV decode CPU.
 */
public class ShardWriteBench {
    public static void main(String[] args) throws Exception {
        Path video = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int clips = Integer.parseInt(args.length > 2 ? args[2] : "6");
        String[] buckets = {"672x384x129", "1216x704x129"};
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Configuration conf = new Configuration();
        ClipShardEncoder enc = new ClipShardEncoder(25, 90, 16_000, 600);
        System.out.println("bucket\tclip_seconds\tdecode_cpu_s_per_clip_s\tencode_cpu_s_per_clip_s\twrite_cpu_s_per_clip_s\tratio_to_decode\tMB_per_clip_s");
        for (String b : buckets) {
            Bucket bucket = Bucket.parse(b);
            double window = bucket.frames() / 25.0;
            // Warm-up: JIT, natives.
            enc.encode(new ClipInput("warm", "v", video.toString(), 0, 10, "pretrain", 0, "c", "x", null, Map.of()), bucket, conf);
            decode(video, 0, 10, window);
            long decodeNs = 0, encodeNs = 0, writeNs = 0, bytes = 0;
            Path dir = out.resolve("shard-bench-" + b);
            List<ShardRow> rows = new ArrayList<>();
            for (int i = 1; i <= clips; i++) {
                long t0 = bean.getCurrentThreadCpuTime();
                decode(video, i * 10, (i + 1) * 10, window);
                long t1 = bean.getCurrentThreadCpuTime();
                rows.add(enc.encode(new ClipInput("c" + i, "v", video.toString(), i * 10, (i + 1) * 10, "pretrain", 0.04, "A caption.", "vlm",
                        null, Map.of("quality_technical", 50.0)), bucket, conf));
                long t2 = bean.getCurrentThreadCpuTime();
                decodeNs += t1 - t0;
                encodeNs += t2 - t1;
            }
            long t3 = bean.getCurrentThreadCpuTime();
            try (ShardFileWriter w = new ShardFileWriter(new org.apache.hadoop.fs.Path(dir.toUri()), "pretrain", b,
                    ShardFileWriter.Settings.defaults(), conf)) {
                for (ShardRow r : rows) w.write(r);
                for (var e : w.finish()) bytes += e.bytes();
            }
            writeNs = bean.getCurrentThreadCpuTime() - t3;
            double seconds = clips * window;
            double d = decodeNs / 1e9 / seconds, e = encodeNs / 1e9 / seconds, wr = writeNs / 1e9 / seconds;
            System.out.printf(Locale.ROOT, "%s\t%.2f\t%.4f\t%.4f\t%.4f\t%.2f\t%.3f%n", b, seconds, d, e, wr, (e + wr) / d, bytes / 1e6 / seconds);
            System.err.printf(Locale.ROOT, "[bench] %s: %d clips of %.2f s, %.1f MB%n", b, clips, window, bytes / 1e6);
            jpegVsH264(rows.get(0), out.resolve("segment-" + b + ".mp4"), bean);
        }
    }

    static void jpegVsH264(ShardRow row, Path mp4, com.sun.management.ThreadMXBean bean) throws Exception {
        long jpegBytes = 0;
        for (byte[] f : row.frames()) jpegBytes += f.length;
        Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "image2pipe", "-framerate", "25",
                "-i", "-", "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p", "-y", mp4.toString())
                .redirectErrorStream(true).start();
        try (var o = p.getOutputStream()) {
            for (byte[] f : row.frames()) o.write(f);
        }
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) throw new IllegalStateException("ffmpeg failed");
        long t0 = bean.getCurrentThreadCpuTime();
        for (int rep = 0; rep < 3; rep++) {
            for (byte[] f : row.frames()) {
                try (var m = org.bytedeco.opencv.global.opencv_imgcodecs.imdecode(new org.bytedeco.opencv.opencv_core.Mat(
                        new org.bytedeco.javacpp.BytePointer(f)), org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR)) {
                    if (m.empty()) throw new IllegalStateException("bad JPEG");
                }
            }
        }
        long t1 = bean.getCurrentThreadCpuTime();
        for (int rep = 0; rep < 3; rep++) {
            try (MediaReader r = MediaReader.open(mp4.toString(), System.nanoTime() + 600_000_000_000L, 1)) {
                r.decode(new DecodeRequest(0, Double.POSITIVE_INFINITY, 0, 0, 0, 0, false, true, 0), new FrameSink() {
                    @Override
                    public void frame(long index, double ptsS, int width, int height, byte[] pixels) {}
                });
            }
        }
        long t2 = bean.getCurrentThreadCpuTime();
        System.out.printf(Locale.ROOT, "# %s, %d frames: JPEG %.2f MB, decode %.1f ms CPU; H.264 segment %.2f MB, decode %.1f ms CPU%n",
                row.bucket(), row.frames().size(), jpegBytes / 1e6, (t1 - t0) / 3e6, Files.size(mp4) / 1e6, (t2 - t1) / 3e6);
    }

    /** The baseline: every frame of the window at the source size, plus 16 kHz audio, discarded. */
    static void decode(Path video, double startS, double endS, double window) throws Exception {
        double s = startS + (endS - startS - window) / 2;
        try (MediaReader r = MediaReader.open(video.toString(), System.nanoTime() + 600_000_000_000L, 1)) {
            r.decode(new DecodeRequest(s, s + window, 0, 0, 0, 0, false, true, 16_000), new FrameSink() {
                @Override
                public void frame(long index, double ptsS, int width, int height, byte[] pixels) {}
            });
        }
    }
}
