package dev.avcurate.ingest;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.apache.spark.SparkEnv;

/**
 * The per-decode watchdog: makes a decode that hangs inside a native call impossible to outlast.
 *
 * <p>The decode's own deadline ({@code ingest.timeout_s}) is checked between packets and by
 * FFmpeg's interrupt callback inside its I/O; neither helps while control stays in native code (a
 * decoder looping on a malformed stream, a {@code read(2)} or {@code open(2)} that blocks, as on a
 * named pipe that delivers nothing). A thread in a native call cannot be interrupted or stopped from
 * Java, so the task thread must not be that thread: the decode runs on its own daemon thread and the
 * task thread watches it. If the decode has not returned {@code ingest.watchdog_grace_s} after its
 * deadline, the watchdog marks the attempt hung in the journal ({@link PoisonGuard}), and then:
 * <ul>
 *   <li>on a cluster executor it halts the executor JVM ({@code Runtime.halt}, no shutdown hooks: the
 *   stuck native thread could block an orderly exit). A stuck thread would otherwise hold a core and
 *   the file's memory for the executor's life, and nothing short of the JVM's death frees them.
 *   Spark sees the executor lost and reschedules its tasks; the rerun of this one finds the hung
 *   marker and records {@code decode_timeout} without decoding;</li>
 *   <li>in local mode (the executor is the driver: halting would end the job) it records
 *   {@code decode_timeout} and abandons the thread, a daemon that cannot keep the JVM alive. What
 *   it holds is lost until the end of the run: one stuck file costs one core at most.</li>
 * </ul>
 * If the decode returns at the last moment, its result wins and nothing is marked.
 */
final class DecodeWatchdog {
    /** Exit status of an executor halted by the watchdog (as timeout(1) exits). */
    static final int EXIT_HUNG = 124;

    /** Whether this JVM is a cluster executor (not the driver of a local-mode job); replaced by tests. */
    static volatile BooleanSupplier clusterExecutor = DecodeWatchdog::onSparkClusterExecutor;
    /** How the watchdog ends the executor JVM; replaced by tests. */
    static volatile IntConsumer halt = code -> Runtime.getRuntime().halt(code);

    private static final int RUNNING = 0, RETURNED = 1, ABANDONED = 2;

    private DecodeWatchdog() {}

    /** An action on the journal. */
    interface JournalAction {
        void run() throws IOException;
    }

    /** The watched call's value, or {@code abandoned} when the watchdog gave up on it. */
    record Outcome<T>(T value, boolean abandoned) {}

    /**
     * Runs {@code work} on a new daemon thread and waits for it at most {@code limitNanos}.
     *
     * @param onReturn runs on the decode thread when {@code work} returns or throws, unless the watchdog gave up first
     * @param onGiveUp runs on the calling thread when it gives up, unless {@code work} returned first; then, on a
     *                 cluster executor, the JVM is halted
     * @throws IOException          from {@code onReturn} or {@code onGiveUp} (the journal)
     * @throws InterruptedException the calling thread was interrupted (its task killed); the decode runs on to its
     *                              own deadline and then runs {@code onReturn}
     */
    static <T> Outcome<T> run(String threadName, String what, long limitNanos, Callable<T> work, JournalAction onReturn,
                              JournalAction onGiveUp) throws IOException, InterruptedException {
        AtomicInteger state = new AtomicInteger(RUNNING);
        FutureTask<T> task = new FutureTask<>(() -> {
            try {
                return work.call();
            } finally {
                if (state.compareAndSet(RUNNING, RETURNED)) onReturn.run();
            }
        });
        Thread t = new Thread(task, threadName);
        t.setDaemon(true);
        t.start();
        try {
            return new Outcome<>(task.get(limitNanos, TimeUnit.NANOSECONDS), false);
        } catch (TimeoutException e) {
            if (!state.compareAndSet(RUNNING, ABANDONED)) return new Outcome<>(value(task), false);
            boolean cluster = clusterExecutor.getAsBoolean();
            try {
                onGiveUp.run();
            } finally {
                // Even when the journal could not be written: a stuck thread must not hold the executor.
                if (cluster) {
                    System.err.printf("[ingest] watchdog: %s did not return %.0f s after it started (stuck in a native call); "
                            + "halting executor %s with status %d so that Spark reschedules its tasks%n", what, limitNanos / 1e9,
                            executorId(), EXIT_HUNG);
                    System.err.flush();
                    halt.accept(EXIT_HUNG);
                }
            }
            if (!cluster) {
                System.err.printf("[ingest] watchdog: %s did not return %.0f s after it started (stuck in a native call); "
                        + "rejected as decode_timeout, thread %s abandoned%n", what, limitNanos / 1e9, threadName);
            }
            return new Outcome<>(null, true);
        } catch (ExecutionException e) {
            return new Outcome<>(rethrow(e), false);
        }
    }

    private static <T> T value(FutureTask<T> task) throws IOException, InterruptedException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            return rethrow(e);
        }
    }

    private static <T> T rethrow(ExecutionException e) throws IOException {
        Throwable c = e.getCause();
        if (c instanceof IOException io) throw io;
        if (c instanceof RuntimeException re) throw re;
        if (c instanceof Error err) throw err;
        throw new IllegalStateException(c);
    }

    /**
     * True in an executor JVM of a cluster (standalone, YARN, Kubernetes, local-cluster), false in local mode (whose
     * only executor is the driver, id "driver") and outside Spark (benchmarks, unit tests).
     */
    static boolean onSparkClusterExecutor() {
        try {
            SparkEnv env = SparkEnv.get();
            if (env == null || "driver".equals(env.executorId())) return false;
            String master = env.conf().get("spark.master", "");
            return !(master.equals("local") || master.startsWith("local["));
        } catch (LinkageError e) {
            return false; // no Spark on the class path
        }
    }

    /** The Spark executor id, "driver" in local mode, "none" outside Spark. */
    static String executorId() {
        try {
            SparkEnv env = SparkEnv.get();
            return env == null ? "none" : env.executorId();
        } catch (LinkageError e) {
            return "none";
        }
    }
}
