package dev.avcurate.core.spark;

import io.delta.tables.DeltaTable;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The table operations every stage uses. Writes are keyed merges that insert only rows whose key
 * is not there yet, so a batch written twice (a retried or resumed job) changes nothing.
 */
public final class DeltaTables {
    private DeltaTables() {}

    /** A Delta table is there: its _delta_log has a commit. A file-system look-up, no snapshot load. */
    public static boolean exists(SparkSession spark, String path) {
        try {
            org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(path, "_delta_log");
            org.apache.hadoop.fs.FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(log)) return false;
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(log)) {
                String n = st.getPath().getName();
                if (n.endsWith(".json") || n.endsWith(".checkpoint.parquet")) return true;
            }
            return false;
        } catch (java.io.IOException e) {
            return DeltaTable.isDeltaTable(spark, path);
        }
    }

    public static Optional<Dataset<Row>> read(SparkSession spark, String path) {
        return exists(spark, path) ? Optional.of(spark.read().format("delta").load(path)) : Optional.empty();
    }

    /** Inserts the rows of {@code df} whose {@code key} is not in the table; creates the table if needed. */
    public static void insertNew(SparkSession spark, String path, Dataset<Row> df, String key) {
        if (!exists(spark, path)) {
            df.write().format("delta").mode("append").save(path);
            return;
        }
        DeltaTable.forPath(spark, path).as("t")
                .merge(df.as("s"), "t." + key + " = s." + key)
                .whenNotMatched().insertAll()
                .execute();
    }

    /** Creates an empty table with this schema unless one exists, so readers always find every table. */
    public static void createIfMissing(SparkSession spark, String path, org.apache.spark.sql.types.StructType schema) {
        // A metadata-only commit: no Spark job, no data file.
        // A relative location can be read as a table name once the session has run SQL on delta.`...`: qualify it.
        if (!exists(spark, path)) DeltaTable.createIfNotExists(spark).location(qualified(spark, path)).addColumns(schema).execute();
    }

    /** The path with its file system's scheme (file:/abs/out/tables/x), as Delta's SQL and builders want it. */
    public static String qualified(SparkSession spark, String path) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot resolve " + path, e);
        }
    }

    /** Appends rows whose keys the caller knows are not in the table (cheaper than a merge). */
    public static void append(String path, Dataset<Row> df) {
        df.write().format("delta").mode("append").save(path);
    }

    /**
     * Runs independent table actions at once (Spark accepts jobs from several threads): Delta
     * commits and small reads are latency-bound, so two or three together take the time of one.
     */
    public static void concurrently(Runnable... actions) {
        if (actions.length == 1) {
            actions[0].run();
            return;
        }
        java.util.List<java.util.concurrent.CompletableFuture<Void>> fs = new java.util.ArrayList<>();
        for (Runnable a : actions) fs.add(java.util.concurrent.CompletableFuture.runAsync(a));
        try {
            java.util.concurrent.CompletableFuture.allOf(fs.toArray(new java.util.concurrent.CompletableFuture[0])).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** Deletes the rows matching a SQL condition, if the table exists. */
    public static void deleteWhere(SparkSession spark, String path, String condition) {
        if (exists(spark, path)) DeltaTable.forPath(spark, path).delete(condition);
    }

    /** Deletes the rows whose {@code key} is among {@code ids}' (a DataFrame with that column), if the table exists: a merge, no list on the driver. */
    public static void deleteMatching(SparkSession spark, String path, Dataset<Row> ids, String key) {
        if (!exists(spark, path)) return;
        DeltaTable.forPath(spark, path).as("t").merge(ids.selectExpr(key + " AS __k").distinct().as("s"), "t." + key + " = s.__k")
                .whenMatched().delete().execute();
    }

    /** The table's current version, or -1 when it does not exist. */
    public static long version(SparkSession spark, String path) {
        if (!exists(spark, path)) return -1;
        return DeltaTable.forPath(spark, path).history(1).select("version").first().getLong(0);
    }

    /** Adds the columns (name to Spark SQL type) the table lacks; existing rows read them as null. */
    public static void addMissingColumns(SparkSession spark, String path, java.util.Map<String, String> cols) {
        java.util.List<String> have = java.util.List.of(spark.read().format("delta").load(path).columns());
        java.util.List<String> add = new java.util.ArrayList<>();
        cols.forEach((c, t) -> {
            if (!have.contains(c)) add.add("`" + c + "` " + t);
        });
        if (add.isEmpty()) return;
        // delta.`...` in SQL wants a qualified path; a relative --output like "out" is not one.
        spark.sql("ALTER TABLE delta.`" + qualified(spark, path).replace("`", "``") + "` ADD COLUMNS (" + String.join(", ", add) + ")");
    }
}
