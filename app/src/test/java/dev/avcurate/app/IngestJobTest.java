package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.ingest.samples.HostileSamples;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest job end to end on local Spark: tables, rejects, reruns, a kill and a resume. */
@Tag("slow")
class IngestJobTest {
    @TempDir static Path dir;
    static Path input;
    static Map<String, String> hostile;
    static SparkSession spark;
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));

    @BeforeAll
    static void setUp() throws Exception {
        input = dir.resolve("input");
        hostile = HostileSamples.write(input.resolve("hostile"));
        for (int k = 0; k < 3; k++) {
            SpeechSignal s = new SpeechSignal(k, 120 + 30 * k);
            new SyntheticVideo().size(320, 180).fps(25).seconds(5 + k)
                    .painter(Scenes.talkingHead(Scenes.textured(k), s, 0.5, 0.5, k)).audio(s::sample, 44_100, 2)
                    .write(input.resolve("good/speaker_" + k + ".mp4"));
        }
        Files.writeString(input.resolve("good/notes.txt"), "not a video: ignored by extension");
        spark = CurateCli.spark();
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    static int curate(String... args) {
        return CurateCli.curate(args);
    }

    static String[] runArgs(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("run", "--config", ROOT.resolve("conf/default.yaml").toString(),
                "--input", input.toString(), "--output", out.toString(), "--stages", "ingest"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static List<String> rows(Path out, String table) {
        return spark.read().format("delta").load(out.resolve("tables/" + table).toString()).collectAsList().stream()
                .map(Row::toString).sorted().collect(Collectors.toList());
    }

    static long version(Path out, String table) {
        return DeltaTables.version(spark, out.resolve("tables/" + table).toString());
    }

    @Test
    void badInputsLandInRejectsBesideGoodFilesAndASecondRunChangesNothing() throws Exception {
        Path out = dir.resolve("out-main");
        assertEquals(0, curate(runArgs(out)));
        List<Row> videos = spark.read().format("delta").load(out.resolve("tables/videos").toString()).collectAsList();
        assertEquals(hostile.size() + 3, videos.size(), "every listed video has a row; notes.txt is not listed");
        List<Row> rejects = spark.read().format("delta").load(out.resolve("tables/rejects").toString())
                .filter("clip_id IS NULL").collectAsList();
        for (Map.Entry<String, String> e : hostile.entrySet()) {
            List<Row> mine = rejects.stream().filter(r -> r.<String>getAs("uri").endsWith("/" + e.getKey())).toList();
            if (e.getValue().equals("ok")) {
                assertTrue(mine.isEmpty(), e.getKey());
            } else {
                assertEquals(1, mine.size(), e.getKey());
                assertEquals(e.getValue(), mine.get(0).getAs("reason"), e.getKey());
            }
        }
        long goodClips = spark.read().format("delta").load(out.resolve("tables/clips").toString())
                .filter("uri LIKE '%/good/%'").count();
        assertEquals(3, goodClips, "one clip per good single-shot video");
        String summary = Files.readString(out.resolve("run-summary.json"));
        assertTrue(summary.contains("\"videos_seen\" : " + (hostile.size() + 3)), summary);
        assertTrue(summary.contains("\"empty_file\" : 1"), summary);

        Map<String, List<String>> before = Map.of("videos", rows(out, "videos"), "clips", rows(out, "clips"), "rejects", rows(out, "rejects"));
        long[] versions = {version(out, "videos"), version(out, "clips"), version(out, "rejects")};
        assertEquals(0, curate(runArgs(out)));
        for (String t : before.keySet()) assertEquals(before.get(t), rows(out, t), t + " unchanged");
        assertArrayEquals(versions, new long[] {version(out, "videos"), version(out, "clips"), version(out, "rejects")},
                "no new table versions on a rerun");
        assertTrue(Files.readString(out.resolve("run-summary.json")).contains("\"videos_skipped_already_done\" : " + (hostile.size() + 3)));
    }

    @Test
    void aJobKilledMidwayAndRestartedEndsLikeAnUninterruptedOne() throws Exception {
        Path reference = dir.resolve("out-reference");
        assertEquals(0, curate(runArgs(reference)));

        Path killed = dir.resolve("out-killed");
        String cp = ROOT.resolve("app/target/classes") + File.pathSeparator
                + Files.readString(ROOT.resolve("app/target/classpath.txt")).strip();
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty"))
                .toList());
        cmd.addAll(List.of("-Xmx2g", "-cp", cp, "dev.avcurate.app.Curate"));
        cmd.addAll(List.of(runArgs(killed, "--master", "local[1]", "--set", "ingest.batch_videos=1")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path firstBatch = killed.resolve("tables/videos/_delta_log/00000000000000000001.json");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.exists(firstBatch) && p.isAlive() && System.nanoTime() < until) Thread.sleep(20);
        assertTrue(p.isAlive(), "the job must still be running when killed: " + Files.readString(dir.resolve("killed.log")));
        p.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no cleanup
        long partial = spark.read().format("delta").load(killed.resolve("tables/videos").toString()).count();
        assertTrue(partial >= 1 && partial < hostile.size() + 3, "killed after some videos: " + partial);

        assertEquals(0, curate(runArgs(killed)));
        for (String t : List.of("videos", "clips", "rejects")) {
            assertEquals(rows(reference, t), rows(killed, t), t + ": resumed equals uninterrupted");
        }
    }

    @Test
    void aJobThatDiedBetweenItsClipsAndVideosCommitsIsRepairedWithoutDuplicates() throws Exception {
        Path out = dir.resolve("out-orphans");
        assertEquals(0, curate(runArgs(out)));
        List<String> clips = rows(out, "clips"), rejects = rows(out, "rejects"), videos = rows(out, "videos");
        // As if the job had died after writing clips and rejects but before the videos rows.
        DeltaTables.deleteWhere(spark, out.resolve("tables/videos").toString(), "uri LIKE '%/good/%' OR uri LIKE '%truncated%'");
        assertTrue(rows(out, "videos").size() < videos.size());
        assertEquals(0, curate(runArgs(out)));
        assertEquals(videos, rows(out, "videos"));
        assertEquals(clips, rows(out, "clips"), "no clip written twice");
        assertEquals(rejects, rows(out, "rejects"), "no reject written twice");
    }

    @Test
    void aConfigErrorStopsBeforeAnyWorkAndNamesKeyAndFile() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "ingest:\n  clips:\n    min_s: 0\n");
        Path out = dir.resolve("out-never");
        CurateCli.Result r = CurateCli.run("run", "--config", bad.toString(), "--input", input.toString(), "--output", out.toString());
        assertEquals(2, r.code());
        String msg = r.err();
        assertTrue(msg.contains(bad + ":3: ingest.clips.min_s"), msg);
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void manifestsAndGlobsSelectTheSameFilesAsTheyName() throws Exception {
        Path csv = dir.resolve("list.csv");
        Path good = input.resolve("good");
        Files.writeString(csv, "uri,speaker\n" + good.resolve("speaker_0.mp4").toUri() + ",a\n"
                + good.resolve("speaker_1.mp4").toUri() + ",b\n" + good.resolve("missing.mp4").toUri() + ",c\n");
        Path out = dir.resolve("out-manifest");
        assertEquals(0, curate("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--input", csv.toString(),
                "--output", out.toString(), "--stages", "ingest"));
        List<String> v = rows(out, "videos");
        assertEquals(3, v.size());
        List<Row> rej = spark.read().format("delta").load(out.resolve("tables/rejects").toString()).collectAsList();
        assertEquals(1, rej.size());
        assertEquals("read_error", rej.get(0).getAs("reason"));

        Path jsonl = dir.resolve("list.jsonl");
        Files.writeString(jsonl, "{\"uri\": \"" + good.resolve("speaker_2.mp4").toUri() + "\", \"lang\": \"en\"}\n");
        Path glob = dir.resolve("out-glob");
        assertEquals(0, curate("run", "--config", ROOT.resolve("conf/default.yaml").toString(), "--input", jsonl.toString(),
                "--output", glob.toString(), "--stages", "ingest"));
        assertEquals(0, curate("run", "--config", ROOT.resolve("conf/default.yaml").toString(),
                "--input", good + "/speaker_[01].mp4", "--output", glob.toString(), "--stages", "ingest"));
        assertEquals(3, rows(glob, "videos").size(), "jsonl gave one, the glob two more");
    }
}
