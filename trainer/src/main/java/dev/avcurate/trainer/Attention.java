package dev.avcurate.trainer;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head attention over token sequences (B, N, D): self-attention when keys come from the
 * queries' own sequence, cross-attention otherwise. Runs libtorch's scaled_dot_product_attention.
 */
public final class Attention extends Module {
    private final int heads;
    private final LinearImpl q;
    private final LinearImpl kv;
    private final LinearImpl out;

    /** @param zeroOut zero-initialise the output projection, so the residual branch starts as identity */
    public Attention(int dim, int contextDim, int heads, boolean zeroOut) {
        if (dim % heads != 0) throw new IllegalArgumentException("model.dim " + dim + " is not divisible by model.heads " + heads);
        this.heads = heads;
        q = register_module("q", new LinearImpl(dim, dim));
        kv = register_module("kv", new LinearImpl(contextDim, 2L * dim));
        out = register_module("out", new LinearImpl(dim, dim));
        if (zeroOut) {
            Tensors.zero(out.weight());
            Tensors.zero(out.bias());
        }
    }

    /** @param x (B, N, D) queries; @param context (B, M, Dc) keys and values */
    public Tensor forward(Tensor x, Tensor context) {
        long b = x.size(0), n = x.size(1), d = x.size(2), m = context.size(1);
        long hd = d / heads;
        Tensor qh = q.forward(x).view(b, n, heads, hd).transpose(1, 2);
        Tensor kvh = kv.forward(context).view(b, m, 2, heads, hd).permute(2, 0, 3, 1, 4);
        Tensor o = torch.scaled_dot_product_attention(qh, kvh.select(0, 0), kvh.select(0, 1));
        return out.forward(o.transpose(1, 2).reshape(b, n, d));
    }
}
