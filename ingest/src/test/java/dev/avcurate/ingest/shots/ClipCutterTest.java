package dev.avcurate.ingest.shots;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClipCutterTest {
    static Shot shot(double s, double e) {
        return new Shot(0, 0, 0, s, e);
    }

    @Test
    void shortShotIsTooShortNotDropped() {
        List<ClipCutter.Piece> p = new ClipCutter(2, 10).cut(shot(5, 6.2));
        assertEquals(1, p.size());
        assertTrue(p.get(0).tooShort());
        assertEquals(1.2, p.get(0).durationS(), 1e-9);
    }

    @Test
    void shotWithinBoundsIsOneClip() {
        List<ClipCutter.Piece> p = new ClipCutter(2, 10).cut(shot(0, 10));
        assertEquals(1, p.size());
        assertFalse(p.get(0).tooShort());
    }

    @Test
    void longShotIsSplitIntoEqualClipsWithinBounds() {
        List<ClipCutter.Piece> p = new ClipCutter(2, 10).cut(shot(3, 28));
        assertEquals(3, p.size());
        for (ClipCutter.Piece c : p) {
            assertFalse(c.tooShort());
            assertEquals(25 / 3.0, c.durationS(), 1e-9);
        }
        assertEquals(3, p.get(0).startS(), 1e-9);
        assertEquals(28, p.get(2).endS(), 1e-9);
    }

    @Test
    void whenEqualPartsWouldBeTooShortTheRemainderIsRejected() {
        List<ClipCutter.Piece> p = new ClipCutter(4, 5).cut(shot(0, 5.5));
        assertEquals(2, p.size());
        assertEquals(5, p.get(0).durationS(), 1e-9);
        assertFalse(p.get(0).tooShort());
        assertTrue(p.get(1).tooShort());
        assertEquals(0.5, p.get(1).durationS(), 1e-9);
    }
}
