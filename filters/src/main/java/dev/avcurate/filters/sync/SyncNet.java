package dev.avcurate.filters.sync;

import dev.avcurate.filters.audio.Mfcc;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SyncNet (Chung and Zisserman, the Sync-C/Sync-D metric) as syncnet_python evaluates a face
 * track: 224x224 BGR crops with raw 0..255 values, 5-frame windows (B,3,5,224,224) against MFCC
 * windows of 20 frames (B,1,13,20) starting at 4 MFCC frames per video frame, 1024-d embeddings
 * from both branches, then for each shift -15..+15 the mean over windows of the Euclidean
 * distance (PyTorch's pairwise_distance, eps 1e-6; audio embeddings padded with zero vectors past
 * either end), Sync-D = min, Sync-C = median - min. syncnet_python prints its offset as
 * {@code 15 - argmin}, positive when the audio leads; {@link SyncResult} uses the opposite (SPEC)
 * sign: {@code argmin - 15}, positive when the audio lags. Does not own the session.
 */
public final class SyncNet {
    public static final String NAME = "syncnet";
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("video", new long[] {-1, 3, 5, 224, 224}, "audio", new long[] {-1, 1, 13, 20}),
            Map.of("video_embedding", new long[] {-1, 1024}, "audio_embedding", new long[] {-1, 1024}));
    static final int SIZE = 224, WINDOW = 5, MFCC_WINDOW = 20, BATCH = 20;
    private final OnnxSessions.Shared shared;
    private FloatBuffer videoBuf, audioBuf; // reused across batches; one operator per task

    public SyncNet(OnnxSessions.Shared shared) {
        this.shared = shared;
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /** Preprocess: the crop of track frame i, channel-planar (3, 224, 224), BGR, 0..255. */
    static float[] crop(List<VideoFrame> syncFrames, FaceTrack t, int i) {
        byte[] c = FaceCrops.bgr(syncFrames.get(t.first() + i), t.cx()[i], t.cy()[i], t.s()[i], SIZE);
        float[] p = new float[3 * SIZE * SIZE];
        for (int k = 0; k < SIZE * SIZE; k++) {
            for (int ch = 0; ch < 3; ch++) p[ch * SIZE * SIZE + k] = c[k * 3 + ch] & 0xff;
        }
        return p;
    }

    /**
     * @param trackAudio 16 kHz audio from the track's first frame to the end of its last
     * @return null when the track is shorter than one window
     */
    public SyncResult evaluate(List<VideoFrame> syncFrames, FaceTrack t, float[] trackAudio) {
        float[][] mfcc = Mfcc.ofUnitAudio(trackAudio); // [frames][13]
        int last = Math.min(t.length(), trackAudio.length / 640) - WINDOW;
        if (last <= 0) return null;
        // Crops are made as windows reach them and dropped once behind: a batch's worth in memory, not the track's.
        float[][] crops = new float[t.length()][];
        List<float[]> vEmb = new ArrayList<>(), aEmb = new ArrayList<>();
        int plane = SIZE * SIZE;
        for (int b0 = 0; b0 < last; b0 += BATCH) {
            int b = Math.min(BATCH, last - b0);
            for (int i = 0; i < b0; i++) crops[i] = null;
            for (int i = b0; i < b0 + b + WINDOW - 1; i++) if (crops[i] == null) crops[i] = crop(syncFrames, t, i);
            FloatBuffer video = videoBuf = OnnxIo.reuse(videoBuf, (long) b * 3 * WINDOW * plane);
            FloatBuffer audio = audioBuf = OnnxIo.reuse(audioBuf, (long) b * 13 * MFCC_WINDOW);
            for (int w = 0; w < b; w++) {
                int v = b0 + w;
                for (int ch = 0; ch < 3; ch++) {
                    for (int f = 0; f < WINDOW; f++) video.put(crops[v + f], ch * plane, plane);
                }
                for (int c = 0; c < 13; c++) {
                    for (int k = 0; k < MFCC_WINDOW; k++) audio.put(mfcc[v * 4 + k][c]);
                }
            }
            Map<String, float[]> r = OnnxIo.run(shared, NAME, Map.of(
                    "video", new Object[] {video, new long[] {b, 3, WINDOW, SIZE, SIZE}},
                    "audio", new Object[] {audio, new long[] {b, 1, 13, MFCC_WINDOW}}), "video_embedding", "audio_embedding");
            OnnxIo.rows(r.get("video_embedding"), b, vEmb);
            OnnxIo.rows(r.get("audio_embedding"), b, aEmb);
        }
        return SyncResult.fromDistances(meanDistances(vEmb, aEmb), estimator());
    }

    /** syncnet_python's calc_pdist then the mean over windows: mdist[k] = mean_i ||v_i - a_(i+k-15) + 1e-6||. */
    static double[] meanDistances(List<float[]> v, List<float[]> a) {
        int shifts = 2 * SyncResult.MAX_SHIFT + 1;
        double[] m = new double[shifts];
        for (int i = 0; i < v.size(); i++) {
            float[] vi = v.get(i);
            for (int k = 0; k < shifts; k++) {
                int j = i + k - SyncResult.MAX_SHIFT;
                float[] aj = j < 0 || j >= a.size() ? null : a.get(j);
                double s = 0;
                for (int d = 0; d < vi.length; d++) {
                    double diff = vi[d] - (aj == null ? 0 : aj[d]) + 1e-6;
                    s += diff * diff;
                }
                m[k] += Math.sqrt(s);
            }
        }
        for (int k = 0; k < shifts; k++) m[k] /= v.size();
        return m;
    }
}
