package dev.avcurate.filters.scoring;

import dev.avcurate.filters.vision.ArcFaceEmbedder;
import dev.avcurate.filters.vision.ClipAesthetic;
import dev.avcurate.filters.vision.DoverQuality;
import dev.avcurate.filters.vision.OpticalFlowMotion;
import dev.avcurate.filters.vision.RtmPose;
import dev.avcurate.filters.vision.ScrfdFaceDetector;
import dev.avcurate.filters.vision.VitPose;
import dev.avcurate.filters.vision.YoloxPersonDetector;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.Ids;
import dev.avcurate.filters.JobFiles;
import dev.avcurate.core.config.ConfigKey;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.sync.FaceTracker;
import dev.avcurate.filters.sync.LightAsd;
import dev.avcurate.filters.sync.LightAsdSync;
import dev.avcurate.filters.sync.StableSyncNet;
import dev.avcurate.filters.sync.SyncNet;
import dev.avcurate.filters.mediapipe.FaceMeshLandmarker;
import dev.avcurate.filters.mediapipe.HandLandmarker;
import dev.avcurate.filters.mediapipe.PoseLandmarker;
import dev.avcurate.filters.mediapipe.TfLiteModel;
import dev.avcurate.filters.mediapipe.TfLiteModels;
import dev.avcurate.filters.onnx.BlazeFace;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.onnx.PpOcrDetector;
import dev.avcurate.filters.onnx.SileroVad;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configured scorers, in dependency order (faces first), built once per task on an executor;
 * ONNX sessions underneath are shared per JVM. {@link #versions} gives each scorer a version (the
 * keys it reads, its models' checksums, the versions of the scorers it runs after): a clip is
 * scored again by the scorers whose version changed; {@link #version} combines them.
 * Owner of the scorers it builds ({@link #close()}).
 */
public final class ScorerSet implements AutoCloseable {
    /** Registry models each scorer needs whatever its estimator ({@link #registryModels} adds the estimator-dependent ones). */
    public static final Map<String, List<String>> MODELS = Map.of("faces", List.of("blazeface"), "text", List.of("ppocr_det"),
            "speech", List.of("silero_vad"), "sync", List.of("blazeface", "silero_vad"));

    /** The sync estimator or the speaking-frame detector is Light-ASD from the bundled graphs. */
    public static boolean usesBundledLightAsd(CurateConfig cfg) {
        return syncEstimator(cfg).equals("light_asd") || (asdEstimator(cfg).equals("light_asd") && cfg.get(SCORE_SYNC_LIGHT_ASD_MODEL).isEmpty());
    }

    /** score.sync.estimator with "default" resolved (the default is Light-ASD's audio-shift search). */
    static String syncEstimator(CurateConfig cfg) {
        String e = cfg.get(SCORE_SYNC_ESTIMATOR);
        return e.equals("default") ? "light_asd" : e;
    }

    /** score.sync.asd_estimator with "default" resolved (Light-ASD). */
    static String asdEstimator(CurateConfig cfg) {
        String e = cfg.get(SCORE_SYNC_ASD_ESTIMATOR);
        return e.equals("default") ? "light_asd" : e;
    }

    private final List<Scorer> scorers = new ArrayList<>();
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    public ScorerSet(CurateConfig cfg, ModelRegistry reg, Path modelsDir) {
        this(cfg, reg, JobFiles.of(cfg, reg, modelsDir));
    }

    /** The scorers opening their files through {@code files}: on an executor, the copies shipped with the job. */
    public ScorerSet(CurateConfig cfg, ModelRegistry reg, JobFiles files) {
        try {
            build(cfg, reg, files);
        } catch (RuntimeException | LinkageError e) {
            close(); // the scorers built before the one that failed (a Tesseract handle, say) are not leaked
            throw e;
        }
    }

    private void build(CurateConfig cfg, ModelRegistry reg, JobFiles files) {
        List<String> names = cfg.get(SCORE_SCORERS);
        String device = cfg.get(ONNX_DEVICE);
        int threads = cfg.get(ONNX_INTRA_OP_THREADS);
        for (String name : SCORERS) {
            if (!names.contains(name)) continue;
            try {
                scorers.add(build(name, cfg, reg, files, device, threads));
            } catch (LinkageError e) {
                throw new NativeLibraryException(name, e);
            }
        }
    }

    private static Scorer build(String name, CurateConfig cfg, ModelRegistry reg, JobFiles files, String device, int threads) {
        return switch (name) {
            case "faces" -> cfg.get(SCORE_FACE_ESTIMATOR).equals("scrfd")
                    ? FaceScorer.scrfd(new ScrfdFaceDetector(userSession(files, ScrfdFaceDetector.SPEC, cfg, SCORE_FACE_SCRFD_MODEL, device, threads),
                            cfg.get(SCORE_FACE_MIN_SCORE), cfg.get(SCORE_FACE_NMS_IOU)), cfg.get(SCORE_FACE_CLEAR_SCORE), cfg.get(SCORE_FACE_CLEAR_MIN_PX))
                    : new FaceScorer(new BlazeFace(session(reg, files, "blazeface", device, threads),
                    cfg.get(SCORE_FACE_MIN_SCORE), cfg.get(SCORE_FACE_NMS_IOU)),
                    cfg.get(SCORE_FACE_CLEAR_SCORE), cfg.get(SCORE_FACE_CLEAR_MIN_PX));
            case "sharpness" -> new SharpnessScorer(cfg.get(SCORE_SHARP_FACE_SIZE), cfg.get(SCORE_SHARP_FRAME_WIDTH));
            case "motion" -> new MotionScorer(cfg.get(SCORE_MOTION_GAP), cfg.get(SCORE_MOTION_STATIC_PX),
                    cfg.get(SCORE_MOTION_PAIR_STRIDE), switch (cfg.get(SCORE_MOTION_PRESET)) {
                        case "ultrafast" -> org.bytedeco.opencv.opencv_video.DISOpticalFlow.PRESET_ULTRAFAST;
                        case "medium" -> org.bytedeco.opencv.opencv_video.DISOpticalFlow.PRESET_MEDIUM;
                        default -> org.bytedeco.opencv.opencv_video.DISOpticalFlow.PRESET_FAST;
                    }).withFlow(cfg.get(SCORE_MOTION_ESTIMATOR).equals("unimatch")
                            ? new OpticalFlowMotion(userSession(files, OpticalFlowMotion.SPEC, cfg, SCORE_MOTION_FLOW_MODEL, device, threads)) : null);
            case "brightness" -> new BrightnessScorer();
            case "phash" -> new PerceptualHashScorer();
            case "people" -> people(cfg, reg, files, device, threads);
            case "quality" -> quality(cfg, files, device, threads);
            case "identity" -> new IdentityScorer(new ArcFaceEmbedder(userSession(files, ArcFaceEmbedder.SPEC, cfg, SCORE_IDENTITY_MODEL, device, threads)),
                    cfg.get(SCORE_IDENTITY_THRESHOLD));
            case "text" -> new TextScorer(new PpOcrDetector(session(reg, files, "ppocr_det", device, threads),
                    cfg.get(SCORE_TEXT_MAX_SIDE), cfg.get(SCORE_TEXT_BIN), cfg.get(SCORE_TEXT_BOX), cfg.get(SCORE_TEXT_UNCLIP)),
                    cfg.get(SCORE_TEXT_FRAMES),
                    cfg.get(SCORE_TEXT_READ) ? subtitles(files.data(JobFiles.TESSDATA_ENG)) : null);
            case "speech" -> new SpeechScorer(new SileroVad(session(reg, files, "silero_vad", device, threads)),
                    cfg.get(SCORE_SPEECH_THRESHOLD));
            case "sync" -> new SyncScorer(new FaceTracker(cfg.get(SCORE_SYNC_TRACK_IOU), cfg.get(SCORE_SYNC_MAX_GAP_S),
                    cfg.get(SCORE_SYNC_MIN_TRACK_S), cfg.get(SCORE_SYNC_SMOOTH)),
                    syncEstimator(cfg).equals("syncnet")
                            ? new SyncNet(userSession(files, SyncNet.SPEC, cfg, SCORE_SYNC_SYNCNET_MODEL, device, threads)) : null,
                    syncEstimator(cfg).equals("stable_syncnet")
                            ? new StableSyncNet(userSession(files, StableSyncNet.SPEC, cfg, SCORE_SYNC_STABLE_MODEL, device, threads)) : null,
                    asdEstimator(cfg).equals("light_asd") && !cfg.get(SCORE_SYNC_LIGHT_ASD_MODEL).isEmpty()
                            ? new LightAsd(userSession(files, LightAsd.SPEC, cfg, SCORE_SYNC_LIGHT_ASD_MODEL, device, threads)) : null,
                    usesBundledLightAsd(cfg) ? new LightAsdSync(session(reg, files, "light_asd_audio", device, threads),
                            session(reg, files, "light_asd_visual", device, threads),
                            session(reg, files, "light_asd_backend", device, threads)) : null,
                    syncEstimator(cfg).equals("light_asd"), asdEstimator(cfg).equals("light_asd"),
                    cfg.get(SCORE_SPEECH_THRESHOLD), cfg.get(SCORE_SYNC_MOUTH_MOTION), cfg.get(SCORE_SYNC_SPEAKER_MIN_RATIO))
                    .withLips(syncEstimator(cfg).equals("mouth_motion") && cfg.get(SCORE_SYNC_LIPS)
                            ? new FaceMeshLandmarker(tflite(reg, files, "mp_face_landmark", threads), cfg.get(SCORE_PEOPLE_MP_MIN_PRESENCE)) : null);
            default -> throw new IllegalStateException("no scorer " + name);
        };
    }

    private ScorerSet(List<Scorer> scorers) {
        this.scorers.addAll(scorers);
    }

    /** A set of given scorers, in the order given (tests and benchmarks); it owns them. */
    public static ScorerSet of(List<Scorer> scorers) {
        return new ScorerSet(scorers);
    }

    private static Scorer people(CurateConfig cfg, ModelRegistry reg, JobFiles files, String device, int threads) {
        String est = cfg.get(SCORE_PEOPLE_ESTIMATOR);
        if (est.equals("face_boxes")) return new PersonScorer();
        if (est.equals("mediapipe")) return mediapipe(cfg, reg, files, threads);
        YoloxPersonDetector yolox = new YoloxPersonDetector(userSession(files, YoloxPersonDetector.SPEC, cfg, SCORE_PEOPLE_YOLOX_MODEL, device, threads),
                cfg.get(SCORE_PEOPLE_MIN_SCORE), 0.45);
        return switch (est) {
            case "rtmpose" -> {
                RtmPose pose = new RtmPose(userSession(files, RtmPose.SPEC, cfg, SCORE_PEOPLE_POSE_MODEL, device, threads));
                yield new PersonScorer().withModels(yolox, pose::estimate, pose.estimator(), cfg.get(SCORE_PEOPLE_KEYPOINT_MIN));
            }
            case "vitpose" -> {
                VitPose pose = new VitPose(userSession(files, VitPose.SPEC, cfg, SCORE_PEOPLE_POSE_MODEL, device, threads));
                yield new PersonScorer().withModels(yolox, pose::estimate, pose.estimator(), cfg.get(SCORE_PEOPLE_KEYPOINT_MIN));
            }
            default -> new PersonScorer().withModels(yolox, null, null, 0);
        };
    }

    /** MediaPipe pose (and hands, face mesh) on TensorFlow Lite, CPU; the models are opened once per JVM. */
    private static Scorer mediapipe(CurateConfig cfg, ModelRegistry reg, JobFiles dir, int threads) {
        double minDet = cfg.get(SCORE_PEOPLE_MP_MIN_DETECTION), minPres = cfg.get(SCORE_PEOPLE_MP_MIN_PRESENCE);
        String variant = cfg.get(SCORE_PEOPLE_MP_POSE);
        PoseLandmarker pose = new PoseLandmarker(tflite(reg, dir, "mp_pose_detection", threads), tflite(reg, dir, "mp_pose_landmark_" + variant, threads),
                variant, minDet, minPres, cfg.get(SCORE_PEOPLE_DETECT_EVERY), cfg.get(SCORE_PEOPLE_MAX_POSES));
        String hv = cfg.get(SCORE_PEOPLE_HANDS);
        HandLandmarker hands = hv.equals("none") ? null : new HandLandmarker(tflite(reg, dir, "mp_palm_detection_full", threads),
                tflite(reg, dir, "mp_hand_landmark_" + hv, threads), hv, minDet, minPres, cfg.get(SCORE_PEOPLE_MAX_HANDS));
        FaceMeshLandmarker mesh = cfg.get(SCORE_PEOPLE_FACE_MESH) ? new FaceMeshLandmarker(tflite(reg, dir, "mp_face_landmark", threads), minPres) : null;
        return new MediaPipePersonScorer(pose, hands, mesh, cfg.get(SCORE_PEOPLE_KEYPOINT_MIN), cfg.get(SCORE_PEOPLE_FACE_FALLBACK),
                cfg.get(SCORE_PEOPLE_FRAME_STRIDE));
    }

    private static TfLiteModel tflite(ModelRegistry reg, JobFiles dir, String model, int threads) {
        ModelSpec spec = reg.get(model);
        return TfLiteModels.get(spec, dir.model(spec), threads);
    }

    /** The registry models the configured scorers load (for the models check before a run and the scoring versions). */
    public static List<String> registryModels(CurateConfig cfg) {
        List<String> out = new ArrayList<>();
        for (String s : cfg.get(SCORE_SCORERS)) {
            for (String m : registryModelsOf(s, cfg)) if (!out.contains(m)) out.add(m);
        }
        return out;
    }

    /** The registry models one scorer loads under {@code cfg} (its estimator settings). */
    static List<String> registryModelsOf(String s, CurateConfig cfg) {
        List<String> out = new ArrayList<>(MODELS.getOrDefault(s, List.of()));
        if (s.equals("sync") && usesBundledLightAsd(cfg)) out.addAll(LightAsdSync.MODELS);
        if (s.equals("sync") && syncEstimator(cfg).equals("mouth_motion") && cfg.get(SCORE_SYNC_LIPS)) out.add("mp_face_landmark");
        if (s.equals("people") && cfg.get(SCORE_PEOPLE_ESTIMATOR).equals("mediapipe")) {
            out.add("mp_pose_detection");
            out.add("mp_pose_landmark_" + cfg.get(SCORE_PEOPLE_MP_POSE));
            if (!cfg.get(SCORE_PEOPLE_HANDS).equals("none")) {
                out.add("mp_palm_detection_full");
                out.add("mp_hand_landmark_" + cfg.get(SCORE_PEOPLE_HANDS));
            }
            if (cfg.get(SCORE_PEOPLE_FACE_MESH)) out.add("mp_face_landmark");
        }
        return out;
    }

    private static Scorer quality(CurateConfig cfg, JobFiles files, String device, int threads) {
        boolean dover = cfg.get(SCORE_QUALITY_ESTIMATOR).equals("dover");
        boolean laion = cfg.get(SCORE_AESTHETIC_ESTIMATOR).equals("laion");
        QualityScorer brisque = dover ? null : new QualityScorer(files.data(JobFiles.BRISQUE_MODEL).toString(),
                files.data(JobFiles.BRISQUE_RANGE).toString());
        if (!dover && !laion) return brisque;
        return new ModelQualityScorer(brisque,
                dover ? new DoverQuality(userSession(files, DoverQuality.SPEC, cfg, SCORE_QUALITY_DOVER_MODEL, device, threads)) : null,
                laion ? new ClipAesthetic(userSession(files, ClipAesthetic.CLIP_SPEC, cfg, SCORE_AESTHETIC_CLIP_MODEL, device, threads),
                        userSession(files, ClipAesthetic.HEAD_SPEC, cfg, SCORE_AESTHETIC_HEAD_MODEL, device, threads)) : null);
    }

    /** Tesseract on a traineddata file: its directory, and its name as the language (a renamed shipped copy keeps working). */
    private static SubtitleReader subtitles(Path traineddata) {
        String n = traineddata.getFileName().toString();
        return new SubtitleReader(traineddata.getParent().toString(), n.substring(0, n.length() - ".traineddata".length()));
    }

    private static OnnxSessions.Shared session(ModelRegistry reg, JobFiles dir, String model, String device, int threads) {
        ModelSpec spec = reg.get(model);
        return OnnxSessions.get(spec, dir.model(spec), device, threads);
    }

    private static OnnxSessions.Shared userSession(JobFiles files, ModelSpec spec, CurateConfig cfg, ConfigKey<String> key, String device, int threads) {
        return OnnxSessions.get(spec, files.user(key), device, threads);
    }

    /** The user-supplied operator models the config asks for: spec and the key naming its file. */
    public static Map<ModelSpec, ConfigKey<String>> userModels(CurateConfig cfg) {
        Map<ModelSpec, ConfigKey<String>> out = new LinkedHashMap<>();
        for (String s : SCORERS) if (cfg.get(SCORE_SCORERS).contains(s)) out.putAll(userModelsOf(s, cfg));
        return out;
    }

    /** The user-supplied operator models one scorer opens under {@code cfg}: spec and the key naming its file. */
    static Map<ModelSpec, ConfigKey<String>> userModelsOf(String s, CurateConfig cfg) {
        Map<ModelSpec, ConfigKey<String>> out = new LinkedHashMap<>();
        switch (s) {
            case "faces" -> {
                if (cfg.get(SCORE_FACE_ESTIMATOR).equals("scrfd")) out.put(ScrfdFaceDetector.SPEC, SCORE_FACE_SCRFD_MODEL);
            }
            case "people" -> {
                // YOLOX (and a top-down pose model) are user exports; face_boxes and mediapipe need none.
                if (List.of("yolox", "rtmpose", "vitpose").contains(cfg.get(SCORE_PEOPLE_ESTIMATOR))) {
                    out.put(YoloxPersonDetector.SPEC, SCORE_PEOPLE_YOLOX_MODEL);
                    if (cfg.get(SCORE_PEOPLE_ESTIMATOR).equals("rtmpose")) out.put(RtmPose.SPEC, SCORE_PEOPLE_POSE_MODEL);
                    if (cfg.get(SCORE_PEOPLE_ESTIMATOR).equals("vitpose")) out.put(VitPose.SPEC, SCORE_PEOPLE_POSE_MODEL);
                }
            }
            case "quality" -> {
                if (cfg.get(SCORE_QUALITY_ESTIMATOR).equals("dover")) out.put(DoverQuality.SPEC, SCORE_QUALITY_DOVER_MODEL);
                if (cfg.get(SCORE_AESTHETIC_ESTIMATOR).equals("laion")) {
                    out.put(ClipAesthetic.CLIP_SPEC, SCORE_AESTHETIC_CLIP_MODEL);
                    out.put(ClipAesthetic.HEAD_SPEC, SCORE_AESTHETIC_HEAD_MODEL);
                }
            }
            case "motion" -> {
                if (cfg.get(SCORE_MOTION_ESTIMATOR).equals("unimatch")) out.put(OpticalFlowMotion.SPEC, SCORE_MOTION_FLOW_MODEL);
            }
            case "identity" -> out.put(ArcFaceEmbedder.SPEC, SCORE_IDENTITY_MODEL);
            case "sync" -> {
                if (syncEstimator(cfg).equals("syncnet")) out.put(SyncNet.SPEC, SCORE_SYNC_SYNCNET_MODEL);
                if (syncEstimator(cfg).equals("stable_syncnet")) out.put(StableSyncNet.SPEC, SCORE_SYNC_STABLE_MODEL);
                if (asdEstimator(cfg).equals("light_asd") && !cfg.get(SCORE_SYNC_LIGHT_ASD_MODEL).isEmpty()) {
                    out.put(LightAsd.SPEC, SCORE_SYNC_LIGHT_ASD_MODEL);
                }
            }
            default -> { }
        }
        return out;
    }

    /** A user's export against its operator's interface (SCRFD and ArcFace also check their unnamed outputs). */
    public static List<String> checkUserModel(ModelSpec spec, Path file) {
        if (spec == ScrfdFaceDetector.SPEC) return ScrfdFaceDetector.checkInterface(file);
        if (spec == ArcFaceEmbedder.SPEC) return ArcFaceEmbedder.checkInterface(file);
        return ModelRegistry.checkInterface(spec, file);
    }

    /** Score columns holding strings (labels, text, hashes); every other score column is a number. */
    public static final List<String> STRING_COLUMNS = dev.avcurate.core.ScoreColumns.STRING_SCORES;

    /** Every score and estimator column the configured scorers write, with its Spark SQL type. */
    public static Map<String, String> columns(CurateConfig cfg) {
        return columns(cfg.get(SCORE_SCORERS));
    }

    /** Every score and estimator column the named scorers write, with its Spark SQL type. */
    public static Map<String, String> columns(java.util.Collection<String> scorers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : scorers) {
            for (String c : columnsOf(name)) {
                out.put(c, STRING_COLUMNS.contains(c) ? "STRING" : "DOUBLE");
                out.put(c + "_estimator", "STRING");
            }
        }
        return out;
    }

    static List<String> columnsOf(String scorer) {
        return switch (scorer) {
            case "faces" -> FaceScorer.COLUMNS;
            case "sharpness" -> SharpnessScorer.COLUMNS;
            case "motion" -> MotionScorer.COLUMNS;
            case "brightness" -> BrightnessScorer.COLUMNS;
            case "phash" -> PerceptualHashScorer.COLUMNS;
            case "people" -> PersonScorer.COLUMNS;
            case "quality" -> ModelQualityScorer.COLUMNS;
            case "identity" -> IdentityScorer.COLUMNS;
            case "text" -> TextScorer.COLUMNS;
            case "speech" -> SpeechScorer.COLUMNS;
            case "sync" -> SyncScorer.COLUMNS;
            default -> List.of();
        };
    }

    /*
     * What each scorer's scores depend on: the one table its version (versions) is built from, by SECTION, sharedKeys,
     * readsSyncClock, the models and data files, and dependsOn below.
     *
     *   scorer      config and decode inputs              models and data files         runs after (reads its ClipContext)
     *   ----------  ------------------------------------  ----------------------------  ----------------------------------------
     *   faces       score.face.*, frames                  blazeface | SCRFD export      -
     *   people      score.people.*, frames                MediaPipe | YOLOX (+ pose)    faces, for face_boxes (bodies from faces)
     *                                                                                   and mediapipe (face fallback, face mesh)
     *   sharpness   score.sharpness.*, frames             -                             faces (face crops); people when it finds
     *                                                                                   hands or faces (mediapipe with hands,
     *                                                                                   rtmpose, vitpose)
     *   motion      score.motion.*, frames, sync clock*   UniMatch export               -
     *   brightness  frames                                -                             -
     *   phash       frames                                -                             -
     *   quality     score.quality.*, frames, sync clock*  BRISQUE files | DOVER, CLIP   -
     *   text        score.text.*, frames                  ppocr_det, eng.traineddata    faces (text over faces); people when
     *                                                                                   faces is off and rtmpose/vitpose gives faces
     *   speech      score.speech.*, audio                 silero_vad                    -
     *   sync        score.sync.*, score.speech.threshold, Light-ASD | SyncNet export,   faces (face tracks), speech (voice activity)
     *               score.people.mediapipe_min_presence,  blazeface, silero_vad,
     *               frames, audio, sync clock             mp_face_landmark (lips)
     *   identity    score.identity.*, frames              ArcFace export                faces (the faces it embeds)
     *
     * frames = decode.sample_fps and decode.short_side; audio = decode.audio_rate; sync clock = decode.sync_fps when
     * the sync scorer is on, else none (*: with unimatch, or DOVER, motion or quality score the sync-clock frames when
     * they are decoded, so turning sync on changes their scores). A registry model counts by its registry SHA-256, a
     * user export or data file by the SHA-256 of its bytes (registryModelsOf, userModelsOf, JobFiles.dataFilesOf). A
     * scorer's version includes the versions of the scorers it runs after (dependsOn): a face setting moves faces and
     * every scorer of face boxes. No scorer's input: the order of score.scorers; score.batch_clips,
     * score.model_batch_clips, score.gpu_per_task (throughput); score.text.tessdata, score.quality.brisque_model and
     * score.quality.brisque_range (where a file is: its bytes count); onnx.* and models.* (where and how models run:
     * onnx.device auto resolves per machine, and the estimator columns say @cpu or @cuda); ingest.timeout_s.
     */

    /** The config section ({@code score.<section>.*}) each scorer reads (the table above); none for brightness and phash. */
    private static final Map<String, String> SECTION = Map.ofEntries(Map.entry("faces", "score.face"), Map.entry("people", "score.people"),
            Map.entry("sharpness", "score.sharpness"), Map.entry("motion", "score.motion"), Map.entry("quality", "score.quality"),
            Map.entry("text", "score.text"), Map.entry("speech", "score.speech"), Map.entry("sync", "score.sync"),
            Map.entry("identity", "score.identity"));

    /** Keys of a scorer's section that say where a file is: its bytes are an input, not its place. */
    static final List<String> FILE_PLACES = List.of(SCORE_TEXT_TESSDATA.path(), SCORE_BRISQUE_MODEL.path(), SCORE_BRISQUE_RANGE.path());

    /** The score.* keys that are no scorer's input (see the table): they move no version. */
    static final List<String> NOT_INPUTS = List.of(SCORE_SCORERS.path(), SCORE_BATCH_CLIPS.path(), SCORE_MODEL_BATCH_CLIPS.path(),
            SCORE_GPU_PER_TASK.path());

    private static final List<ConfigKey<?>> FRAMES = List.of(DECODE_SAMPLE_FPS, DECODE_SHORT_SIDE);

    /** The keys outside its own section each scorer reads (the table above; the sync clock is {@link #readsSyncClock}). */
    private static List<ConfigKey<?>> sharedKeys(String scorer) {
        return switch (scorer) {
            case "speech" -> List.of(DECODE_AUDIO_RATE);
            case "sync" -> List.of(DECODE_SAMPLE_FPS, DECODE_SHORT_SIDE, DECODE_AUDIO_RATE, SCORE_SPEECH_THRESHOLD, SCORE_PEOPLE_MP_MIN_PRESENCE);
            default -> FRAMES;
        };
    }

    /** Whether {@code scorer} reads the sync-clock frames when they are decoded (sync; motion with UniMatch; quality with DOVER). */
    static boolean readsSyncClock(String scorer, CurateConfig cfg) {
        return switch (scorer) {
            case "sync" -> true;
            case "motion" -> cfg.get(SCORE_MOTION_ESTIMATOR).equals("unimatch");
            case "quality" -> cfg.get(SCORE_QUALITY_ESTIMATOR).equals("dover");
            default -> false;
        };
    }

    /**
     * The configured scorers whose {@link ClipContext} {@code scorer} reads, in run order: it must run after them, and
     * its version includes theirs ("runs after" in the table above).
     */
    public static List<String> dependsOn(String scorer, CurateConfig cfg) {
        List<String> on = cfg.get(SCORE_SCORERS);
        String people = cfg.get(SCORE_PEOPLE_ESTIMATOR);
        boolean poseFaces = on.contains("people") && (people.equals("rtmpose") || people.equals("vitpose"));
        boolean readsFaces = switch (scorer) {
            case "sharpness", "text", "sync", "identity" -> true;
            case "people" -> people.equals("face_boxes") || people.equals("mediapipe");
            default -> false;
        };
        java.util.Set<String> out = new java.util.HashSet<>();
        // Face boxes come from the face scorer, else (faces off) from a whole-body pose model's face keypoints.
        if (readsFaces && on.contains("faces")) out.add("faces");
        if (readsFaces && !on.contains("faces") && poseFaces && !scorer.equals("people")) out.add("people");
        // Hand boxes come from MediaPipe Hands or a whole-body pose model.
        if (scorer.equals("sharpness") && on.contains("people")
                && (poseFaces || people.equals("mediapipe") && !cfg.get(SCORE_PEOPLE_HANDS).equals("none"))) {
            out.add("people");
        }
        if (scorer.equals("sync") && on.contains("speech")) out.add("speech");
        List<String> ordered = new ArrayList<>();
        for (String s : SCORERS) if (out.contains(s)) ordered.add(s);
        return ordered;
    }

    /** The scorers that must run to rescore {@code scorers}: they and, transitively, those they depend on, in run order. */
    public static List<String> closure(java.util.Collection<String> scorers, CurateConfig cfg) {
        java.util.Set<String> in = new java.util.HashSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(scorers);
        while (!todo.isEmpty()) {
            String s = todo.pop();
            if (in.add(s)) todo.addAll(dependsOn(s, cfg));
        }
        List<String> ordered = new ArrayList<>();
        for (String s : SCORERS) if (in.contains(s)) ordered.add(s);
        return ordered;
    }

    /**
     * The version of each configured scorer, in run order: a hash of what its scores depend on (the table above:
     * the keys it reads, its decode inputs, its models' and data files' SHA-256, and the versions of the scorers it
     * runs after). A clip whose recorded version of a scorer differs is scored again by that scorer.
     */
    public static Map<String, String> versions(CurateConfig cfg, ModelRegistry reg, JobFiles files) {
        Map<String, String> data = files.dataChecksums();
        Map<String, Object> all = cfg.asMap();
        List<String> on = cfg.get(SCORE_SCORERS);
        Map<String, String> out = new LinkedHashMap<>();
        for (String s : SCORERS) { // run order: each scorer after those it depends on
            if (!on.contains(s)) continue;
            Map<String, Object> v = new TreeMap<>();
            v.put("scorer", s);
            String section = SECTION.get(s);
            if (section != null) {
                all.forEach((k, val) -> {
                    if (k.startsWith(section + ".") && !FILE_PLACES.contains(k)) v.put(k, val);
                });
            }
            for (ConfigKey<?> k : sharedKeys(s)) v.put(k.path(), cfg.get(k));
            if (readsSyncClock(s, cfg)) v.put("decode.sync_clock", on.contains("sync") ? cfg.get(DECODE_SYNC_FPS) : 0.0);
            for (String d : JobFiles.dataFilesOf(s, cfg)) v.put("data." + d, data.getOrDefault(d, "missing"));
            for (String m : registryModelsOf(s, cfg)) v.put("model." + m, reg.get(m).sha256());
            userModelsOf(s, cfg).forEach((spec, key) -> {
                Path f = Path.of(cfg.get(key));
                v.put("model." + spec.name(), java.nio.file.Files.isRegularFile(f) ? ModelRegistry.sha256(f) : "missing");
            });
            for (String d : dependsOn(s, cfg)) {
                if (!out.containsKey(d)) throw new IllegalStateException(s + " depends on " + d + ", which runs after it");
                v.put("after." + d, out.get(d));
            }
            out.put(s, Ids.sha256Hex(v.toString()).substring(0, 16));
        }
        return out;
    }

    /** The combined version of the scores ({@code scores_version}): a hash of every configured scorer's version. */
    public static String version(CurateConfig cfg, ModelRegistry reg, JobFiles files) {
        return combined(versions(cfg, reg, files));
    }

    /** The combined version of per-scorer versions (order-free). */
    public static String combined(Map<String, String> versions) {
        return Ids.sha256Hex(new TreeMap<>(versions).toString()).substring(0, 16);
    }

    /** The decoder the configured scorers need: the sync clock only when the sync scorer is on. */
    public static ClipDecoder decoder(CurateConfig cfg, double timeoutS, org.apache.hadoop.conf.Configuration hadoopConf) {
        return decoder(cfg, syncClock(cfg, cfg.get(SCORE_SCORERS)), timeoutS, hadoopConf);
    }

    /**
     * Whether the decode for {@code running} (some of the configured scorers) keeps the sync-clock frames: when the
     * sync scorer is configured and one of them reads those frames, so that they score as in a run of every scorer.
     */
    public static boolean syncClock(CurateConfig cfg, java.util.Collection<String> running) {
        if (!cfg.get(SCORE_SCORERS).contains("sync")) return false;
        for (String s : running) if (readsSyncClock(s, cfg)) return true;
        return false;
    }

    /** The decoder for the configured sample rate, short side and audio rate, with or without the sync clock. */
    public static ClipDecoder decoder(CurateConfig cfg, boolean syncClock, double timeoutS, org.apache.hadoop.conf.Configuration hadoopConf) {
        double syncFps = syncClock ? cfg.get(DECODE_SYNC_FPS) : 0;
        return new ClipDecoder(cfg.get(DECODE_SAMPLE_FPS), syncFps, cfg.get(DECODE_SHORT_SIDE), cfg.get(DECODE_AUDIO_RATE), timeoutS, hadoopConf);
    }

    /**
     * Runs every scorer on one clip; columns a scorer does not set stay absent (null). A native
     * library a scorer cannot load is a {@link NativeLibraryException} naming the scorer.
     */
    public Map<String, Object> score(DecodedClip clip) {
        Map<String, Object> out = new LinkedHashMap<>();
        ClipContext ctx = new ClipContext();
        for (Scorer s : scorers) {
            long t0 = System.nanoTime();
            try {
                s.score(clip, ctx, out);
            } catch (LinkageError e) {
                throw new NativeLibraryException(s.name(), e);
            } finally {
                nanos.merge(s.name(), System.nanoTime() - t0, Long::sum);
            }
        }
        return out;
    }

    /** Scores several clips, each scorer seeing all of them at once (batched inference where the model allows). */
    public List<Map<String, Object>> scoreBatch(List<DecodedClip> clips) {
        List<Map<String, Object>> outs = new ArrayList<>();
        List<ClipContext> ctxs = new ArrayList<>();
        for (int i = 0; i < clips.size(); i++) {
            outs.add(new LinkedHashMap<>());
            ctxs.add(new ClipContext());
        }
        for (Scorer s : scorers) {
            long t0 = System.nanoTime();
            try {
                s.scoreBatch(clips, ctxs, outs);
            } catch (LinkageError e) {
                throw new NativeLibraryException(s.name(), e);
            } finally {
                nanos.merge(s.name(), System.nanoTime() - t0, Long::sum); // a failed batch's time counts too
            }
        }
        return outs;
    }

    /** Nanoseconds spent in each scorer since this set was built (for the benchmarks). */
    public Map<String, Long> nanosByScorer() {
        return nanos;
    }

    @Override
    public void close() {
        for (Scorer s : scorers) s.close();
    }
}
