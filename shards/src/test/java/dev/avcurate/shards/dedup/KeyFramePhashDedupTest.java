package dev.avcurate.shards.dedup;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.scoring.ClipContext;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.PerceptualHash;
import dev.avcurate.filters.scoring.PerceptualHashScorer;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import dev.avcurate.shards.dedup.NearDuplicates.Duplicate;
import dev.avcurate.shards.dedup.NearDuplicates.Item;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real videos through the real path: written with FFmpeg, decoded by the score stage's decoder,
 * hashed by the scorer, deduplicated. A talking head over a panning background is the original;
 * a copy re-encoded smaller, at another frame rate and much worse quality, and a copy cropped by 5%
 * (the same painter drawn zoomed about the centre) must go; two unrelated clips must stay.
 */
class KeyFramePhashDedupTest {
    static final double SECONDS = 4;

    @TempDir
    static Path dir;

    static final Map<String, long[]> hashes = new LinkedHashMap<>();

    static SyntheticVideo.Painter talking(long seed, SyntheticVideo.Painter background) {
        return Scenes.talkingHead(background, new SpeechSignal(seed, 120), 0.5, 0.6, seed);
    }

    /** The same picture with {@code ratio} of each side cropped away around the centre, filling the frame. */
    static SyntheticVideo.Painter cropped(SyntheticVideo.Painter p, double ratio) {
        return (g, i, t, w, h) -> {
            double s = 1 / (1 - ratio);
            g.translate(w / 2.0, h / 2.0);
            g.scale(s, s);
            g.translate(-w / 2.0, -h / 2.0);
            p.paint(g, i, t, w, h);
        };
    }

    /**
     * The picture composed at {@code srcW x srcH}, scaled to whatever size is written: Scenes lay
     * their textures out from the frame size, so drawing at another size would be another picture.
     */
    static SyntheticVideo.Painter rescaled(SyntheticVideo.Painter p, int srcW, int srcH) {
        return (g, i, t, w, h) -> {
            g.scale(w / (double) srcW, h / (double) srcH);
            p.paint(g, i, t, srcW, srcH);
        };
    }

    static void write(String id, SyntheticVideo v, double fps) throws Exception {
        Path f = v.fps(fps).seconds(SECONDS).write(dir.resolve(id + ".mp4"));
        DecodedClip clip = new ClipDecoder(5, 0, 256, 16_000, 60, null).decode(id, f.toString(), 0, SECONDS, fps);
        Map<String, Object> out = new HashMap<>();
        new PerceptualHashScorer().score(clip, new ClipContext(), out);
        assertEquals("dct_phash_64x3", out.get("key_frame_phash_estimator"));
        hashes.put(id, PerceptualHash.parse((String) out.get("key_frame_phash")));
    }

    @BeforeAll
    static void writeAndHash() throws Exception {
        SyntheticVideo.Painter original = talking(11, Scenes.pan(11, 30));
        write("original", new SyntheticVideo().size(640, 360).quality(3).painter(original), 25);
        write("reencoded", new SyntheticVideo().size(480, 270).quality(28).painter(rescaled(original, 640, 360)), 30);
        write("cropped", new SyntheticVideo().size(640, 360).quality(6).painter(cropped(original, 0.05)), 25);
        write("other_head", new SyntheticVideo().size(640, 360).quality(3).painter(talking(23, Scenes.pan(23, 30))), 25);
        write("other_pan", new SyntheticVideo().size(640, 360).quality(3).painter(Scenes.pan(31, 40)), 25);
        Map<String, Integer> d = new LinkedHashMap<>();
        for (String id : hashes.keySet()) if (!id.equals("original")) d.put(id, PerceptualHash.distance(hashes.get("original"), hashes.get(id)));
        System.out.println("[dedup] distance to the original over 3 key frames: " + d);
    }

    static List<Duplicate> dedup(Map<String, Double> quality) {
        return new NearDuplicates().find(hashes.keySet().stream().map(id -> new Item(id, hashes.get(id), null, quality.get(id))).toList());
    }

    @Test
    void theCopiesGoAndTheOriginalStays() {
        List<Duplicate> out = dedup(Map.of("original", 0.9, "reencoded", 0.4, "cropped", 0.6, "other_head", 0.7, "other_pan", 0.8));
        assertEquals(List.of("cropped", "reencoded"), out.stream().map(Duplicate::clipId).toList(), out.toString());
        for (Duplicate d : out) {
            assertEquals("original", d.duplicateOf());
            assertEquals("phash", d.evidence());
            assertTrue(d.distanceBits() <= 24, d.toString());
        }
    }

    @Test
    void theBetterCopyIsKeptWhateverItIs() {
        List<Duplicate> out = dedup(Map.of("original", 0.9, "reencoded", 0.95, "cropped", 0.6, "other_head", 0.7, "other_pan", 0.8));
        assertEquals(List.of("cropped", "original"), out.stream().map(Duplicate::clipId).toList(), out.toString());
        out.forEach(d -> assertEquals("reencoded", d.duplicateOf()));
    }

    @Test
    void unrelatedClipsAreFarFromTheOriginal() {
        assertTrue(PerceptualHash.distance(hashes.get("original"), hashes.get("other_head")) > 48);
        assertTrue(PerceptualHash.distance(hashes.get("original"), hashes.get("other_pan")) > 48);
    }
}
