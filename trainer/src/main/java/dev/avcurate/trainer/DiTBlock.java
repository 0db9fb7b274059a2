package dev.avcurate.trainer;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One DiT block: adaLN-Zero self-attention over all tokens (generated and motion), cross-attention
 * to the caption tokens, Wan-S2V's audio block (the tokens of latent frame i attend only to the
 * audio tokens a_i of that frame), and an adaLN-Zero MLP.
 */
public final class DiTBlock extends Module {
    private final LinearImpl modulation;
    private final Attention self;
    private final Attention text;
    private final Attention audio;
    private final LinearImpl fc1;
    private final LinearImpl fc2;

    public DiTBlock(ModelConfig m) {
        modulation = register_module("modulation", new LinearImpl(m.dim(), 6L * m.dim()));
        self = register_module("self_attn", new Attention(m.dim(), m.dim(), m.heads(), false));
        text = register_module("text_attn", new Attention(m.dim(), m.dim(), m.heads(), m.zeroInit()));
        audio = register_module("audio_attn", new Attention(m.dim(), m.dim(), m.heads(), m.zeroInit()));
        fc1 = register_module("fc1", new LinearImpl(m.dim(), (long) m.dim() * m.mlpRatio()));
        fc2 = register_module("fc2", new LinearImpl((long) m.dim() * m.mlpRatio(), m.dim()));
        if (m.zeroInit()) {
            Tensors.zero(modulation.weight());
            Tensors.zero(modulation.bias());
        }
    }

    /**
     * @param x (B, F*P + K, D): F frames of P tokens each, then K motion-frame tokens
     * @param c (B, D) timestep conditioning
     * @param textTokens (B, T, D)
     * @param audioTokens (B, F, A, D)
     */
    public Tensor forward(Tensor x, Tensor c, Tensor textTokens, Tensor audioTokens, long frames, long perFrame) {
        TensorVector mod = modulation.forward(torch.silu(c)).chunk(6, 1);
        Tensor h = Tensors.modulate(Tensors.layerNorm(x), mod.get(0), mod.get(1));
        x = x.add(self.forward(h, h).mul(mod.get(2).unsqueeze(1)));
        x = x.add(text.forward(Tensors.layerNorm(x), textTokens));
        x = audioBlock(x, audioTokens, frames, perFrame);
        h = Tensors.modulate(Tensors.layerNorm(x), mod.get(3), mod.get(4));
        return x.add(fc2.forward(torch.gelu(fc1.forward(h))).mul(mod.get(5).unsqueeze(1)));
    }

    /** The audio block alone: generated tokens of frame i cross-attend to a_i; motion tokens pass through. */
    public Tensor audioBlock(Tensor x, Tensor audioTokens, long frames, long perFrame) {
        long b = x.size(0), d = x.size(2), main = frames * perFrame;
        Tensor gen = x.narrow(1, 0, main);
        Tensor q = Tensors.layerNorm(gen).reshape(b * frames, perFrame, d);
        Tensor a = audioTokens.reshape(b * frames, audioTokens.size(2), d);
        Tensor out = gen.add(audio.forward(q, a).reshape(b, main, d));
        if (x.size(1) == main) return out;
        TensorVector parts = new TensorVector(out, x.narrow(1, main, x.size(1) - main));
        return torch.cat(parts, 1);
    }
}
