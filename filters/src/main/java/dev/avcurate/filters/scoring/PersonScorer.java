package dev.avcurate.filters.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code person_area_ratio} until a pose model is configured: each face box expanded to the body
 * it implies (3 face widths wide, from a quarter face above the face to 6 face heights below,
 * clipped to the frame), the union of those bodies over the frame area, median over sampled
 * frames (0 for frames without a face). Suits talking-head and dialogue footage, where OpenCV's
 * full-body HOG detector misses the people that are framed from the chest up. Needs the faces
 * scorer.
 */
public final class PersonScorer implements Scorer {
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = List.of("person_area_ratio");

    @Override
    public String name() {
        return "people";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (ctx.faces() == null || clip.frames().isEmpty()) return;
        List<Double> shares = new ArrayList<>();
        for (int i = 0; i < clip.frames().size(); i++) {
            VideoFrame f = clip.frames().get(i);
            List<Box> bodies = new ArrayList<>();
            for (Box face : ctx.faces().get(i)) bodies.add(body(face));
            boolean[] mask = TextScorer.mask(bodies, f.width(), f.height());
            int covered = 0;
            for (boolean b : mask) if (b) covered++;
            shares.add(covered / (double) mask.length);
        }
        out.put("person_area_ratio", SharpnessScorer.median(shares));
        out.put("person_area_ratio_estimator", "face_box_expanded_to_body(3w x 7.25h)");
    }

    static Box body(Box face) {
        double cx = (face.x0() + face.x1()) / 2, w = face.width(), h = face.height();
        return new Box(cx - 1.5 * w, face.y0() - 0.25 * h, cx + 1.5 * w, face.y1() + 6 * h, face.score(), null);
    }
}
