import dev.avcurate.app.report.QualityReport;
import dev.avcurate.app.report.SyntheticRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * Report generation time: on a real run's output (argument 1, e.g. README's out/), and on a
 * synthetic run of N clips (no media) written first. Prints TSV rows; the page timings in headless
 * Chromium are taken by bench/run from the written pages.
 * Usage: ReportBench <run output> <synthetic output dir> <N>
 */
public class ReportBench {
    public static void main(String[] a) throws Exception {
        SparkSession spark = SparkSession.builder().master("local[*]").appName("report-bench").config("spark.ui.enabled", "false")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        System.out.println("run\tclips\tthumbnails\tmb\tseconds");
        // a warm-up page so that Spark's and the JIT's first-use costs are not charged to the first measurement
        new QualityReport(spark, quiet, 12).write(a[0], Path.of(a[0], "report-warmup.html"));
        QualityReport.Result r = new QualityReport(spark, quiet, 12).write(a[0], Path.of(a[0], "report.html"));
        System.out.printf(Locale.ROOT, "%s\t%d\t%d\t%.2f\t%.2f%n", a[0], r.clips(), r.thumbnails(), r.bytes() / 1e6, r.seconds());
        int n = Integer.parseInt(a[2]);
        long t0 = System.nanoTime();
        SyntheticRun.write(spark, a[1], n, 7, null, 0, quiet);
        System.err.printf(Locale.ROOT, "[bench] synthetic run of %d clips written and filtered in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        r = new QualityReport(spark, quiet, 12).write(a[1], Path.of(a[1], "report.html"));
        System.out.printf(Locale.ROOT, "synthetic\t%d\t%d\t%.2f\t%.2f%n", r.clips(), r.thumbnails(), r.bytes() / 1e6, r.seconds());
        spark.stop();
    }
}
