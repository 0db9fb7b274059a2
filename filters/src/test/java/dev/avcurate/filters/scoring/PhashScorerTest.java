package dev.avcurate.filters.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.samples.Scenes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scorer picks the frames nearest 10/50/90% of the clip and writes a string column, typed as such. */
class PhashScorerTest {
    /** Frames 0.2 s apart from 10 s: a different scene every frame, so a wrong pick changes the hash. */
    static DecodedClip clip(double startS, double endS) {
        List<VideoFrame> frames = new ArrayList<>();
        for (int i = 0; startS + i * 0.2 < endS - 1e-9; i++) {
            frames.add(ClassicalScorersTest.frame(Scenes.textured(100 + i), i, startS + i * 0.2, 0, 1));
        }
        return new DecodedClip("c", startS, endS, 25, 5, frames, null, 16_000);
    }

    @Test
    void hashesTheFramesNearestTenFiftyAndNinetyPercent() {
        DecodedClip c = clip(10, 14); // 4 s: key times 10.4, 12.0, 13.6 are frames 2, 10 and 18
        List<VideoFrame> keys = PerceptualHashScorer.keyFrames(c);
        assertEquals(List.of(c.frames().get(2), c.frames().get(10), c.frames().get(18)), keys);
        Map<String, Object> out = new HashMap<>();
        new PerceptualHashScorer().score(c, new ClipContext(), out);
        long[] expected = keys.stream().mapToLong(f -> PerceptualHash.ofBgr(f.bgr(), f.width(), f.height())).toArray();
        assertEquals(PerceptualHash.format(expected), out.get("key_frame_phash"));
        assertEquals("dct_phash_64x3", out.get("key_frame_phash_estimator"));
        assertTrue(((String) out.get("key_frame_phash")).matches("[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]{16}"));
    }

    @Test
    void aClipWithOneFrameRepeatsItAndOneWithoutFramesWritesNothing() {
        DecodedClip one = clip(0, 0.2);
        Map<String, Object> out = new HashMap<>();
        new PerceptualHashScorer().score(one, new ClipContext(), out);
        long[] h = PerceptualHash.parse((String) out.get("key_frame_phash"));
        assertEquals(3, h.length);
        assertEquals(h[0], h[1]);
        assertEquals(h[0], h[2]);
        Map<String, Object> none = new HashMap<>();
        new PerceptualHashScorer().score(new DecodedClip("e", 0, 1, 25, 5, List.of(), null, 16_000), new ClipContext(), none);
        assertTrue(none.isEmpty());
    }

    @Test
    void theColumnIsDeclaredAsAString() {
        assertEquals(List.of("key_frame_phash"), ScorerSet.columnsOf("phash"));
        assertTrue(ScorerSet.STRING_COLUMNS.contains("key_frame_phash"));
        assertEquals("phash", new PerceptualHashScorer().name());
    }
}
