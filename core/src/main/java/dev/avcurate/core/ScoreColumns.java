package dev.avcurate.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The score columns of the {@code clips} table (SPEC §5): the one registry of every score a
 * scorer writes. Each scorer's column list is built from here ({@link #of(String)}), filter rules
 * and SFT criteria are checked against it, and each column declares its type and range. Each
 * score column {@code x} has a sibling {@code x_estimator} naming what produced it (model or
 * algorithm). Numeric unless noted.
 */
public final class ScoreColumns {
    private ScoreColumns() {}

    /**
     * One score column.
     *
     * @param scorer  the scorer of {@code score.scorers} that writes it
     * @param numeric false for labels, text and hashes
     * @param min     smallest value it can take (null: unbounded), numeric columns only
     * @param max     largest value it can take (null: unbounded)
     */
    public record Column(String name, String scorer, boolean numeric, Double min, Double max, String meaning) {
        /** Whether {@code v} lies in the declared range. */
        public boolean inRange(double v) {
            return (min == null || v >= min) && (max == null || v <= max);
        }
    }

    private static final Double INF = null;

    private static Column num(String name, String scorer, Double min, Double max, String meaning) {
        return new Column(name, scorer, true, min, max, meaning);
    }

    private static Column text(String name, String scorer, String meaning) {
        return new Column(name, scorer, false, null, null, meaning);
    }

    /** Every score column, grouped by scorer in the order each scorer declares them. */
    public static final List<Column> COLUMNS = List.of(
            num("face_frames_ratio", "faces", 0.0, 1.0, "share of sampled frames with at least one face"),
            num("max_faces", "faces", 0.0, INF, "most faces seen in one frame"),
            num("face_area_ratio", "faces", 0.0, 1.0, "median area of the largest face box over the frame area"),
            num("clear_face_run_s", "faces", 0.0, INF, "longest run of consecutive sampled frames with a clear face, in seconds"),
            num("person_area_ratio", "people", 0.0, 1.0, "median share of the frame covered by people"),
            num("max_people", "people", 0.0, INF, "most people seen in one frame (MediaPipe poses, YOLOX persons, or faces)"),
            num("mouth_open_mean", "people", 0.0, INF, "mean mouth opening over sampled frames with a face mesh (inner-lip distance over eye-corner distance)"),
            num("mouth_open_std", "people", 0.0, INF, "standard deviation of the mouth opening over those frames (lip movement)"),
            num("face_sharpness", "sharpness", 0.0, INF, "Laplacian variance on grey face crops resized to a fixed size"),
            num("hand_sharpness", "sharpness", 0.0, INF, "Laplacian variance on grey hand crops (hand boxes from MediaPipe hand landmarks or a whole-body pose model)"),
            num("frame_sharpness", "sharpness", 0.0, INF, "Laplacian variance on the whole grey frame"),
            num("motion_mean", "motion", 0.0, INF, "mean optical-flow magnitude, pixels at 320x576"),
            text("camera_motion", "motion", "static, pan_left, pan_right, tilt_up, tilt_down, zoom_in, zoom_out or shaky"),
            num("brightness_mean", "brightness", 0.0, 255.0, "mean luma 0..255"),
            text("key_frame_phash", "phash", "64-bit DCT perceptual hashes of three key frames, 16 hex digits each, joined by ','"),
            num("quality_technical", "quality", 0.0, 1.0, "technical quality 0..1: DOVER, or BRISQUE as (100 - BRISQUE) / 100"),
            num("quality_aesthetic", "quality", 1.0, 10.0, "aesthetic quality 1..10 (LAION aesthetic predictor on CLIP ViT-L/14)"),
            num("quality_aesthetic_dover", "quality", 0.0, 1.0, "DOVER's aesthetic view, sigmoid-rescaled 0..1 (only when DOVER runs)"),
            num("identity_count", "identity", 0.0, INF, "distinct identities among the faces (ArcFace embeddings, cosine clusters)"),
            num("text_area_ratio", "text", 0.0, 1.0, "mean share of the frame covered by detected text"),
            num("text_face_overlap", "text", 0.0, 1.0, "share of face area covered by text boxes (subtitle occlusion)"),
            text("subtitle_text", "text", "text read in the subtitle band (Tesseract), for audits"),
            num("speech_ratio", "speech", 0.0, 1.0, "share of the audio with speech"),
            num("av_offset_frames", "sync", INF, INF, "audio-visual offset in video frames (positive: audio lags)"),
            num("av_sync_confidence", "sync", INF, INF, "audio-visual sync confidence, median - min of the per-shift distances (Light-ASD: logits; SyncNet: Sync-C)"),
            num("av_sync_distance", "sync", INF, INF, "distance at the best offset (SyncNet: Sync-D; Light-ASD: minus the speech-gated logit)"),
            num("active_speaker_ratio", "sync", 0.0, 1.0, "share of frames with an active speaker"),
            num("speaker_count", "sync", 0.0, INF, "face tracks that speak in at least score.sync.speaker_min_ratio of their frames"));

    private static final Map<String, Column> BY_NAME;

    static {
        Map<String, Column> m = new LinkedHashMap<>();
        for (Column c : COLUMNS) {
            if (m.put(c.name(), c) != null) throw new IllegalStateException("score column declared twice: " + c.name());
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    /** Column name to meaning, every score column. */
    public static final Map<String, String> ALL;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        for (Column c : COLUMNS) m.put(c.name(), c.meaning());
        ALL = Collections.unmodifiableMap(m);
    }

    /** Score columns holding strings (labels, text, hashes); every other score column is a number. */
    public static final List<String> STRING_SCORES = COLUMNS.stream().filter(c -> !c.numeric()).map(Column::name).toList();

    /** The score columns the named scorer writes, in order (empty for an unknown scorer). */
    public static List<String> of(String scorer) {
        List<String> out = new ArrayList<>();
        for (Column c : COLUMNS) if (c.scorer().equals(scorer)) out.add(c.name());
        return List.copyOf(out);
    }

    /** The column of that name, or null when it is no score column. */
    public static Column get(String name) {
        return BY_NAME.get(name);
    }

    /**
     * Whether {@code column} is a score column or the estimator column of one: a column the
     * clips table has once its scorer ran.
     */
    public static boolean isScoreOrEstimator(String column) {
        return BY_NAME.containsKey(column)
                || column.endsWith("_estimator") && BY_NAME.containsKey(column.substring(0, column.length() - "_estimator".length()));
    }

    public static boolean isNumeric(String column) {
        Column c = BY_NAME.get(column);
        return c != null && c.numeric();
    }
}
