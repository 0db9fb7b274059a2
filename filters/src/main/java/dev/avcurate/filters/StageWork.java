package dev.avcurate.filters;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partitioner;
import org.apache.spark.sql.SparkSession;

/**
 * The scratch space of a stage that sends rows of a table to the executors and writes their
 * results back without holding them on the driver (the score and caption stages): a work
 * directory beside the output's tables, and the partitioner that deals a numbered work list to
 * tasks of consecutive rows.
 */
public final class StageWork {
    private StageWork() {}

    /**
     * Where a stage keeps its work lists and results: {@code <output>/_work/<stage>} for a table at
     * {@code <output>/tables/<name>}, else {@code _work/<stage>-<name>} beside the table.
     */
    public static String dir(String tablePath, String stage) {
        Path p = new Path(tablePath);
        Path parent = p.getParent();
        if (parent != null && parent.getName().equals("tables") && parent.getParent() != null) {
            return new Path(parent.getParent(), "_work/" + stage).toString();
        }
        return new Path(parent == null ? p : parent, "_work/" + stage + "-" + p.getName()).toString();
    }

    /** Deletes a directory and what is in it, on any Hadoop file system; nothing when it is not there. */
    public static void delete(SparkSession spark, String dir) {
        try {
            Path p = new Path(dir);
            p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /**
     * Deals rows keyed by their index in a work list to tasks of consecutive rows: task k holds the
     * indices {@code base + k * perTask} to {@code base + (k + 1) * perTask - 1}. With
     * {@code repartitionAndSortWithinPartitions} each task also sees its rows in index order.
     */
    public static final class TaskPartitioner extends Partitioner {
        private final long base;
        private final long perTask;
        private final int tasks;

        public TaskPartitioner(long base, long perTask, int tasks) {
            this.base = base;
            this.perTask = perTask;
            this.tasks = tasks;
        }

        /** A partitioner for {@code size} rows from {@code base} in at most {@code maxTasks} tasks of at most {@code maxPerTask} rows, as even as that allows. */
        public static TaskPartitioner of(long base, long size, long maxTasks, long maxPerTask) {
            long slices = Math.max(1, Math.min(size, Math.max(maxTasks, (size + maxPerTask - 1) / maxPerTask)));
            long perTask = Math.max(1, (size + slices - 1) / slices);
            return new TaskPartitioner(base, perTask, (int) Math.max(1, (size + perTask - 1) / perTask));
        }

        public long perTask() {
            return perTask;
        }

        @Override
        public int numPartitions() {
            return tasks;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.max(0, Math.min(tasks - 1, ((Long) key - base) / perTask));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TaskPartitioner t && t.base == base && t.perTask == perTask && t.tasks == tasks;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(base, perTask, tasks);
        }
    }
}
