package dev.avcurate.filters.sync;

import dev.avcurate.filters.audio.Mfcc;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Light-ASD with its published AVA weights as both the active-speaker detector and the lip-sync
 * estimator, from the three graphs {@code filters/light-asd/export_light_asd.py} exports (audio
 * front-end, visual front-end, audio-visual backend with the speaking logit).
 *
 * <p>Per face track on the 25 fps clock: crops and MFCC exactly as {@link LightAsd} (Columbia_test's
 * geometry and trimming), each front-end run once over the whole track. Speaking logits: the
 * backend over the whole track at shift 0. Sync: the backend once per audio shift k in -15..+15
 * frames, batched, always on the same frames (the common window 15 .. T-15, so every shift sees
 * the same video and only real audio; a circular roll or the largest overlap per shift biased the
 * answer), cut into 1 s windows. Shift k pairs video frame i with audio frame i + k, so the best k
 * is the SPEC offset (positive = the audio lags). Per shift the score is the mean logit over the
 * frames whose audio is speech (the speaker's silent frames score low whatever the shift and only
 * blur the curve). Distances are the negated per-shift scores and are reduced as SyncNet's: offset
 * = the best shift, confidence = median - min (how far the best shift stands out, in logits).
 * How well this holds on real footage is measured in CALIBRATION.md. Does not own the sessions.
 */
public final class LightAsdSync {
    public static final String NAME = "light_asd";
    /** Registry names of the three graphs (conf/models.yaml). */
    public static final List<String> MODELS = List.of("light_asd_audio", "light_asd_visual", "light_asd_backend");
    static final int M = SyncResult.MAX_SHIFT;
    /** Fewest frames in the common window for a sync estimate (with 15 each side: 1.6 s of track). */
    public static final int MIN_WINDOW = 10;
    /** Fewest speech frames in the window for the speech-gated mean; fewer and every frame counts. */
    static final int MIN_SPEECH_FRAMES = 5;
    static final int D = 128;
    /**
     * Frames per backend pass in the shift search: 1 s, Columbia_test's shortest pass. Over a whole
     * track the bidirectional GRU sees a talking face and speech throughout and scores every shift
     * nearly alike; 1 s windows keep the logit local (measured in CALIBRATION.md: 1 s windows
     * recovered more known shifts than 2 s or the whole track).
     */
    static final int CHUNK = 25;

    private final OnnxSessions.Shared audio, visual, backend;
    private FloatBuffer videoBuf, mfccBuf, aBuf, vBuf; // reused across tracks; one operator per task

    public LightAsdSync(OnnxSessions.Shared audio, OnnxSessions.Shared visual, OnnxSessions.Shared backend) {
        this.audio = audio;
        this.visual = visual;
        this.backend = backend;
    }

    public String estimator() {
        return NAME + "@" + backend.device();
    }

    /**
     * @param logits speaking logit per track frame at shift 0 (after trimming to the audio)
     * @param sync   the shift search, or null when the track is too short for the common window
     */
    public record Result(float[] logits, SyncResult sync) {}

    /** Both front-ends' embeddings of one track, (T, 128) each, trimmed to a common length T. */
    record Embeddings(float[] audio, float[] visual, int frames) {}

    /**
     * @param trackAudio 16 kHz audio from the track's first frame to the end of its last
     * @param speech     speech flag per track frame (by the audio under it), or null
     */
    public Result evaluate(List<VideoFrame> syncFrames, FaceTrack t, float[] trackAudio, boolean[] speech) {
        return evaluate(syncFrames, t, trackAudio, speech, true);
    }

    /** @param search false when only the speaking logits are wanted (the 31-shift batch is most of the cost) */
    public Result evaluate(List<VideoFrame> syncFrames, FaceTrack t, float[] trackAudio, boolean[] speech, boolean search) {
        Embeddings e = embed(syncFrames, t, trackAudio);
        if (e == null) return new Result(new float[0], null);
        float[] logits = backend(e.audio, e.visual, 1, e.frames);
        return new Result(logits, search ? shiftSearch(e, speech) : null);
    }

    Embeddings embed(List<VideoFrame> syncFrames, FaceTrack t, float[] trackAudio) {
        float[][] mfcc = Mfcc.ofUnitAudio(trackAudio);
        double lengthS = Math.min((mfcc.length - mfcc.length % 4) / 100.0, t.length() / 25.0);
        int v = (int) Math.round(lengthS * 25);
        int a = 4 * v;
        if (v == 0 || a > mfcc.length) return null;
        FloatBuffer video = videoBuf = OnnxIo.reuse(videoBuf, (long) v * LightAsd.SIZE * LightAsd.SIZE);
        for (int i = 0; i < v; i++) video.put(LightAsd.crop(syncFrames.get(t.first() + i), t.cx()[i], t.cy()[i], t.s()[i]));
        FloatBuffer m = mfccBuf = OnnxIo.reuse(mfccBuf, (long) a * 13);
        for (int i = 0; i < a; i++) m.put(mfcc[i]);
        float[] ve = OnnxIo.run(visual, "light_asd_visual",
                Map.of("video", new Object[] {video, new long[] {1, v, LightAsd.SIZE, LightAsd.SIZE}}), "visual_embed").get("visual_embed");
        float[] ae = OnnxIo.run(audio, "light_asd_audio",
                Map.of("mfcc", new Object[] {m, new long[] {1, a, 13}}), "audio_embed").get("audio_embed");
        int n = Math.min(ve.length, ae.length) / D;
        return new Embeddings(ae, ve, n);
    }

    /** The backend over {@code b} rows of {@code t} frames: a and v hold (b, t, 128) each. */
    float[] backend(float[] a, float[] v, int b, int t) {
        FloatBuffer ab = aBuf = OnnxIo.reuse(aBuf, (long) b * t * D);
        FloatBuffer vb = vBuf = OnnxIo.reuse(vBuf, (long) b * t * D);
        ab.put(a, 0, b * t * D);
        vb.put(v, 0, b * t * D);
        return OnnxIo.run(backend, "light_asd_backend", Map.of(
                "audio_embed", new Object[] {ab, new long[] {b, t, D}},
                "visual_embed", new Object[] {vb, new long[] {b, t, D}}), "scores").get("scores");
    }

    /**
     * The 31 shifts over the common window, cut into 1 s windows ({@link #CHUNK}), all in one batch
     * (31 x windows rows); null when the track is too short. Frames past the last whole window are
     * left out.
     */
    SyncResult shiftSearch(Embeddings e, boolean[] speech) {
        int w = e.frames - 2 * M;
        if (w < MIN_WINDOW) return null;
        int shifts = 2 * M + 1;
        int len = Math.min(w, CHUNK);
        int chunks = w / len;
        int b = shifts * chunks;
        float[] a = new float[b * len * D], v = new float[b * len * D];
        for (int s = 0; s < shifts; s++) {
            int k = s - M;
            for (int c = 0; c < chunks; c++) {
                int row = (s * chunks + c) * len * D;
                System.arraycopy(e.audio, (M + k + c * len) * D, a, row, len * D);
                System.arraycopy(e.visual, (M + c * len) * D, v, row, len * D);
            }
        }
        float[] scores = backend(a, v, b, len);
        w = chunks * len;
        double[] curve = curve(scores, shifts, w, speech);
        double[] d = new double[shifts];
        for (int s = 0; s < shifts; s++) d[s] = -curve[s];
        return SyncResult.fromDistances(d, NAME);
    }

    /**
     * Per shift: the mean logit over the window's frames whose audio (frame M + k + i of the track)
     * is speech, or over every frame when fewer than {@link #MIN_SPEECH_FRAMES} are.
     */
    static double[] curve(float[] scores, int shifts, int w, boolean[] speech) {
        double[] out = new double[shifts];
        for (int s = 0; s < shifts; s++) {
            int k = s - M;
            double all = 0, gated = 0;
            int n = 0;
            for (int i = 0; i < w; i++) {
                double x = scores[s * w + i];
                all += x;
                int j = M + k + i;
                if (speech != null && j < speech.length && speech[j]) {
                    gated += x;
                    n++;
                }
            }
            out[s] = n >= MIN_SPEECH_FRAMES ? gated / n : all / w;
        }
        return out;
    }
}
