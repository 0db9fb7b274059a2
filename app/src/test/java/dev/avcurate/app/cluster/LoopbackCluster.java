package dev.avcurate.app.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1, for tests and benchmarks: one
 * {@code org.apache.spark.deploy.master.Master} and N {@code org.apache.spark.deploy.worker.Worker}
 * JVMs, each a child process of this JVM, on Spark's own jar closure (the class path a Spark
 * install has, no avcurate code: applications bring theirs with spark-submit).
 *
 * <p>Everything lives under one directory given to {@link #start}: a fake {@code SPARK_HOME}
 * ({@code jars/} holds symlinks to Spark's jars, because a Worker builds each executor's command
 * from {@code $SPARK_HOME/jars}; {@code conf/log4j2.properties} makes every JVM of the cluster log at
 * INFO to its stderr), one log file per process ({@code master.log}, {@code worker-<i>.log}), and each
 * worker's work directory ({@code worker-<i>/}, where the executors' {@code stderr} files go) and
 * local directory ({@code local-<i>/}). {@link #close()} leaves the logs and removes the jars (links
 * and the executors' copies of the application jar).
 *
 * <p>Ownership: this object owns every process it starts and, through the workers, the executor
 * JVMs they launch. {@link #close()} ends them all: SIGTERM to each process and its descendants
 * (executors first), then SIGKILL to whatever is left after a grace period. A shutdown hook does the
 * same if the JVM exits without {@code close()}, so no child outlives the build.
 *
 * <p>Only JDK classes are used here, so that {@code bench/} can run it on its own class path.
 */
public final class LoopbackCluster implements AutoCloseable {
    /**
     * Groups of jars that a Spark install ships although Maven attributes them to our libraries (Delta pulls Scala,
     * Jackson, logging, Hadoop, Parquet, ...): the same groups the app's shade plugin leaves out of the spark-submit jar.
     */
    public static final List<String> SPARK_GROUPS = List.of("org/scala-lang", "com/fasterxml/jackson", "org/slf4j",
            "org/apache/logging/log4j", "org/apache/hadoop", "org/apache/parquet", "io/airlift", "org/roaringbitmap",
            "org/xerial/snappy", "com/google/code/findbugs", "javax/annotation", "org/locationtech/jts");

    static final String HOST = "127.0.0.1";
    static final long GRACE_MS = 10_000;
    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://\\S+)");
    private static final Pattern MASTER_UI = Pattern.compile("Bound MasterWebUI to \\S+, and started at (http://\\S+)");
    private static final Pattern ALIVE = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

    private final Path dir;
    private final Path sparkHome;
    private final List<String> javaCmd;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Process> started = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "loopback-cluster-shutdown");
    private Process master;
    private String masterUrl;
    private String masterUi;

    private LoopbackCluster(Path dir, Path sparkHome, List<String> java) {
        this.dir = dir;
        this.sparkHome = sparkHome;
        this.javaCmd = java;
    }

    /**
     * Spark's jar closure as a Spark install has it: {@code app/target/spark-classpath.txt} (spark-sql and what it
     * depends on), plus the {@link #SPARK_GROUPS} jars of {@code app/target/classpath.txt}. Both files are written by
     * the app module's build ({@code mvn package}).
     */
    public static List<Path> sparkJars(Path repoRoot) throws IOException {
        List<String> jars = new ArrayList<>(List.of(Files.readString(repoRoot.resolve("app/target/spark-classpath.txt")).strip()
                .split(File.pathSeparator)));
        for (String j : Files.readString(repoRoot.resolve("app/target/classpath.txt")).strip().split(File.pathSeparator)) {
            if (SPARK_GROUPS.stream().anyMatch(g -> j.contains("/repository/" + g + "/")) && !jars.contains(j)) jars.add(j);
        }
        return jars.stream().map(Path::of).toList();
    }

    /**
     * The java launcher of this JVM with the options a Spark JVM on Java 17 needs that this JVM was given
     * ({@code --add-opens ...}, {@code -Djdk.reflect...}, {@code -Dio.netty...}, the JavaCPP cache directory).
     */
    public static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")
                        || a.startsWith("-Dorg.bytedeco"))
                .toList());
        return cmd;
    }

    /**
     * Starts a master and {@code workers} workers of one core and {@code workerMemory} (e.g. {@code 1536m}) each, and
     * waits (at most {@code timeoutS}) until the master lists them all alive.
     *
     * @param repoRoot the repository root (for {@link #sparkJars})
     * @param dir      an empty directory this cluster owns: SPARK_HOME, logs, work and local directories
     */
    public static LoopbackCluster start(Path repoRoot, Path dir, int workers, String workerMemory, int timeoutS) throws IOException {
        Files.createDirectories(dir);
        Path home = dir.resolve("spark-home");
        Path jarsDir = Files.createDirectories(home.resolve("jars"));
        for (Path jar : sparkJars(repoRoot)) {
            Path link = jarsDir.resolve(jar.getFileName().toString());
            // Two artifacts may share a file name (same artifactId and version, other groups): keep both.
            for (int k = 1; Files.exists(link, LinkOption.NOFOLLOW_LINKS); k++) {
                link = jarsDir.resolve(k + "-" + jar.getFileName());
            }
            Files.createSymbolicLink(link, jar.toAbsolutePath());
        }
        // The executors' class path gets $SPARK_HOME/conf too (WorkerCommandBuilder): one logging setup for every JVM
        // of the cluster. INFO, so that the executors' stderr says which tasks they run.
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/log4j2.properties"), String.join("\n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.stderr.ref = console",
                "appender.console.type = Console",
                "appender.console.name = console",
                "appender.console.target = SYSTEM_ERR",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex",
                "logger.nativecode.name = org.apache.hadoop.util.NativeCodeLoader",
                "logger.nativecode.level = error", ""));
        LoopbackCluster c = new LoopbackCluster(dir, home, javaCommand());
        c.env.put("SPARK_HOME", home.toString());
        c.env.put("SPARK_SCALA_VERSION", "2.13"); // what bin/load-spark-env.sh exports in a Spark install
        c.env.put("SPARK_LOCAL_IP", HOST);
        c.env.put("SPARK_CONF_DIR", home.resolve("conf").toString());
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            c.startMaster();
            for (int i = 0; i < workers; i++) c.startWorker(workerMemory);
            c.awaitAliveWorkers(workers, timeoutS);
            return c;
        } catch (IOException | RuntimeException e) {
            String logs = c.logs();
            c.close();
            throw new IllegalStateException("loopback cluster did not start: " + e.getMessage() + "\n" + logs, e);
        }
    }

    private List<String> jvm(String xmx, String mainClass) {
        List<String> cmd = new ArrayList<>(javaCmd);
        cmd.removeIf(a -> a.startsWith("-Dorg.bytedeco")); // the daemons load no natives
        cmd.addAll(List.of("-Xmx" + xmx, "-XX:TieredStopAtLevel=1",
                "-cp", sparkHome.resolve("conf") + File.pathSeparator + sparkHome.resolve("jars") + File.separator + "*",
                mainClass));
        return cmd;
    }

    private Process launch(List<String> cmd, Path log, Map<String, String> extraEnv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    private void startMaster() throws IOException {
        List<String> cmd = jvm("256m", "org.apache.spark.deploy.master.Master");
        cmd.addAll(List.of("--host", HOST, "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort())));
        master = launch(cmd, dir.resolve("master.log"), Map.of());
        // The URLs the master reports it bound (Spark moves to the next port if a chosen one was taken meanwhile).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (masterUrl == null || masterUi == null) {
            if (!master.isAlive()) throw new IllegalStateException("master exited with " + master.exitValue());
            if (System.nanoTime() > deadline) throw new IllegalStateException("master did not report its URLs in 60 s");
            String log = read(dir.resolve("master.log"));
            Matcher u = MASTER_URL.matcher(log), w = MASTER_UI.matcher(log);
            if (u.find()) masterUrl = u.group(1);
            if (w.find()) masterUi = w.group(1);
            sleep(100);
        }
    }

    private void startWorker(String memory) throws IOException {
        int i = workers.size();
        Path work = Files.createDirectories(dir.resolve("worker-" + i));
        Path local = Files.createDirectories(dir.resolve("local-" + i));
        List<String> cmd = jvm("256m", "org.apache.spark.deploy.worker.Worker");
        // Port 0: the worker's RPC and web UI ports are chosen by the system (the web UI cannot be turned off).
        cmd.addAll(List.of("--host", HOST, "--port", "0", "--webui-port", "0", "--cores", "1", "--memory", memory,
                "--work-dir", work.toString(), masterUrl));
        workers.add(launch(cmd, dir.resolve("worker-" + i + ".log"), Map.of("SPARK_LOCAL_DIRS", local.toString())));
    }

    /** Waits until the master's web UI ({@code /json/}) lists {@code n} alive workers; fails after {@code timeoutS}. */
    public void awaitAliveWorkers(int n, int timeoutS) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        int alive = -1;
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) throw new IllegalStateException("master exited with " + master.exitValue());
            alive = aliveWorkers();
            if (alive == n) return;
            sleep(200);
        }
        throw new IllegalStateException("master lists " + alive + " alive workers after " + timeoutS + " s, not " + n);
    }

    /** Alive workers as the master's {@code /json/} reports them, or -1 when it does not answer. */
    public int aliveWorkers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(masterUi + "/json/").toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            try (InputStream in = c.getInputStream()) {
                Matcher m = ALIVE.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                return m.find() ? Integer.parseInt(m.group(1)) : -1;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code spark://127.0.0.1:<port>}. */
    public String masterUrl() {
        return masterUrl;
    }

    /** The master's web UI, {@code http://127.0.0.1:<port>}. */
    public String masterUi() {
        return masterUi;
    }

    public Path sparkHome() {
        return sparkHome;
    }

    public int workers() {
        return workers.size();
    }

    /** Worker {@code i}'s work directory: {@code <app-id>/<executor-id>/stderr} for each executor it ran. */
    public Path workDir(int i) {
        return dir.resolve("worker-" + i);
    }

    /**
     * The command of Spark's own {@code spark-submit} entry point ({@code org.apache.spark.deploy.SparkSubmit}) against
     * this cluster, on Spark's class path: {@code --master} and the driver's loopback address are set, {@code args}
     * follow (options, the application jar, its arguments). Run it with {@link #environment()}.
     */
    public List<String> sparkSubmit(String driverXmx, List<String> args) {
        List<String> cmd = new ArrayList<>(javaCmd);
        // Spark's jars alone (no conf/: the driver logs as an application configures it, like SparkSubmitIT's).
        cmd.addAll(List.of("-Xmx" + driverXmx, "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=240m", "-cp", sparkHome.resolve("jars") + File.separator + "*",
                "org.apache.spark.deploy.SparkSubmit", "--master", masterUrl,
                "--conf", "spark.driver.host=" + HOST, "--conf", "spark.driver.bindAddress=" + HOST));
        cmd.addAll(args);
        return cmd;
    }

    /** SPARK_HOME and the loopback settings every JVM of this cluster runs with. */
    public Map<String, String> environment() {
        return Map.copyOf(env);
    }

    /** The executor JVMs (CoarseGrainedExecutorBackend) that worker {@code i} is running now. */
    public List<ProcessHandle> executors(int i) {
        return workers.get(i).descendants().filter(LoopbackCluster::isExecutor).toList();
    }

    static boolean isExecutor(ProcessHandle h) {
        return h.info().commandLine().or(() -> h.info().arguments().map(a -> String.join(" ", a)))
                .map(c -> c.contains("CoarseGrainedExecutorBackend")).orElse(false);
    }

    /** SIGKILL to every executor JVM of worker {@code i} (the worker lives on and the master may launch new ones); their pids. */
    public List<Long> killExecutors(int i) {
        List<ProcessHandle> execs = executors(i);
        execs.forEach(ProcessHandle::destroyForcibly);
        awaitExit(execs);
        return execs.stream().map(ProcessHandle::pid).toList();
    }

    /** SIGKILL to worker {@code i} and everything it started (a lost machine). */
    public void killWorker(int i) {
        Process w = workers.get(i);
        List<ProcessHandle> tree = new ArrayList<>(w.descendants().toList());
        tree.add(w.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        awaitExit(tree);
    }

    private static void awaitExit(List<ProcessHandle> handles) {
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("process " + h.pid() + " still running 30 s after SIGKILL", e);
            }
        }
    }

    /** Every log of the cluster (master, workers, each executor's stderr), last {@code maxCharsEach} characters of each. */
    public String logs(int maxCharsEach) {
        StringBuilder sb = new StringBuilder();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, 5)) {
            s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".log")
                    || p.getFileName().toString().equals("stderr") || p.getFileName().toString().equals("stdout")).sorted().forEach(files::add);
        } catch (IOException | UncheckedIOException e) {
            sb.append("(cannot list ").append(dir).append(": ").append(e).append(")\n");
        }
        for (Path f : files) {
            if (f.startsWith(sparkHome)) continue;
            String text = read(f);
            if (text.length() > maxCharsEach) text = "[...]" + text.substring(text.length() - maxCharsEach);
            sb.append("==== ").append(dir.relativize(f)).append(" ====\n").append(text).append('\n');
        }
        return sb.toString();
    }

    public String logs() {
        return logs(20_000);
    }

    /**
     * Ends every process this cluster started and their descendants (executors): SIGTERM first, so that workers and
     * executors shut down cleanly, then SIGKILL after {@value #GRACE_MS} ms to whatever is still running.
     */
    @Override
    public void close() {
        stopAll();
        // The links into the Maven repository go with the processes (a temp-dir cleaner would warn about each one), and
        // so do the executors' copies of the application jar (two per executor, in its work and local directories: what a
        // failed test leaves behind for reading is the logs).
        try (Stream<Path> links = Files.list(sparkHome.resolve("jars"));
             Stream<Path> all = Files.walk(dir, 6)) {
            for (Path l : links.toList()) Files.deleteIfExists(l);
            for (Path j : all.filter(p -> !p.startsWith(sparkHome) && p.getFileName().toString().endsWith(".jar")
                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.deleteIfExists(j);
            }
        } catch (IOException | UncheckedIOException e) {
            // left for whoever removes the directory
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) stopAll anyway
        }
    }

    private void stopAll() {
        List<Process> own;
        synchronized (started) {
            own = new ArrayList<>(started);
        }
        // Descendants first (executors), then workers, then the master: a worker killed first would orphan its executors.
        List<ProcessHandle> all = new ArrayList<>();
        for (int k = own.size() - 1; k >= 0; k--) {
            Process p = own.get(k);
            p.descendants().forEach(all::add);
        }
        for (int k = own.size() - 1; k >= 0; k--) all.add(own.get(k).toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + GRACE_MS;
        for (ProcessHandle h : all) {
            long left = deadline - System.currentTimeMillis();
            try {
                if (left > 0) h.onExit().get(left, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // still running (or interrupted): killed below
            }
        }
        for (ProcessHandle h : all) if (h.isAlive()) h.destroyForcibly();
        for (Process p : own) {
            try {
                p.waitFor(GRACE_MS, TimeUnit.MILLISECONDS); // reaps the child
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /** A file's text, "" when it does not exist (yet). */
    public static String read(Path f) {
        try {
            return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + f + ": " + e + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
