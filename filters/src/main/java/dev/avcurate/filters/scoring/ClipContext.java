package dev.avcurate.filters.scoring;

import java.util.ArrayList;
import java.util.List;

/** What one scorer finds that a later one uses, for one clip: the face boxes of each sampled frame. */
public final class ClipContext {
    private List<List<Box>> faces;

    /** Face boxes per sampled frame, or null when no face detector ran. */
    public List<List<Box>> faces() {
        return faces;
    }

    public void faces(List<List<Box>> perFrame) {
        this.faces = new ArrayList<>(perFrame);
    }
}
