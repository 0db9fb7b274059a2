package dev.avcurate.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class ShippedConfigsTest {
    static Path conf(String name) {
        return Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf").resolve(name);
    }

    @Test
    void pretrainAndSftDescribeOneModelAndSftStartsFromPretraining() throws Exception {
        TrainConfig pre = TrainConfig.load(conf("train-pretrain.yaml"), List.of());
        TrainConfig sft = TrainConfig.load(conf("train-sft.yaml"), List.of());
        assertEquals(TrainConfig.Stage.PRETRAIN, pre.stage);
        assertEquals(TrainConfig.Stage.SFT, sft.stage);
        assertEquals(pre.model, sft.model, "an SFT run loads the pretraining weights: the model sections must match");
        assertEquals(pre.runDir, sft.initFrom);
        assertEquals(java.util.Set.of("sft"), sft.splits.keySet());
        assertTrue(pre.splits.keySet().containsAll(java.util.Set.of("pretrain", "sft")));
        assertTrue(sft.lr < pre.lr, "SFT at a lower learning rate");
        TrainConfig tiny = TrainConfig.load(conf("train-tiny.yaml"), List.of());
        assertEquals("cpu", tiny.device);
        assertEquals(ModelConfig.tiny(), tiny.model, "conf/train-tiny.yaml is the tiny model");
        assertEquals(null, tiny.latentVae, "the tiny config trains in pixel space");
        TrainConfig vae = TrainConfig.load(conf("train-vae.yaml"), List.of());
        assertEquals(TrainConfig.Stage.VAE, vae.stage);
        assertEquals(vae.runDir, pre.latentVae, "pretraining reads the latents of the vae stage");
        assertEquals(pre.latentVae, sft.latentVae);
    }

    @Test
    void theBaseModelBuildsAndRuns() throws Exception {
        TrainConfig pre = TrainConfig.load(conf("train-pretrain.yaml"), List.of());
        TrainConfig vae = TrainConfig.load(conf("train-vae.yaml"), List.of());
        torch.set_num_threads(1);
        torch.manual_seed(1);
        int z = vae.vae.latentChannels();
        VideoDiT base = new VideoDiT(pre.model.withChannels(z).withZeroInit(false));
        TensorVector p = base.parameters();
        long n = 0;
        for (long i = 0; i < p.size(); i++) n += p.get(i).numel();
        System.out.printf("base model: %.1f M parameters%n", n / 1e6);
        assertTrue(n > 150_000_000L && n < 300_000_000L, "base model parameters (about 195 M): " + n);
        try (NoGradGuard g = new NoGradGuard()) {
            int m = pre.model.motionFrames();
            // one latent frame of 8x8 (64x64 pixels), the smallest grid the Frame Pack takes
            VideoDiT.Conditions c = new VideoDiT.Conditions(torch.randn(1, z, 8, 8), torch.randn(1, z, m, 8, 8), torch.randn(1, 384),
                    torch.randn(1, pre.model.melBins(), pre.model.melPerFrame()), null, null, null);
            Tensor v = base.forward(torch.randn(1, z, 1, 8, 8), torch.full(new long[] {1}, Tensors.s(0.5)), c);
            assertArrayEquals(new long[] {1, z, 1, 8, 8}, Tensors.shape(v));
        }
    }
}
