package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.VideoFrame;
import java.util.List;
import java.util.Map;

/**
 * The LAION aesthetic predictor (christophschuhmann/improved-aesthetic-predictor,
 * {@code simple_inference.py}): the CLIP ViT-L/14 image embedding, L2-normalized, through the MLP
 * head 768 -> 1024 -> 128 -> 64 -> 16 -> 1 (linear layers only; its dropouts are identity at
 * inference), a score on the AVA 1..10 scale. Two user exports: the CLIP image tower
 * ({@link #CLIP_SPEC}, e.g. transformers' CLIPVisionModelWithProjection, whose
 * {@code image_embeds} are not normalized) and the head ({@link #HEAD_SPEC}); the normalization
 * happens here between them, as the reference does it in numpy.
 *
 * <p>Preprocessing is openai/CLIP's {@code clip.py _transform}: torchvision {@code Resize(224,
 * BICUBIC)} of the PIL image (short side to 224, long side {@code int(224 * long / short)}; PIL's
 * bicubic, antialiased when shrinking, see {@link Images#pilBicubic}), {@code CenterCrop(224)}
 * (offsets {@code round((size - 224) / 2)}, half to even), RGB, /255, mean (0.48145466, 0.4578275,
 * 0.40821073), std (0.26862954, 0.26130258, 0.27577711). The frames at 10%, 50% and 90% of the clip
 * (the positions the default BRISQUE estimator of {@code quality_*} uses) go through both models in
 * one batch each; the clip's score is their mean. Does not own the sessions.
 */
public final class ClipAesthetic {
    public static final String CLIP_NAME = "clip_image", HEAD_NAME = "aesthetic_head";
    public static final ModelSpec CLIP_SPEC = new ModelSpec(CLIP_NAME, "", "", "user",
            Map.of("pixel_values", new long[] {-1, 3, 224, 224}), Map.of("image_embeds", new long[] {-1, 768}));
    public static final ModelSpec HEAD_SPEC = new ModelSpec(HEAD_NAME, "", "", "user",
            Map.of("embedding", new long[] {-1, 768}), Map.of("score", new long[] {-1, 1}));
    static final int SIZE = 224, DIM = 768;
    static final double[] AT = {0.1, 0.5, 0.9};
    static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f}, STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** @param score mean of {@code perFrame}, the AVA-scale scores of the frames at 10/50/90% */
    public record Result(double score, double[] perFrame, String estimator) {}

    private final OnnxSessions.Shared clip, head;

    public ClipAesthetic(OnnxSessions.Shared clip, OnnxSessions.Shared head) {
        this.clip = clip;
        this.head = head;
    }

    public String estimator() {
        return "laion_aesthetic_clip_vit_l14@" + clip.device();
    }

    /** Indices of the frames at 10%, 50% and 90% of {@code n}: {@code min(n-1, floor(at * n))}. */
    static int[] frameIndices(int n) {
        int[] idx = new int[AT.length];
        for (int i = 0; i < AT.length; i++) idx[i] = Math.min(n - 1, (int) Math.floor(AT[i] * n));
        return idx;
    }

    /** CLIP's transform of one frame: (3, 224, 224) planar, normalized. */
    static float[] preprocess(VideoFrame f) {
        int w = f.width(), h = f.height();
        int ow, oh;
        if (w <= h) {
            ow = SIZE;
            oh = (int) ((long) SIZE * h / w);
        } else {
            oh = SIZE;
            ow = (int) ((long) SIZE * w / h);
        }
        float[][] img = Images.rgb(f);
        if (ow != w || oh != h) img = Images.pilBicubic(img, w, h, ow, oh);
        int top = (int) Math.rint((oh - SIZE) / 2.0), left = (int) Math.rint((ow - SIZE) / 2.0);
        float[] out = new float[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    out[(c * SIZE + y) * SIZE + x] = (img[c][(top + y) * ow + left + x] / 255f - MEAN[c]) / STD[c];
                }
            }
        }
        return out;
    }

    /** simple_inference.py's normalized(): each row divided by its L2 norm (left alone when zero). */
    static float[] l2Rows(float[] flat, int rows) {
        float[] out = flat.clone();
        int d = flat.length / rows;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += (double) flat[r * d + k] * flat[r * d + k];
            double n = s == 0 ? 1 : Math.sqrt(s);
            for (int k = 0; k < d; k++) out[r * d + k] = (float) (flat[r * d + k] / n);
        }
        return out;
    }

    /** @return null when there are no frames */
    public Result score(List<VideoFrame> frames) {
        if (frames.isEmpty()) return null;
        int[] idx = frameIndices(frames.size());
        int b = idx.length, plane = 3 * SIZE * SIZE;
        float[] pixels = new float[b * plane];
        for (int i = 0; i < b; i++) System.arraycopy(preprocess(frames.get(idx[i])), 0, pixels, i * plane, plane);
        float[] emb = VisionIo.run(clip, CLIP_NAME, Map.of("pixel_values", new Object[] {pixels, new long[] {b, 3, SIZE, SIZE}}),
                "image_embeds").get("image_embeds");
        float[] s = VisionIo.run(head, HEAD_NAME, Map.of("embedding", new Object[] {l2Rows(emb, b), new long[] {b, DIM}}),
                "score").get("score");
        double[] per = new double[b];
        double sum = 0;
        for (int i = 0; i < b; i++) sum += per[i] = s[i];
        return new Result(sum / b, per, estimator());
    }
}
