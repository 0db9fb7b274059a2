package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local --input that does not exist is one usage line and exit 2, before Spark starts. */
class CurateInputCheckTest {
    @TempDir Path dir;

    static String config() {
        return Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf/default.yaml").toString();
    }

    @Test
    void aMissingLocalInputIsOneLineAndExitTwoBeforeSparkStarts() {
        boolean sparkBefore = SparkSession.getDefaultSession().isDefined();
        Path missing = dir.resolve("missing/dir");
        for (String input : new String[] {missing.toString(), missing.toUri().toString()}) {
            CurateCli.Result r = CurateCli.run("run", "--config", config(), "--input", input, "--output", dir.resolve("out").toString(),
                    "--stages", "ingest");
            assertEquals(2, r.code(), r.err());
            assertEquals("usage error: --input " + input + ": no such file or directory (nothing was done)\n", r.err().replace("\r", ""));
            assertFalse(r.err().contains("[curate] Spark"), r.err());
            if (!sparkBefore) assertTrue(SparkSession.getDefaultSession().isEmpty(), "Spark was started");
            assertFalse(Files.exists(dir.resolve("out")), "nothing was written");
        }
    }

    @Test
    void onlyLocalPathsAreChecked() throws Exception {
        Path there = Files.createDirectories(dir.resolve("videos"));
        assertNull(Curate.missingLocalInput(there.toString()));
        assertNull(Curate.missingLocalInput(there.toUri().toString()));
        assertEquals(dir.resolve("nope").toAbsolutePath(), Curate.missingLocalInput(dir.resolve("nope").toString()));
        // Remote file systems and globs are listed by the ingest stage through Hadoop, as before.
        assertNull(Curate.missingLocalInput("s3a://bucket/raw/"));
        assertNull(Curate.missingLocalInput("hdfs://nn:8020/raw"));
        assertNull(Curate.missingLocalInput(dir.resolve("nope/*.mp4").toString()));
    }

    @Test
    void aRelativeLocalOutputIsAbsoluteBeforeExecutorsSeeIt() {
        Configuration local = new Configuration();
        assertEquals(Path.of("out").toAbsolutePath().toString(), Curate.absoluteOnDriver("out", local));
        assertEquals(Path.of("a/b").toAbsolutePath().toString(), Curate.absoluteOnDriver("a/b/", local));
        assertEquals("/data/out", Curate.absoluteOnDriver("/data/out", local));
        assertEquals("file:/data/out", Curate.absoluteOnDriver("file:/data/out", local));
        assertEquals("s3a://bucket/curated", Curate.absoluteOnDriver("s3a://bucket/curated", local));
        // On HDFS a relative path is under the user's home directory, the same for the driver and every executor.
        Configuration hdfs = new Configuration();
        hdfs.set("fs.defaultFS", "hdfs://nn:8020");
        assertEquals("out", Curate.absoluteOnDriver("out", hdfs));
    }
}
