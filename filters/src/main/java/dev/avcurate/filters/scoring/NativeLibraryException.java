package dev.avcurate.filters.scoring;

/**
 * A native library a scorer (or the decoder) needs cannot be loaded: an {@link UnsatisfiedLinkError}
 * or a {@link NoClassDefFoundError} from a native loader. Unlike a bad clip this fails every clip,
 * so the score stage stops with this one message instead of writing a {@code score_error} per clip.
 * A plain runtime exception, so that Spark fails the task normally (a {@link LinkageError} is fatal
 * to an executor JVM).
 */
public final class NativeLibraryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Words every message carries, so the driver can recognise one that reached it only as text. */
    public static final String MARKER = "cannot load its native library";

    private final String component;

    public NativeLibraryException(String component, LinkageError cause) {
        super(message(component, cause), cause);
        this.component = component;
    }

    /** The same failure re-raised on the driver from the message a task sent back. */
    public NativeLibraryException(String message) {
        super(message);
        this.component = null;
    }

    private static String message(String component, LinkageError e) {
        String what = component.equals("decode") ? "the clip decoder (FFmpeg)" : "scorer '" + component + "'";
        return what + " " + MARKER + ": " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (component.equals("decode") ? "" : " (install the library, or leave " + component + " out of score.scorers)");
    }

    /** The scorer (or "decode") whose library is missing; null when re-raised from a message. */
    public String component() {
        return component;
    }
}
