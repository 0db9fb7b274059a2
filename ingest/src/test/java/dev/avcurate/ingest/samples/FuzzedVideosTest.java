package dev.avcurate.ingest.samples;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.media.MediaReader;
import dev.avcurate.ingest.media.VideoProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fuzzer's mutations do what they say, read back by FFmpeg. */
class FuzzedVideosTest {
    @TempDir static Path dir;
    static List<Path> seeds;

    @BeforeAll
    static void write() throws Exception {
        seeds = FuzzedVideos.seeds(dir.resolve("seeds"));
    }

    static VideoProbe probe(byte[] b, String name) throws Exception {
        Path p = Files.write(dir.resolve(name), b);
        try (MediaReader r = MediaReader.open(p.toString(), System.nanoTime() + 30_000_000_000L, 1)) {
            return r.probe();
        }
    }

    static Path seed(String name) {
        return seeds.stream().filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theSeedsAreValidAndTheirBoxesParse() throws Exception {
        assertEquals(4, seeds.size());
        for (Path s : seeds) {
            byte[] b = Files.readAllBytes(s);
            VideoProbe p = probe(b, "copy_" + s.getFileName());
            assertEquals(320, p.width(), s.toString());
            assertEquals(180, p.height(), s.toString());
            assertTrue(p.hasAudio());
            List<FuzzedVideos.Box> boxes = FuzzedVideos.boxes(b);
            assertNotNull(boxes, s.toString());
            assertTrue(boxes.stream().anyMatch(x -> x.type().equals(s.getFileName().toString().startsWith("h264") ? "avcC" : "esds")));
        }
    }

    @Test
    void anSpsRewriteChangesTheDecodedSizeAndKeepsTheFileValid() throws Exception {
        byte[] b = Files.readAllBytes(seed("h264_faststart.mp4"));
        byte[] patched = FuzzedVideos.patchSps(b, 640, 352);
        assertNotNull(patched);
        VideoProbe p = probe(patched, "sps_640.mp4");
        assertEquals("h264", p.videoCodec());
        assertEquals(640, p.width());
        assertEquals(352 - 12, p.height(), "the seed's bottom crop (192 coded rows for 180) stays");
        assertArrayEquals(new int[] {19, 11}, FuzzedVideos.spsSize(FuzzedVideos.firstSps(b)), "the seed: 20 x 12 macroblocks");
        // Huge: written as asked (FFmpeg refuses such an SPS, and the decode fails).
        byte[] huge = FuzzedVideos.patchSps(b, 40_000, 30_000);
        assertArrayEquals(new int[] {2499, 1874}, FuzzedVideos.spsSize(FuzzedVideos.firstSps(huge)));
    }

    @Test
    void aCodecTagPatchChangesTheCodecFfmpegSees() throws Exception {
        byte[] b = Files.readAllBytes(seed("h264_moov_end.mp4"));
        for (long s = 0; s < 64; s++) {
            List<String> log = new ArrayList<>();
            byte[] m = FuzzedVideos.codecTag(b, new SplittableRandom(s), log);
            if (!log.get(0).endsWith("hvc1")) continue;
            assertEquals("hevc", probe(m, "tag_hvc1.mp4").videoCodec(), log.toString());
            return;
        }
        fail("no seed below 64 picks hvc1");
    }

    @Test
    void swappingMoovAndMdatWithMovedOffsetsGivesAValidFile() throws Exception {
        for (String name : List.of("h264_moov_end.mp4", "mp4v_faststart.mp4")) {
            byte[] b = Files.readAllBytes(seed(name));
            for (long s = 0; s < 64; s++) {
                List<String> log = new ArrayList<>();
                byte[] m = FuzzedVideos.reorder(b, new SplittableRandom(s), log);
                if (!log.get(0).equals("swap moov and mdat (offsets moved)")) continue;
                assertEquals(b.length, m.length);
                List<FuzzedVideos.Box> top = FuzzedVideos.boxes(m).stream().filter(x -> x.parent() == -1).toList();
                int moov = top.indexOf(top.stream().filter(x -> x.type().equals("moov")).findFirst().orElseThrow());
                int mdat = top.indexOf(top.stream().filter(x -> x.type().equals("mdat")).findFirst().orElseThrow());
                assertEquals(name.contains("faststart"), moov > mdat, "the order is swapped: " + top);
                VideoProbe p = probe(m, "swapped_" + name);
                assertEquals(320, p.width());
                break;
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameFilesAndEveryFileIsMutated() throws Exception {
        List<FuzzedVideos.Fuzzed> a = FuzzedVideos.write(dir.resolve("a"), dir.resolve("seeds"), 30, 99, 120);
        List<FuzzedVideos.Fuzzed> b = FuzzedVideos.write(dir.resolve("b"), dir.resolve("seeds"), 30, 99, 120);
        assertEquals(30, a.size());
        List<byte[]> seedBytes = new ArrayList<>();
        for (Path s : seeds) seedBytes.add(Files.readAllBytes(s));
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).mutations(), b.get(i).mutations());
            byte[] x = Files.readAllBytes(a.get(i).path());
            assertArrayEquals(x, Files.readAllBytes(b.get(i).path()));
            assertFalse(a.get(i).mutations().isEmpty());
            assertTrue(seedBytes.stream().noneMatch(s -> java.util.Arrays.equals(s, x)), a.get(i).toString());
        }
        // Every kind of mutation shows up in 30 files.
        String all = a.stream().flatMap(f -> f.mutations().stream()).reduce("", (x, y) -> x + "\n" + y);
        for (String kind : List.of("flip", "size of", "dimensions", "codec tag")) assertTrue(all.contains(kind), kind + " in" + all);
        assertTrue(all.contains("moov") && (all.contains("swap") || all.contains("duplicate")), all);
    }
}
