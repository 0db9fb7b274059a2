package dev.avcurate.core;

import java.util.List;

/** Stable reject reason codes (SPEC §5). Scripts and dashboards key on these strings: never rename one. */
public final class Reasons {
    private Reasons() {}

    public static final String EMPTY_FILE = "empty_file";
    public static final String DECODE_ERROR = "decode_error";
    public static final String DECODE_TIMEOUT = "decode_timeout";
    /** The decode killed its JVM (a native crash) on two attempts: the file is quarantined, not decoded again. */
    public static final String DECODE_CRASH = "decode_crash";
    public static final String TRUNCATED = "truncated";
    public static final String NO_VIDEO = "no_video";
    public static final String NO_AUDIO = "no_audio";
    public static final String BAD_DIMENSIONS = "bad_dimensions";
    public static final String TOO_LONG = "too_long";
    public static final String TOO_SHORT = "too_short";
    public static final String NO_SHOTS = "no_shots";
    public static final String READ_ERROR = "read_error";

    /** Every code the ingest stage can emit, for documentation and tests. */
    public static final List<String> INGEST = List.of(EMPTY_FILE, READ_ERROR, DECODE_ERROR, DECODE_TIMEOUT, DECODE_CRASH, TRUNCATED,
            NO_VIDEO, NO_AUDIO, BAD_DIMENSIONS, TOO_LONG, TOO_SHORT, NO_SHOTS);
}
