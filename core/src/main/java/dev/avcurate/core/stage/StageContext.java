package dev.avcurate.core.stage;

import dev.avcurate.core.config.CurateConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The job a stage runs in. The runner owns the Spark session (and stops it if it started it);
 * stages never stop it.
 *
 * @param spark  null while stages validate (before Spark starts)
 * @param home   the install directory (bin/curate sets it), or null; relative model and config paths resolve against it
 * @param env    the environment (API keys are read from it, never from config files)
 * @param input  {@code --input}, or null when ingest does not run
 * @param output {@code --output}: tables/ and run-summary.json go here
 */
public record StageContext(SparkSession spark, CurateConfig cfg, PrintStream log, Path home, Map<String, String> env, String input, String output) {
    public StageContext withSpark(SparkSession s) {
        return new StageContext(s, cfg, log, home, env, input, output);
    }

    /** A table's path under the output. */
    public String table(String name) {
        return output.replaceAll("/+$", "") + "/tables/" + name;
    }
}
