package dev.avcurate.ingest.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.util.ArrayDeque;
import java.util.Deque;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/**
 * Process-wide FFmpeg set-up: loads the natives once, silences FFmpeg's per-file console log and
 * keeps the last error lines of each thread instead, so that a reject can carry FFmpeg's message.
 */
public final class Ffmpeg {
    private static final int KEEP_LINES = 6;
    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile(" @ 0x[0-9a-fA-F]+");
    private static final ThreadLocal<Deque<String>> RECENT = ThreadLocal.withInitial(ArrayDeque::new);
    private static volatile boolean initialised;
    // Held in a static field: FFmpeg calls it for the life of the process.
    private static LogCallback callback;

    private Ffmpeg() {}

    /** Idempotent; cheap after the first call. */
    public static void init() {
        if (initialised) return;
        synchronized (Ffmpeg.class) {
            if (initialised) return;
            Loader.load(avutil.class);
            av_log_set_level(AV_LOG_ERROR);
            callback = new LogCallback() {
                @Override
                public void call(int level, BytePointer msg) {
                    if (level > AV_LOG_ERROR || msg == null) return;
                    // Drop the context address ("[h264 @ 0x55d1...]"): messages must be the same in every run.
                    String line = ADDRESS.matcher(msg.getString()).replaceAll("").strip();
                    if (line.isEmpty()) return;
                    Deque<String> d = RECENT.get();
                    if (d.size() == KEEP_LINES) d.removeFirst();
                    d.addLast(line);
                }
            };
            avutil.setLogCallback(callback);
            initialised = true;
        }
    }

    /** Forgets this thread's recent FFmpeg lines (call before opening a new file). */
    static void clearMessages() {
        RECENT.get().clear();
    }

    /** FFmpeg's recent error lines on this thread, joined by " | ". */
    static String recentMessages() {
        return String.join(" | ", RECENT.get());
    }

    /** av_strerror text of an FFmpeg error code. */
    static String errorText(int code) {
        byte[] buf = new byte[256];
        av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + code + ")";
    }

    /** The message for a failed call: FFmpeg's own lines if any, else av_strerror of the code. */
    static String messageFor(int code) {
        String recent = recentMessages();
        return recent.isEmpty() ? errorText(code) : recent + " | " + errorText(code);
    }
}
