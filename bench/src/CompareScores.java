import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * bench/run compare-scores: the score columns of two runs' clips tables, clip by clip (joined on
 * clip_id), so that a change made for speed can show it moved no score beyond noise.
 *
 * <p>Per numeric score column: clips compared, clips whose value differs by more than 1e-6 (times
 * the value when it is above 1), the largest and the mean absolute difference, and the column's spread (p95 - p5 over
 * the "before" table) to read the differences against. Then string scores (equal or not), estimator
 * columns that changed, clips only in one table, and the filter decisions ({@code keep}) that differ.
 * usage: CompareScores BEFORE_CLIPS_TABLE AFTER_CLIPS_TABLE
 */
public final class CompareScores {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("compare-scores")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.log.level", "ERROR").getOrCreate();
        Dataset<Row> before = spark.read().format("delta").load(args[0]).cache();
        Dataset<Row> after = spark.read().format("delta").load(args[1]).cache();
        List<String> afterCols = List.of(after.columns());
        List<String> numeric = new ArrayList<>(), strings = new ArrayList<>(), estimators = new ArrayList<>();
        for (StructField f : before.schema().fields()) {
            String c = f.name();
            if (!afterCols.contains(c) || !isScore(c)) continue;
            if (c.endsWith("_estimator")) estimators.add(c);
            else if (f.dataType().equals(DataTypes.DoubleType)) numeric.add(c);
            else if (f.dataType().equals(DataTypes.StringType)) strings.add(c);
        }
        Dataset<Row> j = before.alias("b").join(after.alias("a"), "clip_id");
        long both = j.count();
        System.out.printf(Locale.ROOT, "# before %s: %d clips; after %s: %d clips; in both %d%n", args[0], before.count(), args[1],
                after.count(), both);
        System.out.println("column\tclips\tdiffering\tmax_abs_diff\tmean_abs_diff\tspread_p5_p95");
        for (String c : numeric) {
            String b = "b.`" + c + "`", a = "a.`" + c + "`";
            Row r = j.selectExpr(
                    "count(CASE WHEN " + b + " IS NOT NULL OR " + a + " IS NOT NULL THEN 1 END)",
                    "count(CASE WHEN NOT (" + b + " <=> " + a + ") AND (" + b + " IS NULL OR " + a + " IS NULL OR abs(" + b + " - " + a
                            + ") > 1e-6 * greatest(1, abs(" + b + "))) THEN 1 END)",
                    "max(abs(" + b + " - " + a + "))", "avg(abs(" + b + " - " + a + "))").first();
            Row q = before.selectExpr("percentile_approx(`" + c + "`, array(0.05, 0.95))").first();
            double spread = q.isNullAt(0) ? Double.NaN : q.getList(0).isEmpty() ? Double.NaN
                    : ((Number) q.getList(0).get(1)).doubleValue() - ((Number) q.getList(0).get(0)).doubleValue();
            System.out.printf(Locale.ROOT, "%s\t%d\t%d\t%s\t%s\t%.4g%n", c, r.getLong(0), r.getLong(1), num(r, 2), num(r, 3), spread);
        }
        for (String c : strings) {
            long diff = j.filter("NOT (b.`" + c + "` <=> a.`" + c + "`)").count();
            System.out.printf(Locale.ROOT, "%s\t%d\t%d\t(text)\t\t%n", c, both, diff);
        }
        for (String c : estimators) {
            List<Row> changed = j.filter("NOT (b.`" + c + "` <=> a.`" + c + "`)").selectExpr("b.`" + c + "`", "a.`" + c + "`").distinct().limit(3).collectAsList();
            for (Row r : changed) System.out.printf("# estimator %s: %s -> %s%n", c, r.get(0), r.get(1));
        }
        long onlyBefore = before.join(after, before.col("clip_id").equalTo(after.col("clip_id")), "left_anti").count();
        long onlyAfter = after.join(before, after.col("clip_id").equalTo(before.col("clip_id")), "left_anti").count();
        System.out.printf("# clips only before: %d; only after: %d%n", onlyBefore, onlyAfter);
        if (List.of(before.columns()).contains("keep") && afterCols.contains("keep")) {
            List<Row> flips = j.filter("NOT (b.keep <=> a.keep)").selectExpr("clip_id", "b.keep", "a.keep", "b.reject_reasons", "a.reject_reasons").collectAsList();
            System.out.printf("# filter decisions (keep) that differ: %d of %d%n", flips.size(), both);
            for (Row r : flips) System.out.printf("#   %s keep %s -> %s  %s -> %s%n", r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        }
        spark.stop();
    }

    /** Columns the score stage writes (not ingest's facts, the filter's decision or bookkeeping). */
    private static boolean isScore(String c) {
        return !List.of("clip_id", "video_id", "uri", "start_s", "end_s", "fps", "width", "height", "duration_s", "keep",
                "reject_reasons", "audio_shift_s", "scores_version", "score_error", "shot_index", "clip_index").contains(c);
    }

    private static String num(Row r, int i) {
        return r.isNullAt(i) ? "" : String.format(Locale.ROOT, "%.4g", r.getDouble(i));
    }
}
