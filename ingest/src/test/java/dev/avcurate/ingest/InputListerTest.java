package dev.avcurate.ingest;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.IngestRecords.Input;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a manifest or a glob selects, without Spark. */
class InputListerTest {
    @TempDir
    Path dir;

    @Test
    void aMissingManifestEntryKeepsItsIdWhenTheFileAppears() throws Exception {
        Path video = dir.resolve("late.mp4");
        Path csv = Files.writeString(dir.resolve("list.csv"), "uri\n" + video.toUri() + "\n");
        List<Input> before = InputLister.list(csv.toString(), Set.of("mp4"), new Configuration());
        assertEquals(-1, before.get(0).sizeBytes(), "listed, to be recorded as a read_error");
        Files.write(video, new byte[] {1, 2, 3});
        List<Input> after = InputLister.list(csv.toString(), Set.of("mp4"), new Configuration());
        assertEquals(3, after.get(0).sizeBytes());
        assertEquals(before.get(0).uri(), after.get(0).uri());
        assertEquals(before.get(0).videoId(), after.get(0).videoId(), "same input, same id");
    }

    @Test
    void aGlobThatMatchesNothingIsAnError() {
        IOException e = assertThrows(IOException.class,
                () -> InputLister.list(dir + "/nothing_*.mp4", Set.of("mp4"), new Configuration()));
        assertTrue(e.getMessage().contains("no file matches"), e.getMessage());
    }
}
