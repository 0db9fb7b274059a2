package dev.avcurate.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.IngestRecords.Input;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest read by the executors ({@link InputLister#frame}) selects exactly what the driver-side
 * reading selects: CSV with a uri column, JSON lines, plain lines, comments, duplicates, missing
 * files (kept with size -1), spread over several tasks.
 */
class ManifestFrameTest {
    static SparkSession spark;
    @TempDir static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("manifest-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "3").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TreeMap<String, String> viaSpark(Path manifest) throws Exception {
        TreeMap<String, String> m = new TreeMap<>();
        for (Row r : InputLister.frame(spark, manifest.toString(), Set.of("mp4")).collectAsList()) {
            assertNull(m.put(r.getString(1), r.getString(0) + " " + r.getLong(2)), "each uri once: " + r);
        }
        return m;
    }

    static TreeMap<String, String> viaDriver(Path manifest) throws Exception {
        TreeMap<String, String> m = new TreeMap<>();
        for (Input in : InputLister.list(manifest.toString(), Set.of("mp4"), new org.apache.hadoop.conf.Configuration())) {
            m.put(in.uri(), in.videoId() + " " + in.sizeBytes());
        }
        return m;
    }

    @Test
    void executorsReadManifestsAsTheDriverDoes() throws Exception {
        List<String> uris = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Path v = dir.resolve("v" + i + ".mp4");
            if (i % 10 != 3) Files.write(v, new byte[i + 1]); // every tenth is missing
            uris.add(i % 2 == 0 ? v.toUri().toString() : v.toString());
        }
        StringBuilder csv = new StringBuilder("# made by the test\nid,uri,label\n");
        StringBuilder jsonl = new StringBuilder();
        StringBuilder txt = new StringBuilder();
        for (int i = 0; i < uris.size(); i++) {
            csv.append(i).append(",\"").append(uris.get(i)).append("\",x\n");
            jsonl.append("{\"id\": ").append(i).append(", \"uri\": \"").append(uris.get(i).replace("/", "\\/")).append("\"}\n");
            txt.append(uris.get(i)).append("\n\n");
            if (i % 7 == 0) txt.append(uris.get(i)).append('\n'); // a duplicate line
        }
        Path c = Files.writeString(dir.resolve("m.csv"), csv), j = Files.writeString(dir.resolve("m.jsonl"), jsonl),
                t = Files.writeString(dir.resolve("m.txt"), txt);
        TreeMap<String, String> expected = viaDriver(c);
        assertEquals(300, expected.size());
        assertEquals(30, expected.values().stream().filter(v -> v.endsWith(" -1")).count(), "missing files kept with size -1");
        assertEquals(expected, viaSpark(c));
        assertEquals(expected, viaSpark(j));
        assertEquals(expected, viaSpark(t));
        assertEquals(expected, viaDriver(t));
    }

    @Test
    void aBadJsonLineNamesTheManifest() throws Exception {
        Path j = Files.writeString(dir.resolve("bad.jsonl"), "{\"uri\": \"/a.mp4\"}\n{\"url\": \"/b.mp4\"}\n");
        Exception e = assertThrows(Exception.class, () -> InputLister.frame(spark, j.toString(), Set.of("mp4")).count());
        assertTrue(IngestStage.rootMessage(e).contains("bad.jsonl: a JSON line without a \"uri\" field"), IngestStage.rootMessage(e));
    }
}
