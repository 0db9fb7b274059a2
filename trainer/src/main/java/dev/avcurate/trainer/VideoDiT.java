package dev.avcurate.trainer;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The audio-driven video DiT (velocity prediction for flow matching). Input: the noisy frames
 * x_t (B, C, F, H, W) and t; conditions: the reference image, motion frames (Frame Pack context),
 * the caption embedding (cross-attention), the log-mel audio (audio block). Output: v (B, C, F, H, W).
 *
 * <p>The reference image is injected as in HunyuanVideo-Avatar: patchified, projected and
 * <b>added</b> to the tokens of every generated frame (not concatenated). Positions are fixed 3-D
 * sine embeddings of (t, y, x), so frames of any bucket size and the packed motion tokens (at
 * negative t, coarser grids) share one coordinate system.
 */
public final class VideoDiT extends Module {
    private final ModelConfig cfg;
    private final LinearImpl patchEmbed;
    private final LinearImpl refEmbed;
    private final FramePack framePack;
    private final LinearImpl time1;
    private final LinearImpl time2;
    private final LinearImpl textProj;
    private final AudioEncoder audioEncoder;
    private final List<DiTBlock> blocks = new ArrayList<>();
    private final LinearImpl finalModulation;
    private final LinearImpl finalLinear;

    public VideoDiT(ModelConfig m) {
        this.cfg = m;
        long patchIn = (long) m.channels() * m.patch() * m.patch();
        patchEmbed = register_module("patch_embed", new LinearImpl(patchIn, m.dim()));
        refEmbed = register_module("ref_embed", new LinearImpl(patchIn, m.dim()));
        framePack = register_module("frame_pack", new FramePack(m.framePack(), m.channels(), m.dim()));
        time1 = register_module("time1", new LinearImpl(256, m.dim()));
        time2 = register_module("time2", new LinearImpl(m.dim(), m.dim()));
        textProj = register_module("text_proj", new LinearImpl(m.textDim(), (long) m.textTokens() * m.dim()));
        audioEncoder = register_module("audio", new AudioEncoder(m));
        for (int i = 0; i < m.depth(); i++) blocks.add(register_module("block" + i, new DiTBlock(m)));
        finalModulation = register_module("final_modulation", new LinearImpl(m.dim(), 2L * m.dim()));
        finalLinear = register_module("final_linear", new LinearImpl(m.dim(), patchIn));
        if (m.zeroInit()) {
            Tensors.zero(finalModulation.weight());
            Tensors.zero(finalModulation.bias());
            Tensors.zero(finalLinear.weight());
            Tensors.zero(finalLinear.bias());
        }
    }

    public ModelConfig config() {
        return cfg;
    }

    public FramePack framePack() {
        return framePack;
    }

    /**
     * Conditions of one batch. A keep mask (B) of 1/0 per sample drops a condition for
     * classifier-free guidance (training dropout, or the unconditional branch when sampling);
     * null keeps it for every sample.
     *
     * @param reference (B, C, H, W)
     * @param motion (B, C, M, H, W), oldest first
     * @param text (B, textDim) caption embeddings (zeros where a clip has none)
     * @param mel (B, melBins, F * melPerFrame)
     */
    public record Conditions(Tensor reference, Tensor motion, Tensor text, Tensor mel, Tensor keepText, Tensor keepAudio, Tensor keepReference) {
        public Conditions withKeep(Tensor keepText, Tensor keepAudio, Tensor keepReference) {
            return new Conditions(reference, motion, text, mel, keepText, keepAudio, keepReference);
        }
    }

    /** Predicted velocity v = eps - x0 for x_t at times t (B). */
    public Tensor forward(Tensor xt, Tensor t, Conditions c) {
        long b = xt.size(0), ch = xt.size(1), f = xt.size(2), h = xt.size(3), w = xt.size(4);
        int p = cfg.patch();
        if (h % p != 0 || w % p != 0) throw new IllegalArgumentException("frame size " + h + "x" + w + " not divisible by model.patch " + p);
        long perFrame = (h / p) * (w / p);
        Tensor x = patchEmbed.forward(FramePack.patchify(xt, 1, p, p)); // (B, F*P, D)
        Tensor ref = refEmbed.forward(FramePack.patchify(c.reference().unsqueeze(2), 1, p, p)); // (B, P, D)
        ref = maskRows(ref, c.keepReference());
        x = x.add(ref.repeat(1, f, 1));
        x = x.add(cachedPositions("main " + f + "x" + h + "x" + w, () -> mainPositions(f, h / p, w / p), x));

        FramePack.Packed packed = framePack.forward(c.motion(), p);
        Tensor motion = packed.tokens().add(cachedPositions("pack " + h + "x" + w, packed::positions, packed.tokens()));
        x = torch.cat(new TensorVector(x, motion), 1);

        Tensor temb = time2.forward(torch.silu(time1.forward(timestepEmbedding(t, 256))));
        Tensor text = textProj.forward(maskRows(c.text(), c.keepText())).view(b, cfg.textTokens(), cfg.dim());
        Tensor audio = maskRows(audioEncoder.forward(c.mel()), c.keepAudio());

        for (DiTBlock block : blocks) x = block.forward(x, temb, text, audio, f, perFrame);

        Tensor gen = x.narrow(1, 0, f * perFrame);
        TensorVector mod = finalModulation.forward(torch.silu(temb)).chunk(2, 1);
        Tensor out = finalLinear.forward(Tensors.modulate(Tensors.layerNorm(gen), mod.get(0), mod.get(1)));
        return FramePack.unpatchify(out, ch, f, h, w, p);
    }

    /** Multiplies each sample's rows by its keep value (B); null keeps everything. */
    static Tensor maskRows(Tensor x, Tensor keep) {
        if (keep == null) return x;
        long[] shape = new long[(int) x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = x.size(0);
        return x.mul(keep.view(shape));
    }

    static List<float[]> mainPositions(long frames, long rows, long cols) {
        List<float[]> pos = new ArrayList<>();
        for (long t = 0; t < frames; t++) for (long i = 0; i < rows; i++) for (long j = 0; j < cols; j++) pos.add(new float[] {t, i, j});
        return pos;
    }

    private final java.util.Map<String, float[]> positionCache = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The position table for a grid: its sines computed once per grid (not per forward), kept as a
     * Java array (a cached native tensor would be freed by the caller's PointerScope), copied into
     * a tensor on the input's device per forward.
     */
    private Tensor cachedPositions(String grid, java.util.function.Supplier<List<float[]>> pos, Tensor like) {
        float[] table = positionCache.computeIfAbsent(grid, k -> sines(pos.get()));
        return Tensors.fromFloats(table, table.length / cfg.dim(), cfg.dim()).to(like.device(), like.scalar_type());
    }

    /** Fixed 3-D sine embedding (N, D) of (t, y, x) positions: D/3 dims per axis, half sine, half cosine. */
    float[] sines(List<float[]> pos) {
        int d = cfg.dim(), per = d / 3, half = per / 2;
        float[] out = new float[pos.size() * d];
        for (int n = 0; n < pos.size(); n++) {
            float[] q = pos.get(n);
            for (int axis = 0; axis < 3; axis++) {
                for (int k = 0; k < half; k++) {
                    double freq = Math.pow(10000.0, -(double) k / half);
                    double a = q[axis] * freq;
                    out[n * d + axis * per + k] = (float) Math.sin(a);
                    out[n * d + axis * per + half + k] = (float) Math.cos(a);
                }
            }
        }
        return out;
    }

    /** Sinusoidal embedding of t in [0, 1] (scaled by 1000, as DiT does for its integer steps). */
    static Tensor timestepEmbedding(Tensor t, int dim) {
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int k = 0; k < half; k++) freqs[k] = (float) Math.exp(-Math.log(10000.0) * k / half);
        Tensor f = Tensors.fromFloats(freqs, 1, half).to(t.device(), t.scalar_type());
        Tensor args = t.unsqueeze(1).mul(Tensors.s(1000.0)).mul(f);
        return torch.cat(new TensorVector(torch.cos(args), torch.sin(args)), 1);
    }
}
