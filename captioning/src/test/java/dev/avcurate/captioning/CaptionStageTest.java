package dev.avcurate.captioning;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.captioning.vlm.ScriptedVllmServer;
import dev.avcurate.captioning.vlm.ScriptedVllmServer.Reply;
import dev.avcurate.core.Ids;
import dev.avcurate.core.config.ConfigException;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caption stage end to end against a scripted vLLM-like server: every kept clip ends captioned
 * or failed with its reason, a rerun asks only for the failed ones, a third asks nothing, changed
 * checks are applied without asking again, and without an endpoint captions are composed.
 */
@Tag("slow") // a SparkSession, Delta commits and the MiniLM model: about a minute
class CaptionStageTest {
    @TempDir static Path dir;
    static SparkSession spark;
    static String clipsPath;
    static final Path HOME = Path.of(System.getProperty("avcurate.home", "."));

    static final String GOOD = "A close-up, eye-level shot of a man with short dark hair in a blue shirt, talking to the camera. "
            + "He nods and moves his right hand while speaking. Behind him is a plain grey wall with a window on the left.";
    static final String MARKUP = "A close-up of a woman holding a sign that reads <script>alert('x')</script> &amp; \"quoted\" \u0007 text; "
            + "she wears a red jacket and talks to the camera in a bright office with white walls.";
    static final String REFUSAL = "I'm sorry, but I can't help with describing this video.";

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("captioning-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").config("spark.sql.debug.maxToStringFields", "500")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
        Path video = new SyntheticVideo().size(640, 360).fps(25).seconds(8).painter((g, i, t, w, h) -> {
            g.setColor(new Color(40 + (int) (t * 20), 90, 160));
            g.fillRect(0, 0, w, h);
        }).write(dir.resolve("talk.mp4"));
        StructType schema = new StructType().add("clip_id", DataTypes.StringType).add("video_id", DataTypes.StringType)
                .add("uri", DataTypes.StringType).add("start_s", DataTypes.DoubleType).add("end_s", DataTypes.DoubleType)
                .add("keep", DataTypes.BooleanType).add("max_faces", DataTypes.DoubleType).add("face_area_ratio", DataTypes.DoubleType)
                .add("camera_motion", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        // Clip k shows k faces (so the scripted server can tell the clips apart by their hints); clip 8 is not kept.
        for (int k = 1; k <= 8; k++) {
            rows.add(RowFactory.create("clip" + k, "v1", video.toString(), (k - 1) * 0.75, (k - 1) * 0.75 + 2.0, k != 8, (double) k, 0.1,
                    "static"));
        }
        clipsPath = dir.resolve("clips").toString();
        spark.createDataFrame(rows, schema).write().format("delta").save(clipsPath);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static final Pattern FACES = Pattern.compile("faces visible at once: (\\d+)");

    static int clipOf(ScriptedVllmServer.Seen s) {
        Matcher m = FACES.matcher(s.userText());
        assertTrue(m.find(), s.userText());
        return Integer.parseInt(m.group(1));
    }

    static CurateConfig config(String endpoint, String extra) {
        return CurateConfig.parse("""
                caption:
                  vlm:
                    endpoint: "%s"
                    model: test-vl
                    timeout_s: 1.0
                    retries: 1
                    backoff_s: 0.05
                    concurrency: 4
                    task_concurrency: 2
                    breaker_failures: 100
                %s
                """.formatted(endpoint, extra), "test.yaml");
    }

    static Map<String, Row> captions(String path) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : spark.read().format("delta").load(path).collectAsList()) {
            assertNull(m.put(r.getString(r.fieldIndex("clip_id")), r), "one row per clip");
        }
        return m;
    }

    @Test
    void everyKeptClipEndsCaptionedOrFailedWithItsReasonAndARerunAsksOnlyForTheFailedOnes() throws Exception {
        String captionsPath = dir.resolve("captions").toString();
        Map<Integer, AtomicInteger> asked = new ConcurrentHashMap<>();
        try (ScriptedVllmServer server = new ScriptedVllmServer(s -> {
            int k = clipOf(s);
            int n = asked.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            return switch (k) {
                case 1 -> Reply.ok(GOOD, "stop", 3000, 60);
                case 2 -> n == 1 ? Reply.status(429, "0") : Reply.ok(GOOD, "stop", 3000, 61);
                case 3 -> Reply.status(500, null);
                case 4 -> Reply.malformed();
                case 5 -> Reply.ok(REFUSAL, "stop", 3000, 12);
                case 6 -> Reply.ok(MARKUP, "stop", 3000, 40);
                case 7 -> Reply.ok(GOOD).after(2500);
                default -> Reply.status(404, null);
            };
        })) {
            CaptionStage.Report r = new CaptionStage(spark, config(server.baseUrl(), ""), System.err, HOME, Map.of()).run(clipsPath, captionsPath);
            assertEquals(7, r.clipsKept());
            assertEquals(7, r.requested());
            assertEquals(4, r.ok());
            assertEquals(3, r.failed());
            assertEquals(Map.of("vlm_http_500", 1L, "vlm_bad_response", 1L, "vlm_timeout", 1L), r.failedByCode());
            assertFalse(asked.containsKey(8), "a clip that is not kept is never asked for");

            // The request: the prompt's system text, the clip's hints, 4 frames (2 s at 2 fps) at 616x336.
            ScriptedVllmServer.Seen first = server.seen().get(0);
            String url = first.body().path("messages").path(1).path("content").path(0).path("video_url").path("url").asText();
            assertEquals(4, url.substring("data:video/jpeg;base64,".length()).split(",").length);
            assertTrue(first.body().path("messages").path(0).path("content").asText().contains("subjective emotion words"));
            assertTrue(first.userText().contains("shot size: close-up"), first.userText());
            assertEquals("test-vl", first.body().path("model").asText());

            Map<String, Row> c = captions(captionsPath);
            assertEquals(7, c.size());
            Row ok = c.get("clip1");
            assertEquals("ok", ok.getString(ok.fieldIndex("status")));
            assertEquals(GOOD, ok.getString(ok.fieldIndex("caption")));
            assertTrue(ok.getBoolean(ok.fieldIndex("caption_keep")));
            assertEquals(3000L, ok.getLong(ok.fieldIndex("prompt_tokens")));
            assertEquals(60L, ok.getLong(ok.fieldIndex("completion_tokens")));
            assertEquals("vlm", ok.getString(ok.fieldIndex("estimator")));
            assertEquals(4, ok.getInt(ok.fieldIndex("frames")));
            assertEquals(616, ok.getInt(ok.fieldIndex("frame_width")));
            assertEquals(336, ok.getInt(ok.fieldIndex("frame_height")));
            assertEquals("close-up", ok.getString(ok.fieldIndex("shot_size")));
            assertEquals(Ids.sha256Hex("clip1|test-vl|" + ok.getString(ok.fieldIndex("prompt_version"))).substring(0, 16),
                    ok.getString(ok.fieldIndex("caption_key")));
            List<Float> emb = ok.getList(ok.fieldIndex("embedding"));
            assertEquals(384, emb.size());
            double norm = 0;
            for (float f : emb) norm += f * f;
            assertEquals(1.0, norm, 1e-3);
            assertEquals(2, c.get("clip2").getInt(c.get("clip2").fieldIndex("attempts")), "429, then the answer");
            Row failed = c.get("clip3");
            assertEquals("failed", failed.getString(failed.fieldIndex("status")));
            assertEquals("vlm_http_500", failed.getString(failed.fieldIndex("error_code")));
            assertTrue(failed.isNullAt(failed.fieldIndex("caption")));
            assertFalse(failed.getBoolean(failed.fieldIndex("caption_keep")));
            assertTrue(failed.isNullAt(failed.fieldIndex("embedding")));
            assertEquals("vlm_bad_response", c.get("clip4").getString(c.get("clip4").fieldIndex("error_code")));
            assertEquals("vlm_timeout", c.get("clip7").getString(c.get("clip7").fieldIndex("error_code")));
            Row refusal = c.get("clip5");
            assertEquals("ok", refusal.getString(refusal.fieldIndex("status")));
            assertFalse(refusal.getBoolean(refusal.fieldIndex("caption_keep")));
            assertTrue(refusal.getList(refusal.fieldIndex("checks")).contains("caption_refusal"));
            Row markup = c.get("clip6");
            assertEquals(MARKUP, markup.getString(markup.fieldIndex("raw_caption")), "stored byte for byte");
            assertEquals(MARKUP, markup.getString(markup.fieldIndex("caption")));
            java.sql.Timestamp firstOk = ok.getTimestamp(ok.fieldIndex("captioned_at"));

            // Rerun with a healthy server: only the three failed clips are asked for.
            server.script(s -> Reply.ok(GOOD, "stop", 2000, 50));
            server.clear();
            CaptionStage.Report r2 = new CaptionStage(spark, config(server.baseUrl(), ""), System.err, HOME, Map.of()).run(clipsPath, captionsPath);
            assertEquals(3, r2.requested());
            assertEquals(4, r2.alreadyCaptioned());
            List<Integer> second = new ArrayList<>();
            for (var s : server.seen()) second.add(clipOf(s));
            second.sort(null);
            assertEquals(List.of(3, 4, 7), second);
            Map<String, Row> c2 = captions(captionsPath);
            assertEquals(7, c2.size(), "replaced, not duplicated");
            for (Row row : c2.values()) assertEquals("ok", row.getString(row.fieldIndex("status")));
            assertEquals(firstOk, c2.get("clip1").getTimestamp(c2.get("clip1").fieldIndex("captioned_at")), "untouched");

            // A third run asks for nothing.
            server.clear();
            assertEquals(0, new CaptionStage(spark, config(server.baseUrl(), ""), System.err, HOME, Map.of()).run(clipsPath, captionsPath).requested());
            assertEquals(0, server.seen().size());

            // Stricter checks are applied to the stored captions without asking the server again.
            CaptionStage.Report r4 = new CaptionStage(spark, config(server.baseUrl(), "  checks:\n    min_words: 45\n"), System.err, HOME, Map.of())
                    .run(clipsPath, captionsPath);
            assertEquals(0, server.seen().size());
            assertEquals(7, r4.rechecked());
            Row strict = captions(captionsPath).get("clip1");
            assertFalse(strict.getBoolean(strict.fieldIndex("caption_keep")), "GOOD has fewer than 45 words");
            assertTrue(strict.getList(strict.fieldIndex("checks")).contains("caption_too_short"));
            assertEquals(emb, strict.getList(strict.fieldIndex("embedding")), "the text did not change: same vector");
        }
    }

    @Test
    void withoutAnEndpointCaptionsAreComposedFromTheMeasuredAttributes() {
        String captionsPath = dir.resolve("captions-attributes/tables/captions").toString();
        // Batches of 3: the 7 kept clips go to the executors and back in three batches, one commit each.
        CaptionStage.Report r = new CaptionStage(spark, config("", "  batch_clips: 3\n"), System.err, HOME, Map.of()).run(clipsPath, captionsPath);
        assertEquals("attributes", r.estimator());
        assertEquals(7, r.ok());
        assertEquals(7, r.requested());
        assertEquals(3, dev.avcurate.core.spark.DeltaTables.version(spark, captionsPath), "created, then one merge per batch");
        assertFalse(java.nio.file.Files.exists(dir.resolve("captions-attributes/_work/caption")), "the work directory is gone");
        Row c = captions(captionsPath).get("clip2");
        assertEquals("attributes", c.getString(c.fieldIndex("estimator")));
        assertEquals("attributes", c.getString(c.fieldIndex("model")));
        assertEquals(ClipAttributes.COMPOSED_VERSION, c.getString(c.fieldIndex("prompt_version")));
        assertEquals("A close-up of two people with their faces visible, filmed with a static camera.", c.getString(c.fieldIndex("caption")));
        assertEquals(384, c.getList(c.fieldIndex("embedding")).size());
        assertEquals(0, new CaptionStage(spark, config("", ""), System.err, HOME, Map.of()).run(clipsPath, captionsPath).requested());
    }

    @Test
    void vlmModeWithoutAnEndpointIsAConfigErrorNamingTheKeys() {
        CurateConfig cfg = config("", "  mode: vlm\n");
        ConfigException e = assertThrows(ConfigException.class, () -> CaptionStage.plan(cfg, HOME, Map.of()));
        assertTrue(e.getMessage().contains("caption.vlm.endpoint") && e.getMessage().contains("OPENAI_BASE_URL"), e.getMessage());
        ConfigException p = assertThrows(ConfigException.class, () -> CaptionStage.plan(
                config("http://127.0.0.1:1/v1", "  checks:\n    refusal_patterns: [\"(unclosed\"]\n"), HOME, Map.of()));
        assertTrue(p.getMessage().contains("caption.checks.refusal_patterns"), p.getMessage());
        ConfigException f = assertThrows(ConfigException.class, () -> CaptionStage.plan(
                config("http://127.0.0.1:1/v1", "  prompt: /nonexistent/prompt.yaml\n"), HOME, Map.of()));
        assertTrue(f.getMessage().contains("caption.prompt"), f.getMessage());
    }
}
