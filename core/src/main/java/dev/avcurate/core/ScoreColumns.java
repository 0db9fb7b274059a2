package dev.avcurate.core;

import java.util.List;
import java.util.Map;

/**
 * The score columns of the {@code clips} table (SPEC §5). Each score column {@code x} has a
 * sibling {@code x_estimator} naming what produced it (model or algorithm). Numeric unless noted.
 */
public final class ScoreColumns {
    private ScoreColumns() {}

    /** Column name to meaning; {@code camera_motion} is a string label, every other score is a number. */
    public static final Map<String, String> ALL = Map.ofEntries(
            Map.entry("face_frames_ratio", "share of sampled frames with at least one face"),
            Map.entry("max_faces", "most faces seen in one frame"),
            Map.entry("face_area_ratio", "median area of the largest face box over the frame area"),
            Map.entry("clear_face_run_s", "longest run of consecutive sampled frames with a clear face, in seconds"),
            Map.entry("person_area_ratio", "median share of the frame covered by people"),
            Map.entry("max_people", "most people in one sampled frame"),
            Map.entry("mouth_open_mean", "mean mouth opening over sampled frames with a face mesh (inner-lip distance over eye-corner distance)"),
            Map.entry("mouth_open_std", "standard deviation of the mouth opening over those frames (lip movement)"),
            Map.entry("face_sharpness", "Laplacian variance on grey face crops resized to a fixed size"),
            Map.entry("hand_sharpness", "Laplacian variance on grey hand crops (hand boxes from MediaPipe hand landmarks or a whole-body pose model)"),
            Map.entry("frame_sharpness", "Laplacian variance on the whole grey frame"),
            Map.entry("motion_mean", "mean optical-flow magnitude, pixels at 320x576"),
            Map.entry("camera_motion", "static, pan_left, pan_right, tilt_up, tilt_down, zoom_in, zoom_out or shaky"),
            Map.entry("brightness_mean", "mean luma 0..255"),
            Map.entry("quality_technical", "technical quality (DOVER or the default estimator)"),
            Map.entry("quality_aesthetic", "aesthetic quality (DOVER or an aesthetic predictor)"),
            Map.entry("text_area_ratio", "mean share of the frame covered by detected text"),
            Map.entry("text_face_overlap", "share of face area covered by text boxes (subtitle occlusion)"),
            Map.entry("speech_ratio", "share of the audio with speech"),
            Map.entry("subtitle_text", "text read in the subtitle band (Tesseract), for audits"),
            Map.entry("av_offset_frames", "audio-visual offset in video frames (positive: audio lags)"),
            Map.entry("av_sync_confidence", "audio-visual sync confidence (SyncNet: Sync-C; default: correlation peak over the median)"),
            Map.entry("av_sync_distance", "distance at the best offset (SyncNet: Sync-D)"),
            Map.entry("active_speaker_ratio", "share of frames with an active speaker"),
            Map.entry("speaker_count", "face tracks that speak in at least score.sync.speaker_min_ratio of their frames"));

    public static final List<String> STRING_SCORES = List.of("camera_motion", "subtitle_text");

    public static boolean isNumeric(String column) {
        return ALL.containsKey(column) && !STRING_SCORES.contains(column);
    }
}
