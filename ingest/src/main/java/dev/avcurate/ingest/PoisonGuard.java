package dev.avcurate.ingest;

import dev.avcurate.ingest.IngestRecords.Input;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * The attempt journal of the ingest stage: how a video whose decode kills the executor JVM (a
 * native crash in FFmpeg) or never returns (a hang inside a native call) ends as a reject instead
 * of failing the job through Spark's task retries.
 *
 * <p>Before a video is decoded, its task writes the marker {@code <output>/_work/attempts/<video_id>}
 * holding the number of attempts begun (read, increment, write; through Hadoop's FileSystem, so
 * the markers of every executor meet in the shared output directory, and a closed file outlives
 * the JVM that wrote it). When the decode returns, whatever its outcome, the marker is deleted. A
 * marker found before a decode is therefore an earlier attempt that never returned:
 * <ul>
 *   <li>one earlier attempt: decode again (the one retry; the crash may have been someone else's);</li>
 *   <li>{@value #CRASHED_ATTEMPTS_TO_REJECT} or more: reject with {@code decode_crash} without touching the file;</li>
 *   <li>marked hung by the watchdog ({@link VideoIngestor}): reject with {@code decode_timeout} without decoding.</li>
 * </ul>
 * Those two verdicts keep their marker, so that every later attempt (a lost result, a rerun on the
 * same output) reaches the same verdict without decoding. A marker names the file's URI, size and
 * modification time: a file that changed since starts afresh. Deleting a marker (or the folder)
 * gives a quarantined file another try.
 *
 * <p>Bystanders: a crash kills every decode in flight in that JVM, so each of them has a marker
 * left too. A video with an earlier unfinished attempt (a suspect) therefore decodes alone in its
 * JVM ({@link #decodeLock}): it waits for the decodes in flight and holds the others back until it
 * returns. Its second crash is then certainly its own, and an innocent video, whose retry ran
 * alone and returned, never reaches two. (In local mode, where a crash kills the driver too, this is
 * what keeps a rerun from quarantining the videos that happened to decode beside the poison file.)
 *
 * <p>In local mode (no cluster executor) a job stopped by the user (Ctrl-C, SIGTERM) is no crash: a
 * shutdown hook deletes the markers of the decodes in flight. A native crash and
 * {@code Runtime.halt} run no hook. On a cluster executor there is no such hook: any death of the
 * executor during a decode (including a kill for memory) counts as an attempt that did not return.
 */
public final class PoisonGuard {
    /** Earlier attempts that never returned after which a video is rejected as decode_crash. */
    public static final int CRASHED_ATTEMPTS_TO_REJECT = 2;

    /** Fair: a suspect waiting for the write lock holds back decodes that arrive after it. */
    private static final ReentrantReadWriteLock DECODES = new ReentrantReadWriteLock(true);
    /** Markers of this JVM's decodes in flight, deleted by the shutdown hook in local mode. */
    private static final Map<Path, FileSystem> IN_FLIGHT = new ConcurrentHashMap<>();
    private static volatile boolean hookInstalled;

    /** What the journal holds for a video before its decode. */
    public record Prior(int attempts, boolean hung) {
        public static final Prior NONE = new Prior(0, false);

        /** An earlier attempt of this video did not return: it decodes alone in its JVM. */
        public boolean suspect() {
            return attempts > 0;
        }
    }

    private final Path dir;
    private final Configuration conf;
    private final boolean clearOnShutdown;

    /**
     * @param output          the job's output directory (any Hadoop file system)
     * @param clearOnShutdown delete the markers of decodes in flight when the JVM shuts down normally
     *                        (local mode: a stopped job is no crash)
     */
    public PoisonGuard(String output, Configuration conf, boolean clearOnShutdown) {
        this.dir = dir(output);
        this.conf = conf;
        this.clearOnShutdown = clearOnShutdown;
    }

    /** {@code <output>/_work/attempts}. */
    public static Path dir(String output) {
        return new Path(new Path(output, "_work"), "attempts");
    }

    /** This journal's folder. */
    public Path dir() {
        return dir;
    }

    Path marker(Input in) {
        return new Path(dir, in.videoId());
    }

    /** The lock a decode holds: shared for a first attempt, exclusive for a suspect. */
    static Lock decodeLock(Prior prior) {
        return prior.suspect() ? DECODES.writeLock() : DECODES.readLock();
    }

    /** The journal's record for this video: no marker, or one left for another version of the file, is {@link Prior#NONE}. */
    public Prior prior(Input in) throws IOException {
        Path m = marker(in);
        FileSystem fs = m.getFileSystem(conf);
        String text;
        try (InputStream s = fs.open(m)) {
            text = new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            return Prior.NONE;
        } catch (ChecksumException e) {
            return Prior.NONE; // a write cut short: no decode had started under it
        }
        Properties p = new Properties();
        p.load(new StringReader(text));
        if (!signature(in).equals(p.getProperty("file"))) return Prior.NONE;
        try {
            return new Prior(Integer.parseInt(p.getProperty("attempts", "").strip()), Boolean.parseBoolean(p.getProperty("hung")));
        } catch (NumberFormatException e) {
            return Prior.NONE; // an empty or half-written marker: its writer died before decoding
        }
    }

    /** Records that attempt number {@code attempt} (1-based) of this video starts decoding now. */
    public void begin(Input in, int attempt) throws IOException {
        Path m = write(in, attempt, false);
        if (clearOnShutdown) {
            installHook();
            IN_FLIGHT.put(m, m.getFileSystem(conf));
        }
    }

    /** The watchdog gave up on this attempt: every later attempt rejects the video with decode_timeout. */
    public void hung(Input in, int attempt) throws IOException {
        IN_FLIGHT.remove(marker(in));
        write(in, attempt, true);
    }

    /** The decode returned (any outcome): the video has no unfinished attempt. */
    public void done(Input in) throws IOException {
        Path m = marker(in);
        IN_FLIGHT.remove(m);
        m.getFileSystem(conf).delete(m, false);
    }

    private Path write(Input in, int attempt, boolean hung) throws IOException {
        Path m = marker(in);
        FileSystem fs = m.getFileSystem(conf);
        Properties p = new Properties();
        p.setProperty("attempts", Integer.toString(attempt));
        p.setProperty("hung", Boolean.toString(hung));
        p.setProperty("file", signature(in));
        p.setProperty("executor", DecodeWatchdog.executorId());
        p.setProperty("host", host());
        p.setProperty("time", Instant.now().toString());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        p.store(buf, "avcurate ingest attempt journal: an attempt that has not returned (PoisonGuard)");
        // Closed before the decode starts: the bytes are the file system's, not this JVM's, when it dies.
        try (OutputStream out = fs.create(m, true)) {
            out.write(buf.toByteArray());
        }
        return m;
    }

    private static String signature(Input in) {
        return in.uri() + " " + in.sizeBytes() + " " + in.mtimeMs();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void installHook() {
        if (hookInstalled) return;
        synchronized (PoisonGuard.class) {
            if (hookInstalled) return;
            // Before Hadoop closes its cached file systems at shutdown.
            ShutdownHookManager.get().addShutdownHook(() -> IN_FLIGHT.forEach((m, fs) -> {
                try {
                    fs.delete(m, false);
                } catch (IOException | RuntimeException ignored) {
                    // best effort: a marker left behind costs one more decode of that video, alone
                }
            }), FileSystem.SHUTDOWN_HOOK_PRIORITY + 10);
            hookInstalled = true;
        }
    }
}
