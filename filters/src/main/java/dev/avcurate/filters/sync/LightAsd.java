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
 * Inputs audio (B,4T,13) and video (B,T,112,112); output one logit per frame. A frame is
 * speaking when the mean logit over frames f-2 .. f+2 (the reference's slice
 * {@code score[max(f-2,0):min(f+3,len-1)]}) is at least 0. Does not own the session.
 */
public final class LightAsd {
    public static final String NAME = "light_asd";
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("audio", new long[] {-1, -1, 13}, "video", new long[] {-1, -1, 112, 112}),
            Map.of("scores", new long[] {-1, -1}));
    static final int SIZE = 112;
    private final OnnxSessions.Shared shared;

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
     * Per-frame logits of the track (after trimming to the audio; frames past it get none).
     *
     * @param trackAudio 16 kHz audio from the track's first frame to the end of its last
     */
    public float[] logits(List<VideoFrame> syncFrames, FaceTrack t, float[] trackAudio) {
        float[][] mfcc = Mfcc.compute(SyncNet.int16Scale(trackAudio));
        double lengthS = Math.min((mfcc.length - mfcc.length % 4) / 100.0, t.length() / 25.0);
        int a = (int) Math.round(lengthS * 100), v = (int) Math.round(lengthS * 25);
        if (v == 0) return new float[0];
        FloatBuffer audio = OnnxIo.buffer((long) a * 13), video = OnnxIo.buffer((long) v * SIZE * SIZE);
        for (int i = 0; i < a; i++) audio.put(mfcc[i]);
        for (int i = 0; i < v; i++) video.put(crop(syncFrames.get(t.first() + i), t.cx()[i], t.cy()[i], t.s()[i]));
        return OnnxIo.run(shared, NAME, Map.of(
                "audio", new Object[] {audio, new long[] {1, a, 13}},
                "video", new Object[] {video, new long[] {1, v, SIZE, SIZE}}), "scores").get("scores");
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
