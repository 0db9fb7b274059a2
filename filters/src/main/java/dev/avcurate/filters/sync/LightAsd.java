package dev.avcurate.filters.sync;

import dev.avcurate.filters.audio.Mfcc;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Light-ASD active speaker detection as its Columbia_test evaluates a 25 fps face track: crops of
 * the track (crop scale 0.4), grey, resized to 224 and centre-cropped to 112, raw 0..255 (the
 * model normalizes inside); MFCC with 13 coefficients at 100 frames per second (4 per video
 * frame); both trimmed to the same length ({@code min((A - A % 4) / 100, T / 25)} seconds).
 * Inputs audio (B,4T,13) and video (B,T,112,112); output one logit per frame. As the reference,
 * the track is run in chunks of 1, 1, 1, 2, 2, 2, 3, 3, 4, 5 and 6 seconds (11 passes), the
 * per-frame scores averaged over the passes and rounded to 0.1. A frame is speaking when the
 * mean score over frames f-2 .. f+2 (the reference's slice {@code score[max(f-2,0):min(f+3,len-1)]})
 * is at least 0. Does not own the session.
 */
public final class LightAsd {
    public static final String NAME = "light_asd";
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("audio", new long[] {-1, -1, 13}, "video", new long[] {-1, -1, 112, 112}),
            Map.of("scores", new long[] {-1, -1}));
    static final int SIZE = 112;
    /** Columbia_test's durationSet, seconds: each pass cuts the track into chunks of this length. */
    static final int[] DURATIONS = {1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6};
    private final OnnxSessions.Shared shared;
    private FloatBuffer videoBuf, audioBuf; // reused across chunks; one operator per task

    public LightAsd(OnnxSessions.Shared shared) {
        this.shared = shared;
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /** Preprocess: grey 224 crop, centre 112 (rows and columns 56..167), one plane per frame. */
    static float[] crop(VideoFrame f, double x, double y, double s) {
        byte[] g = FaceCrops.grey(f, x, y, s, 224);
        float[] out = new float[SIZE * SIZE];
        for (int r = 0; r < SIZE; r++) {
            for (int c = 0; c < SIZE; c++) out[r * SIZE + c] = g[(r + 56) * 224 + c + 56] & 0xff;
        }
        return out;
    }

    /**
     * Per-frame scores of the track (after trimming to the audio; frames past it get none).
     *
     * @param trackAudio 16 kHz audio from the track's first frame to the end of its last
     */
    public float[] logits(List<VideoFrame> syncFrames, FaceTrack t, float[] trackAudio) {
        float[][] mfcc = Mfcc.ofUnitAudio(trackAudio);
        double lengthS = Math.min((mfcc.length - mfcc.length % 4) / 100.0, t.length() / 25.0);
        int a = (int) Math.round(lengthS * 100), v = (int) Math.round(lengthS * 25);
        if (v == 0) return new float[0];
        float[][] crops = new float[v][];
        for (int i = 0; i < v; i++) crops[i] = crop(syncFrames.get(t.first() + i), t.cx()[i], t.cy()[i], t.s()[i]);
        double[] sum = new double[v];
        for (int d : DURATIONS) {
            for (int c = 0; c * d * 25 < v; c++) {
                int v0 = c * d * 25, v1 = Math.min(v, (c + 1) * d * 25);
                int a0 = c * d * 100, a1 = Math.min(a, (c + 1) * d * 100);
                FloatBuffer audio = audioBuf = OnnxIo.reuse(audioBuf, (long) (a1 - a0) * 13);
                FloatBuffer video = videoBuf = OnnxIo.reuse(videoBuf, (long) (v1 - v0) * SIZE * SIZE);
                for (int i = a0; i < a1; i++) audio.put(mfcc[i]);
                for (int i = v0; i < v1; i++) video.put(crops[i]);
                float[] out = OnnxIo.run(shared, NAME, Map.of(
                        "audio", new Object[] {audio, new long[] {1, a1 - a0, 13}},
                        "video", new Object[] {video, new long[] {1, v1 - v0, SIZE, SIZE}}), "scores").get("scores");
                for (int i = 0; i < out.length && v0 + i < v; i++) sum[v0 + i] += out[i];
            }
        }
        float[] scores = new float[v];
        for (int i = 0; i < v; i++) scores[i] = (float) (Math.round(sum[i] / DURATIONS.length * 10) / 10.0);
        return scores;
    }

    /** Post-process: speaking frames by the reference's smoothing. */
    public static boolean[] speaking(float[] logits) {
        boolean[] out = new boolean[logits.length];
        for (int f = 0; f < logits.length; f++) {
            int from = Math.max(f - 2, 0), to = Math.min(f + 3, logits.length - 1);
            if (to <= from) to = Math.min(from + 1, logits.length); // a one-frame track: its own score
            double s = 0;
            for (int k = from; k < to; k++) s += logits[k];
            out[f] = s / (to - from) >= 0;
        }
        return out;
    }
}
