package dev.avcurate.ingest.shots;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.MediaReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real footage without dissolves (talking heads, interviews, Megamind.avi's cuts): looking for
 * dissolves must not add a boundary. Each file is decoded once and fed to a detector with and one
 * without dissolve detection; their shots must be the same.
 */
@Tag("slow") // decodes about 7000 frames of real video: 20 s
class RealFootageShotsTest {
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));
    static final Path REAL = ROOT.resolve("../shared/media/real-talking");
    static final Path MEGAMIND = Path.of("/usr/share/doc/opencv-doc/examples/data/Megamind.avi");

    @Test
    void realTalkingFootageGetsNoDissolveBoundaries() throws Exception {
        assumeTrue(Files.isDirectory(REAL), "no real footage at " + REAL.toAbsolutePath().normalize() + " (../shared/media is absent)");
        List<Path> files;
        try (Stream<Path> s = Files.list(REAL)) {
            files = s.filter(p -> p.toString().endsWith(".mp4")).sorted().toList();
        }
        assumeTrue(!files.isEmpty(), "no .mp4 under " + REAL);
        List<String> differ = new ArrayList<>();
        for (Path f : files) compare(f, differ);
        assertTrue(differ.isEmpty(), "dissolve detection changed the shots of: " + differ);
    }

    @Test
    void megamindKeepsItsCuts() throws Exception {
        assumeTrue(Files.isRegularFile(MEGAMIND), "Debian opencv-doc not installed: " + MEGAMIND);
        List<String> differ = new ArrayList<>();
        List<Shot> shots = compare(MEGAMIND, differ);
        assertTrue(differ.isEmpty(), "dissolve detection changed the shots: " + differ);
        assertEquals(4, shots.size(), "shots: " + shots);
    }

    static List<Shot> compare(Path file, List<String> differ) throws Exception {
        ShotDetector cutsOnly = new ShotDetector(20, 3, 3, 16, 6);
        ShotDetector full;
        try (MediaReader r = MediaReader.open(file.toString(), Long.MAX_VALUE / 4, 1)) {
            full = ShotDetectionTest.detector(r.probe().fps());
            r.decode(DecodeRequest.allFrames(96, 0), new FrameSink() {
                @Override
                public void frame(long i, double pts, int w, int h, byte[] px) {
                    cutsOnly.accept(pts, w, h, px);
                    full.accept(pts, w, h, px);
                }
            });
        }
        List<Shot> before = cutsOnly.finish(), after = full.finish();
        if (!before.equals(after)) differ.add(file.getFileName() + ": " + before + " -> " + after);
        return after;
    }
}
