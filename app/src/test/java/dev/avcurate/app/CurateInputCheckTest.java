package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
