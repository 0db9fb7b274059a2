package dev.avcurate.captioning.vlm;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client for one OpenAI-compatible chat-completions endpoint that keeps many requests in flight:
 * at most {@code taskConcurrency} from this client and {@code executorConcurrency} from the whole
 * JVM. A failed attempt is retried after a 429, a 5xx, a time-out or a connection error, with
 * exponential back-off and jitter, or after the server's Retry-After; malformed answers and other
 * 4xx are final. A {@link CircuitBreaker} shared by the JVM's clients makes requests fail at once
 * while the server is down. Every request ends in a {@link VlmOutcome}, never an exception.
 *
 * <p>The caller owns the client: {@link #close()} it after its futures completed. It owns its HTTP
 * threads and the retry timer. The API key goes in the Authorization header and nowhere else.
 */
public final class VlmClient implements AutoCloseable {
    private static final Map<String, Semaphore> EXECUTOR_PERMITS = new ConcurrentHashMap<>();

    private final VlmSettings s;
    private final URI uri;
    private final ExecutorService httpThreads;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final Semaphore taskPermits;
    private final Semaphore executorPermits;
    private final CircuitBreaker breaker;

    public VlmClient(VlmSettings settings) {
        this.s = settings;
        this.uri = settings.chatUri();
        this.httpThreads = Executors.newCachedThreadPool(daemon("vlm-http"));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpThreads)
                .connectTimeout(Duration.ofMillis((long) (Math.min(settings.timeoutS(), 10) * 1000))).build();
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("vlm-retry"));
        this.taskPermits = new Semaphore(settings.taskConcurrency());
        this.executorPermits = EXECUTOR_PERMITS.computeIfAbsent(uri + "|" + settings.executorConcurrency(),
                k -> new Semaphore(settings.executorConcurrency()));
        this.breaker = CircuitBreaker.shared(uri.toString(), settings.breakerFailures(), settings.breakerCooldownS());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Sends one caption request. Blocks while this client or the JVM has its maximum in flight, so
     * a caller that prepares frames between calls never runs far ahead of the server.
     */
    public CompletableFuture<VlmOutcome> caption(String system, String userText, List<byte[]> jpegs) throws InterruptedException {
        byte[] body = ChatRequest.body(s.model(), system, userText, jpegs, s.framesAs(), s.maxTokens(), s.temperature());
        CompletableFuture<VlmOutcome> result = new CompletableFuture<>();
        boolean handedOver = false;
        taskPermits.acquire();
        try {
            executorPermits.acquire();
            try {
                // From here the permits are released once, when the result completes; attempt() always completes it.
                result.whenComplete((r, e) -> {
                    executorPermits.release();
                    taskPermits.release();
                });
                handedOver = true;
            } finally {
                if (!handedOver) executorPermits.release();
            }
        } finally {
            if (!handedOver) taskPermits.release();
        }
        attempt(body, result, 1, System.nanoTime());
        return result;
    }

    /** Requests of this client in flight now. */
    public int inFlight() {
        return s.taskConcurrency() - taskPermits.availablePermits();
    }

    /**
     * One attempt; whatever it throws (a header the HTTP client refuses, a rejected retry, an
     * error) completes the request as failed, so its permits are always released and its future
     * never hangs.
     */
    private void attempt(byte[] body, CompletableFuture<VlmOutcome> result, int n, long t0) {
        try {
            send(body, result, n, t0);
        } catch (RuntimeException | Error e) {
            String detail = String.valueOf(e);
            if (!s.apiKey().isBlank()) detail = detail.replace(s.apiKey(), "(api key)").replace(s.apiKey().strip(), "(api key)");
            result.complete(VlmOutcome.failure(VlmException.CLIENT, "the request could not be sent: " + detail, n, 0, secs(t0), 0));
            if (e instanceof Error err && !(err instanceof LinkageError)) throw err;
        }
    }

    private void send(byte[] body, CompletableFuture<VlmOutcome> result, int n, long t0) {
        if (!breaker.allow()) {
            result.complete(VlmOutcome.failure(VlmException.UNAVAILABLE, "circuit breaker open: the server failed "
                    + s.breakerFailures() + "+ times in a row (last: " + breaker.lastFailure() + ")", n - 1, 0, secs(t0), 0));
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis((long) (s.timeoutS() * 1000)))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!s.apiKey().isEmpty()) b.header("Authorization", "Bearer " + s.apiKey());
        long ta = System.nanoTime();
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                // The request timeout covers the wait for headers; this also bounds a body that trickles in.
                .orTimeout((long) (s.timeoutS() * 1000) + 1000, TimeUnit.MILLISECONDS)
                .whenComplete((resp, err) -> {
                    try {
                        handle(body, result, n, t0, ta, resp, err);
                    } catch (RuntimeException e) {
                        result.complete(VlmOutcome.failure(VlmException.BAD_RESPONSE, e.toString(), n, secs(ta), secs(t0), 0));
                    }
                });
    }

    private void handle(byte[] body, CompletableFuture<VlmOutcome> result, int n, long t0, long ta, HttpResponse<byte[]> resp,
                        Throwable err) {
        double latency = secs(ta);
        if (err != null) {
            Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            boolean timeout = c instanceof HttpTimeoutException || c instanceof TimeoutException;
            String code = timeout ? VlmException.TIMEOUT : VlmException.UNREACHABLE;
            String detail = timeout ? "no answer within " + s.timeoutS() + " s" : c.getClass().getSimpleName()
                    + (c.getMessage() == null ? "" : ": " + c.getMessage()) + (c instanceof ConnectException ? " (is the server up?)" : "");
            breaker.failure(code);
            retryOrFail(body, result, n, t0, latency, 0, code, detail, -1);
            return;
        }
        int status = resp.statusCode();
        if (status >= 200 && status < 300) {
            breaker.success();
            try {
                result.complete(VlmOutcome.success(ChatResponse.parse(resp.body()), n, latency, secs(t0), status));
            } catch (VlmException e) {
                result.complete(VlmOutcome.failure(e.code(), e.getMessage(), n, latency, secs(t0), status));
            }
            return;
        }
        String detail = "HTTP " + status + " " + ChatResponse.snippet(resp.body());
        double retryAfter = retryAfterS(resp.headers().firstValue("Retry-After").orElse(null));
        if (status == 429) {
            // A live server asking us to slow down: back off, but it is not a failure of the server.
            retryOrFail(body, result, n, t0, latency, status, "vlm_http_429", detail, retryAfter);
        } else if (status >= 500) {
            breaker.failure("HTTP " + status);
            retryOrFail(body, result, n, t0, latency, status, "vlm_http_" + status, detail, retryAfter);
        } else {
            breaker.success();
            result.complete(VlmOutcome.failure("vlm_http_" + status, detail, n, latency, secs(t0), status));
        }
    }

    private void retryOrFail(byte[] body, CompletableFuture<VlmOutcome> result, int n, long t0, double latency, int status, String code,
                             String detail, double retryAfterS) {
        if (n > s.retries()) {
            result.complete(VlmOutcome.failure(code, detail + (n > 1 ? " (after " + n + " attempts)" : ""), n, latency, secs(t0), status));
            return;
        }
        double delay = retryAfterS >= 0 ? Math.min(retryAfterS, s.backoffMaxS()) : backoffS(n);
        timer.schedule(() -> attempt(body, result, n + 1, t0), (long) (delay * 1000), TimeUnit.MILLISECONDS);
    }

    /** Exponential back-off with "equal jitter": half fixed, half random, so that many clients do not retry in step. */
    double backoffS(int attempt) {
        double d = Math.min(s.backoffMaxS(), s.backoffS() * Math.pow(2, attempt - 1));
        return d / 2 + ThreadLocalRandom.current().nextDouble() * d / 2;
    }

    /** Retry-After as seconds or an HTTP date; -1 when absent or unreadable. */
    static double retryAfterS(String v) {
        if (v == null || v.isBlank()) return -1;
        try {
            return Math.max(0, Double.parseDouble(v.trim()));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime t = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, (t.toInstant().toEpochMilli() - System.currentTimeMillis()) / 1000.0);
            } catch (java.time.format.DateTimeParseException e2) {
                return -1;
            }
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        httpThreads.shutdownNow();
    }
}
