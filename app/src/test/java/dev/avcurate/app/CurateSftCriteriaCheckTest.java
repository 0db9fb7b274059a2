package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A misspelt column in an SFT criterion is a config error (exit 2) naming the key and the file, before Spark starts. */
class CurateSftCriteriaCheckTest {
    @TempDir Path dir;

    @Test
    void aMisspeltCriterionColumnStopsRunAndConfigCheckWithTheKeyAndTheFile() throws Exception {
        Path cfg = Files.writeString(dir.resolve("x.yaml"), """
                shards:
                  sft:
                    criteria: ["multi_person: max_face >= 2", "fine_motion: motion_mean >= 1.5"]
                """);
        Path in = Files.createDirectories(dir.resolve("in"));
        String expected = "config error: " + cfg + ": shards.sft.criteria: multi_person: 'max_face >= 2': unknown column 'max_face': "
                + "neither a clips column nor a score (did you mean 'max_faces'?)\n";
        CurateCli.Result check = CurateCli.run("config", "check", "--config", cfg.toString());
        assertEquals(2, check.code(), check.err());
        assertEquals(expected, check.err().replace("\r", ""));
        CurateCli.Result run = CurateCli.run("run", "--config", cfg.toString(), "--input", in.toString(), "--output",
                dir.resolve("out").toString(), "--stages", "ingest,shard");
        assertEquals(2, run.code(), run.err());
        assertEquals(expected, run.err().replace("\r", ""), "one line, before Spark starts");
    }
}
