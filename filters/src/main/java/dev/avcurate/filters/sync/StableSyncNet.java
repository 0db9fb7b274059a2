package dev.avcurate.filters.sync;

import dev.avcurate.filters.audio.LogMel;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * LatentSync's StableSyncNet as an alternative sync scorer: 16-frame windows of 256x256 RGB face
 * crops scaled to [-1, 1], lower half only, frames stacked on channels (B,48,128,256, channel =
 * frame * 3 + c); audio windows of 52 frames of the 80-bin log-mel (B,1,80,52) starting at
 * {@code int(80 * frame / 25)}; the two embeddings compared by cosine similarity (LatentSync
 * calls a pair in sync above 0.5). For each shift -15..+15 the mean cosine over the track's
 * windows (one per start frame) is taken; the offset is the best shift (SPEC sign: audio window starting k frames
 * later matches, k > 0 = audio lags), confidence is the mean cosine there, distance 1 - it.
 * The crop is syncnet_python's geometry, not LatentSync's landmark alignment. Does not own the session.
 */
public final class StableSyncNet {
    public static final String NAME = "stable_syncnet";
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("video", new long[] {-1, 48, 128, 256}, "audio", new long[] {-1, 1, 80, 52}),
            Map.of("video_embedding", new long[] {-1, -1}, "audio_embedding", new long[] {-1, -1}));
    static final int FRAMES = 16, SIZE = 256, HALF = 128, BATCH = 8;
    private final OnnxSessions.Shared shared;
    private FloatBuffer videoBuf, audioBuf; // reused across batches; one operator per task

    public StableSyncNet(OnnxSessions.Shared shared) {
        this.shared = shared;
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /** Preprocess: the lower half of the 256 crop, RGB planes in [-1, 1], (3, 128, 256). */
    static float[] lowerHalf(VideoFrame f, double x, double y, double s) {
        byte[] c = FaceCrops.bgr(f, x, y, s, SIZE);
        float[] out = new float[3 * HALF * SIZE];
        int plane = HALF * SIZE;
        for (int r = 0; r < HALF; r++) {
            for (int col = 0; col < SIZE; col++) {
                int o = ((r + HALF) * SIZE + col) * 3;
                for (int ch = 0; ch < 3; ch++) out[ch * plane + r * SIZE + col] = (c[o + 2 - ch] & 0xff) / 127.5f - 1f;
            }
        }
        return out;
    }

    /**
     * Windows start at every frame w of the track (as SyncNet's do), each video window paired in
     * the same batch row with the audio window starting at w, so both branches run on equal batches.
     *
     * @return null when the track is shorter than one window
     */
    public SyncResult evaluate(List<VideoFrame> syncFrames, FaceTrack t, float[] trackAudio) {
        float[][] mel = LogMel.compute(trackAudio); // [80][frames]
        int melFrames = mel[0].length;
        int last = t.length() - FRAMES + 1;
        while (last > 0 && LogMel.windowStart(last - 1, 25) + LogMel.WINDOW > melFrames) last--;
        if (last <= 0) return null;
        List<float[]> videoEmb = new ArrayList<>(), audioEmb = new ArrayList<>();
        // Crops are made as windows reach them and dropped once behind: a batch's worth in memory, not the track's.
        float[][] halves = new float[t.length()][];
        for (int b0 = 0; b0 < last; b0 += BATCH) {
            int b = Math.min(BATCH, last - b0);
            for (int i = 0; i < b0; i++) halves[i] = null;
            for (int i = b0; i < b0 + b + FRAMES - 1; i++) {
                if (halves[i] == null) halves[i] = lowerHalf(syncFrames.get(t.first() + i), t.cx()[i], t.cy()[i], t.s()[i]);
            }
            FloatBuffer video = videoBuf = OnnxIo.reuse(videoBuf, (long) b * 48 * HALF * SIZE);
            FloatBuffer audio = audioBuf = OnnxIo.reuse(audioBuf, (long) b * 80 * LogMel.WINDOW);
            for (int i = 0; i < b; i++) {
                int w = b0 + i;
                for (int f = 0; f < FRAMES; f++) video.put(halves[w + f]);
                int s0 = LogMel.windowStart(w, 25);
                for (int m = 0; m < 80; m++) audio.put(mel[m], s0, LogMel.WINDOW);
            }
            Map<String, float[]> r = OnnxIo.run(shared, NAME, Map.of(
                    "video", new Object[] {video, new long[] {b, 48, HALF, SIZE}},
                    "audio", new Object[] {audio, new long[] {b, 1, 80, LogMel.WINDOW}}), "video_embedding", "audio_embedding");
            OnnxIo.rows(r.get("video_embedding"), b, videoEmb);
            OnnxIo.rows(r.get("audio_embedding"), b, audioEmb);
        }
        double[] dist = new double[2 * SyncResult.MAX_SHIFT + 1];
        double bestCos = -2;
        int best = 0;
        for (int k = -SyncResult.MAX_SHIFT; k <= SyncResult.MAX_SHIFT; k++) {
            double sum = 0;
            int n = 0;
            for (int w = 0; w < last; w++) {
                int j = w + k;
                if (j < 0 || j >= last) continue;
                sum += cosine(videoEmb.get(w), audioEmb.get(j));
                n++;
            }
            double c = n == 0 ? -1 : sum / n;
            dist[k + SyncResult.MAX_SHIFT] = 1 - c;
            if (n > 0 && c > bestCos) {
                bestCos = c;
                best = k;
            }
        }
        return new SyncResult(best, bestCos, 1 - bestCos, dist, estimator());
    }

    static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }
}
