import dev.avcurate.trainer.Mp4Writer;
import dev.avcurate.trainer.Sampler;
import dev.avcurate.trainer.TrainConfig;
import dev.avcurate.trainerbridge.Batch;
import dev.avcurate.trainerbridge.ReaderOptions;
import dev.avcurate.trainerbridge.Sample;
import dev.avcurate.trainerbridge.ShardReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Samples every clip of the shards from a run's EMA weights, each driven by its own audio, into
 * {@code <out dir>/<clip>.mp4}, and the same windows of the clips themselves (same size, rate and audio) into
 * {@code <out dir>-truth/}; prints PSNR/SSIM per clip against the clip's own frames and the mean.
 * Usage: SampleAll <run dir> <shards dir> <out dir>
 */
public class SampleAll {
    public static void main(String[] a) throws Exception {
        Path run = Path.of(a[0]);
        TrainConfig cfg = TrainConfig.load(run.resolve("config.yaml"), List.of());
        List<Sample> clips = new ArrayList<>();
        try (ShardReader r = ShardReader.open(ReaderOptions.builder().shardsDir(a[1]).batchSize(1).shuffle(false).build())) {
            while (r.hasNext()) for (Sample s : r.next().samples()) clips.add(s);
        }
        Path out = Path.of(a[2]);
        Files.createDirectories(out);
        Sampler sampler = new Sampler(cfg, run, System.err);
        double psnr = 0, ssim = 0;
        System.out.println("clip\tframes\tpsnr_db\tssim");
        for (Sample c : clips) {
            Sampler.Result r = sampler.generate(c, c, 0, 1, out.resolve(c.clipId() + ".mp4"));
            // the same window of the clip itself, at the same size, rate and audio: what the scorer says on real frames
            short[] audio = java.util.Arrays.copyOf(c.audio(), Math.min(c.audio().length, (int) Math.round(r.frames() / r.fps() * c.audioRate())));
            Path truthDir = out.resolveSibling(out.getFileName() + "-truth");
            Files.createDirectories(truthDir);
            Mp4Writer.write(truthDir.resolve(c.clipId() + ".mp4"), r.truth(), r.frames(), r.height(), r.width(), r.fps(), audio, c.audioRate(), cfg.sampleScale);
            System.out.printf(Locale.ROOT, "%s\t%d\t%.2f\t%.4f%n", c.clipId(), r.frames(), r.psnr(), r.ssim());
            psnr += r.psnr();
            ssim += r.ssim();
        }
        System.out.printf(Locale.ROOT, "# mean over %d clips: PSNR %.2f dB, SSIM %.4f%n", clips.size(), psnr / clips.size(), ssim / clips.size());
        sampler.close();
    }
}
