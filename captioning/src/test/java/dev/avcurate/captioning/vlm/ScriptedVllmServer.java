package dev.avcurate.captioning.vlm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A local server that speaks the OpenAI chat-completions protocol as vLLM does, for tests: it
 * records every request (headers, parsed body, arrival time) and answers from a script, so that
 * a test can play success, 429 with Retry-After, 5xx, a slow answer, a malformed body or a
 * refusal. Owner of its HTTP threads: {@link #close()} stops them.
 */
public final class ScriptedVllmServer implements AutoCloseable {
    /** One request as the server saw it. */
    public record Seen(Map<String, List<String>> headers, JsonNode body, long arrivedNanos, String path) {
        public String header(String name) {
            for (var e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
            return null;
        }

        /** The user message's text part. */
        public String userText() {
            for (JsonNode part : body.path("messages").path(1).path("content")) {
                if ("text".equals(part.path("type").asText())) return part.path("text").asText();
            }
            return null;
        }
    }

    /** What to answer: status, headers, body, and how long to wait first. */
    public record Reply(int status, Map<String, String> headers, String body, long delayMs) {
        public static Reply ok(String content) {
            return ok(content, "stop", 1200, 150);
        }

        public static Reply ok(String content, String finishReason, long promptTokens, long completionTokens) {
            ObjectMapper m = new ObjectMapper();
            var root = m.createObjectNode();
            root.put("id", "chatcmpl-test").put("object", "chat.completion").put("model", "test-model");
            var choice = root.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", finishReason);
            choice.putObject("message").put("role", "assistant").put("content", content);
            root.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
            return new Reply(200, Map.of("Content-Type", "application/json"), root.toString(), 0);
        }

        public static Reply status(int status, String retryAfter) {
            String body = "{\"object\":\"error\",\"message\":\"scripted " + status + "\",\"type\":\"Error\",\"code\":" + status + "}";
            return new Reply(status, retryAfter == null ? Map.of("Content-Type", "application/json")
                    : Map.of("Content-Type", "application/json", "Retry-After", retryAfter), body, 0);
        }

        public static Reply malformed() {
            return new Reply(200, Map.of("Content-Type", "application/json"), "{\"choices\": [ {\"message\": ", 0);
        }

        public Reply after(long ms) {
            return new Reply(status, headers, body, ms);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<Seen> seen = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Function<Seen, Reply> script;

    public ScriptedVllmServer(Function<Seen, Reply> script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        this.threads = Executors.newFixedThreadPool(32);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL a client is configured with, e.g. http://127.0.0.1:PORT/v1. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public void script(Function<Seen, Reply> s) {
        this.script = s;
    }

    public synchronized List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    public synchronized void clear() {
        seen.clear();
        maxInFlight.set(0);
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            byte[] in = ex.getRequestBody().readAllBytes();
            JsonNode body;
            try {
                body = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                send(ex, new Reply(400, Map.of(), "{\"message\":\"bad json\"}", 0));
                return;
            }
            Seen s = new Seen(Map.copyOf(ex.getRequestHeaders()), body, System.nanoTime(), ex.getRequestURI().getPath());
            synchronized (this) {
                seen.add(s);
            }
            Reply r = script.apply(s);
            if (r.delayMs() > 0) {
                try {
                    Thread.sleep(r.delayMs());
                } catch (InterruptedException e) {
                    return;
                }
            }
            send(ex, r);
        } finally {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
        r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        try {
            ex.sendResponseHeaders(r.status(), out.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
        } catch (IOException e) {
            // The client gave up (its time limit): nothing to answer.
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
