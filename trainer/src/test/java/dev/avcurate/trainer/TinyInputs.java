package dev.avcurate.trainer;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Seeded random inputs for the tiny model in tests: 2 samples, 2 frames of 16x16, 7 motion frames. */
final class TinyInputs {
    static final int B = 2, C = 3, F = 2, H = 16, W = 16;
    final Tensor x0, reference, motion, text, mel;

    TinyInputs(ModelConfig m, long seed) {
        torch.manual_seed(seed);
        x0 = torch.rand(B, C, F, H, W).mul(Tensors.s(2)).sub(Tensors.s(1));
        reference = torch.rand(B, C, H, W).mul(Tensors.s(2)).sub(Tensors.s(1));
        motion = torch.rand(B, C, m.motionFrames(), H, W).mul(Tensors.s(2)).sub(Tensors.s(1));
        text = torch.randn(B, m.textDim());
        mel = torch.randn(B, m.melBins(), (long) F * m.melPerFrame());
    }

    VideoDiT.Conditions conditions() {
        return new VideoDiT.Conditions(reference, motion, text, mel, null, null, null);
    }

    static {
        torch.set_num_threads(1);
    }
}
