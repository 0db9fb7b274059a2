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
    /**
     * The score columns the people scorers write (ScorerSet declares them in the table before any
     * scorer runs); the mouth opening only comes from the mediapipe estimator's face mesh
     * ({@link MediaPipePersonScorer}) and stays null with the others.
     */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("people");

    private dev.avcurate.filters.vision.YoloxPersonDetector persons;
    private java.util.function.BiFunction<List<VideoFrame>, List<List<Box>>, List<List<dev.avcurate.filters.vision.Pose>>> poses;
    private String poseEstimator;
    private double keypointMin;

    /**
     * The recipe's first filter from your exports: YOLOX person boxes, and optionally top-down
     * poses (RTMPose/DWPose or ViTPose) on them, whose extents join the boxes and whose hand boxes
     * (133-keypoint whole-body models) go to the sharpness scorer.
     */
    public PersonScorer withModels(dev.avcurate.filters.vision.YoloxPersonDetector detector,
                                   java.util.function.BiFunction<List<VideoFrame>, List<List<Box>>, List<List<dev.avcurate.filters.vision.Pose>>> poseModel,
                                   String poseName, double keypointMinScore) {
        this.persons = detector;
        this.poses = poseModel;
        this.poseEstimator = poseName;
        this.keypointMin = keypointMinScore;
        return this;
    }

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
        if (persons != null) {
            scoreWithModels(clip, ctx, out);
            return;
        }
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
        int most = 0;
        for (List<Box> faces : ctx.faces()) most = Math.max(most, faces.size());
        out.put("max_people", (double) most);
        out.put("max_people_estimator", "faces");
    }

    static Box body(Box face) {
        double cx = (face.x0() + face.x1()) / 2, w = face.width(), h = face.height();
        return new Box(cx - 1.5 * w, face.y0() - 0.25 * h, cx + 1.5 * w, face.y1() + 6 * h, face.score(), null);
    }

    private void scoreWithModels(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (clip.frames().isEmpty()) return;
        List<List<Box>> boxes = persons.detect(clip.frames());
        List<List<Box>> persons0 = boxes;
        String est = persons.estimator();
        if (poses != null) {
            List<List<dev.avcurate.filters.vision.Pose>> p = poses.apply(clip.frames(), boxes);
            List<List<Box>> withPoses = new ArrayList<>(), hands = new ArrayList<>();
            for (int i = 0; i < boxes.size(); i++) {
                List<Box> frameBoxes = new ArrayList<>(boxes.get(i)), frameHands = new ArrayList<>();
                for (dev.avcurate.filters.vision.Pose pose : p.get(i)) {
                    Box extent = pose.bbox(keypointMin);
                    if (extent != null) frameBoxes.add(extent);
                    frameHands.addAll(pose.handBoxes(keypointMin));
                }
                withPoses.add(frameBoxes);
                hands.add(frameHands);
            }
            if (ctx.faces() == null) {
                // No face detector configured: the poses' face boxes serve the sharpness scorer.
                List<List<Box>> faces = new ArrayList<>();
                for (List<dev.avcurate.filters.vision.Pose> frame : p) {
                    List<Box> f = new ArrayList<>();
                    for (dev.avcurate.filters.vision.Pose pose : frame) {
                        Box fb = pose.faceBox(keypointMin);
                        if (fb != null) f.add(fb);
                    }
                    faces.add(f);
                }
                ctx.faces(faces, poseName(poseEstimator) + "_face_keypoints");
            }
            boxes = withPoses;
            ctx.hands(hands);
            est = est + "+" + poseEstimator;
        }
        out.put("max_people", (double) dev.avcurate.filters.vision.PoseMeasures.maxPeople(persons0));
        out.put("max_people_estimator", persons.estimator());
        VideoFrame f0 = clip.frames().get(0);
        out.put("person_area_ratio", dev.avcurate.filters.vision.PoseMeasures.personAreaRatio(boxes, f0.width(), f0.height()));
        out.put("person_area_ratio_estimator", est);
    }

    /** A pose estimator's name without its device ("rtmpose@cpu" gives "rtmpose"). */
    static String poseName(String estimator) {
        int at = estimator.indexOf('@');
        return at < 0 ? estimator : estimator.substring(0, at);
    }
}
