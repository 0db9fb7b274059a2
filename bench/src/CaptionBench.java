import com.sun.net.httpserver.HttpServer;
import dev.avcurate.captioning.CaptionFrames;
import dev.avcurate.captioning.CaptionPrompt;
import dev.avcurate.captioning.vlm.ChatRequest;
import dev.avcurate.captioning.vlm.VlmClient;
import dev.avcurate.captioning.vlm.VlmOutcome;
import dev.avcurate.captioning.vlm.VlmSettings;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the VLM client against its concurrency limit: a local server in a separate JVM
 * (so that its CPU is not counted as the client's) answers every chat-completions request after a
 * fixed delay with a fixed pool of worker threads, so it saturates at that many requests in flight.
 * For each limit, a fresh {@link VlmClient} with task and executor concurrency at the limit sends
 * the same request (20 JPEG frames of a 10 s clip, 616x336, as {@link CaptionFrames} samples them
 * under the default settings) until about 20 rounds of the delay have passed. Reports requests/s
 * reached against the ideal min(limit, server threads) / delay, the client JVM's CPU time per
 * request (body building with base64, HTTP, completion), the last attempt's latency percentiles
 * and, for scale, the server JVM's CPU time per request; also, measured apart, the CPU time per clip of sampling the frames (decode, resize,
 * JPEG), which is client-side work per request too.
 *
 * <p>{@code CaptionBench <root> <video>} runs the bench ({@code -Ddelay_ms=200 -Dserver_threads=32
 * -Dlevels=1,2,...}); {@code CaptionBench generate <out>} writes the source video (bench/run
 * transcodes it to H.264); {@code CaptionBench server <port> <delayMs> <threads>} is the server,
 * which prints {@code listening <port>} and exits when its standard input closes.
 */
public class CaptionBench {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            server(Integer.parseInt(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
            return;
        }
        if (args[0].equals("generate")) {
            new SyntheticVideo().size(640, 360).fps(25).seconds(10).quality(2).noAudio()
                    .painter(Scenes.pan(7, 40)).write(Path.of(args[1]));
            System.exit(0);
        }
        Path root = Path.of(args[0]);
        String video = args[1];
        long delayMs = Long.getLong("delay_ms", 200);
        int serverThreads = Integer.getInteger("server_threads", 32);
        int[] levels = Arrays.stream(System.getProperty("levels", "1,2,4,8,16,32,64,128").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        // Frames as the caption stage samples them by default: 2 fps, 4..64 frames, 230400 px, JPEG 85.
        CaptionFrames frames = new CaptionFrames(2, 4, 64, 230_400, 85, 60, null);
        for (int i = 0; i < 3; i++) frames.sample(video, 0, 10); // natives, JIT
        int reps = 10;
        long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
        CaptionFrames.Sampled s = null;
        for (int i = 0; i < reps; i++) s = frames.sample(video, 0, 10);
        double sampleCpuMs = (os.getProcessCpuTime() - c0) / 1e6 / reps;
        double sampleWallMs = (System.nanoTime() - w0) / 1e6 / reps;
        List<byte[]> jpegs = s.jpegs();
        long jpegBytes = jpegs.stream().mapToLong(j -> j.length).sum();

        CaptionPrompt prompt = CaptionPrompt.load(root.resolve("conf/caption_prompt.yaml"));
        String system = prompt.system();
        String user = prompt.user().replace("{hints}", "shot size: medium close-up; camera motion: pan; people: 1; speaking: yes; "
                + "on-screen text: no; lighting: bright");
        String model = "Qwen/Qwen2.5-VL-72B-Instruct";
        byte[] body = ChatRequest.body(model, system, user, jpegs, "video_url", 512, 0.2);
        for (int i = 0; i < 200; i++) ChatRequest.body(model, system, user, jpegs, "video_url", 512, 0.2); // JIT
        long b0 = os.getProcessCpuTime();
        for (int i = 0; i < 200; i++) ChatRequest.body(model, system, user, jpegs, "video_url", 512, 0.2);
        double bodyCpuMs = (os.getProcessCpuTime() - b0) / 1e6 / 200;
        System.err.printf(Locale.ROOT, "[caption] %d frames %dx%d, %.1f KB of JPEG, request body %.1f KB%n", jpegs.size(), s.width(),
                s.height(), jpegBytes / 1024.0, body.length / 1024.0);

        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dsun.net.httpserver.nodelay=true", // as uvicorn (vLLM) sets TCP_NODELAY; else a 40 ms delayed-ACK stall per answer
                "-cp", System.getProperty("java.class.path"), "CaptionBench", "server", "0", Long.toString(delayMs),
                Integer.toString(serverThreads)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroyForcibly));
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.startsWith("listening ")) throw new IllegalStateException("server did not start: " + line);
        String base = "http://127.0.0.1:" + line.substring("listening ".length()).trim() + "/v1";
        System.err.println("[caption] server (separate JVM) at " + base + ", " + delayMs + " ms per answer, " + serverThreads + " workers");

        // Warm-up, about 8 s: 50 requests leave the JIT of both JVMs still working (CPU per request kept falling for
        // the next thousand requests), so run enough that the first levels are not charged for it.
        run(os, base, model, system, user, jpegs, 8, 50);
        for (int i = 0; i < 2; i++) run(os, base, model, system, user, jpegs, serverThreads, 20 * serverThreads);
        System.out.println("concurrency\trequests\tseconds\trequests_per_s\tideal_per_s\tratio\tclient_cpu_ms_per_request\tp50_latency_ms\tp95_latency_ms\tserver_cpu_ms_per_request");
        for (int limit : levels) {
            int n = 20 * Math.min(limit, serverThreads); // about 20 rounds of the delay once at the ideal
            long sc0 = serverCpuNs(server);
            double[] r = run(os, base, model, system, user, jpegs, limit, n);
            double serverMs = (serverCpuNs(server) - sc0) / 1e6 / n;
            double ideal = Math.min(limit, serverThreads) / (delayMs / 1000.0);
            System.out.printf(Locale.ROOT, "%d\t%d\t%.3f\t%.2f\t%.2f\t%.3f\t%.2f\t%.0f\t%.0f\t%.2f%n", limit, n, r[0], n / r[0], ideal,
                    n / r[0] / ideal, r[1], r[2], r[3], serverMs);
        }
        System.out.printf(Locale.ROOT, "# request body %.1f KB (%d JPEG frames %dx%d, %.1f KB); frame sampling per 10 s clip "
                        + "(decode 640x360 H.264, resize, JPEG; one thread): %.1f ms CPU, %.1f ms wall; building one body (base64, JSON): "
                        + "%.2f ms CPU%n", body.length / 1024.0, jpegs.size(), s.width(), s.height(), jpegBytes / 1024.0, sampleCpuMs,
                sampleWallMs, bodyCpuMs);
        server.getOutputStream().close(); // the server exits when its standard input closes
        if (!server.waitFor(5, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
        System.exit(0);
    }

    /** CPU time of the server JVM so far (the kernel's count for the process, as for the client). */
    static long serverCpuNs(Process server) {
        return server.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /** n requests through a fresh client at this limit: {seconds, client CPU ms per request, p50 ms, p95 ms}. */
    static double[] run(com.sun.management.OperatingSystemMXBean os, String base, String model, String system, String user,
                        List<byte[]> jpegs, int limit, int n) throws Exception {
        VlmSettings st = new VlmSettings(base, model, "", "video_url", 512, 0.2, 60, 0, 1, 60, limit, limit, Integer.MAX_VALUE, 30);
        List<CompletableFuture<VlmOutcome>> fs = new ArrayList<>(n);
        long c0, c1, t0, t1;
        try (VlmClient client = new VlmClient(st)) {
            c0 = os.getProcessCpuTime();
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) fs.add(client.caption(system, user, jpegs));
            CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).join();
            t1 = System.nanoTime();
            c1 = os.getProcessCpuTime();
        }
        double[] lat = new double[n];
        for (int i = 0; i < n; i++) {
            VlmOutcome o = fs.get(i).join();
            if (!o.ok()) throw new IllegalStateException("request failed at limit " + limit + ": " + o.errorCode() + " " + o.errorDetail());
            lat[i] = o.latencyS() * 1000;
        }
        Arrays.sort(lat);
        return new double[] {(t1 - t0) / 1e9, (c1 - c0) / 1e6 / n, lat[(int) Math.floor(0.5 * (n - 1))], lat[(int) Math.floor(0.95 * (n - 1))]};
    }

    /** A chat-completions server that reads the whole body, waits delayMs and answers, with a fixed pool of workers. */
    static void server(int port, long delayMs, int threads) throws Exception {
        String caption = "A medium close-up at eye level with a slow pan to the left. One adult with short dark hair, wearing a blue "
                + "shirt, sits at a desk facing the camera and talks, moving both hands; the mouth opens and closes with speech. "
                + "Behind, a bright office with white walls, a shelf of books and a window on the right; soft daylight.";
        byte[] answer = ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"bench\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + caption + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3010,\"completion_tokens\":78,\"total_tokens\":3088}}").getBytes(StandardCharsets.UTF_8);
        HttpServer srv = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        srv.setExecutor(pool);
        srv.createContext("/", ex -> {
            try {
                ex.getRequestBody().readAllBytes();
                Thread.sleep(delayMs);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, answer.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(answer);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        srv.start();
        System.out.println("listening " + srv.getAddress().getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the bench closes our standard input (or dies)
        }
        srv.stop(0);
        pool.shutdownNow();
        System.exit(0);
    }
}
