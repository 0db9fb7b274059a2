package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DOVER (Wu et al., ICCV 2023), the clarity dimension of the Wan-S2V / HunyuanVideo-Avatar
 * recipe, run from the user's export of the two-branch model. The views and the fusion follow
 * VQAssessment/DOVER: {@code dover.yml} (data.val-l1080p, the config {@code evaluate_one_video.py}
 * reads), {@code dover/datasets/fusion_datasets.py} ({@code UnifiedFrameSampler},
 * {@code get_spatial_fragments}, {@code get_resized_video}) and {@code evaluate_one_video.py}
 * ({@code fuse_results}).
 *
 * <p><b>Technical view</b>: {@code UnifiedFrameSampler(clip_len=32, num_clips=3, frame_interval=2)}
 * (the config passes num_clips as the sampler's temporal fragment count), i.e. the frames split
 * into 3 equal segments, 32 frames 2 apart from a random start in each, indices modulo the frame
 * count; each frame cut into a 7x7 grid with one 32x32 patch per cell at a random offset inside the
 * cell (one offset per cell per 32-frame clip, {@code aligned: 32}), spliced into 224x224. Frames
 * whose short side is below 224 are first upsampled (bilinear, scale 1/ratio, cast to uint8) while
 * the grid is still laid out on the original size, as the reference does. <b>Aesthetic view</b>:
 * 32 segments, one frame each at a random offset, resized to 224x224 (torchvision
 * {@code Resize((224,224))} on uint8 tensors: bilinear, no antialias as torchvision before 0.17
 * did on tensors, rounded). Both normalized per RGB channel with mean (123.675, 116.28, 103.53),
 * std (58.395, 57.12, 57.375), laid out {@code (clips, 3, 32, 224, 224)}.
 *
 * <p><b>Randomness</b>: the reference draws its offsets from unseeded numpy/torch generators; here
 * a {@link SplittableRandom} seeded with {@link #SEED} draws them in a fixed order, so a clip
 * always gets the same score (but not the same offsets as any reference run).
 *
 * <p><b>Frames</b>: frame_interval 2 counts frames of the video at its native rate (decord reads
 * every frame), so the faithful input is every decoded frame of the clip (decode with sample_fps
 * 0 or at the source rate). Given frames sampled at {@code decode.sample_fps} the same indices are
 * taken over that list, i.e. the technical clips span 64 sampled frames (12.8 s at 5 fps instead of
 * ~2.1 s at 30 fps): blur and compression are still measured, temporal artefacts much less so.
 * Clips under 32 frames repeat frame 0 in the aesthetic view, as the reference's sampler does.
 *
 * <p><b>Export</b>: DOVER's {@code convert_to_onnx.py} names the inputs {@code aes_view} and
 * {@code tech_view} and leaves the outputs unnamed; export with
 * {@code output_names=["aesthetic_score", "technical_score"]} (each the per-clip mean of the head,
 * shape (clips)) and either a dynamic batch on tech_view or a fixed one: the number of technical
 * clips sampled is the export's fixed batch when it has one (convert_to_onnx.py exports with an example input of 4 clips),
 * else the config's 3. Scores: the raw outputs averaged over clips, then
 * {@code t = (technical - 0.1107) / 0.07355}, {@code a = (aesthetic + 0.08285) / 0.03774},
 * overall = sigmoid(0.6104 t + 0.3896 a), technical = sigmoid(t), aesthetic = sigmoid(a) (DOVER's
 * master {@code fuse_results}; one early revision printed {@code - 0.08285}). Does not own the session.
 */
public final class DoverQuality {
    public static final String NAME = "dover";
    public static final ModelSpec SPEC = new ModelSpec(NAME, "", "", "user",
            Map.of("aes_view", new long[] {1, 3, 32, 224, 224}, "tech_view", new long[] {-1, 3, 32, 224, 224}),
            Map.of("aesthetic_score", new long[] {-1}, "technical_score", new long[] {-1}));
    public static final long SEED = 42;
    static final int CLIP_LEN = 32, INTERVAL = 2, CLIPS = 3, GRID = 7, PATCH = 32, SIZE = GRID * PATCH;
    static final float[] MEAN = {123.675f, 116.28f, 103.53f}, STD = {58.395f, 57.12f, 57.375f};
    /** fuse_results (evaluate_one_video.py). */
    static final double T_MEAN = 0.1107, T_STD = 0.07355, A_OFFSET = 0.08285, A_STD = 0.03774, T_WEIGHT = 0.6104, A_WEIGHT = 0.3896;

    /** Sigmoid-rescaled scores in 0..1 (higher is better) and the raw head outputs they came from. */
    public record Result(double technical, double aesthetic, double overall, double rawTechnical, double rawAesthetic, String estimator) {}

    private final OnnxSessions.Shared shared;

    public DoverQuality(OnnxSessions.Shared shared) {
        this.shared = shared;
    }

    public String estimator() {
        return NAME + "@" + shared.device();
    }

    /**
     * @param frames every frame of the clip in order (see the class comment for the rate)
     * @param fps    the rate of {@code frames}; only reported, the reference counts frames, not seconds
     * @return null when there are no frames
     */
    public Result score(List<VideoFrame> frames, double fps) {
        if (frames.isEmpty()) return null;
        long fixed = VisionIo.inputDim(shared, "tech_view", 0);
        int clips = fixed > 0 ? (int) fixed : CLIPS;
        SplittableRandom rnd = new SplittableRandom(SEED);
        int[] tIdx = technicalIndices(frames.size(), clips, rnd);
        int[] aIdx = aestheticIndices(frames.size(), rnd);
        float[] tech = technicalView(frames, tIdx, clips, rnd);
        float[] aes = aestheticView(frames, aIdx);
        Map<String, float[]> r = VisionIo.run(shared, NAME, Map.of(
                "aes_view", new Object[] {aes, new long[] {1, 3, CLIP_LEN, SIZE, SIZE}},
                "tech_view", new Object[] {tech, new long[] {clips, 3, CLIP_LEN, SIZE, SIZE}}), "aesthetic_score", "technical_score");
        return fuse(mean(r.get("technical_score")), mean(r.get("aesthetic_score")), estimator() + ":fuse_results");
    }

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s / v.length;
    }

    /** evaluate_one_video.py's fuse_results. */
    static Result fuse(double technical, double aesthetic, String estimator) {
        double t = (technical - T_MEAN) / T_STD, a = (aesthetic + A_OFFSET) / A_STD;
        return new Result(sigmoid(t), sigmoid(a), sigmoid(T_WEIGHT * t + A_WEIGHT * a), technical, aesthetic, estimator);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** UnifiedFrameSampler.get_frame_indices then the modulo of __call__: {@code fragments} segments of {@code fsize} frames. */
    static int[] sample(int n, int fragments, int fsize, int interval, SplittableRandom rnd) {
        int tlength = n / fragments;
        int[] idx = new int[fragments * fsize];
        for (int i = 0; i < fragments; i++) {
            int off = tlength > fsize * interval ? rnd.nextInt(tlength - fsize * interval) : 0;
            for (int k = 0; k < fsize; k++) idx[i * fsize + k] = (k * interval + off + tlength * i) % n;
        }
        return idx;
    }

    /** The technical branch's frames: {@code clips} runs of 32 frames, 2 apart. */
    static int[] technicalIndices(int n, int clips, SplittableRandom rnd) {
        return sample(n, clips, CLIP_LEN, INTERVAL, rnd);
    }

    /** The aesthetic branch's frames: one from each of 32 segments (t_frag 32, clip_len 32). */
    static int[] aestheticIndices(int n, SplittableRandom rnd) {
        return sample(n, CLIP_LEN, 1, INTERVAL, rnd);
    }

    /** Writes a normalized planar RGB 224x224 frame into a (3, T, 224, 224) block at time t. */
    private static void put(float[] dst, int base, int t, float[][] img) {
        int plane = SIZE * SIZE;
        for (int c = 0; c < 3; c++) {
            int o = base + (c * CLIP_LEN + t) * plane;
            for (int k = 0; k < plane; k++) dst[o + k] = (img[c][k] - MEAN[c]) / STD[c];
        }
    }

    /** The fragments view, (clips, 3, 32, 224, 224): clip k is frames {@code idx[32k .. 32k+31]}. */
    static float[] technicalView(List<VideoFrame> frames, int[] idx, int clips, SplittableRandom rnd) {
        float[] out = new float[clips * 3 * CLIP_LEN * SIZE * SIZE];
        VideoFrame f0 = frames.get(0);
        int resH = f0.height(), resW = f0.width();
        int hlen = resH / GRID, wlen = resW / GRID;
        for (int clip = 0; clip < clips; clip++) {
            int[][] offH = new int[GRID][GRID], offW = new int[GRID][GRID];
            for (int i = 0; i < GRID; i++) {
                for (int j = 0; j < GRID; j++) {
                    offH[i][j] = hlen > PATCH ? rnd.nextInt(hlen - PATCH) : 0;
                    offW[i][j] = wlen > PATCH ? rnd.nextInt(wlen - PATCH) : 0;
                }
            }
            for (int t = 0; t < CLIP_LEN; t++) {
                float[][] img = Images.rgb(frames.get(idx[clip * CLIP_LEN + t]));
                int w = resW, h = resH;
                double ratio = Math.min((double) resH / SIZE, (double) resW / SIZE);
                if (ratio < 1) { // fallback_type "upsample": F.interpolate(scale_factor=1/ratio), cast back to uint8
                    int ow = (int) Math.floor(w / ratio), oh = (int) Math.floor(h / ratio);
                    img = Images.bilinear(img, w, h, ow, oh, false, ratio, ratio);
                    for (float[] p : img) for (int k = 0; k < p.length; k++) p[k] = (float) Math.floor(p[k]);
                    w = ow;
                    h = oh;
                }
                float[][] frag = new float[3][SIZE * SIZE];
                for (int i = 0; i < GRID; i++) {
                    int hs = Math.min(hlen * i, resH - PATCH); // laid out on the pre-upsampling size, as the reference
                    for (int j = 0; j < GRID; j++) {
                        int ws = Math.min(wlen * j, resW - PATCH);
                        int sy = hs + offH[i][j], sx = ws + offW[i][j];
                        for (int c = 0; c < 3; c++) {
                            for (int y = 0; y < PATCH; y++) {
                                int srcY = sy + y;
                                if (srcY < 0 || srcY >= h) continue; // torch slicing past the edge leaves zeros
                                int cols = Math.min(PATCH, w - sx);
                                if (cols > 0) System.arraycopy(img[c], srcY * w + sx, frag[c], (i * PATCH + y) * SIZE + j * PATCH, cols);
                            }
                        }
                    }
                }
                put(out, clip * 3 * CLIP_LEN * SIZE * SIZE, t, frag);
            }
        }
        return out;
    }

    /** The aesthetic view, (1, 3, 32, 224, 224): each frame resized to 224x224. */
    static float[] aestheticView(List<VideoFrame> frames, int[] idx) {
        float[] out = new float[3 * CLIP_LEN * SIZE * SIZE];
        for (int t = 0; t < CLIP_LEN; t++) {
            VideoFrame f = frames.get(idx[t]);
            float[][] img = Images.bilinear(Images.rgb(f), f.width(), f.height(), SIZE, SIZE, false);
            Images.roundToBytes(img);
            put(out, 0, t, img);
        }
        return out;
    }
}
