package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stages run in the order given, checked before any stage runs: a stage that reads what a
 * later stage writes, or what nothing has written, stops the run with exit 2 and the reason.
 */
class StageOrderTest {
    @TempDir Path dir;
    static boolean ownsSpark;

    @BeforeAll
    static void start() {
        ownsSpark = org.apache.spark.sql.SparkSession.getDefaultSession().isEmpty();
        CurateCli.spark();
    }

    @AfterAll
    static void stop() {
        if (ownsSpark) CurateCli.spark().stop();
    }

    @Test
    void aStageBeforeWhatItReadsStopsTheRunWithTheReason() throws Exception {
        Path out = dir.resolve("out");
        CurateCli.Result r = CurateCli.run("run", "--config", CurateInputCheckTest.config(), "--output", out.toString(), "--stages", "filter,shard");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("the stages cannot run in this order (nothing was done)"), r.err());
        assertTrue(r.err().contains("--stages: filter reads clips.{clip_id, keep, reject_reasons}, which no earlier stage of this run writes "
                + "and the output has no clips table"), r.err());
        assertFalse(Files.exists(out.resolve("tables")), "nothing was written");

        Path cfg = Files.writeString(dir.resolve("order.yaml"), "pipeline:\n  stages: [ingest, filter, score]\n");
        Files.createDirectories(dir.resolve("in"));
        r = CurateCli.run("run", "--config", cfg.toString(), "--input", dir.resolve("in").toString(), "--output", out.toString(),
                "--set", "models.dir=" + Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("models"),
                "--set", "models.registry=" + Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf/models.yaml"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(cfg + " + --set: pipeline.stages: filter reads clips.{face_frames_ratio, clear_face_run_s, "), r.err());
        assertTrue(r.err().contains("}, which score writes, but score runs after filter: put score before filter in the stage list"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("runs after")).count(), "one line per stage and writer: " + r.err());
        assertFalse(r.err().contains("[ingest]"), "no stage ran: " + r.err());
    }
}
