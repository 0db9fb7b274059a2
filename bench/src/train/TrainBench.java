import dev.avcurate.trainer.BatchLoader;
import dev.avcurate.trainer.TrainConfig;
import dev.avcurate.trainer.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trainer's CPU throughput on real shards, and whether the shard loader keeps up:
 * (1) the loader alone (trainer-bridge reader + JPEG decode + log-mel on its one thread), drained as fast as possible;
 * (2) training steps of the given config, with the time the trainer waited for the loader.
 * Prints one TSV row per measurement and the loader/trainer ratio (the issue asks for at least 5x).
 * Usage: TrainBench <config.yaml> <shards dir> <loader batches> <train steps> <work dir>
 */
public class TrainBench {
    public static void main(String[] a) throws Exception {
        Path conf = Path.of(a[0]);
        String shards = a[1];
        int loaderBatches = Integer.parseInt(a[2]), steps = Integer.parseInt(a[3]);
        Path work = Path.of(a[4]);
        TrainConfig cfg = TrainConfig.load(conf, List.of("optim.steps=" + steps, "log.every=" + steps, "log.checkpoint_every=" + (steps * 10)));
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        Map<String, Double> splits = BatchLoader.availableSplits(cfg, shards, quiet);

        // (1) the loader alone; the first few batches warm up (class loading, JIT, first shard open)
        int warm = Math.min(5, loaderBatches / 5);
        long samples = 0;
        long t0 = 0;
        try (BatchLoader loader = new BatchLoader(cfg, shards, splits, BatchLoader.Position.start(cfg.seed))) {
            for (int i = 0; i < loaderBatches + warm; i++) {
                if (i == warm) t0 = System.nanoTime();
                BatchLoader.Prepared p = loader.next();
                if (i >= warm) samples += p.examples().size();
            }
        }
        double loaderSecs = (System.nanoTime() - t0) / 1e9;
        double loaderRate = samples / loaderSecs;

        // (2) training: a few warm-up steps, then the timed ones
        Path run = work.resolve("bench-run");
        if (Files.exists(run)) try (var s = Files.walk(run)) { s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
        double trainSecs, trainRate, wait;
        long timedSteps;
        try (Trainer t = new Trainer(cfg, shards, run, quiet)) {
            int warmSteps = Math.min(10, steps / 5);
            t.train(warmSteps);
            long s0 = System.nanoTime();
            t.train(steps);
            trainSecs = (System.nanoTime() - s0) / 1e9;
            timedSteps = steps - warmSteps;
            trainRate = timedSteps * (double) cfg.batchSize / trainSecs;
        }
        // loader wait of the timed part, from metrics.tsv's last row (the column covers the interval since the previous row)
        List<String> rows = Files.readAllLines(run.resolve("metrics.tsv"));
        String[] last = rows.get(rows.size() - 1).split("\t");
        wait = Double.parseDouble(last[last.length - 1]);
        System.out.println("measurement\tvalue\tunit");
        System.out.printf(Locale.ROOT, "loader_samples_per_s\t%.2f\tsamples/s (%d batches, one loader thread)%n", loaderRate, loaderBatches);
        System.out.printf(Locale.ROOT, "train_step_s\t%.4f\ts/step (%d steps, batch %d, %d torch thread(s))%n", trainSecs / timedSteps, timedSteps, cfg.batchSize, cfg.threads);
        System.out.printf(Locale.ROOT, "train_samples_per_s\t%.2f\tsamples/s%n", trainRate);
        System.out.printf(Locale.ROOT, "train_wait_for_loader_s\t%.3f\ts over the timed steps%n", wait);
        System.out.printf(Locale.ROOT, "loader_over_trainer\t%.1f\tx (>= 5 wanted)%n", loaderRate / trainRate);
    }
}
