package dev.avcurate.filters.scoring;

import dev.avcurate.filters.mediapipe.FaceMeshLandmarker;
import dev.avcurate.filters.mediapipe.HandLandmarker;
import dev.avcurate.filters.mediapipe.PoseLandmarker;
import dev.avcurate.filters.mediapipe.PoseLandmarks;
import dev.avcurate.filters.vision.PoseMeasures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The people scorer of the default profile ({@code score.people.estimator: mediapipe}), on the
 * MediaPipe TFLite models: {@code person_area_ratio} = per sampled frame the share of the frame
 * covered by the union of the tracked poses' boxes (extent of the landmarks visible with at least
 * {@code keypointMin}), median over frames, 0 for frames without a pose (the SPEC's
 * spatio-temporal character share, as PoseMeasures defines it for the other pose models);
 * {@code max_people} = most poses in one frame. With {@code faceFallback}, faces that no pose
 * accounts for (no pose's nose inside the face box: people too small or too partial for
 * BlazePose's detector, drawn characters without a body) join as the face_boxes estimator's
 * expanded bodies, and the estimator columns say so ({@code +face_boxes}). Hand boxes (palm detector + hand landmarks) go to
 * the sharpness scorer's {@code hand_sharpness}; the face mesh on each frame's largest BlazeFace
 * box gives {@code mouth_open_mean} and {@code mouth_open_std}. The models are shared per JVM
 * ({@code TfLiteModels}); this scorer holds no native memory.
 */
public final class MediaPipePersonScorer implements Scorer {
    private final PoseLandmarker pose;
    private final HandLandmarker hands;
    private final FaceMeshLandmarker mesh;
    private final double keypointMin;
    private final boolean faceFallback;
    private final int frameStride;

    /**
     * @param hands        null: no hand boxes
     * @param mesh         null: no mouth opening
     * @param faceFallback faces (of the faces scorer) with no pose's nose inside count as people too, their boxes
     *                     expanded to bodies as the face_boxes estimator does; the estimator columns then read
     *                     {@code mediapipe_pose_<variant>+face_boxes@cpu}
     * @param frameStride  pose and hands run on every this many sampled frames (1 = all); the face mesh on all
     */
    public MediaPipePersonScorer(PoseLandmarker pose, HandLandmarker hands, FaceMeshLandmarker mesh, double keypointMin, boolean faceFallback,
                                 int frameStride) {
        this.frameStride = Math.max(1, frameStride);
        this.pose = pose;
        this.hands = hands;
        this.mesh = mesh;
        this.keypointMin = keypointMin;
        this.faceFallback = faceFallback;
    }

    /** True when some pose's nose lies inside the face box (the pose is that face's person). */
    static boolean coveredByPose(Box face, List<PoseLandmarks> poses) {
        for (PoseLandmarks p : poses) {
            double x = p.x()[PoseLandmarks.NOSE], y = p.y()[PoseLandmarks.NOSE];
            if (x >= face.x0() && x <= face.x1() && y >= face.y0() && y <= face.y1()) return true;
        }
        return false;
    }

    @Override
    public String name() {
        return "people";
    }

    @Override
    public List<String> columns() {
        return PersonScorer.COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        if (clip.frames().isEmpty()) return;
        List<VideoFrame> frames = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < clip.frames().size(); i += frameStride) {
            frames.add(clip.frames().get(i));
            index.add(i);
        }
        List<List<PoseLandmarks>> poses = pose.track(frames);
        List<List<Box>> boxes = new ArrayList<>();
        int most = 0;
        boolean usedFaces = false;
        for (int i = 0; i < poses.size(); i++) {
            List<Box> b = new ArrayList<>();
            for (PoseLandmarks p : poses.get(i)) {
                Box e = p.box(keypointMin);
                if (e != null) b.add(e);
            }
            int people = poses.get(i).size();
            if (faceFallback && ctx.faces() != null) {
                for (Box face : ctx.faces().get(index.get(i))) {
                    if (coveredByPose(face, poses.get(i))) continue;
                    b.add(PersonScorer.body(face));
                    people++;
                    usedFaces = true;
                }
            }
            most = Math.max(most, people);
            boxes.add(b);
        }
        String est = usedFaces ? pose.estimator().replace("@", "+face_boxes@") : pose.estimator();
        VideoFrame f0 = clip.frames().get(0);
        out.put("person_area_ratio", PoseMeasures.personAreaRatio(boxes, f0.width(), f0.height()));
        out.put("person_area_ratio_estimator", est);
        out.put("max_people", (double) most);
        out.put("max_people_estimator", est);
        if (hands != null) {
            List<List<Box>> perFrame = new ArrayList<>();
            for (int i = 0; i < clip.frames().size(); i++) perFrame.add(i % frameStride == 0 ? hands.hands(clip.frames().get(i)) : List.of());
            ctx.hands(perFrame, hands.estimator());
        }
        if (mesh != null && ctx.faces() != null) {
            List<Box> largest = new ArrayList<>();
            for (List<Box> faces : ctx.faces()) largest.add(faces.isEmpty() ? null : SharpnessScorer.largest(faces));
            float[] open = mesh.mouthOpening(clip.frames(), largest);
            double sum = 0, sq = 0;
            int n = 0;
            for (float v : open) {
                if (Float.isNaN(v)) continue;
                sum += v;
                sq += (double) v * v;
                n++;
            }
            out.put("mouth_open_mean", n == 0 ? null : sum / n);
            out.put("mouth_open_std", n == 0 ? null : Math.sqrt(Math.max(0, sq / n - (sum / n) * (sum / n))));
            out.put("mouth_open_mean_estimator", mesh.estimator());
            out.put("mouth_open_std_estimator", mesh.estimator());
        }
    }
}
