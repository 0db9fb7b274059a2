package dev.avcurate.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * TEST-ONLY fault injection for the poison-file defences ({@link PoisonGuard}, {@link DecodeWatchdog}).
 *
 * <p>Read once per JVM from the environment variable {@value #ENV}, and from nowhere else: no config
 * key, no {@code --set}, no system property, nothing in a video turns it on. Its value is a
 * comma-separated list of {@code crash:<substring>} and {@code hang:<substring>}; when the file
 * name (last segment of the URI) of a video about to be decoded contains a substring, the decode
 * thread
 * <ul>
 *   <li>{@code crash}: halts the JVM with status 134 (as a native crash, SIGABRT, would end it: no
 *   shutdown hook, no cleanup);</li>
 *   <li>{@code hang}: blocks in a call that never returns and ignores interrupts (as a native call
 *   would).</li>
 * </ul>
 * On a cluster the executors need the variable in their environment ({@code spark.executorEnv.*}).
 * A JVM that has it set says so on stderr when it first ingests a video.
 */
final class FaultInjection {
    static final String ENV = "AVCURATE_FAULT_INJECT";
    /** Exit status of a simulated crash (128 + SIGABRT). */
    static final int EXIT_CRASH = 134;

    record Rule(String kind, String substring) {}

    private static final List<Rule> RULES = parse(System.getenv(ENV));

    static {
        if (!RULES.isEmpty()) System.err.println("[ingest] " + ENV + " is set: fault injection (test only) " + RULES);
    }

    private FaultInjection() {}

    static List<Rule> parse(String spec) {
        List<Rule> rules = new ArrayList<>();
        if (spec == null || spec.isBlank()) return List.of();
        for (String part : spec.split(",")) {
            part = part.strip();
            if (part.isEmpty()) continue;
            int colon = part.indexOf(':');
            String kind = colon < 0 ? "" : part.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String sub = colon < 0 ? "" : part.substring(colon + 1);
            if (!(kind.equals("crash") || kind.equals("hang")) || sub.isEmpty()) {
                throw new IllegalArgumentException(ENV + ": expected crash:<file-name-substring> or hang:<file-name-substring>, got '"
                        + part + "'");
            }
            rules.add(new Rule(kind, sub));
        }
        return List.copyOf(rules);
    }

    /** The rule that matches this URI's file name, or null. */
    static Rule match(List<Rule> rules, String uri) {
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        for (Rule r : rules) if (name.contains(r.substring())) return r;
        return null;
    }

    /** Called on the decode thread just before the file is opened. Returns at once unless {@value #ENV} names it. */
    static void beforeOpen(String uri) {
        if (RULES.isEmpty()) return;
        Rule r = match(RULES, uri);
        if (r == null) return;
        System.err.println("[ingest] " + ENV + ": simulated " + r.kind() + " on " + uri);
        System.err.flush();
        if (r.kind().equals("crash")) Runtime.getRuntime().halt(EXIT_CRASH);
        while (true) LockSupport.park(FaultInjection.class); // interrupts and spurious wake-ups change nothing
    }
}
