package dev.avcurate.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class VideoDiTTest {

    private static double maxAbsDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }

    @Test
    void eulerWithTheTrueVelocityReconstructsX0() {
        torch.manual_seed(1);
        Tensor x0 = torch.rand(2, 3, 2, 8, 8);
        Tensor eps = torch.randn(2, 3, 2, 8, 8);
        // The oracle of our convention: x_t = t*eps + (1-t)*x0  =>  v = (x_t - x0) / t = eps - x0.
        Tensor t = torch.full(new long[] {2}, Tensors.s(0.3));
        assertTrue(maxAbsDiff(FlowMatching.interpolate(x0, eps, t), eps.mul(Tensors.s(0.3)).add(x0.mul(Tensors.s(0.7)))) < 1e-6);
        Tensor out = FlowMatching.euler(eps, 10, 3.0, (xt, tt) -> FlowMatching.velocity(x0, eps));
        assertTrue(maxAbsDiff(out, x0) < 1e-5, "Euler from t=1 with v = eps - x0 must land on x0");
        // A state-dependent oracle (v from x_t alone, as a model computes it) lands there too.
        Tensor out2 = FlowMatching.euler(eps, 7, 1.0, (xt, tt) -> xt.sub(x0).div(FlowMatching.broadcast(tt, xt)));
        assertTrue(maxAbsDiff(out2, x0) < 1e-4);
        // The opposite sign walks away from x0.
        Tensor wrong = FlowMatching.euler(eps, 10, 1.0, (xt, tt) -> FlowMatching.velocity(x0, eps).neg());
        assertTrue(maxAbsDiff(wrong, x0) > 0.5);
    }

    @Test
    void framePackCompressesOlderFramesToTheStatedTokenCounts() {
        ModelConfig m = ModelConfig.tiny();
        // newest frame at 4x4 patches, the next two at 8x8, the four oldest at 2x16x16: on 32x48 frames
        List<FramePack.Group> g = m.framePack();
        assertEquals(96, g.get(0).tokens(32, 48));
        assertEquals(2 * 4 * 6, g.get(1).tokens(32, 48));
        assertEquals(2 * 2 * 3, g.get(2).tokens(32, 48));
        VideoDiT model = new VideoDiT(m);
        Tensor motion = torch.rand(1, 3, 7, 32, 48);
        FramePack.Packed p = model.framePack().forward(motion, m.patch());
        assertEquals(96 + 48 + 12, p.tokens().size(1));
        assertEquals(p.tokens().size(1), p.positions().size());
        // seven motion frames uncompressed would be 7 * 96 = 672 tokens
        assertTrue(p.tokens().size(1) * 4 < 7 * 96);
        assertArrayEquals(new float[] {-1f, 0f, 0f}, p.positions().get(0), 1e-6f);
        // the oldest group's first token: frames -7 and -6 in one temporal patch
        assertEquals(-6.5f, p.positions().get(96 + 48)[0], 1e-6f);
    }

    @Test
    void audioTokensOfFrameIReachOnlyTheTokensOfFrameI() {
        ModelConfig m = ModelConfig.tiny().withZeroInit(false);
        torch.manual_seed(3);
        DiTBlock block = new DiTBlock(m);
        long frames = 3, perFrame = 16, motion = 10;
        Tensor x = torch.randn(2, frames * perFrame + motion, m.dim());
        Tensor audio = torch.randn(2, frames, m.audioTokens(), m.dim());
        Tensor changed = audio.clone();
        try (NoGradGuard g = new NoGradGuard()) {
            changed.select(1, 1).add_(torch.randn(2, m.audioTokens(), m.dim()));
            Tensor a = block.audioBlock(x, audio, frames, perFrame);
            Tensor b = block.audioBlock(x, changed, frames, perFrame);
            assertTrue(maxAbsDiff(a.narrow(1, 0, perFrame), b.narrow(1, 0, perFrame)) == 0.0, "frame 0 must not see frame 1's audio");
            assertTrue(maxAbsDiff(a.narrow(1, 2 * perFrame, perFrame), b.narrow(1, 2 * perFrame, perFrame)) == 0.0, "frame 2 must not see frame 1's audio");
            assertTrue(maxAbsDiff(a.narrow(1, perFrame, perFrame), b.narrow(1, perFrame, perFrame)) > 1e-3, "frame 1 must follow its own audio");
            assertTrue(maxAbsDiff(a.narrow(1, frames * perFrame, motion), b.narrow(1, frames * perFrame, motion)) == 0.0, "motion tokens get no audio");
        }
    }

    @Test
    void theAudioEncoderIsCausal() {
        ModelConfig m = ModelConfig.tiny();
        torch.manual_seed(4);
        AudioEncoder enc = new AudioEncoder(m);
        Tensor mel = torch.randn(1, m.melBins(), 3L * m.melPerFrame());
        Tensor changed = mel.clone();
        try (NoGradGuard g = new NoGradGuard()) {
            changed.narrow(2, 2L * m.melPerFrame(), m.melPerFrame()).add_(Tensors.s(5)); // audio of the last frame
            Tensor a = enc.forward(mel), b = enc.forward(changed);
            assertEquals(0.0, maxAbsDiff(a.narrow(1, 0, 2), b.narrow(1, 0, 2)), "earlier frames' tokens must not depend on later audio");
            assertTrue(maxAbsDiff(a.narrow(1, 2, 1), b.narrow(1, 2, 1)) > 1e-4);
        }
    }

    @Test
    void theReferenceImageChangesTheOutput() {
        ModelConfig m = ModelConfig.tiny().withZeroInit(false);
        torch.manual_seed(5);
        VideoDiT model = new VideoDiT(m);
        TinyInputs in = new TinyInputs(m, 6);
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor t = torch.full(new long[] {TinyInputs.B}, Tensors.s(0.5));
            Tensor a = model.forward(in.x0, t, in.conditions());
            VideoDiT.Conditions other = new VideoDiT.Conditions(in.reference.flip(3), in.motion, in.text, in.mel, null, null, null);
            Tensor b = model.forward(in.x0, t, other);
            assertTrue(maxAbsDiff(a, b) > 1e-3, "another reference image must change the prediction");
            // dropping the reference for sample 0 only changes sample 0
            Tensor keep = Tensors.fromFloats(new float[] {0f, 1f}, 2);
            Tensor c = model.forward(in.x0, t, in.conditions().withKeep(null, null, keep));
            assertTrue(maxAbsDiff(a.select(0, 0), c.select(0, 0)) > 1e-3);
            assertEquals(0.0, maxAbsDiff(a.select(0, 1), c.select(0, 1)), 1e-6);
        }
    }

    @Test
    void oneBatchOverfits() {
        ModelConfig m = ModelConfig.tiny();
        torch.manual_seed(7);
        VideoDiT model = new VideoDiT(m);
        TinyInputs in = new TinyInputs(m, 8);
        AdamW opt = new AdamW(model.parameters(), new AdamWOptions(3e-3));
        double first = 0, last = 0;
        int steps = 120;
        for (int step = 0; step < steps; step++) {
            torch.manual_seed(100 + step);
            Tensor eps = torch.randn(TinyInputs.B, TinyInputs.C, TinyInputs.F, TinyInputs.H, TinyInputs.W);
            Tensor t = FlowMatching.sampleTimes(TinyInputs.B, 0, 1, 1);
            Tensor pred = model.forward(FlowMatching.interpolate(in.x0, eps, t), t, in.conditions());
            Tensor loss = torch.mse_loss(pred, FlowMatching.velocity(in.x0, eps));
            opt.zero_grad();
            loss.backward();
            opt.step();
            double l = loss.item_double();
            if (step < 10) first += l / 10;
            if (step >= steps - 10) last += l / 10;
        }
        System.out.printf("overfit: first10 %.4f last10 %.4f%n", first, last);
        assertTrue(first > 1.0, "the untrained loss is about E|eps - x0|^2 = 1 + 1/3");
        assertTrue(last < 0.35, "mean loss of the last 10 steps " + last + " (first 10: " + first + ")");
    }
}
