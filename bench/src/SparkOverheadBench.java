import dev.avcurate.app.Curate;
import dev.avcurate.core.Ids;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.IngestRecords.Result;
import dev.avcurate.ingest.VideoIngestor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;

/**
 * The ingest job on local Spark against the same per-video work in a plain Java loop (a thread
 * pool as wide as Spark's local[N]) over the same files, in one JVM, loop first. The Spark side
 * includes everything a user pays for: session start, listing, scheduling, Delta commits and
 * run-summary.json.
 */
public final class SparkOverheadBench {
    public static void main(String[] args) throws Exception {
        Path input = Path.of(args[0]);
        Path output = Path.of(args[1]);
        Path config = Path.of(args[2]);
        int cores = Integer.parseInt(System.getProperty("cores", String.valueOf(Runtime.getRuntime().availableProcessors())));
        CurateConfig cfg = CurateConfig.load(config);
        List<Input> inputs = new ArrayList<>();
        try (var files = Files.list(input)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".mp4")).sorted().toList()) {
                String uri = p.toUri().toString();
                inputs.add(new Input(Ids.videoId(uri), uri, Files.size(p), Files.getLastModifiedTime(p).toMillis()));
            }
        }
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        List<Future<Result>> fs = new ArrayList<>();
        for (Input in : inputs) fs.add(pool.submit(() -> new VideoIngestor(cfg, new Configuration()).ingest(in)));
        long clips = 0;
        for (Future<Result> f : fs) clips += f.get().clips().size();
        pool.shutdown();
        double loop = (System.nanoTime() - t0) / 1e9;

        t0 = System.nanoTime();
        int code = Curate.execute("run", "--config", config.toString(), "--input", input.toString(),
                "--output", output.toString(), "--master", "local[" + cores + "]", "--stages", "ingest");
        double spark = (System.nanoTime() - t0) / 1e9;
        if (code != 0) throw new IllegalStateException("curate run failed: " + code);
        System.out.println("videos\tcores\tclips\tloop_s\tspark_s\tratio");
        System.out.printf(Locale.ROOT, "%d\t%d\t%d\t%.1f\t%.1f\t%.3f%n", inputs.size(), cores, clips, loop, spark, spark / loop);
        System.exit(0);
    }
}
