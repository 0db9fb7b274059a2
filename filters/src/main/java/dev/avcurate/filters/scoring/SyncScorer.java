package dev.avcurate.filters.scoring;

import dev.avcurate.filters.sync.FaceTrack;
import dev.avcurate.filters.sync.FaceTracker;
import dev.avcurate.filters.sync.LightAsd;
import dev.avcurate.filters.sync.LightAsdSync;
import dev.avcurate.filters.sync.LipOpeningSync;
import dev.avcurate.filters.sync.MouthMotionSync;
import dev.avcurate.filters.sync.StableSyncNet;
import dev.avcurate.filters.sync.SyncNet;
import dev.avcurate.filters.sync.SyncResult;
import dev.avcurate.filters.onnx.SileroVad;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Audio-visual sync and active speakers (the recipe's second filter). Face boxes of the sampled
 * frames (from the faces scorer) are linked into tracks on the 25 fps sync clock; each track is
 * scored for sync over shifts -15..+15 frames by Light-ASD's audio-shift search (the default),
 * SyncNet, StableSyncNet or the mouth-motion fallback, and for speaking frames by Light-ASD (the
 * default) or the mouth-motion rule (mouth motion with voice activity from the speech scorer). The clip takes the most confident track's offset,
 * confidence and distance; {@code active_speaker_ratio} is the share of sync frames where some
 * track speaks. Without speech in the clip, sync is not measurable and stays null. Owns nothing
 * native (the sessions are shared).
 */
public final class SyncScorer implements Scorer {
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("sync");

    private final FaceTracker tracker;
    private final SyncNet syncNet;
    private final StableSyncNet stable;
    private final LightAsd lightAsd;
    private final LightAsdSync asdSync;
    private final boolean asdSyncForSync, asdSyncForSpeakers;
    private final double speechThreshold;
    private final double mouthMotionMin;
    private final double speakerMinRatio;

    /**
     * @param syncNet, stable, lightAsd null unless configured (at most one of the first two; lightAsd is a
     *                 user's single-graph export for speaking frames)
     * @param asdSync  the bundled Light-ASD graphs, or null; {@code forSync} / {@code forSpeakers} say what it serves
     */
    public SyncScorer(FaceTracker tracker, SyncNet syncNet, StableSyncNet stable, LightAsd lightAsd, LightAsdSync asdSync,
                      boolean forSync, boolean forSpeakers, double speechThreshold, double mouthMotionMin, double speakerMinRatio) {
        this.tracker = tracker;
        this.syncNet = syncNet;
        this.stable = stable;
        this.lightAsd = lightAsd;
        this.asdSync = asdSync;
        this.asdSyncForSync = asdSync != null && forSync && syncNet == null && stable == null;
        this.asdSyncForSpeakers = asdSync != null && forSpeakers && lightAsd == null;
        this.speechThreshold = speechThreshold;
        this.mouthMotionMin = mouthMotionMin;
        this.speakerMinRatio = speakerMinRatio;
    }

    private dev.avcurate.filters.mediapipe.FaceMeshLandmarker lips;

    /**
     * The mouth-motion fallback follows the face mesh's lip opening ({@link LipOpeningSync}) instead of
     * the mouth patch's grey level, where the mesh finds the face on at least half of a track's frames.
     */
    public SyncScorer withLips(dev.avcurate.filters.mediapipe.FaceMeshLandmarker mesh) {
        this.lips = mesh;
        return this;
    }

    @Override
    public String name() {
        return "sync";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    /** The sync estimator, and for the mouth-motion one the face detector whose mouth keypoints it follows. */
    private String syncEstimator(ClipContext ctx) {
        return syncNet != null ? syncNet.estimator() : stable != null ? stable.estimator()
                : asdSyncForSync ? asdSync.estimator() + "+silero_vad"
                : (lips != null ? LipOpeningSync.ESTIMATOR + "+" + lips.estimator() : MouthMotionSync.ESTIMATOR)
                        + (ctx.faceDetector() == null ? "+no_faces" : "+" + ctx.faceDetector());
    }

    private String asdEstimator() {
        return lightAsd != null ? lightAsd.estimator() : asdSyncForSpeakers ? asdSync.estimator() : "mouth_motion+silero_vad";
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        for (String c : List.of("av_offset_frames", "av_sync_confidence", "av_sync_distance")) out.put(c + "_estimator", syncEstimator(ctx));
        for (String c : List.of("active_speaker_ratio", "speaker_count")) out.put(c + "_estimator", asdEstimator());
        List<VideoFrame> sync = clip.syncFrames();
        // No sync clock, no faces from the faces scorer, or no audio: nothing to measure (null passes the rules).
        if (sync.isEmpty() || ctx.faces() == null || clip.audio() == null) {
            for (String c : columns()) out.put(c, null);
            return;
        }
        double fps = clip.syncFps();
        double[] syncPts = new double[sync.size()];
        for (int i = 0; i < syncPts.length; i++) syncPts[i] = sync.get(i).ptsS();
        double[] detPts = new double[clip.frames().size()];
        for (int i = 0; i < detPts.length; i++) detPts[i] = clip.frames().get(i).ptsS();
        List<FaceTrack> tracks = tracker.track(detPts, ctx.faces(), syncPts, 1 / clip.sampleFps());
        boolean[] speech = speechFrames(clip, ctx, syncPts, fps);
        boolean anySpeech = false;
        for (boolean b : speech) anySpeech |= b;
        double[] rms = MouthMotionSync.frameRms(clip.audio(), clip.audioRate(), clip.startS(), syncPts, fps);
        double[] band = lips != null && anySpeech && syncNet == null && stable == null && !asdSyncForSync
                ? LipOpeningSync.speechBandLogEnergy(clip.audio(), clip.audioRate(), clip.startS(), syncPts, fps) : null;

        boolean[] speakingAny = new boolean[sync.size()];
        int speakers = 0;
        SyncResult best = null;
        // The mouth signals serve the default sync estimator, and the default speaking rule when there is speech.
        boolean mouthSync = syncNet == null && stable == null && !asdSyncForSync;
        boolean mouthSpeakers = lightAsd == null && !asdSyncForSpeakers;
        boolean needMouth = anySpeech && (mouthSync || mouthSpeakers);
        for (FaceTrack t : tracks) {
            MouthMotionSync.Mouth m = needMouth ? MouthMotionSync.mouth(sync, t) : null;
            float[] trackAudio = trackAudio(clip, syncPts, t, fps);
            // Light-ASD gives the speaking logits and the shift search from one pass of its front-ends.
            LightAsdSync.Result asd = asdSync != null && trackAudio != null && (anySpeech || asdSyncForSpeakers)
                    ? asdSync.evaluate(sync, t, trackAudio, java.util.Arrays.copyOfRange(speech, t.first(), t.end()), asdSyncForSync && anySpeech) : null;
            if (anySpeech && trackAudio != null) {
                SyncResult r = syncNet != null ? syncNet.evaluate(sync, t, trackAudio)
                        : stable != null ? stable.evaluate(sync, t, trackAudio)
                        : asdSyncForSync ? asd.sync()
                        : band != null ? lipEstimate(sync, t, band, m, rms)
                        : MouthMotionSync.estimate(m.level(), rms, t.first());
                if (r != null && (best == null || r.confidence() > best.confidence())) best = r;
            }
            boolean[] speaking;
            if (lightAsd != null || asdSyncForSpeakers) {
                float[] logits = trackAudio == null ? new float[0]
                        : lightAsd != null ? lightAsd.logits(sync, t, trackAudio) : asd == null ? new float[0] : asd.logits();
                speaking = java.util.Arrays.copyOf(LightAsd.speaking(logits), t.length());
            } else {
                speaking = m == null ? new boolean[t.length()] : MouthMotionSync.speaking(m.motion(), speech, t.first(), mouthMotionMin);
            }
            int n = 0;
            for (int i = 0; i < speaking.length; i++) {
                if (speaking[i]) {
                    speakingAny[t.first() + i] = true;
                    n++;
                }
            }
            if (n >= speakerMinRatio * t.length() && n > 0) speakers++;
        }
        int active = 0;
        for (boolean b : speakingAny) if (b) active++;
        out.put("av_offset_frames", best == null ? null : (double) best.offsetFrames());
        out.put("av_sync_confidence", best == null ? null : best.confidence());
        out.put("av_sync_distance", best == null ? null : best.minDistance());
        out.put("active_speaker_ratio", active / (double) sync.size());
        out.put("speaker_count", (double) speakers);
    }

    /** The lip-opening estimate of one track; the mouth patch's when the mesh misses the face on most frames. */
    private SyncResult lipEstimate(List<VideoFrame> sync, FaceTrack t, double[] band, MouthMotionSync.Mouth m, double[] rms) {
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < t.length(); i++) {
            double s = t.s()[i];
            boxes.add(new Box(t.cx()[i] - s, t.cy()[i] - s, t.cx()[i] + s, t.cy()[i] + s, 1, null));
        }
        double[] open = LipOpeningSync.filled(lips.mouthOpening(sync.subList(t.first(), t.end()), boxes));
        return open != null ? LipOpeningSync.estimate(open, band, t.first()) : MouthMotionSync.estimate(m.level(), rms, t.first());
    }

    /** Audio under the track, from its first frame to the end of its last (syncnet_python cuts the same span). */
    static float[] trackAudio(DecodedClip clip, double[] syncPts, FaceTrack t, double fps) {
        float[] a = clip.audio();
        if (a == null) return null;
        int from = (int) Math.round((syncPts[t.first()] - clip.startS()) * clip.audioRate());
        int to = (int) Math.round((syncPts[t.end() - 1] + 1 / fps - clip.startS()) * clip.audioRate());
        from = Math.max(0, Math.min(a.length, from));
        to = Math.max(from, Math.min(a.length, to));
        return to - from < clip.audioRate() / fps ? null : java.util.Arrays.copyOfRange(a, from, to);
    }

    /** Speech flag per sync frame: some 32 ms VAD window overlapping the frame's 40 ms, centred on its time, is speech. */
    boolean[] speechFrames(DecodedClip clip, ClipContext ctx, double[] syncPts, double fps) {
        boolean[] out = new boolean[syncPts.length];
        float[] p = ctx.speechProbabilities();
        if (p == null || p.length == 0) return out;
        double win = SileroVad.WINDOW / (double) clip.audioRate();
        for (int i = 0; i < syncPts.length; i++) {
            double a = syncPts[i] - 0.5 / fps - clip.startS(), b = a + 1 / fps;
            for (int w = Math.max(0, (int) Math.floor(a / win)); w < p.length && w * win < b; w++) {
                if (p[w] >= speechThreshold) {
                    out[i] = true;
                    break;
                }
            }
        }
        return out;
    }
}
