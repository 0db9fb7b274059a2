package dev.avcurate.trainer;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Audio features to per-latent-frame audio tokens, after Wan-S2V's audio path: a stack of causal
 * 1-D convolutions over log-mel frames, a learned softmax-weighted average of every layer's output
 * (Wan-S2V averages Wav2Vec's layers the same way), then a causal strided convolution down to the
 * latent frame rate and a projection to {@code audioTokens} tokens per frame. Causal: the tokens of
 * frame i depend on no audio after frame i.
 */
public final class AudioEncoder extends Module {
    private final List<Tensor> weights = new ArrayList<>();
    private final List<Tensor> biases = new ArrayList<>();
    private final Tensor layerLogits;
    private final Tensor downWeight;
    private final Tensor downBias;
    private final LinearImpl toTokens;
    private final int melPerFrame;
    private final int tokens;
    private final int dim;
    private static final int KERNEL = 3;

    public AudioEncoder(ModelConfig m) {
        this.melPerFrame = m.melPerFrame();
        this.tokens = m.audioTokens();
        this.dim = m.dim();
        for (int i = 0; i < m.audioLayers(); i++) {
            long in = i == 0 ? m.melBins() : m.audioDim();
            double bound = 1.0 / Math.sqrt(in * KERNEL);
            weights.add(parameter("conv" + i + "_weight", torch.rand(m.audioDim(), in, KERNEL).mul(Tensors.s(2 * bound)).sub(Tensors.s(bound))));
            biases.add(parameter("conv" + i + "_bias", torch.zeros(m.audioDim())));
        }
        layerLogits = parameter("layer_logits", torch.zeros(m.audioLayers()));
        double bound = 1.0 / Math.sqrt((double) m.audioDim() * melPerFrame);
        downWeight = parameter("down_weight", torch.rand(m.dim(), m.audioDim(), melPerFrame).mul(Tensors.s(2 * bound)).sub(Tensors.s(bound)));
        downBias = parameter("down_bias", torch.zeros(m.dim()));
        toTokens = register_module("to_tokens", new LinearImpl(m.dim(), (long) m.dim() * m.audioTokens()));
    }

    /**
     * Registers a parameter and keeps our own handle to it: the reference that register_parameter
     * returns points into the module's parameter table and dangles once the table grows (a crash
     * in libtorch, seen here); the handle shares the parameter's storage and gradient.
     */
    private Tensor parameter(String name, Tensor value) {
        register_parameter(name, value);
        return value;
    }

    /**
     * @param mel (B, melBins, F * melPerFrame) log-mel frames aligned with the F latent frames
     * @return (B, F, audioTokens, D)
     */
    public Tensor forward(Tensor mel) {
        long b = mel.size(0), len = mel.size(2);
        if (len % melPerFrame != 0) throw new IllegalArgumentException("mel frames " + len + " not a multiple of " + melPerFrame);
        long frames = len / melPerFrame;
        Tensor h = mel;
        Tensor avg = null;
        Tensor w = torch.softmax(layerLogits, 0);
        for (int i = 0; i < weights.size(); i++) {
            // causal: pad KERNEL-1 frames on the left only
            // (the conv1d overloads with stride/padding arrays crash in this preset: bias added by hand)
            h = torch.gelu(torch.conv1d(torch.constant_pad_nd(h, KERNEL - 1, 0), weights.get(i)).add(biases.get(i).view(1, -1, 1)));
            Tensor term = h.mul(w.select(0, i));
            avg = avg == null ? term : avg.add(term);
        }
        // A causal conv with kernel = stride = melPerFrame, written as a reshape and a matrix product:
        // latent frame i sees exactly its own mel frames (after the causal stack).
        long channels = avg.size(1);
        Tensor framesOfMel = avg.view(b, channels, frames, melPerFrame).permute(0, 2, 1, 3).reshape(b, frames, channels * melPerFrame);
        Tensor perFrame = framesOfMel.matmul(downWeight.reshape(downWeight.size(0), channels * melPerFrame).t()).add(downBias); // (B, F, D)
        return toTokens.forward(torch.gelu(perFrame)).view(b, frames, tokens, dim);
    }
}
