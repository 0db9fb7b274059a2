package dev.avcurate.trainer;

import java.util.List;

/**
 * The DiT's shape, from a training config's {@code model:} section. Size-agnostic in height, width
 * and frame count: positions are computed per input, so one model trains on every bucket.
 *
 * @param channels channels of the (pixel or latent) video, 3 in pixel space
 * @param dim token width
 * @param depth DiT blocks
 * @param heads attention heads (dim must divide by it)
 * @param mlpRatio MLP hidden width over dim
 * @param patch spatial patch of the generated frames (temporal patch 1)
 * @param textDim width of the shards' caption embedding (all-MiniLM-L6-v2: 384)
 * @param textTokens tokens the caption embedding is projected to for cross-attention
 * @param melBins log-mel bins of the audio features
 * @param audioDim channels of the audio encoder's causal convolutions
 * @param audioLayers causal convolution layers, averaged with learned weights (Wan-S2V's layer average)
 * @param melPerFrame mel frames per latent frame (the encoder's last causal conv has this stride)
 * @param audioTokens audio tokens per latent frame (a_i)
 * @param framePack motion-frame groups, newest first
 * @param zeroInit adaLN-Zero: modulation gates, cross-attention outputs and the final layer start at zero
 */
public record ModelConfig(
        int channels, int dim, int depth, int heads, int mlpRatio, int patch,
        int textDim, int textTokens,
        int melBins, int audioDim, int audioLayers, int melPerFrame, int audioTokens,
        List<FramePack.Group> framePack, boolean zeroInit) {

    public ModelConfig {
        framePack = List.copyOf(framePack);
        if (dim % heads != 0) throw new IllegalArgumentException("model.dim (" + dim + ") must be divisible by model.heads (" + heads + ")");
        if (dim % 6 != 0) throw new IllegalArgumentException("model.dim (" + dim + ") must be divisible by 6 (3-D sine positions)");
    }

    /** Motion frames the Frame Pack groups take in all. */
    public int motionFrames() {
        return framePack.stream().mapToInt(FramePack.Group::frames).sum();
    }

    public ModelConfig withChannels(int c) {
        return new ModelConfig(c, dim, depth, heads, mlpRatio, patch, textDim, textTokens, melBins, audioDim, audioLayers,
                melPerFrame, audioTokens, framePack, zeroInit);
    }

    public ModelConfig withZeroInit(boolean z) {
        return new ModelConfig(channels, dim, depth, heads, mlpRatio, patch, textDim, textTokens, melBins, audioDim, audioLayers,
                melPerFrame, audioTokens, framePack, z);
    }

    /** The CPU-sized model of conf/train-tiny.yaml. */
    public static ModelConfig tiny() {
        return new ModelConfig(3, 96, 3, 4, 3, 4, 384, 4, 40, 64, 3, 8, 2,
                List.of(new FramePack.Group(1, 1, 4, 4), new FramePack.Group(2, 1, 8, 8), new FramePack.Group(4, 2, 16, 16)), true);
    }
}
