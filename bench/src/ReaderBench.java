import dev.avcurate.trainerbridge.Batch;
import dev.avcurate.trainerbridge.ReaderOptions;
import dev.avcurate.trainerbridge.Sample;
import dev.avcurate.trainerbridge.ShardFormat;
import dev.avcurate.trainerbridge.ShardFormat.IndexEntry;
import dev.avcurate.trainerbridge.ShardReader;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;

/**
 * The trainer-bridge shard reader against a bare parquet-hadoop loop over the same files: how much
 * of Parquet's own read rate is left once the reader adds its epoch order, window shuffle, sample
 * decoding (audio to shorts, embedding, scores), bucket batching and prefetch threads.
 *
 * <p>Both sides read every row of every shard and touch every frame's bytes (first and last byte,
 * and the length). Bare = one {@code ParquetReader<Group>} per file, files in index order, frames
 * as {@code byte[]}, in the calling thread. Ours = {@link ShardReader} with 1 rank, shuffle on
 * (window 256), batch 8, no checksum, prefetch 0 (everything in the calling thread, for the
 * overhead alone), 2 and 4; and once without shuffle (prefetch 0), to separate the cost of the
 * shuffle window. One warm-up pass of each, then {@code reps} rounds (each reader once per round,
 * interleaved); the median round is reported, with its process CPU time and time in GC pauses.
 * MB are the shard files' bytes (10^6).
 *
 * <p>{@code ReaderBench <dataDir>} with {@code -Dshards=48 -Drows=64 -Dframes=49 -Dframe_kb=25
 * -Dreps=3}: writes the shards under {@code <dataDir>/reader-shards} first if they are not there.
 */
public final class ReaderBench {
    static final Configuration CONF = new Configuration();

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]).toAbsolutePath();
        int shards = Integer.getInteger("shards", 48);
        int rows = Integer.getInteger("rows", 64);
        int frames = Integer.getInteger("frames", 49);
        int frameKb = Integer.getInteger("frame_kb", 25);
        int reps = Integer.getInteger("reps", 3);
        Path dir = data.resolve("reader-shards");
        String params = shards + " shards x " + rows + " rows, " + frames + " frames of ~" + frameKb + " KB, 3 s of audio, snappy";
        Path marker = dir.resolve("params.txt");
        if (!Files.exists(marker) || !Files.readString(marker).equals(params)) generate(dir, shards, rows, frames, frameKb, params);
        org.apache.hadoop.fs.Path hdir = new org.apache.hadoop.fs.Path(dir.toUri());
        List<IndexEntry> index = ShardFormat.readIndex(hdir, CONF);
        long fileBytes = index.stream().mapToLong(IndexEntry::bytes).sum();
        System.err.printf(Locale.ROOT, "[reader] %s: %d files, %.1f MB, %d cores, max heap %d MB%n", params, index.size(), fileBytes / 1e6,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        String[] names = {"bare parquet-hadoop", "ShardReader, no shuffle", "ShardReader", "ShardReader", "ShardReader"};
        int[] prefetch = {-1, 0, 0, 2, 4};
        boolean[] shuffle = {false, false, true, true, true};
        double[][] secs = new double[names.length][reps];
        double[][] cpu = new double[names.length][reps];
        double[][] gc = new double[names.length][reps];
        System.err.println("[reader] load average before: " + Files.readString(Path.of("/proc/loadavg")).strip());
        long[] expect = null;
        for (int round = -1; round < reps; round++) {
            for (int m = 0; m < names.length; m++) {
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long c0 = os.getProcessCpuTime();
                long g0 = gcMillis();
                long t0 = System.nanoTime();
                long[] seen = prefetch[m] < 0 ? bare(hdir, index) : ours(dir, prefetch[m], shuffle[m], round + 1);
                double s = (System.nanoTime() - t0) / 1e9;
                double c = (os.getProcessCpuTime() - c0) / 1e9;
                double g = (gcMillis() - g0) / 1e3;
                if (expect == null) expect = seen;
                if (!Arrays.equals(expect, seen)) throw new IllegalStateException("read different data: " + Arrays.toString(seen) + " vs " + Arrays.toString(expect));
                System.err.printf(Locale.ROOT, "[reader] %s %s prefetch %s: %.3f s, %.3f s CPU, %.3f s in GC pauses%n",
                        round < 0 ? "warm-up" : "round " + (round + 1), names[m], prefetch[m] < 0 ? "-" : prefetch[m], s, c, g);
                if (round >= 0) {
                    secs[m][round] = s;
                    cpu[m][round] = c;
                    gc[m][round] = g;
                }
            }
        }
        System.err.println("[reader] load average after: " + Files.readString(Path.of("/proc/loadavg")).strip());
        long samples = expect[0];
        System.out.println("reader\tprefetch\tsamples\tseconds\tsamples_per_s\tMB_per_s\tcpu_s\tgc_pause_s\tratio");
        double bareRate = 0;
        for (int m = 0; m < names.length; m++) {
            int med = medianIndex(secs[m]);
            double s = secs[m][med];
            double rate = samples / s;
            if (m == 0) bareRate = rate;
            System.out.printf(Locale.ROOT, "%s\t%s\t%d\t%.3f\t%.1f\t%.1f\t%.2f\t%.2f\t%.3f%n", names[m], prefetch[m] < 0 ? "-" : prefetch[m], samples, s,
                    rate, fileBytes / 1e6 / s, cpu[m][med], gc[m][med], rate / bareRate);
        }
        System.out.printf(Locale.ROOT, "# %s; %.1f MB of files, %d frame bytes touched per pass; median of %d rounds after a warm-up%n",
                params, fileBytes / 1e6, expect[1], reps);
    }

    /** Index of the median of {@code v} (the lower one for an even count). */
    static int medianIndex(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        return order[(v.length - 1) / 2];
    }

    /** Every row of every file in index order; returns {rows, frame bytes, touch checksum}. */
    static long[] bare(org.apache.hadoop.fs.Path dir, List<IndexEntry> index) throws Exception {
        long rows = 0, bytes = 0, touch = 0;
        for (IndexEntry e : index) {
            try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(dir, e.path())).withConf(CONF).build()) {
                for (Group g; (g = r.read()) != null; ) {
                    Group fr = g.getGroup("frames", 0);
                    int n = fr.getFieldRepetitionCount(0);
                    for (int i = 0; i < n; i++) {
                        byte[] f = fr.getGroup(0, i).getBinary(0, 0).getBytes();
                        bytes += f.length;
                        touch += f[0] ^ f[f.length - 1];
                    }
                    rows++;
                }
            }
        }
        return new long[] {rows, bytes, touch};
    }

    static long gcMillis() {
        long t = 0;
        for (var b : ManagementFactory.getGarbageCollectorMXBeans()) t += Math.max(0, b.getCollectionTime());
        return t;
    }

    static long[] ours(Path dir, int prefetch, boolean shuffle, int epoch) throws Exception {
        ReaderOptions o = ReaderOptions.builder().shardsDir(dir.toString()).batchSize(8).shuffle(shuffle).shuffleWindow(256)
                .prefetchShards(prefetch).verifyChecksum(false).seed(1).epoch(epoch).build();
        long rows = 0, bytes = 0, touch = 0;
        try (ShardReader r = ShardReader.open(o)) {
            while (r.hasNext()) {
                Batch b = r.next();
                for (Sample s : b.samples()) {
                    for (byte[] f : s.frames()) {
                        bytes += f.length;
                        touch += f[0] ^ f[f.length - 1];
                    }
                    rows++;
                }
            }
        }
        return new long[] {rows, bytes, touch};
    }

    /** Shards of one split and bucket (256x448x49), random bytes standing in for JPEG frames. */
    static void generate(Path dir, int shards, int rows, int frames, int frameKb, String params) throws Exception {
        System.err.println("[reader] writing " + params + " to " + dir);
        long t0 = System.nanoTime();
        if (Files.exists(dir)) {
            try (var w = Files.walk(dir)) {
                w.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        String bucket = ShardFormat.bucketName(256, 448, frames);
        SplittableRandom rnd = new SplittableRandom(42);
        SimpleGroupFactory f = new SimpleGroupFactory(ShardFormat.SCHEMA);
        List<IndexEntry> entries = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            String rel = "pretrain/" + bucket + String.format(Locale.ROOT, "/part-%05d.parquet", s);
            Path file = dir.resolve(rel);
            Files.createDirectories(file.getParent());
            try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF))
                    .withType(ShardFormat.SCHEMA).withConf(CONF).withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
                for (int r = 0; r < rows; r++) {
                    String id = String.format(Locale.ROOT, "clip-%05d-%03d", s, r);
                    Group g = f.newGroup();
                    g.append("clip_id", id).append("split", "pretrain").append("bucket", bucket).append("width", 256).append("height", 448)
                            .append("num_frames", frames).append("fps", 16.0);
                    Group fr = g.addGroup("frames");
                    for (int i = 0; i < frames; i++) fr.addGroup("list").append("element", Binary.fromConstantByteArray(jpegLike(rnd, frameKb)));
                    g.append("reference_frame", Binary.fromConstantByteArray(jpegLike(rnd, frameKb)));
                    byte[] audio = new byte[3 * 16000 * 2];
                    rnd.nextBytes(audio);
                    g.append("audio", Binary.fromConstantByteArray(audio)).append("audio_rate", 16000).append("audio_shift_s", 0.0);
                    g.append("caption", "a person talks to the camera in a bright room, clip " + id).append("caption_estimator", "bench");
                    Group e = g.addGroup("caption_embedding");
                    for (int i = 0; i < 384; i++) e.addGroup("list").append("element", (float) rnd.nextDouble());
                    Group sc = g.addGroup("scores");
                    for (String k : new String[] {"aesthetic", "motion", "sync_confidence", "face_area", "ocr_area"}) {
                        sc.addGroup("key_value").append("key", k).append("value", rnd.nextDouble());
                    }
                    g.append("video_id", "video-" + s).append("uri", "file:/videos/video-" + s + ".mp4")
                            .append("start_s", r * 3.0).append("end_s", r * 3.0 + 3).append("frames_start_s", r * 3.0);
                    w.write(g);
                }
            }
            Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
            entries.add(new IndexEntry(rel, "pretrain", bucket, rows, Files.size(file), sha256(file)));
        }
        ShardFormat.writeIndex(new org.apache.hadoop.fs.Path(dir.toUri()), entries, CONF);
        Files.writeString(dir.resolve("params.txt"), params);
        System.err.printf(Locale.ROOT, "[reader] written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** SOI, random bytes (incompressible, as JPEG data), EOI; 80 to 120 % of the nominal size. */
    static byte[] jpegLike(SplittableRandom rnd, int kb) {
        byte[] b = new byte[kb * 1024 * 8 / 10 + rnd.nextInt(kb * 1024 * 4 / 10)];
        rnd.nextBytes(b);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[b.length - 2] = (byte) 0xFF;
        b[b.length - 1] = (byte) 0xD9;
        return b;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
