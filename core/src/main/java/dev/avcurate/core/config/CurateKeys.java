package dev.avcurate.core.config;

import static dev.avcurate.core.config.ConfigKey.boolKey;
import static dev.avcurate.core.config.ConfigKey.doubleKey;
import static dev.avcurate.core.config.ConfigKey.enumKey;
import static dev.avcurate.core.config.ConfigKey.intKey;
import static dev.avcurate.core.config.ConfigKey.listKey;
import static dev.avcurate.core.config.ConfigKey.positiveKey;
import static dev.avcurate.core.config.ConfigKey.secretKey;
import static dev.avcurate.core.config.ConfigKey.stringKey;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key of the pipeline, with its documentation, default and validator.
 * {@code bin/curate config describe} prints this table; a key in a YAML file that is not here
 * stops the run before any work.
 */
public final class CurateKeys {
    private CurateKeys() {}

    /** Stage names in pipeline order. Later issues append theirs. */
    public static final List<String> STAGES = List.of("ingest", "score", "filter", "caption", "shard");

    // pipeline
    public static final ConfigKey<List<String>> PIPELINE_STAGES = listKey("pipeline.stages", List.of("ingest", "score", "filter", "caption", "shard"), STAGES,
            "Stages to run, in pipeline order; `bin/curate run --stages` overrides it.");

    // spark
    public static final ConfigKey<String> SPARK_MASTER = stringKey("spark.master", "",
            "Spark master when none is given by spark-submit or --master; empty means local[*] (all cores).");
    public static final ConfigKey<Integer> SPARK_SHUFFLE_PARTITIONS = intKey("spark.shuffle_partitions", 8, 1, 100_000,
            "spark.sql.shuffle.partitions for the table merges (small tables: keep it low).");
    public static final ConfigKey<String> SPARK_LOG_LEVEL = enumKey("spark.log_level", "WARN",
            List.of("ERROR", "WARN", "INFO", "DEBUG"), "Log level of Spark itself; WARN keeps the console to our progress lines.");

    // ingest: inputs
    public static final ConfigKey<List<String>> INGEST_EXTENSIONS = listKey("ingest.extensions",
            List.of("mp4", "mov", "mkv", "avi", "webm", "m4v", "mpg", "mpeg", "ts", "flv", "wmv", "3gp"), null,
            "File extensions taken from a directory input (case-insensitive); globs and manifests take every file they name.");
    public static final ConfigKey<Integer> INGEST_BATCH_VIDEOS = intKey("ingest.batch_videos", 64, 1, 1_000_000,
            "Videos per commit: each batch is merged into the tables when done, so a killed job loses at most one batch of work.");
    public static final ConfigKey<Boolean> INGEST_PLAN_ONLY = boolKey("ingest.plan_only", false,
            "List the inputs, match them against what the tables hold, write the work plan (<output>/_work/ingest/plan: which videos, "
                    + "largest first, in which batch) and stop: nothing is decoded. For a preview of a large manifest.");
    public static final ConfigKey<String> INGEST_IO = enumKey("ingest.io", "auto", List.of("auto", "hadoop"),
            "How FFmpeg reads a file: auto = local paths directly, other schemes (hdfs://, s3a://) through Hadoop streams; hadoop = always through Hadoop streams.");
    public static final ConfigKey<Boolean> INGEST_REQUIRE_AUDIO = boolKey("ingest.require_audio", true,
            "Reject videos without a decodable audio stream (reason no_audio): the data is for audio-driven generation.");

    // ingest: limits and decode
    public static final ConfigKey<Double> INGEST_TIMEOUT_S = positiveKey("ingest.timeout_s", 900, 1e7,
            "Time limit for probing and decoding one video, in seconds; past it the video is rejected with decode_timeout.");
    public static final ConfigKey<Double> INGEST_WATCHDOG_GRACE_S = doubleKey("ingest.watchdog_grace_s", 60, 0, 1e6,
            "Seconds a video's decode may run past ingest.timeout_s before the watchdog gives up on it (a native call that "
                    + "never returns): the video is rejected with decode_timeout; on a cluster executor the executor JVM is "
                    + "stopped so that Spark reschedules its tasks, in local mode the stuck thread is abandoned.");
    public static final ConfigKey<Integer> INGEST_DECODER_THREADS = intKey("ingest.decoder_threads", 1, 0, 64,
            "FFmpeg decoder threads per task (0 = FFmpeg's choice). 1 suits Spark, which already runs one task per core.");
    public static final ConfigKey<Integer> INGEST_MAX_WIDTH = intKey("ingest.max_width", 8192, 16, 65_536,
            "Largest accepted frame width; larger headers are rejected with bad_dimensions before decoding.");
    public static final ConfigKey<Integer> INGEST_MAX_HEIGHT = intKey("ingest.max_height", 8192, 16, 65_536,
            "Largest accepted frame height; larger headers are rejected with bad_dimensions before decoding.");
    public static final ConfigKey<Double> INGEST_MAX_DURATION_S = positiveKey("ingest.max_duration_s", 6 * 3600, 1e7,
            "Longest accepted video, in seconds (reason too_long).");
    public static final ConfigKey<Double> INGEST_MAX_CORRUPT_RATIO = doubleKey("ingest.max_corrupt_ratio", 0.02, 0, 1,
            "Largest share of video packets that may fail to decode before the video is rejected with decode_error.");
    public static final ConfigKey<Double> INGEST_MIN_DECODED_RATIO = doubleKey("ingest.min_decoded_ratio", 0.9, 0, 1,
            "Decoded duration over declared duration below which a video is rejected as truncated.");

    // ingest: shots
    public static final ConfigKey<Integer> SHOTS_ANALYSIS_WIDTH = intKey("ingest.shots.analysis_width", 96, 16, 1024,
            "Width of the downscaled frames the shot detector compares (height keeps the aspect).");
    public static final ConfigKey<Double> SHOTS_CUT_THRESHOLD = doubleKey("ingest.shots.cut_threshold", 20, 0, 255,
            "Smallest mean absolute HSV difference (0..255) between consecutive frames that can be a hard cut.");
    public static final ConfigKey<Double> SHOTS_ADAPTIVE_RATIO = doubleKey("ingest.shots.adaptive_ratio", 3.0, 1, 1000,
            "A cut's difference must also exceed this multiple of the mean difference of its neighbours (no false cuts on pans).");
    public static final ConfigKey<Integer> SHOTS_WINDOW = intKey("ingest.shots.window", 3, 1, 30,
            "Neighbouring frames on each side used for the adaptive ratio.");
    public static final ConfigKey<Double> SHOTS_FADE_LUMA = doubleKey("ingest.shots.fade_luma", 16, 0, 255,
            "Frames with mean luma below this are black (fades): they end a shot and are never part of a clip.");
    public static final ConfigKey<Integer> SHOTS_MIN_FRAMES = intKey("ingest.shots.min_frames", 6, 1, 10_000,
            "Frames a shot must have before another cut may be declared (flash and strobe guard).");
    public static final ConfigKey<Double> SHOTS_DISSOLVE_MAX_S = doubleKey("ingest.shots.dissolve_max_s", 4.0, 0, 30,
            "Longest cross-dissolve found, in seconds (0: none). Its blended frames end the shot and belong to no clip, as fades do; "
                    + "shot decisions lag the decode by about this long, and the detector keeps that many frames of ~32x32 grey thumbnails.");
    public static final ConfigKey<Double> SHOTS_DISSOLVE_FIT = doubleKey("ingest.shots.dissolve_fit", 0.8, 0, 1,
            "Least share of a frame's variance that a blend of frames on either side must explain for it to be part of a dissolve "
                    + "(lower finds more dissolves between moving shots but risks false ones; pans and zooms are also ruled out by a motion check).");

    // ingest: clips
    public static final ConfigKey<Double> CLIPS_MIN_S = positiveKey("ingest.clips.min_s", 2.0, 3600,
            "Shortest clip, in seconds; shorter shots are rejected with too_short.");
    public static final ConfigKey<Double> CLIPS_MAX_S = positiveKey("ingest.clips.max_s", 10.0, 36_000,
            "Longest clip, in seconds; longer shots are cut into equal clips no longer than this (and no shorter than min_s).");

    // decode for scorers
    public static final ConfigKey<Double> DECODE_SAMPLE_FPS = positiveKey("decode.sample_fps", 5, 240,
            "Frames per second sampled from a clip for the scorers (by presentation time, so variable frame rate is handled).");
    public static final ConfigKey<Integer> DECODE_SHORT_SIDE = intKey("decode.short_side", 256, 16, 4096,
            "Short side, in pixels, of the frames handed to the scorers; the long side keeps the aspect (even).");
    public static final ConfigKey<Double> DECODE_SYNC_FPS = positiveKey("decode.sync_fps", 25, 240,
            "Frame rate of the sync clock: when the sync scorer is on, every frame at this rate is kept from the same decode "
                    + "(SyncNet and Light-ASD are trained at 25 fps; MFCC windows assume 4 audio frames per video frame).");
    public static final ConfigKey<Integer> DECODE_AUDIO_RATE = intKey("decode.audio_rate", 16_000, 8000, 48_000,
            "Sample rate of the mono audio handed to the scorers (16 kHz is what the speech models expect).");

    // models and ONNX Runtime
    public static final ConfigKey<String> MODELS_DIR = stringKey("models.dir", "models",
            "Directory holding the model files named in the registry (relative paths resolve against the working directory, then the install); `bin/curate models fetch` fills it.");
    public static final ConfigKey<String> MODELS_REGISTRY = stringKey("models.registry", "conf/models.yaml",
            "The model registry: file, SHA-256, source and expected inputs/outputs of each model.");
    public static final ConfigKey<String> ONNX_DEVICE = enumKey("onnx.device", "auto", List.of("auto", "cpu", "cuda"),
            "Where ONNX models run: cuda needs the -Pgpu build and a GPU executor (falls back to CPU with a message); auto takes CUDA when present.");
    public static final ConfigKey<Integer> ONNX_INTRA_OP_THREADS = intKey("onnx.intra_op_threads", 1, 0, 256,
            "ONNX Runtime intra-op threads per session (0 = ORT's default), also the threads of each TensorFlow Lite interpreter "
                    + "(MediaPipe models; 0 = TFLite's default). 1 suits Spark's one task per core.");

    // score stage
    public static final List<String> SCORERS = List.of("faces", "people", "sharpness", "motion", "brightness", "phash", "quality", "text", "speech", "sync", "identity");
    public static final ConfigKey<List<String>> SCORE_SCORERS = listKey("score.scorers", SCORERS.subList(0, SCORERS.size() - 1), SCORERS,
            "Scorers of the score stage; all work from one decode of each clip (faces before sharpness, text and sync, which use "
                    + "its boxes; speech before sync, which uses its voice activity).");
    public static final ConfigKey<Integer> SCORE_BATCH_CLIPS = intKey("score.batch_clips", 256, 1, 10_000_000,
            "Clips per commit of the score stage: a killed job redoes at most one batch.");
    public static final ConfigKey<Double> SCORE_GPU_PER_TASK = doubleKey("score.gpu_per_task", 0.125, 0.001, 64,
            "With onnx.device cuda on a cluster: the GPU share each score task holds under Spark's stage-level scheduling "
                    + "(0.125: eight tasks share a GPU); ingest, caption and shard tasks hold none.");
    public static final ConfigKey<Integer> SCORE_MODEL_BATCH_CLIPS = intKey("score.model_batch_clips", 4, 1, 1024,
            "Clips a task decodes before scoring them together, so that models with a batch dimension see several clips at once.");
    public static final ConfigKey<Double> SCORE_FACE_MIN_SCORE = doubleKey("score.face.min_score", 0.6, 0, 1,
            "BlazeFace detection threshold (sigmoid score).");
    public static final ConfigKey<Double> SCORE_FACE_NMS_IOU = doubleKey("score.face.nms_iou", 0.3, 0, 1,
            "IoU above which overlapping face boxes are merged (non-maximum suppression).");
    public static final ConfigKey<Double> SCORE_FACE_CLEAR_SCORE = doubleKey("score.face.clear_score", 0.75, 0, 1,
            "Detection score a face needs to count as clear for clear_face_run_s.");
    public static final ConfigKey<Double> SCORE_FACE_CLEAR_MIN_PX = doubleKey("score.face.clear_min_px", 24, 0, 4096,
            "Short side, in pixels of the sampled frame, a face needs to count as clear.");
    public static final ConfigKey<Integer> SCORE_SHARP_FACE_SIZE = intKey("score.sharpness.face_size", 64, 8, 1024,
            "Face crops are resized to this square before the Laplacian (comparable across face sizes).");
    public static final ConfigKey<Integer> SCORE_SHARP_FRAME_WIDTH = intKey("score.sharpness.frame_width", 256, 16, 4096,
            "Whole frames are resized to this width before the Laplacian.");
    public static final ConfigKey<Integer> SCORE_MOTION_GAP = intKey("score.motion.gap_frames", 15, 1, 1000,
            "motion_mean is expressed per this many source frames (15 as Open-Sora's UniMatch score).");
    public static final ConfigKey<Double> SCORE_MOTION_STATIC_PX = doubleKey("score.motion.static_px", 0.5, 0, 1000,
            "Global motion (pixels at 320x576 per pair) under which a pair counts as static.");
    public static final ConfigKey<Integer> SCORE_MOTION_PAIR_STRIDE = intKey("score.motion.pair_stride", 2, 1, 100,
            "Flow is computed on every n-th pair of consecutive sampled frames (1 = all; 2 halves the cost).");
    public static final ConfigKey<String> SCORE_MOTION_PRESET = enumKey("score.motion.dis_preset", "fast",
            List.of("ultrafast", "fast", "medium"), "OpenCV DIS optical-flow preset: speed against accuracy.");
    public static final ConfigKey<Integer> SCORE_TEXT_FRAMES = intKey("score.text.frames", 4, 1, 1000,
            "Frames per clip, evenly spaced, given to the text detector.");
    public static final ConfigKey<Integer> SCORE_TEXT_MAX_SIDE = intKey("score.text.max_side", 960, 32, 4096,
            "Longest side of the text detector's input (PaddleOCR's det_limit_side_len); frames are never upscaled.");
    public static final ConfigKey<Double> SCORE_TEXT_BIN = doubleKey("score.text.bin_thresh", 0.3, 0, 1,
            "DB post-processing: probability at which a pixel is text.");
    public static final ConfigKey<Double> SCORE_TEXT_BOX = doubleKey("score.text.box_thresh", 0.6, 0, 1,
            "DB post-processing: mean probability a box needs.");
    public static final ConfigKey<Double> SCORE_TEXT_UNCLIP = doubleKey("score.text.unclip_ratio", 1.5, 0, 10,
            "DB post-processing: how far boxes are grown (offset = area * ratio / perimeter).");
    public static final ConfigKey<Boolean> SCORE_TEXT_READ = boolKey("score.text.read_subtitles", true,
            "Read the subtitle band's text with Tesseract into subtitle_text (for audits).");
    public static final ConfigKey<String> SCORE_TEXT_TESSDATA = stringKey("score.text.tessdata", "",
            "Directory with eng.traineddata; empty = the copy `bin/curate models fetch` puts under models.dir (tessdata/, "
                    + "SHA-256 checked), else Debian's tesseract-ocr-eng (/usr/share/tesseract-ocr/5/tessdata). Shipped to the executors with the job.");
    public static final ConfigKey<String> SCORE_BRISQUE_MODEL = stringKey("score.quality.brisque_model", "",
            "BRISQUE SVM model for quality_technical; empty = the copy `bin/curate models fetch` puts under models.dir (brisque/, "
                    + "SHA-256 checked), else Debian's opencv-data (/usr/share/opencv4/quality/brisque_model_live.yml). Shipped to the executors with the job.");
    public static final ConfigKey<String> SCORE_BRISQUE_RANGE = stringKey("score.quality.brisque_range", "",
            "BRISQUE feature ranges; empty = the copy under models.dir (brisque/), else Debian's opencv-data "
                    + "(/usr/share/opencv4/quality/brisque_range_live.yml).");
    public static final ConfigKey<Double> SCORE_SPEECH_THRESHOLD = doubleKey("score.speech.threshold", 0.5, 0, 1,
            "Silero VAD probability at which a 32 ms window is speech.");
    public static final ConfigKey<String> SCORE_SYNC_ESTIMATOR = enumKey("score.sync.estimator", "light_asd",
            List.of("light_asd", "mouth_motion", "syncnet", "stable_syncnet", "default"),
            "What measures audio-visual sync: light_asd = Light-ASD's published AVA weights (bundled, MIT) scoring the face "
                    + "track with its audio shifted by -15..+15 frames, offset = the shift with the highest speech-gated speaking "
                    + "logit, confidence = how far it stands out (median - min of the negated curve, in logits; CALIBRATION.md); "
                    + "mouth_motion = cross-correlation of the mouth (the face mesh's lip opening, or the mouth patch: "
                    + "score.sync.mouth_motion_lips) with the speech envelope (a fallback); syncnet = SyncNet ONNX export (Sync-C/Sync-D); stable_syncnet = "
                    + "LatentSync's StableSyncNet; default = light_asd.");
    public static final ConfigKey<String> SCORE_SYNC_ASD_ESTIMATOR = enumKey("score.sync.asd_estimator", "light_asd",
            List.of("light_asd", "mouth_motion", "default"),
            "What finds speaking frames: light_asd = Light-ASD's logits at shift 0 (the bundled graphs, or your single-graph export "
                    + "when score.sync.light_asd_model is set, run as Columbia_test); mouth_motion = mouth motion gated by voice "
                    + "activity; default = light_asd.");
    public static final ConfigKey<Boolean> SCORE_SYNC_LIPS = boolKey("score.sync.mouth_motion_lips", true,
            "With score.sync.estimator = mouth_motion: follow the lip opening from MediaPipe Face Mesh (inner lips 13-14 over the "
                    + "eye corners) against the 300-3000 Hz log energy, instead of the mouth patch's grey level against the RMS.");
    public static final ConfigKey<String> SCORE_SYNC_SYNCNET_MODEL = stringKey("score.sync.syncnet_model", "",
            "Path of a SyncNet ONNX export (inputs video (B,3,5,224,224), audio (B,1,13,20); outputs video_embedding, "
                    + "audio_embedding (B,1024)); needed when score.sync.estimator = syncnet.");
    public static final ConfigKey<String> SCORE_SYNC_STABLE_MODEL = stringKey("score.sync.stable_syncnet_model", "",
            "Path of a StableSyncNet ONNX export (inputs video (B,48,128,256), audio (B,1,80,52); outputs video_embedding, "
                    + "audio_embedding); needed when score.sync.estimator = stable_syncnet.");
    public static final ConfigKey<String> SCORE_SYNC_LIGHT_ASD_MODEL = stringKey("score.sync.light_asd_model", "",
            "Optional path of your own single-graph Light-ASD ONNX export (inputs audio (B,4T,13), video (B,T,112,112); output "
                    + "scores (B,T)), run as Columbia_test for speaking frames; empty = the bundled graphs.");
    public static final ConfigKey<Double> SCORE_SYNC_TRACK_IOU = doubleKey("score.sync.track_iou", 0.3, 0, 1,
            "IoU a face box needs with a track's last box to join it (boxes are 1/decode.sample_fps apart).");
    public static final ConfigKey<Double> SCORE_SYNC_MAX_GAP_S = doubleKey("score.sync.max_gap_s", 1.0, 0, 60,
            "Longest run without a detection that a face track bridges, in seconds.");
    public static final ConfigKey<Double> SCORE_SYNC_MIN_TRACK_S = doubleKey("score.sync.min_track_s", 1.0, 0, 3600,
            "Shortest face track that is scored, in seconds.");
    public static final ConfigKey<Integer> SCORE_SYNC_SMOOTH = intKey("score.sync.smooth_frames", 13, 1, 101,
            "Median filter (frames of the sync clock, odd) over track boxes, as syncnet_python and Light-ASD smooth theirs.");
    public static final ConfigKey<Double> SCORE_SYNC_MOUTH_MOTION = doubleKey("score.sync.mouth_motion_min", 2.0, 0, 255,
            "Speaking rule of asd_estimator = mouth_motion: mean mouth-patch change per frame (grey levels, averaged over +-2 frames) a speaking face shows.");
    public static final ConfigKey<Double> SCORE_SYNC_SPEAKER_MIN_RATIO = doubleKey("score.sync.speaker_min_ratio", 0.1, 0, 1,
            "Share of a track's frames that must be speaking for it to count in speaker_count.");

    // the papers' models, from the user's ONNX exports (SPEC §3)
    public static final ConfigKey<String> SCORE_FACE_ESTIMATOR = enumKey("score.face.estimator", "blazeface", List.of("blazeface", "scrfd"),
            "Face detector: blazeface (bundled) or scrfd (your insightface SCRFD export, score.face.scrfd_model; 5 keypoints, needed by the identity scorer).");
    public static final ConfigKey<String> SCORE_FACE_SCRFD_MODEL = stringKey("score.face.scrfd_model", "",
            "Path of a SCRFD export (input input.1 (1,3,640,640); nine outputs: scores, box distances and 5 keypoints at strides 8, 16, 32).");
    public static final ConfigKey<String> SCORE_PEOPLE_ESTIMATOR = enumKey("score.people.estimator", "face_boxes",
            List.of("face_boxes", "mediapipe", "yolox", "rtmpose", "vitpose"),
            "What person_area_ratio and max_people come from: face_boxes (faces expanded to bodies), mediapipe (MediaPipe Pose "
                    + "landmarks tracked over the sampled frames, bundled TFLite models; also hands for hand_sharpness and the face "
                    + "mesh's mouth opening, see score.people.hands and score.people.face_mesh; the default profile's choice), yolox "
                    + "(person boxes), rtmpose or vitpose (YOLOX boxes, then top-down poses; a 133-keypoint DWPose/RTMPose export also "
                    + "gives the hand boxes of hand_sharpness).");
    public static final ConfigKey<String> SCORE_PEOPLE_MP_POSE = enumKey("score.people.mediapipe_pose", "full", List.of("lite", "full", "heavy"),
            "MediaPipe pose landmark model (estimator mediapipe): lite, full or heavy (slower, more accurate; see BENCHMARKS.md).");
    public static final ConfigKey<Integer> SCORE_PEOPLE_FRAME_STRIDE = intKey("score.people.frame_stride", 1, 1, 100,
            "MediaPipe: pose and hands run on every this many sampled frames (2 at decode.sample_fps 5 = 2.5 fps; the face mesh "
                    + "runs on all); person_area_ratio, max_people and hand_sharpness come from those frames. Cost per sampled frame "
                    + "in BENCHMARKS.md.");
    public static final ConfigKey<Integer> SCORE_PEOPLE_DETECT_EVERY = intKey("score.people.detect_every", 5, 1, 10_000,
            "MediaPipe: the person detector runs on the first frame, every this many frames pose runs on (new people, max_people) "
                    + "and whenever nobody is tracked; in between each person is tracked by its landmarks.");
    public static final ConfigKey<Integer> SCORE_PEOPLE_MAX_POSES = intKey("score.people.max_poses", 4, 1, 16,
            "MediaPipe: most people given a landmark pass per frame (the pose graph is single-person; each detection gets its own), "
                    + "so also the most max_people can count.");
    public static final ConfigKey<Double> SCORE_PEOPLE_MP_MIN_DETECTION = doubleKey("score.people.mediapipe_min_detection", 0.5, 0, 1,
            "MediaPipe person and palm detector score threshold (MediaPipe's default 0.5).");
    public static final ConfigKey<Double> SCORE_PEOPLE_MP_MIN_PRESENCE = doubleKey("score.people.mediapipe_min_presence", 0.5, 0, 1,
            "MediaPipe pose, hand and face-mesh presence threshold of the landmark models (MediaPipe's default 0.5).");
    public static final ConfigKey<String> SCORE_PEOPLE_HANDS = enumKey("score.people.hands", "full", List.of("none", "lite", "full"),
            "MediaPipe: hand landmark model for the hand boxes of hand_sharpness (palm detector on every sampled frame, then 21 "
                    + "landmarks per palm), or none.");
    public static final ConfigKey<Integer> SCORE_PEOPLE_MAX_HANDS = intKey("score.people.max_hands", 4, 1, 32,
            "MediaPipe: most hands given a landmark pass per frame.");
    public static final ConfigKey<Boolean> SCORE_PEOPLE_FACE_FALLBACK = boolKey("score.people.face_fallback", true,
            "MediaPipe: faces of the faces scorer that no pose accounts for (no pose's nose inside the face box: people too small "
                    + "or too partial for the pose detector, drawn characters) count as people too, with bodies expanded from the face "
                    + "boxes as the face_boxes estimator does; the estimator columns then say +face_boxes.");
    public static final ConfigKey<Boolean> SCORE_PEOPLE_FACE_MESH = boolKey("score.people.face_mesh", true,
            "MediaPipe: face mesh on the largest face box of each sampled frame (needs the faces scorer): mouth_open_mean and "
                    + "mouth_open_std, the inner-lip distance (mesh points 13-14) over the outer eye-corner distance (33-263).");
    public static final ConfigKey<String> SCORE_PEOPLE_YOLOX_MODEL = stringKey("score.people.yolox_model", "",
            "Path of a YOLOX export (input images (1,3,640,640); raw head output (1,8400,5+classes)), as DWPose's yolox_l.onnx.");
    public static final ConfigKey<String> SCORE_PEOPLE_POSE_MODEL = stringKey("score.people.pose_model", "",
            "Path of an RTMPose/DWPose export (input input (N,3,H,W); outputs simcc_x, simcc_y) or a ViTPose export "
                    + "(input (N,3,256,192); heatmaps (N,17,64,48)), per score.people.estimator.");
    public static final ConfigKey<Double> SCORE_PEOPLE_MIN_SCORE = doubleKey("score.people.min_score", 0.3, 0, 1,
            "YOLOX person score threshold (DWPose uses 0.3).");
    public static final ConfigKey<Double> SCORE_PEOPLE_KEYPOINT_MIN = doubleKey("score.people.keypoint_min_score", 0.3, 0, 100,
            "Keypoint confidence that counts a keypoint for pose extents and hand boxes (the model's raw SimCC or heatmap value; "
                    + "for mediapipe the landmark's visibility probability).");
    public static final ConfigKey<String> SCORE_QUALITY_ESTIMATOR = enumKey("score.quality.estimator", "brisque", List.of("brisque", "dover"),
            "quality_technical from brisque (bundled) or dover (your DOVER export, score.quality.dover_model; also sets quality_aesthetic_dover, "
                    + "its aesthetic view on a 0..1 scale).");
    public static final ConfigKey<String> SCORE_QUALITY_DOVER_MODEL = stringKey("score.quality.dover_model", "",
            "Path of a DOVER export (inputs aes_view (1,3,32,224,224), tech_view (N,3,32,224,224); outputs aesthetic_score, technical_score).");
    public static final ConfigKey<String> SCORE_AESTHETIC_ESTIMATOR = enumKey("score.quality.aesthetic_estimator", "none", List.of("none", "laion"),
            "quality_aesthetic from the LAION aesthetic predictor (CLIP ViT-L/14 embedding + MLP head, frames at 10/50/90%; 1..10 scale).");
    public static final ConfigKey<String> SCORE_AESTHETIC_CLIP_MODEL = stringKey("score.quality.clip_model", "",
            "Path of a CLIP ViT-L/14 image export (input pixel_values (N,3,224,224); output image_embeds (N,768)).");
    public static final ConfigKey<String> SCORE_AESTHETIC_HEAD_MODEL = stringKey("score.quality.aesthetic_head_model", "",
            "Path of the LAION aesthetic MLP head export (input embedding (N,768); output score (N,1)).");
    public static final ConfigKey<String> SCORE_MOTION_ESTIMATOR = enumKey("score.motion.estimator", "dis", List.of("dis", "unimatch"),
            "motion_mean from DIS optical flow (bundled) or unimatch (your UniMatch/RAFT export on Open-Sora's schedule: 320x576, "
                    + "frames 0/10/20/30, mean absolute flow); camera_motion always comes from DIS.");
    public static final ConfigKey<String> SCORE_MOTION_FLOW_MODEL = stringKey("score.motion.flow_model", "",
            "Path of a UniMatch/RAFT export (inputs image1, image2 (N,3,320,576); output flow (N,2,320,576)).");
    public static final ConfigKey<String> SCORE_IDENTITY_MODEL = stringKey("score.identity.arcface_model", "",
            "Path of an ArcFace export (input input.1 (N,3,112,112); one (N,512) output) for the identity scorer (identity_count).");
    public static final ConfigKey<Double> SCORE_IDENTITY_THRESHOLD = doubleKey("score.identity.threshold", 0.4, -1, 1,
            "Cosine at or above which two faces are the same person (0.4 is the usual ArcFace value).");

    // filter (threshold) stage
    public static final ConfigKey<List<FilterRule>> FILTER_RULES = ConfigKey.rulesKey("filter.rules", List.of(
            new FilterRule("face_frames_ratio", ">=", 0.5, "no_face"),
            new FilterRule("clear_face_run_s", ">=", 1.0, "no_continuous_face"),
            new FilterRule("person_area_ratio", ">=", 0.03, "small_person"),
            new FilterRule("face_sharpness", ">=", 40.0, "blurry_face"),
            new FilterRule("text_face_overlap", "<=", 0.05, "subtitle_occludes"),
            new FilterRule("brightness_mean", ">=", 35.0, "too_dark"),
            new FilterRule("motion_mean", "<=", 60.0, "chaotic_motion"),
            new FilterRule("speech_ratio", ">=", 0.2, "no_speech"),
            // Light-ASD's scale and the calibrated limits (CALIBRATION.md), as conf/default.yaml.
            new FilterRule("av_sync_confidence", ">=", 0.1, "out_of_sync"),
            new FilterRule("av_offset_frames", ">=", -10.0, "out_of_sync"),
            new FilterRule("av_offset_frames", "<=", 10.0, "out_of_sync"),
            new FilterRule("active_speaker_ratio", ">=", 0.2, "no_speaker")),
            "Threshold rules: a clip must meet `score op value` for each rule, else `reason` joins its reject_reasons "
                    + "(a null score passes). `bin/curate run --stages filter` re-applies them to stored scores without decoding.");
    public static final ConfigKey<Integer> FILTER_AUDIO_FIXUP_MAX = intKey("filter.audio_fixup_max_frames", 0, 0, 15,
            "A kept clip whose |av_offset_frames| is at most this gets audio_shift_s = offset / decode.sync_fps: the shards "
                    + "play its audio that much earlier (LatentSync's fix-up; 6 is its value with SyncNet). 0 = never shift, the "
                    + "default: Light-ASD's absolute offsets are not accurate enough for it (CALIBRATION.md).");


    // caption stage
    public static final ConfigKey<String> CAPTION_MODE = enumKey("caption.mode", "auto", List.of("auto", "vlm", "attributes"),
            "auto = ask the VLM when an endpoint is configured (caption.vlm.endpoint or OPENAI_BASE_URL), else compose captions from "
                    + "the measured attributes; vlm = the endpoint is required; attributes = never call a VLM.");
    public static final ConfigKey<String> CAPTION_PROMPT = stringKey("caption.prompt", "conf/caption_prompt.yaml",
            "The versioned captioning prompt (system and user text, {hints} for the measured attributes).");
    public static final ConfigKey<Integer> CAPTION_BATCH_CLIPS = intKey("caption.batch_clips", 512, 1, 10_000_000,
            "Clips per commit of the caption stage: a killed job asks again for at most one batch.");
    public static final ConfigKey<String> CAPTION_VLM_ENDPOINT = stringKey("caption.vlm.endpoint", "",
            "Base URL of an OpenAI-compatible server (vLLM, SGLang), e.g. http://host:8000/v1; OPENAI_BASE_URL in the environment overrides it.");
    public static final ConfigKey<String> CAPTION_VLM_MODEL = stringKey("caption.vlm.model", "Qwen/Qwen2.5-VL-72B-Instruct",
            "Model name sent in each request (the server's served-model-name); part of the caption cache key.");
    public static final ConfigKey<String> CAPTION_VLM_API_KEY = secretKey("caption.vlm.api_key",
            "API key sent as a Bearer token; OPENAI_API_KEY in the environment overrides it (prefer the environment: config files get copied).");
    public static final ConfigKey<String> CAPTION_VLM_FRAMES_AS = enumKey("caption.vlm.frames_as", "video_url", List.of("video_url", "image_url"),
            "How frames travel: video_url = one data:video/jpeg;base64 URL with every frame (Qwen2.5-VL on vLLM treats them as a video); "
                    + "image_url = one image part per frame.");
    public static final ConfigKey<Double> CAPTION_VLM_FPS = positiveKey("caption.vlm.fps", 2.0, 30,
            "Frames per second sampled from a clip for the VLM (Qwen2.5-VL is trained at about 2 fps).");
    public static final ConfigKey<Integer> CAPTION_VLM_MIN_FRAMES = intKey("caption.vlm.min_frames", 4, 2, 768,
            "Fewest frames sent (short clips are sampled more densely); the count is rounded to even as Qwen2.5-VL pairs frames.");
    public static final ConfigKey<Integer> CAPTION_VLM_MAX_FRAMES = intKey("caption.vlm.max_frames", 64, 2, 768,
            "Most frames sent per clip (long clips are sampled more sparsely).");
    public static final ConfigKey<Integer> CAPTION_VLM_MAX_PIXELS = intKey("caption.vlm.max_pixels", 230_400, 3136, 602_112,
            "Pixels per frame at most; frames are resized keeping the aspect to sides that are multiples of 28 (Qwen2.5-VL's patch "
                    + "merge), as its processor would, so the server does not resize again. 602112 = 768*28*28 is Qwen's limit.");
    public static final ConfigKey<Integer> CAPTION_VLM_JPEG_QUALITY = intKey("caption.vlm.jpeg_quality", 85, 10, 100,
            "JPEG quality of the frames sent.");
    public static final ConfigKey<Integer> CAPTION_VLM_MAX_TOKENS = intKey("caption.vlm.max_tokens", 512, 16, 32_768,
            "max_tokens of each request; a caption cut at this length has finish_reason length and is flagged caption_truncated.");
    public static final ConfigKey<Double> CAPTION_VLM_TEMPERATURE = doubleKey("caption.vlm.temperature", 0.2, 0, 2,
            "Sampling temperature (low: factual, repeatable captions).");
    public static final ConfigKey<Double> CAPTION_VLM_TIMEOUT_S = positiveKey("caption.vlm.timeout_s", 120, 3600,
            "Time limit of one request, in seconds (connection to last byte); past it the attempt counts as failed and is retried.");
    public static final ConfigKey<Integer> CAPTION_VLM_RETRIES = intKey("caption.vlm.retries", 4, 0, 100,
            "Retries of a request after a 429, a 5xx, a time-out or a connection error (malformed answers and other 4xx are not retried).");
    public static final ConfigKey<Double> CAPTION_VLM_BACKOFF_S = positiveKey("caption.vlm.backoff_s", 1.0, 3600,
            "First retry delay in seconds; doubled at each retry, with jitter, capped by backoff_max_s. A Retry-After header wins.");
    public static final ConfigKey<Double> CAPTION_VLM_BACKOFF_MAX_S = positiveKey("caption.vlm.backoff_max_s", 60, 3600,
            "Longest delay before a retry, in seconds (also caps Retry-After).");
    public static final ConfigKey<Integer> CAPTION_VLM_CONCURRENCY = intKey("caption.vlm.concurrency", 32, 1, 100_000,
            "Requests in flight for the whole job at most: the stage runs ceil(concurrency / task_concurrency) tasks at a time.");
    public static final ConfigKey<Integer> CAPTION_VLM_TASK_CONCURRENCY = intKey("caption.vlm.task_concurrency", 8, 1, 10_000,
            "Requests in flight per Spark task (while the task decodes the next clips).");
    public static final ConfigKey<Integer> CAPTION_VLM_EXECUTOR_CONCURRENCY = intKey("caption.vlm.executor_concurrency", 32, 1, 100_000,
            "Requests in flight per executor JVM at most, over all its tasks.");
    public static final ConfigKey<Integer> CAPTION_VLM_BREAKER_FAILURES = intKey("caption.vlm.breaker_failures", 8, 1, 100_000,
            "Consecutive failed attempts (5xx, time-outs, connection errors) that open the circuit breaker: while open, requests "
                    + "fail at once with vlm_unavailable (and are asked again on the next run) instead of waiting on a dead server.");
    public static final ConfigKey<Double> CAPTION_VLM_BREAKER_COOLDOWN_S = positiveKey("caption.vlm.breaker_cooldown_s", 30, 86_400,
            "Seconds an open breaker waits before letting one probe request through; a success closes it.");
    public static final ConfigKey<Integer> CAPTION_MIN_WORDS = intKey("caption.checks.min_words", 12, 0, 100_000,
            "Captions with fewer words get caption_too_short.");
    public static final ConfigKey<Integer> CAPTION_MAX_WORDS = intKey("caption.checks.max_words", 400, 1, 1_000_000,
            "Captions with more words get caption_too_long.");
    public static final ConfigKey<String> CAPTION_LANGUAGE = enumKey("caption.checks.language", "en",
            List.of("en", "de", "fr", "es", "it", "pt", "nl", "zh", "ja", "ko", "ru", "ar", "el", "he", "hi", "th"),
            "Expected caption language (ISO 639-1); a confidently different one gets caption_wrong_language.");
    public static final ConfigKey<List<String>> CAPTION_EMOTION_WORDS = listKey("caption.checks.emotion_words", List.of(), null,
            "Subjective emotion words the recipe forbids (caption_emotion_words); empty = the built-in list.");
    public static final ConfigKey<List<String>> CAPTION_REFUSAL_PATTERNS = listKey("caption.checks.refusal_patterns", List.of(), null,
            "Regular expressions that mark a refusal (caption_refusal); empty = the built-in list.");
    public static final ConfigKey<List<String>> CAPTION_STRIP_PREFIXES = listKey("caption.checks.strip_prefixes", List.of(), null,
            "Regular expressions of boilerplate openings to strip (\"The video shows\"); empty = the built-in list.");
    public static final ConfigKey<List<String>> CAPTION_REJECT = listKey("caption.checks.reject",
            List.of("caption_empty", "caption_truncated", "caption_too_short", "caption_wrong_language", "caption_refusal"),
            List.of("caption_empty", "caption_truncated", "caption_too_short", "caption_too_long", "caption_wrong_language",
                    "caption_emotion_words", "caption_refusal", "caption_boilerplate"),
            "Check codes that reject a caption (caption_keep = false); the other codes are flags only.");
    public static final ConfigKey<Boolean> CAPTION_EMBED = boolKey("caption.embedding.enabled", true,
            "Store an all-MiniLM-L6-v2 embedding (384 floats, L2-normalized) of each caption, for near-duplicates and text conditioning.");
    public static final ConfigKey<Integer> CAPTION_EMBED_MAX_TOKENS = intKey("caption.embedding.max_tokens", 256, 8, 512,
            "Word pieces embedded per caption (256 is the model's training length; longer captions are cut).");

    // shard stage
    public static final ConfigKey<Double> SHARDS_FPS = positiveKey("shards.fps", 25, 120,
            "Training frame rate: shard frames are on an exact clock at this rate (25 as HunyuanVideo-Avatar; Wan-S2V uses 16).");
    public static final ConfigKey<List<String>> SHARDS_BUCKETS = listKey("shards.buckets", List.of("512x512", "384x672", "672x384"), null,
            "Resolution buckets WxH; each clip goes to the one nearest its aspect ratio, scaled to cover it and centre-cropped. "
                    + "HunyuanVideo-Avatar's high-resolution stage: [704x704, 704x960, 960x704, 704x1216, 1216x704].");
    public static final ConfigKey<List<String>> SHARDS_FRAME_BUCKETS = listKey("shards.frame_buckets", List.of("33", "49", "81", "129"), null,
            "Frame-count buckets (4n+1 for causal 3D VAEs); each clip takes the largest that fits its duration at shards.fps, from its middle.");
    public static final ConfigKey<Double> SHARDS_MAX_UPSCALE = positiveKey("shards.max_upscale", 1.25, 16,
            "Largest upscaling accepted to cover a bucket; a smaller source is left out with reason too_small_for_bucket.");
    public static final ConfigKey<Integer> SHARDS_JPEG_QUALITY = intKey("shards.jpeg_quality", 90, 10, 100,
            "JPEG quality of shard frames and reference frames.");
    public static final ConfigKey<Integer> SHARDS_TARGET_MB = intKey("shards.target_mb", 256, 1, 100_000,
            "A shard file is closed when it reaches about this many megabytes.");
    public static final ConfigKey<String> SHARDS_QUALITY_SCORE = stringKey("shards.quality_score", "quality_technical",
            "Score column that ranks clips: the copy kept among duplicates, and the order within SFT quotas (higher is better).");
    public static final ConfigKey<List<String>> SHARDS_SFT_CRITERIA = listKey("shards.sft.criteria", List.of(
            "multi_person: max_faces >= 2 OR max_people >= 2 OR speaker_count >= 2",
            "dynamic_camera: camera_motion IS NOT NULL AND camera_motion <> 'static'",
            "fine_motion: motion_mean >= 1.5 AND motion_mean <= 30",
            "high_fidelity: quality_technical >= 0.55 AND face_sharpness >= 60"), null,
            "The SFT subset (SPEC §1 step 5) as named Spark SQL conditions over the clips columns (\"name: condition\"); a kept clip "
                    + "is SFT when it meets at least shards.sft.min_criteria of them (a null score fails a condition). Checked before "
                    + "any work: a column that is neither a clips column nor a score, or a threshold outside a score's range "
                    + "(quality_technical is 0..1), is an error.");
    public static final ConfigKey<Integer> SHARDS_SFT_MIN_CRITERIA = intKey("shards.sft.min_criteria", 2, 1, 100,
            "How many SFT criteria a clip must meet.");
    public static final ConfigKey<Double> SHARDS_SFT_MAX_SHARE_PER_VIDEO = doubleKey("shards.sft.max_share_per_video", 0.1, 0, 1,
            "Quota: one source video holds at most this share of the SFT split (at least one clip), its best clips by quality_score; "
                    + "the rest go to pretrain. Source videos stand in for speakers (no identity model here).");
    public static final ConfigKey<Boolean> SHARDS_DEDUP = boolKey("shards.dedup.enabled", true,
            "Remove near-duplicates before sharding (key-frame perceptual hashes, and VLM caption embeddings as supporting evidence).");
    public static final ConfigKey<Integer> SHARDS_DEDUP_PHASH_BITS = intKey("shards.dedup.phash_max_bits", 24, 0, 192,
            "Total Hamming distance over the three key-frame hashes (192 bits) at or under which two clips are the same footage.");
    public static final ConfigKey<Integer> SHARDS_DEDUP_PHASH_LOOSE_BITS = intKey("shards.dedup.phash_loose_bits", 48, 0, 192,
            "A looser distance that makes a duplicate only together with similar VLM captions.");
    public static final ConfigKey<Double> SHARDS_DEDUP_CAPTION_COSINE = doubleKey("shards.dedup.caption_min_cosine", 0.95, -1, 1,
            "Caption-embedding cosine at or above which two VLM captions support a duplicate (attribute captions never count).");
    public static final ConfigKey<Integer> SHARDS_DEDUP_LSH_TABLES = intKey("shards.dedup.lsh_tables", 100, 10, 1000,
            "LSH tables for near-duplicate candidates (the first ceil(192 / lsh_bits) are disjoint bands, exact below that many bits); "
                    + "more find more of the loose (caption) pairs at a linear cost in rows joined.");
    public static final ConfigKey<Integer> SHARDS_DEDUP_LSH_BITS = intKey("shards.dedup.lsh_bits", 20, 8, 32,
            "Bits per LSH key: more bits, fewer random candidate pairs (they grow as clips^2 / 2^bits per table) and a lower recall at loose distances.");
    public static final ConfigKey<Boolean> SHARDS_PLAN_ONLY = boolKey("shards.plan_only", false,
            "Plan the shards (duplicates, SFT split, buckets, which task writes which clip) into the table shard_plan and stop: no media "
                    + "is read and no shard file is written. For a preview of hours per split and bucket before a long write.");

    // progress
    public static final ConfigKey<Double> PROGRESS_INTERVAL_S = positiveKey("progress.interval_s", 10, 3600,
            "Seconds between progress lines (counts and rates) on long stages.");

    /** All keys, by path, in declaration order. */
    public static final Map<String, ConfigKey<?>> ALL = index(
            PIPELINE_STAGES, SPARK_MASTER, SPARK_SHUFFLE_PARTITIONS, SPARK_LOG_LEVEL,
            INGEST_EXTENSIONS, INGEST_BATCH_VIDEOS, INGEST_PLAN_ONLY, INGEST_IO, INGEST_REQUIRE_AUDIO,
            INGEST_TIMEOUT_S, INGEST_WATCHDOG_GRACE_S, INGEST_DECODER_THREADS, INGEST_MAX_WIDTH, INGEST_MAX_HEIGHT, INGEST_MAX_DURATION_S,
            INGEST_MAX_CORRUPT_RATIO, INGEST_MIN_DECODED_RATIO,
            SHOTS_ANALYSIS_WIDTH, SHOTS_CUT_THRESHOLD, SHOTS_ADAPTIVE_RATIO, SHOTS_WINDOW, SHOTS_FADE_LUMA, SHOTS_MIN_FRAMES,
            SHOTS_DISSOLVE_MAX_S, SHOTS_DISSOLVE_FIT,
            CLIPS_MIN_S, CLIPS_MAX_S,
            DECODE_SAMPLE_FPS, DECODE_SHORT_SIDE, DECODE_SYNC_FPS, DECODE_AUDIO_RATE,
            MODELS_DIR, MODELS_REGISTRY, ONNX_DEVICE, ONNX_INTRA_OP_THREADS,
            SCORE_SCORERS, SCORE_BATCH_CLIPS, SCORE_GPU_PER_TASK, SCORE_MODEL_BATCH_CLIPS, SCORE_FACE_MIN_SCORE, SCORE_FACE_NMS_IOU, SCORE_FACE_CLEAR_SCORE,
            SCORE_FACE_CLEAR_MIN_PX, SCORE_SHARP_FACE_SIZE, SCORE_SHARP_FRAME_WIDTH, SCORE_MOTION_GAP, SCORE_MOTION_STATIC_PX, SCORE_MOTION_PAIR_STRIDE, SCORE_MOTION_PRESET,
            SCORE_TEXT_FRAMES, SCORE_TEXT_MAX_SIDE, SCORE_TEXT_BIN, SCORE_TEXT_BOX, SCORE_TEXT_UNCLIP, SCORE_TEXT_READ, SCORE_TEXT_TESSDATA, SCORE_BRISQUE_MODEL, SCORE_BRISQUE_RANGE, SCORE_SPEECH_THRESHOLD,
            SCORE_SYNC_ESTIMATOR, SCORE_SYNC_ASD_ESTIMATOR, SCORE_SYNC_SYNCNET_MODEL, SCORE_SYNC_STABLE_MODEL, SCORE_SYNC_LIGHT_ASD_MODEL,
            SCORE_SYNC_TRACK_IOU, SCORE_SYNC_MAX_GAP_S, SCORE_SYNC_MIN_TRACK_S, SCORE_SYNC_SMOOTH, SCORE_SYNC_MOUTH_MOTION,
            SCORE_SYNC_SPEAKER_MIN_RATIO, SCORE_SYNC_LIPS,
            SCORE_FACE_ESTIMATOR, SCORE_FACE_SCRFD_MODEL, SCORE_PEOPLE_ESTIMATOR, SCORE_PEOPLE_YOLOX_MODEL, SCORE_PEOPLE_POSE_MODEL,
            SCORE_PEOPLE_MIN_SCORE, SCORE_PEOPLE_KEYPOINT_MIN, SCORE_PEOPLE_MP_POSE, SCORE_PEOPLE_FRAME_STRIDE, SCORE_PEOPLE_DETECT_EVERY, SCORE_PEOPLE_MAX_POSES,
            SCORE_PEOPLE_MP_MIN_DETECTION, SCORE_PEOPLE_MP_MIN_PRESENCE, SCORE_PEOPLE_HANDS, SCORE_PEOPLE_MAX_HANDS, SCORE_PEOPLE_FACE_FALLBACK,
            SCORE_PEOPLE_FACE_MESH,
            SCORE_QUALITY_ESTIMATOR, SCORE_QUALITY_DOVER_MODEL,
            SCORE_AESTHETIC_ESTIMATOR, SCORE_AESTHETIC_CLIP_MODEL, SCORE_AESTHETIC_HEAD_MODEL, SCORE_MOTION_ESTIMATOR,
            SCORE_MOTION_FLOW_MODEL, SCORE_IDENTITY_MODEL, SCORE_IDENTITY_THRESHOLD,
            FILTER_RULES, FILTER_AUDIO_FIXUP_MAX,
            CAPTION_MODE, CAPTION_PROMPT, CAPTION_BATCH_CLIPS, CAPTION_VLM_ENDPOINT, CAPTION_VLM_MODEL, CAPTION_VLM_API_KEY,
            CAPTION_VLM_FRAMES_AS, CAPTION_VLM_FPS, CAPTION_VLM_MIN_FRAMES, CAPTION_VLM_MAX_FRAMES, CAPTION_VLM_MAX_PIXELS,
            CAPTION_VLM_JPEG_QUALITY, CAPTION_VLM_MAX_TOKENS, CAPTION_VLM_TEMPERATURE, CAPTION_VLM_TIMEOUT_S, CAPTION_VLM_RETRIES,
            CAPTION_VLM_BACKOFF_S, CAPTION_VLM_BACKOFF_MAX_S, CAPTION_VLM_CONCURRENCY, CAPTION_VLM_TASK_CONCURRENCY,
            CAPTION_VLM_EXECUTOR_CONCURRENCY, CAPTION_VLM_BREAKER_FAILURES, CAPTION_VLM_BREAKER_COOLDOWN_S,
            CAPTION_MIN_WORDS, CAPTION_MAX_WORDS, CAPTION_LANGUAGE, CAPTION_EMOTION_WORDS, CAPTION_REFUSAL_PATTERNS,
            CAPTION_STRIP_PREFIXES, CAPTION_REJECT, CAPTION_EMBED, CAPTION_EMBED_MAX_TOKENS,
            SHARDS_FPS, SHARDS_BUCKETS, SHARDS_FRAME_BUCKETS, SHARDS_MAX_UPSCALE, SHARDS_JPEG_QUALITY, SHARDS_TARGET_MB,
            SHARDS_QUALITY_SCORE, SHARDS_SFT_CRITERIA, SHARDS_SFT_MIN_CRITERIA, SHARDS_SFT_MAX_SHARE_PER_VIDEO,
            SHARDS_DEDUP, SHARDS_DEDUP_PHASH_BITS, SHARDS_DEDUP_PHASH_LOOSE_BITS, SHARDS_DEDUP_CAPTION_COSINE, SHARDS_DEDUP_LSH_TABLES,
            SHARDS_DEDUP_LSH_BITS, SHARDS_PLAN_ONLY,
            PROGRESS_INTERVAL_S);

    private static Map<String, ConfigKey<?>> index(ConfigKey<?>... keys) {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : keys) {
            if (m.put(k.path(), k) != null) throw new IllegalStateException("duplicate key " + k.path());
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
