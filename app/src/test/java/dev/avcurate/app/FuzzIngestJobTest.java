package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.Reasons;
import dev.avcurate.ingest.samples.FuzzedVideos;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest job on fuzzed videos (FuzzedVideos): every file accounted for once, no job failure. */
@Tag("slow")
class FuzzIngestJobTest {
    @TempDir static Path dir;
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));

    static List<Row> table(SparkSession spark, Path out, String name) {
        return spark.read().format("delta").load(out.resolve("tables/" + name).toString()).collectAsList();
    }

    @AfterAll
    static void stop() {
        if (SparkSession.getDefaultSession().isDefined()) SparkSession.getDefaultSession().get().stop();
    }

    @Test
    void everyFuzzedFileEndsWithClipsOrKnownRejectsAndTheJobSucceeds() throws Exception {
        Path input = dir.resolve("input");
        List<FuzzedVideos.Fuzzed> files = FuzzedVideos.write(input, dir.resolve("seeds"), 40, 20_261_202L, 120);
        assertEquals(40, files.size(), "40 files within the time bound");
        Path out = dir.resolve("out");
        SparkSession spark = CurateCli.spark(); // the run shares it: one Spark start-up
        int code = CurateCli.curate("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--input", input.toString(),
                "--output", out.toString(), "--stages", "ingest", "--master", "local[2]",
                "--set", "ingest.timeout_s=60", "--set", "ingest.watchdog_grace_s=10", "--set", "ingest.batch_videos=20");
        assertEquals(0, code, "the job succeeds");

        List<Row> videos = table(spark, out, "videos"), clips = table(spark, out, "clips"), rejects = table(spark, out, "rejects");
        Map<String, Integer> byName = new HashMap<>();
        Map<String, String> idToName = new HashMap<>();
        for (Row v : videos) {
            String uri = v.getAs("uri");
            String name = uri.substring(uri.lastIndexOf('/') + 1);
            byName.merge(name, 1, Integer::sum);
            assertNull(idToName.put(v.getAs("video_id"), name), "video_id twice: " + v);
        }
        for (FuzzedVideos.Fuzzed f : files) {
            assertEquals(1, byName.getOrDefault(f.path().getFileName().toString(), 0), f + " appears once in videos");
        }
        assertEquals(files.size(), videos.size(), "nothing else in videos");

        Set<String> clipIds = new HashSet<>(), rejectIds = new HashSet<>();
        Map<String, Integer> clipsOf = new HashMap<>();
        Map<String, Set<String>> reasonsOf = new HashMap<>();
        for (Row c : clips) {
            assertTrue(clipIds.add(c.getAs("clip_id")), "clip_id twice: " + c);
            clipsOf.merge(c.getAs("video_id"), 1, Integer::sum);
        }
        for (Row r : rejects) {
            assertTrue(rejectIds.add(r.getAs("reject_id")), "reject_id twice: " + r);
            String reason = r.getAs("reason");
            assertTrue(Reasons.INGEST.contains(reason), "known reason: " + r);
            reasonsOf.computeIfAbsent(r.getAs("video_id"), k -> new HashSet<>()).add(reason);
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (Row v : videos) {
            String id = v.getAs("video_id");
            boolean hasClips = clipsOf.getOrDefault(id, 0) > 0;
            boolean hasRejects = reasonsOf.containsKey(id);
            assertTrue(hasClips || hasRejects, "clips or rejects for " + idToName.get(id));
            if ("ok".equals(v.getAs("status"))) {
                assertEquals((int) v.<Integer>getAs("n_clips"), clipsOf.getOrDefault(id, 0), idToName.get(id));
            } else {
                assertFalse(hasClips, "a rejected video has no clips: " + idToName.get(id));
                assertTrue(reasonsOf.get(id).contains(v.<String>getAs("reject_reason")), idToName.get(id));
            }
            outcomes.merge("ok".equals(v.getAs("status")) ? "ok" : v.getAs("reject_reason"), 1, Integer::sum);
        }
        System.err.println("[fuzz] outcomes of " + files.size() + " files: " + outcomes);
        assertTrue(outcomes.containsKey("ok") && outcomes.size() > 2, "a mix of outcomes: " + outcomes);
    }
}
