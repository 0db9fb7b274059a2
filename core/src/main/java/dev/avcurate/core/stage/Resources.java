package dev.avcurate.core.stage;

import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ExecutorResourceRequests;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;

/**
 * What one task of a stage needs. GPU operator stages run their tasks under Spark's stage-level
 * scheduling ({@link ResourceProfile}): only their tasks hold a GPU share, while decode stages
 * use the cluster's default profile. Spark documents stage-level scheduling for standalone, YARN
 * and Kubernetes only (not tried here on a local master): locally the default profile is used and
 * the log says so.
 *
 * @param kind        {@code driver} (no tasks of its own beyond Spark SQL), {@code cpu} (decode, encode) or {@code gpu}
 * @param cpusPerTask cores one task uses
 * @param gpusPerTask GPUs one task holds (0.125: eight tasks share one), 0 for CPU stages
 */
public record Resources(String kind, int cpusPerTask, double gpusPerTask) {
    public static final Resources DRIVER = new Resources("driver", 1, 0);

    public static Resources cpu(int cpusPerTask) {
        return new Resources("cpu", cpusPerTask, 0);
    }

    public static Resources gpu(int cpusPerTask, double gpusPerTask) {
        return new Resources("gpu", cpusPerTask, gpusPerTask);
    }

    /**
     * The stage-level profile for these needs, or null when the default profile serves (no GPU).
     * With dynamic allocation, executors of the profile are requested with one GPU each (found by
     * the script {@code spark.executor.resource.gpu.discoveryScript} names); without it, Spark takes
     * task requirements only (a task profile on the executors the job has, which must have GPUs).
     */
    public ResourceProfile profile(boolean dynamicAllocation) {
        if (gpusPerTask <= 0) return null;
        ResourceProfileBuilder b = new ResourceProfileBuilder();
        b.require(new TaskResourceRequests().cpus(cpusPerTask).resource("gpu", gpusPerTask));
        if (dynamicAllocation) b.require(new ExecutorResourceRequests().resource("gpu", 1, "", ""));
        return b.build();
    }

    /**
     * The RDD to run the stage's tasks on: under {@link #profile()} on a cluster, as it is on a
     * local master or for a CPU stage. Says which on {@code log}.
     */
    public <T> JavaRDD<T> apply(JavaRDD<T> rdd, SparkContext sc, String stage, PrintStream log) {
        ResourceProfile p = profile(sc.conf().getBoolean("spark.dynamicAllocation.enabled", false));
        if (p == null) return rdd;
        if (sc.master().startsWith("local")) {
            log.printf(Locale.ROOT, "[%s] local master: tasks run in the default profile (stage-level GPU scheduling needs a cluster)%n", stage);
            return rdd;
        }
        log.printf(Locale.ROOT, "[%s] tasks run under a GPU resource profile: %d cores and %s GPU per task%n", stage, cpusPerTask, gpusPerTask);
        return rdd.withResources(p);
    }
}
