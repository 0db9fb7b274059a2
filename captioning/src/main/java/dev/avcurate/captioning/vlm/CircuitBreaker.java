package dev.avcurate.captioning.vlm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stops a dead server from stalling a job for hours: after {@code failures} failed attempts in a
 * row (5xx, time-outs, connection errors; a 429 is a live server asking us to slow down and does
 * not count) the breaker opens and requests fail at once; after {@code cooldownS} one probe is let
 * through, and its success closes the breaker. One breaker per endpoint and JVM, shared by every
 * task of the executor, so that all of them stop together.
 */
public final class CircuitBreaker {
    private static final Map<String, CircuitBreaker> SHARED = new ConcurrentHashMap<>();

    private final int failures;
    private final long cooldownNanos;
    private final String name;
    private int consecutive;
    private long openedAt = -1;
    private boolean probing;
    private String lastFailure = "";

    CircuitBreaker(String name, int failures, double cooldownS) {
        this.name = name;
        this.failures = failures;
        this.cooldownNanos = (long) (cooldownS * 1e9);
    }

    /** The JVM's breaker for this endpoint (settings of the first caller). */
    public static CircuitBreaker shared(String endpoint, int failures, double cooldownS) {
        return SHARED.computeIfAbsent(endpoint + "|" + failures + "|" + cooldownS, k -> new CircuitBreaker(endpoint, failures, cooldownS));
    }

    /** May a request be sent now? While open, only one probe per cool-down gets a yes. */
    public synchronized boolean allow() {
        if (openedAt < 0) return true;
        if (!probing && System.nanoTime() - openedAt >= cooldownNanos) {
            probing = true;
            return true;
        }
        return false;
    }

    public synchronized void success() {
        if (openedAt >= 0) System.err.println("[caption] VLM at " + name + " answers again: circuit closed");
        consecutive = 0;
        openedAt = -1;
        probing = false;
    }

    public synchronized void failure(String reason) {
        consecutive++;
        lastFailure = reason;
        if (probing) {
            // The probe failed: stay open for another cool-down.
            probing = false;
            openedAt = System.nanoTime();
        } else if (openedAt < 0 && consecutive >= failures) {
            openedAt = System.nanoTime();
            System.err.printf(java.util.Locale.ROOT, "[caption] VLM at %s failed %d times in a row (last: %s): circuit open, requests "
                    + "fail at once for %.0f s, then one probe%n", name, consecutive, reason, cooldownNanos / 1e9);
        }
    }

    public synchronized boolean isOpen() {
        return openedAt >= 0;
    }

    public synchronized String lastFailure() {
        return lastFailure;
    }
}
