package dev.avcurate.trainer;

import dev.avcurate.trainerbridge.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/curate train} and {@code bin/curate sample}: the bundled trainer, in its own JVM (no Spark). */
@Command(name = "curate", mixinStandardHelpOptions = true, version = "avcurate trainer 0.1.0",
        description = "The bundled audio-driven video DiT: train on shards, sample videos.",
        subcommands = {TrainerCli.Train.class, TrainerCli.SampleCmd.class})
public final class TrainerCli implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new TrainerCli());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException || e instanceof IllegalStateException) {
                System.err.println("[" + cmd.getCommandName() + "] error: " + e.getMessage());
                return 2;
            }
            if (e instanceof dev.avcurate.trainerbridge.CorruptShardException) {
                // a shard that fails its checks mid-run: the job fails (exit 1), its last checkpoint stands
                System.err.println("[" + cmd.getCommandName() + "] failed: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Trains the DiT on shards by flow matching (one stage: pretrain or sft, from the config).",
                    "A run directory that holds checkpoints is resumed from its latest one (exactly: same losses).",
                    "Progress on stderr; <run>/metrics.tsv (loss by t-bin, grad norm, lr, throughput); <run>/checkpoints/."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "conf/train-tiny.yaml, conf/train-pretrain.yaml or conf/train-sft.yaml")
        Path config;
        @Option(names = "--shards", required = true, description = "the shards directory of a curate run (<output>/shards)")
        String shards;
        @Option(names = "--run-dir", description = "where checkpoints and metrics go (default: run_dir of the config)")
        Path runDir;
        @Option(names = "--set", description = "override a config key, e.g. --set optim.steps=50 (repeatable)")
        List<String> overrides = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            TrainConfig cfg = TrainConfig.load(config, overrides);
            Path dir = runDir != null ? runDir : Path.of(cfg.runDir);
            System.err.printf(Locale.ROOT, "[train] %s, %s on %s with %d thread(s): %s -> %s%n", cfg.stage.name().toLowerCase(Locale.ROOT), config,
                    cfg.device, cfg.threads, shards, dir);
            try (Trainer t = new Trainer(cfg, shards, dir, System.err)) {
                t.train();
            }
            System.err.println("[train] done: " + dir);
            return 0;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Generates an mp4 (with the driving audio) from a run's EMA weights, conditioned on a clip of the shards:",
                    "its reference frame, caption and audio (or --audio-from another clip's). Writes <output>.json with PSNR/SSIM",
                    "against the clip's own frames."})
    static final class SampleCmd implements Callable<Integer> {
        @Option(names = "--run", required = true, description = "a run directory (its latest checkpoint) or a checkpoint directory")
        Path run;
        @Option(names = "--config", description = "the training config (default: <run>/config.yaml)")
        Path config;
        @Option(names = "--shards", required = true, description = "shards to take the conditioning clip from")
        String shards;
        @Option(names = "--clip", description = "clip id (default: the first clip of the index)")
        String clip;
        @Option(names = "--audio-from", description = "drive with this clip's audio instead (the swapped-audio check)")
        String audioFrom;
        @Option(names = "--segments", defaultValue = "0", description = "segments of data.frames frames (default 0: the whole clip)")
        int segments;
        @Option(names = "--seed", defaultValue = "0", description = "noise seed")
        long seed;
        @Option(names = "--set", description = "override a config key, e.g. --set sample.steps=30 (repeatable)")
        List<String> overrides = new ArrayList<>();
        @Option(names = "--output", required = true, description = "the mp4 to write")
        Path output;

        @Override
        public Integer call() throws Exception {
            Path ck = Checkpoints.resolve(run); // the run's latest checkpoint, or run itself when it is one
            Path cfgFile = config != null ? config : ck.toAbsolutePath().getParent().getParent().resolve("config.yaml");
            if (!Files.isRegularFile(cfgFile)) throw new java.io.IOException("no training config at " + cfgFile + " (give --config)");
            TrainConfig cfg = TrainConfig.load(cfgFile, overrides);
            Sample c = Sampler.findClip(shards, clip);
            Sample a = audioFrom == null ? c : Sampler.findClip(shards, audioFrom);
            Sampler s = new Sampler(cfg, run, System.err);
            try {
                Sampler.Result r = s.generate(c, a, segments, seed, output);
                Path report = output.resolveSibling(output.getFileName() + ".json");
                Sampler.writeReport(r, report);
                System.err.printf(Locale.ROOT, "[sample] wrote %s: %d frames of %dx%d at %.1f fps, audio of %s; PSNR %.2f dB, SSIM %.3f against %s (%s)%n",
                        output, r.frames(), r.width() * cfg.sampleScale, r.height() * cfg.sampleScale, r.fps(), r.audioFrom(), r.psnr(), r.ssim(), r.clipId(), report);
            } finally {
                s.close();
            }
            return 0;
        }
    }
}
