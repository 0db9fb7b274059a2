package dev.avcurate.captioning.vlm;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avcurate.captioning.vlm.ScriptedVllmServer.Reply;
import dev.avcurate.core.config.CurateConfig;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The client against a scripted vLLM-like server: request shape, retries, time limits, the breaker, concurrency. */
class VlmClientTest {
    static final String SYSTEM = "You write dense captions.";

    static VlmSettings settings(String endpoint, String framesAs, double timeoutS, int retries, int taskConcurrency, int breakerFailures) {
        return new VlmSettings(endpoint, "Qwen/Qwen2.5-VL-72B-Instruct", "sk-test-secret", framesAs, 300, 0.2, timeoutS, retries, 0.05, 2,
                taskConcurrency, 64, breakerFailures, 60);
    }

    static List<byte[]> jpegs(int n, int w, int h) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            img.getGraphics().fillRect(i, i, 10, 10);
            var bos = new java.io.ByteArrayOutputStream();
            ImageIO.write(img, "jpg", bos);
            out.add(bos.toByteArray());
        }
        return out;
    }

    static VlmOutcome one(VlmClient c, String text, List<byte[]> frames) throws Exception {
        return c.caption(SYSTEM, text, frames).get();
    }

    @Test
    void aRequestHasVllmsShapeWithEveryFrameInOneVideoDataUrl() throws Exception {
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> Reply.ok("A close-up of a man talking.", "stop", 1234, 56));
             VlmClient c = new VlmClient(settings(server.baseUrl(), "video_url", 10, 0, 4, 8))) {
            VlmOutcome o = one(c, "Describe. Hints: people 1", jpegs(6, 56, 28));
            assertTrue(o.ok(), o.toString());
            assertEquals("A close-up of a man talking.", o.content());
            assertEquals("stop", o.finishReason());
            assertEquals(1234, o.promptTokens());
            assertEquals(56, o.completionTokens());
            assertEquals(1, o.attempts());
            assertEquals(200, o.httpStatus());

            ScriptedVllmServer.Seen s = server.seen().get(0);
            assertEquals("/v1/chat/completions", s.path());
            assertEquals("Bearer sk-test-secret", s.header("Authorization"));
            assertTrue(s.header("Content-Type").startsWith("application/json"));
            JsonNode b = s.body();
            assertEquals("Qwen/Qwen2.5-VL-72B-Instruct", b.path("model").asText());
            assertEquals(300, b.path("max_tokens").asInt());
            assertEquals(0.2, b.path("temperature").asDouble(), 1e-9);
            assertEquals(2, b.path("messages").size());
            assertEquals("system", b.path("messages").path(0).path("role").asText());
            assertEquals(SYSTEM, b.path("messages").path(0).path("content").asText());
            JsonNode user = b.path("messages").path(1);
            assertEquals("user", user.path("role").asText());
            assertEquals(2, user.path("content").size(), "the video part, then the text part");
            JsonNode video = user.path("content").path(0);
            assertEquals("video_url", video.path("type").asText());
            String url = video.path("video_url").path("url").asText();
            assertTrue(url.startsWith("data:video/jpeg;base64,"), url.substring(0, 40));
            String[] frames = url.substring("data:video/jpeg;base64,".length()).split(",");
            assertEquals(6, frames.length, "one base64 JPEG per frame, comma-separated");
            for (String f : frames) {
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(f)));
                assertEquals(56, img.getWidth());
                assertEquals(28, img.getHeight());
            }
            assertEquals("text", user.path("content").path(1).path("type").asText());
            assertEquals("Describe. Hints: people 1", s.userText());
        }
    }

    @Test
    void imageUrlModeSendsOnePartPerFrame() throws Exception {
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> Reply.ok("A wide shot."));
             VlmClient c = new VlmClient(settings(server.baseUrl(), "image_url", 10, 0, 4, 8))) {
            assertTrue(one(c, "Describe.", jpegs(4, 28, 28)).ok());
            JsonNode content = server.seen().get(0).body().path("messages").path(1).path("content");
            assertEquals(5, content.size());
            for (int i = 0; i < 4; i++) {
                assertEquals("image_url", content.path(i).path("type").asText());
                assertTrue(content.path(i).path("image_url").path("url").asText().startsWith("data:image/jpeg;base64,/9j/"));
            }
            assertEquals("text", content.path(4).path("type").asText());
        }
    }

    @Test
    void a429IsRetriedAfterTheServersRetryAfter() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> n.getAndIncrement() == 0 ? Reply.status(429, "1") : Reply.ok("A shot."));
             VlmClient c = new VlmClient(settings(server.baseUrl(), "video_url", 10, 3, 4, 8))) {
            VlmOutcome o = one(c, "Describe.", jpegs(4, 28, 28));
            assertTrue(o.ok(), o.toString());
            assertEquals(2, o.attempts());
            List<ScriptedVllmServer.Seen> seen = server.seen();
            double gap = (seen.get(1).arrivedNanos() - seen.get(0).arrivedNanos()) / 1e9;
            assertTrue(gap >= 0.95, "waited " + gap + " s, Retry-After said 1 s (back-off alone is 0.05 s)");
        }
    }

    @Test
    void a5xxIsRetriedAndFinallyRecordedWithItsStatus() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> n.getAndIncrement() == 0 ? Reply.status(500, null) : Reply.ok("A shot."));
             VlmClient c = new VlmClient(settings(server.baseUrl(), "video_url", 10, 3, 4, 8))) {
            VlmOutcome o = one(c, "Describe.", jpegs(4, 28, 28));
            assertTrue(o.ok());
            assertEquals(2, o.attempts());
            server.script(s -> Reply.status(503, null));
            server.clear();
            VlmOutcome f = one(c, "Describe.", jpegs(4, 28, 28));
            assertFalse(f.ok());
            assertEquals("vlm_http_503", f.errorCode());
            assertEquals(4, f.attempts(), "1 + 3 retries");
            assertEquals(4, server.seen().size());
            assertTrue(f.errorDetail().contains("scripted 503"), f.errorDetail());
        }
    }

    @Test
    void aSlowAnswerPastTheLimitIsATimeout() throws Exception {
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> Reply.ok("late").after(3000));
             VlmClient c = new VlmClient(settings(server.baseUrl(), "video_url", 0.5, 1, 4, 8))) {
            long t0 = System.nanoTime();
            VlmOutcome o = one(c, "Describe.", jpegs(4, 28, 28));
            double took = (System.nanoTime() - t0) / 1e9;
            assertFalse(o.ok());
            assertEquals(VlmException.TIMEOUT, o.errorCode());
            assertEquals(2, o.attempts());
            assertTrue(took < 2.9, "each attempt is cut at the limit, not at the server's 3 s: " + took);
        }
    }

    @Test
    void malformedBodiesAndOther4xxAreFinalAtOnce() throws Exception {
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> Reply.malformed());
             VlmClient c = new VlmClient(settings(server.baseUrl(), "video_url", 10, 3, 4, 8))) {
            VlmOutcome o = one(c, "Describe.", jpegs(4, 28, 28));
            assertEquals(VlmException.BAD_RESPONSE, o.errorCode());
            assertEquals(1, o.attempts());
            server.script(s -> Reply.status(400, null));
            VlmOutcome b = one(c, "Describe.", jpegs(4, 28, 28));
            assertEquals("vlm_http_400", b.errorCode());
            assertEquals(1, b.attempts());
            server.script(s -> new Reply(200, Map.of(), "{\"choices\":[{\"message\":{\"content\":null}}]}", 0));
            assertEquals(VlmException.BAD_RESPONSE, one(c, "Describe.", jpegs(4, 28, 28)).errorCode());
        }
    }

    @Test
    void aDeadServerOpensTheBreakerAndLaterRequestsFailAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // Nothing listens on the port any more: every connection is refused.
        VlmSettings st = new VlmSettings("http://127.0.0.1:" + port + "/v1", "m", "", "video_url", 100, 0, 5, 2, 0.01, 0.05, 4, 64, 3, 3600);
        try (VlmClient c = new VlmClient(st)) {
            List<CompletableFuture<VlmOutcome>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) fs.add(c.caption(SYSTEM, "x", jpegs(2, 28, 28)));
            List<String> codes = new ArrayList<>();
            for (var f : fs) codes.add(f.get().errorCode());
            // The first requests fail on their own (connection refused); once the breaker opens, they and all later ones
            // end as vlm_unavailable, and the detail keeps the cause.
            assertTrue(codes.stream().filter(VlmException.UNAVAILABLE::equals).count() >= 16, codes.toString());
            for (var f : fs) {
                VlmOutcome o = f.get();
                assertFalse(o.ok());
                if (o.errorCode().equals(VlmException.UNAVAILABLE)) assertTrue(o.errorDetail().contains(VlmException.UNREACHABLE), o.errorDetail());
            }
            long t0 = System.nanoTime();
            VlmOutcome o = one(c, "x", jpegs(2, 28, 28));
            assertEquals(VlmException.UNAVAILABLE, o.errorCode());
            assertEquals(0, o.attempts());
            assertTrue((System.nanoTime() - t0) / 1e9 < 0.5);
        }
    }

    @Test
    void inFlightRequestsStayWithinTheTaskLimit() throws Exception {
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> Reply.ok("A shot.").after(200));
             VlmClient c = new VlmClient(settings(server.baseUrl(), "video_url", 10, 0, 3, 8))) {
            List<CompletableFuture<VlmOutcome>> fs = new ArrayList<>();
            for (int i = 0; i < 12; i++) fs.add(c.caption(SYSTEM, "x", jpegs(2, 28, 28)));
            for (var f : fs) assertTrue(f.get().ok());
            assertEquals(3, server.maxInFlight(), "three in flight at a time, never more");
            assertEquals(0, c.inFlight());
        }
    }

    @Test
    void textWithQuotesControlCharactersAndEmojiTravelsIntact() throws Exception {
        String tricky = "He said \"hi\"\\ \n\t\u0001 <b>&amp;</b> \u2028 😀 ünïcödé";
        byte[] body = ChatRequest.body("m\"odel", tricky, tricky, List.of(new byte[] {1, 2, 3}), "video_url", 10, 0.5);
        JsonNode b = new ObjectMapper().readTree(body);
        assertEquals(tricky, b.path("messages").path(0).path("content").asText());
        assertEquals(tricky, b.path("messages").path(1).path("content").path(1).path("text").asText());
        assertEquals("m\"odel", b.path("model").asText());
        assertEquals("data:video/jpeg;base64,AQID", b.path("messages").path(1).path("content").path(0).path("video_url").path("url").asText());
        assertFalse(new String(body, StandardCharsets.UTF_8).contains("\u0001"), "raw control characters never reach the wire");
    }

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        assertEquals(2.0, VlmClient.retryAfterS("2"), 1e-9);
        assertEquals(-1, VlmClient.retryAfterS("soon"), 1e-9);
        assertEquals(-1, VlmClient.retryAfterS(null), 1e-9);
        String inTenSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
        double s = VlmClient.retryAfterS(inTenSeconds);
        assertTrue(s > 8 && s <= 10.5, "" + s);
    }

    @Test
    void theEnvironmentOverridesTheConfigAndTheKeyIsNeverPrinted() {
        CurateConfig cfg = CurateConfig.parse("caption:\n  vlm:\n    endpoint: http://config-host:8000/v1\n    api_key: sk-from-config\n", "t.yaml");
        VlmSettings fromCfg = VlmSettings.from(cfg, Map.of());
        assertEquals("http://config-host:8000/v1", fromCfg.endpoint());
        assertEquals("sk-from-config", fromCfg.apiKey());
        VlmSettings fromEnv = VlmSettings.from(cfg, Map.of("OPENAI_BASE_URL", "http://env-host:9000/v1", "OPENAI_API_KEY", "sk-env"));
        assertEquals("http://env-host:9000/v1/chat/completions", fromEnv.chatUri().toString());
        assertEquals("sk-env", fromEnv.apiKey());
        assertFalse(fromEnv.toString().contains("sk-env"));
        assertFalse(fromCfg.toString().contains("sk-from-config"));
        assertEquals("(set)", cfg.asMap().get("caption.vlm.api_key"), "run-summary.json shows only that a key is set");
        VlmSettings creds = VlmSettings.from(cfg, Map.of("OPENAI_BASE_URL", "http://user:pw@host/v1"));
        assertFalse(creds.toString().contains("pw"));
        VlmSettings bad = VlmSettings.from(cfg, Map.of("OPENAI_BASE_URL", "host-without-scheme"));
        var e = assertThrows(dev.avcurate.core.config.ConfigException.class, bad::chatUri);
        assertTrue(e.getMessage().contains("caption.vlm.endpoint"), e.getMessage());
    }

    @Test
    void aBreakerLetsOneProbeThroughAfterItsCooldownAndASuccessClosesIt() throws Exception {
        CircuitBreaker b = new CircuitBreaker("test", 2, 0.2);
        assertTrue(b.allow());
        b.failure("x");
        assertTrue(b.allow());
        b.failure("x");
        assertTrue(b.isOpen());
        assertFalse(b.allow());
        Thread.sleep(250);
        assertTrue(b.allow(), "one probe after the cool-down");
        assertFalse(b.allow(), "only one");
        b.success();
        assertFalse(b.isOpen());
        assertTrue(b.allow());
    }

    @Test
    void anAttemptThatThrowsReleasesItsPermitsAndEndsInAFailedOutcome() throws Exception {
        // An API key read with its trailing newline: the HTTP client refuses the header and attempt() throws. The permit
        // it held was never released, so with task_concurrency 1 the next request blocked for ever.
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        VlmSettings s = new VlmSettings("http://127.0.0.1:" + port + "/v1", "m", "sk-secret-key\n", "video_url", 300, 0.2, 5, 0, 0.05, 2,
                1, 1, 8, 60);
        try (VlmClient c = new VlmClient(s)) {
            for (int i = 0; i < 3; i++) {
                String text = "caption " + i;
                CompletableFuture<VlmOutcome> f = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                        () -> c.caption(SYSTEM, text, jpegs(4, 56, 56)), "request " + i + " waited for a leaked permit");
                VlmOutcome o = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertFalse(o.ok());
                assertEquals(VlmException.CLIENT, o.errorCode(), o.toString());
                assertFalse(o.errorDetail().contains("sk-secret-key"), "the key stays secret: " + o.errorDetail());
                assertEquals(0, c.inFlight(), "permits released");
            }
        }
    }
}
