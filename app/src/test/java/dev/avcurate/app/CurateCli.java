package dev.avcurate.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;

/** Test helpers: the CLI run in-process with its stderr captured, and the one local SparkSession of a test JVM. */
final class CurateCli {
    private CurateCli() {}

    /** Exit code and what the command printed on its error stream. */
    record Result(int code, String err) {}

    static synchronized Result run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = Curate.err;
        Curate.err = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try {
            return new Result(Curate.execute(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            Curate.err = old;
        }
    }

    /** Runs the CLI, echoes its stderr to the test log, returns the exit code. */
    static int curate(String... args) {
        Result r = run(args);
        System.err.print(r.err());
        return r.code();
    }

    static SparkSession spark() {
        return SparkSession.builder().master("local[2]").appName("avcurate-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .getOrCreate();
    }
}
