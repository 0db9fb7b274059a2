package dev.avcurate.trainer;

import dev.avcurate.trainerbridge.ReaderState;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains one stage of {@code conf/train-*.yaml} on shards: the {@link VideoDiT} by flow matching
 * (pretrain, sft; in pixel space or on a VAE's latents), or the {@link VideoAutoencoder} (vae):
 * AdamW with linear warm-up and cosine decay to a tenth, gradient clipping, an EMA copy of the
 * weights, classifier-free dropout per condition (text, audio, reference), bf16 autocast on CUDA.
 * Progress goes to stderr, per-interval metrics (loss by t-bin, gradient norm, lr, throughput) to
 * {@code <run>/metrics.tsv}. A run directory that holds checkpoints is resumed from its latest one;
 * the resumed run's losses equal the uninterrupted run's (with the same thread count).
 *
 * <p>Owns the model, its EMA copy, the optimizer and the shard loader; {@link #close()} frees them.
 */
public final class Trainer implements AutoCloseable {
    private final TrainConfig cfg;
    private final Path runDir;
    private final String shardsDir;
    private final PrintStream progress;
    private final Device device;
    private final Objective objective;
    private final Module model;
    private final Module ema;
    private final TensorVector params;
    private final TensorVector emaParams;
    private final AdamW optimizer;
    private long step;
    private BatchLoader.Position position;
    private final List<Double> losses = new ArrayList<>();
    private final String resumedFrom;

    public Trainer(TrainConfig cfg, String shardsDir, Path runDir, PrintStream progress) throws IOException {
        this.cfg = cfg;
        this.runDir = runDir;
        this.shardsDir = shardsDir;
        this.progress = progress;
        torch.set_num_threads(cfg.threads);
        device = Tensors.device(cfg.device);
        torch.manual_seed(cfg.seed);
        if (cfg.stage == TrainConfig.Stage.VAE) {
            objective = new Objective.Autoencoder(cfg, device);
        } else {
            LatentSpace latent = cfg.latentVae == null ? null : LatentSpace.load(Path.of(cfg.latentVae), device);
            if (latent != null) progress.printf(Locale.ROOT, "[train] on the latents of %s (%d channels, std %.4f)%n", latent.source(), latent.channels(), latent.std());
            objective = new Objective.Flow(cfg, device, latent);
        }
        model = objective.model();
        ema = objective.ema();
        model.to(device, false);
        ema.to(device, false);
        params = model.parameters();
        emaParams = ema.parameters();
        copyInto(emaParams, params);
        ema.eval();
        AdamWOptions opts = new AdamWOptions(cfg.lr);
        opts.weight_decay().put(cfg.weightDecay);
        optimizer = new AdamW(params, opts);
        position = BatchLoader.Position.start(cfg.seed);

        List<Path> existing = Checkpoints.list(runDir);
        if (!existing.isEmpty()) {
            Path ck = existing.get(existing.size() - 1);
            Properties st = Checkpoints.readState(ck);
            if (Long.parseLong(st.getProperty("seed")) != cfg.seed) {
                throw new IllegalArgumentException(ck + " was written with seed " + st.getProperty("seed") + ", the config (" + cfg.source
                        + ") has seed " + cfg.seed + ": resume with the same seed, or use another run_dir");
            }
            checkSameRun(ck, st);
            Checkpoints.load(model, ck.resolve(Checkpoints.MODEL), "model", device);
            Checkpoints.load(ema, ck.resolve(Checkpoints.EMA), "model", device);
            Checkpoints.loadOptimizer(optimizer, ck.resolve(Checkpoints.OPTIMIZER), device);
            step = Long.parseLong(st.getProperty("step"));
            if (objective instanceof Objective.Autoencoder a) a.restore(st);
            position = new BatchLoader.Position(ReaderState.parse(st.getProperty("reader_state")), Long.parseLong(st.getProperty("loader_index")));
            resumedFrom = ck.toString();
        } else if (cfg.initFrom != null) {
            Path ck = Checkpoints.resolve(Path.of(cfg.initFrom));
            Checkpoints.load(model, ck.resolve(Checkpoints.MODEL), "model", device);
            Checkpoints.load(ema, ck.resolve(Checkpoints.EMA), "model", device);
            resumedFrom = null;
            progress.println("[train] " + cfg.stage.name().toLowerCase(Locale.ROOT) + " starts from the weights of " + ck);
        } else {
            resumedFrom = null;
        }
    }

    /** A resume must read the shards as the checkpoint's run did, or its reader state means other batches. */
    private void checkSameRun(Path ck, Properties st) {
        String[][] same = {
            {"stage", cfg.stage.name().toLowerCase(Locale.ROOT)},
            {"batch_size", Integer.toString(cfg.batchSize)},
            {"splits", cfg.splits.toString()},
            {"frames", Integer.toString(cfg.frames)},
        };
        for (String[] kv : same) {
            String was = st.getProperty(kv[0]);
            if (was != null && !was.equals(kv[1])) {
                throw new IllegalArgumentException(ck + " was written with " + kv[0] + " " + was + ", the config (" + cfg.source + ") has " + kv[1]
                        + ": resume with the same settings, or use another run_dir");
            }
        }
    }

    public Module model() {
        return model;
    }

    public Module ema() {
        return ema;
    }

    public long step() {
        return step;
    }

    /** The checkpoint this trainer resumed from, or null. */
    public String resumedFrom() {
        return resumedFrom;
    }

    /** Loss of every step run by this trainer, in order. */
    public List<Double> losses() {
        return losses;
    }

    /** Trains up to {@code optim.steps}. */
    public void train() throws IOException {
        train(cfg.steps);
    }

    /** Trains up to step {@code until} (exclusive of later steps), checkpointing on the way and at the end. */
    public void train(long until) throws IOException {
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("config.yaml"), cfg.toYaml());
        if (resumedFrom != null && step > 0) progress.printf(Locale.ROOT, "[train] resumed at step %d from %s%n", step, resumedFrom);
        Path metrics = runDir.resolve("metrics.tsv");
        if (Files.exists(metrics)) {
            // rows written after the checkpoint we resume from are written again: drop them
            List<String> rows = new ArrayList<>(Files.readAllLines(metrics, StandardCharsets.UTF_8));
            rows.removeIf(r -> !r.startsWith("step\t") && Long.parseLong(r.substring(0, r.indexOf('\t'))) > step);
            Files.write(metrics, rows, StandardCharsets.UTF_8);
        } else {
            Files.writeString(metrics, "step\tepoch\tlr\tloss\tgrad_norm\tloss_t0_25\tloss_t25_50\tloss_t50_75\tloss_t75_100\tsteps_per_s\tsamples_per_s\tloader_wait_s\n");
        }
        long startStep = step;
        long t0 = System.nanoTime(), tLog = t0;
        Interval iv = new Interval();
        java.util.Map<String, Double> splits = BatchLoader.availableSplits(cfg, shardsDir, progress);
        try (BatchLoader loader = new BatchLoader(cfg, shardsDir, splits, position);
             Writer mw = Files.newBufferedWriter(metrics, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            double waitAtLog = 0;
            while (step < until) {
                BatchLoader.Prepared batch = loader.next();
                double lr = learningRate(step);
                optimizer.param_groups().get(0).options().set_lr(lr);
                StepResult r = step(batch);
                losses.add(r.loss);
                iv.add(r, batch.examples().size());
                position = new BatchLoader.Position(batch.after(), batch.index() + 1);
                step++;
                if (step % cfg.logEvery == 0 || step == until) {
                    long now = System.nanoTime();
                    double secs = (now - tLog) / 1e9;
                    double done = step - startStep, total = until - startStep;
                    double rate = done / ((now - t0) / 1e9);
                    progress.printf(Locale.ROOT, "[train] step %d/%d  loss %.4f  lr %.2e  %.2f steps/s  ETA %s%n", step, until, iv.loss / iv.n, lr,
                            iv.n / secs, eta((total - done) / Math.max(rate, 1e-9)));
                    mw.write(String.format(Locale.ROOT, "%d\t%d\t%.6g\t%.6f\t%.6f\t%s\t%s\t%s\t%s\t%.4f\t%.4f\t%.3f%n", step, batch.after().epoch(), lr,
                            iv.loss / iv.n, iv.grad / iv.n, iv.bin(0), iv.bin(1), iv.bin(2), iv.bin(3), iv.n / secs, iv.samples / secs,
                            loader.waitSeconds() - waitAtLog));
                    mw.flush();
                    waitAtLog = loader.waitSeconds();
                    iv = new Interval();
                    tLog = now;
                }
                if (step % cfg.checkpointEvery == 0 || step == until) checkpoint();
            }
        }
    }

    private record StepResult(double loss, double gradNorm, double[] perSample, double[] times) {}

    /** Loss sums per interval for the metrics file. */
    private static final class Interval {
        double loss, grad;
        int n, samples;
        final double[] binLoss = new double[4];
        final int[] binN = new int[4];

        void add(StepResult r, int batchSize) {
            loss += r.loss;
            grad += r.gradNorm;
            n++;
            samples += batchSize;
            for (int i = 0; r.times != null && i < r.perSample.length; i++) {
                int b = Math.min(3, (int) (r.times[i] * 4));
                binLoss[b] += r.perSample[i];
                binN[b]++;
            }
        }

        String bin(int b) {
            return binN[b] == 0 ? "" : String.format(Locale.ROOT, "%.6f", binLoss[b] / binN[b]);
        }
    }

    private StepResult step(BatchLoader.Prepared batch) {
        model.train(true);
        // Every random draw of the step comes from (seed, step): resume needs no generator state.
        torch.manual_seed(cfg.seed * 1_000_003L + step);
        try (PointerScope scope = new PointerScope()) {
            Objective.Loss loss = objective.loss(batch.examples());
            optimizer.zero_grad();
            loss.value().backward();
            double gradNorm = torch.clip_grad_norm_(params, cfg.gradClip);
            optimizer.step();
            updateEma();
            return new StepResult(loss.value().item_double(), gradNorm, toDoubles(loss.perSample()), loss.times() == null ? null : toDoubles(loss.times()));
        }
    }

    private static double[] toDoubles(Tensor t) {
        float[] f = Tensors.toFloats(t.detach().to(torch.ScalarType.Float));
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** EMA with a warm-up, min(ema_decay, (1 + step) / (10 + step)): early weights do not linger (a function of the step: resume stays exact). */
    private void updateEma() {
        double d = Math.min(cfg.emaDecay, (1.0 + step) / (10.0 + step));
        try (NoGradGuard g = new NoGradGuard()) {
            for (long i = 0; i < params.size(); i++) {
                emaParams.get(i).mul_(Tensors.s(d)).add_(params.get(i).detach(), Tensors.s(1 - d));
            }
        }
    }

    private static void copyInto(TensorVector dst, TensorVector src) {
        try (NoGradGuard g = new NoGradGuard()) {
            for (long i = 0; i < src.size(); i++) dst.get(i).copy_(src.get(i));
        }
    }

    /** Linear warm-up to optim.lr, then cosine decay to a tenth of it at optim.steps. */
    public double learningRate(long s) {
        if (s < cfg.warmupSteps) return cfg.lr * (s + 1) / cfg.warmupSteps;
        double progressFrac = Math.min(1.0, (double) (s - cfg.warmupSteps) / Math.max(1, cfg.steps - cfg.warmupSteps));
        return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progressFrac)));
    }

    private void checkpoint() throws IOException {
        Properties p = new Properties();
        p.setProperty("step", Long.toString(step));
        p.setProperty("reader_state", position.reader().toString());
        p.setProperty("loader_index", Long.toString(position.nextIndex()));
        p.setProperty("seed", Long.toString(cfg.seed));
        p.setProperty("stage", cfg.stage.name().toLowerCase(Locale.ROOT));
        p.setProperty("config", cfg.source);
        p.setProperty("shards", shardsDir);
        p.setProperty("model", cfg.model.toString());
        p.setProperty("threads", Integer.toString(cfg.threads));
        p.setProperty("batch_size", Integer.toString(cfg.batchSize));
        p.setProperty("splits", cfg.splits.toString());
        p.setProperty("frames", Integer.toString(cfg.frames));
        objective.state().forEach(p::setProperty);
        Path ck = Checkpoints.write(runDir, step, model, ema, optimizer, p, cfg.keepCheckpoints);
        progress.println("[train] checkpoint " + ck);
    }

    static String eta(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60) : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    @Override
    public void close() {
        optimizer.close();
        objective.close();
    }
}
