package dev.avcurate.core.spark;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the one SparkSession of a job, with Delta Lake enabled. Under spark-submit the master
 * comes from spark-submit; otherwise from {@code --master}, then {@code spark.master} in the
 * config, then {@code local[*]} (all cores).
 */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession getOrCreate(CurateConfig cfg, String masterOverride) {
        SparkConf conf = new SparkConf(); // reads spark.* system properties set by spark-submit
        String master;
        if (masterOverride != null && !masterOverride.isBlank()) master = masterOverride;
        else if (conf.contains("spark.master")) master = conf.get("spark.master");
        else if (!cfg.get(CurateKeys.SPARK_MASTER).isBlank()) master = cfg.get(CurateKeys.SPARK_MASTER);
        else master = "local[*]";
        SparkSession.Builder b = SparkSession.builder()
                .appName(conf.get("spark.app.name", "avcurate"))
                .master(master)
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.sql.shuffle.partitions", String.valueOf(cfg.get(CurateKeys.SPARK_SHUFFLE_PARTITIONS)))
                .config("spark.databricks.delta.snapshotPartitions", "1")
                .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2")
                // Score tables are wide: keep plan strings whole instead of warning on every merge.
                .config("spark.sql.debug.maxToStringFields", "500");
        // No automatic broadcast joins: a broadcast table is collected and built on the driver, and the size estimates of
        // cached and staged tables can be far off (an OOM of a -Xmx1g driver at 1M clips, bench/run scale). Joins with
        // the few tiny tables the stages make (split/bucket groups) carry an explicit broadcast hint instead.
        if (!conf.contains("spark.sql.autoBroadcastJoinThreshold")) b.config("spark.sql.autoBroadcastJoinThreshold", "-1");
        // The score stage ships models and data files with SparkContext.addFile (JobFiles). With Spark 4's default
        // session isolation a DataFrame job carries the session's own files only (none), so on a cluster the executors
        // never fetched them and SparkFiles.get pointed into a per-session directory: every score task failed with
        // "shipped with the job but is not in ." (StandaloneClusterIT; local masters were unaffected). The session
        // shares the context's files instead. Only at session creation, as Spark reads it.
        if (!conf.contains("spark.sql.artifact.isolation.enabled")) b.config("spark.sql.artifact.isolation.enabled", "false");
        // Applied at SparkContext start-up (before setLogLevel could be): keeps spark-submit's console to our lines.
        if (!conf.contains("spark.log.level")) b.config("spark.log.level", cfg.get(CurateKeys.SPARK_LOG_LEVEL));
        if (master.startsWith("local") && !conf.contains("spark.ui.enabled")) b.config("spark.ui.enabled", "false");
        // Tables on a local path: Delta's default (HDFSLogStore) renames through Hadoop's FileContext, which runs the
        // `readlink` command per file of every commit (hundreds of forks of a large JVM per run, measured with JFR);
        // LocalLogStore renames in-process. It guards a commit against other writers of its own JVM only: one job writes
        // an output at a time (README). Delta refuses a per-scheme log store beside spark.delta.logStore.class.
        boolean logStoreSet = conf.contains("spark.delta.logStore.class") || conf.contains("spark.delta.logStore.file.impl");
        if (!logStoreSet) b.config("spark.delta.logStore.file.impl", "io.delta.storage.LocalLogStore");
        // Delta writes each commit's checksum file through Spark's checkpoint file manager, FileContext-based by default
        // (the same readlink fork per rename); the FileSystem-based one renames in-process and writes the same files.
        // Local masters only: the setting is not per scheme, and clusters write to hdfs/s3a, where it buys nothing.
        if (master.startsWith("local") && !conf.contains("spark.sql.streaming.checkpointFileManagerClass")) {
            b.config("spark.sql.streaming.checkpointFileManagerClass",
                    "org.apache.spark.sql.execution.streaming.checkpointing.FileSystemBasedCheckpointFileManager");
        }
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel(cfg.get(CurateKeys.SPARK_LOG_LEVEL));
        return spark;
    }
}
