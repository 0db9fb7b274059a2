package dev.avcurate.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stage vae, then a DiT on its latents, then sampling through the decoder. */
class LatentTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void theAutoencoderShrinksSpaceBy8AndTimeBy4() {
        torch.set_num_threads(1);
        torch.manual_seed(2);
        VideoAutoencoder vae = new VideoAutoencoder(new VideoAutoencoder.Config(4, 6, 1e-6));
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor x = torch.rand(2, 3, 8, 16, 32);
            Tensor[] ml = vae.encode(x);
            assertArrayEquals(new long[] {2, 6, 2, 2, 4}, Tensors.shape(ml[0]));
            assertArrayEquals(new long[] {2, 3, 8, 16, 32}, Tensors.shape(vae.decode(ml[0])));
            Tensor y = torch.rand(1, 5, 4, 8, 8);
            assertEquals(0.0, VideoAutoencoder.shuffle(VideoAutoencoder.unshuffle(y, 2, 2), 2, 2).sub(y).abs().max().item_double());
        }
    }

    static Map<String, Object> base(String stage, Path run) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("stage", stage);
        root.put("run_dir", run.toString());
        root.put("threads", 1);
        root.put("log", new LinkedHashMap<>(Map.of("every", 5, "checkpoint_every", 100)));
        return root;
    }

    @Test
    void aDitTrainsOnTheLatentsOfAVaeStageAndSamplesThroughItsDecoder() throws Exception {
        Path shards = tmp.resolve("shards");
        SyntheticShards.write(shards, List.of("pretrain"), 2);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);

        Path vaeRun = tmp.resolve("vae");
        Map<String, Object> v = base("vae", vaeRun);
        v.put("vae", new LinkedHashMap<>(Map.of("channels", 8, "latent_channels", 4)));
        v.put("data", new LinkedHashMap<>(Map.of("batch_size", 2, "height", 32, "size_multiple", 32, "frames", 8, "frame_stride", 1)));
        v.put("optim", new LinkedHashMap<>(Map.of("steps", 60, "warmup_steps", 5, "lr", 3e-3)));
        List<Double> losses;
        try (Trainer t = new Trainer(TrainConfig.fromMap(v, "vae.yaml"), shards.toString(), vaeRun, ps)) {
            t.train();
            losses = t.losses();
        }
        double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(55, 60).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < first / 3, "VAE reconstruction loss " + first + " -> " + last);
        Properties st = Checkpoints.readState(Checkpoints.resolve(vaeRun));
        double std = Double.parseDouble(st.getProperty("latent_std"));
        assertTrue(std > 0, "latent std recorded: " + std);

        Path ditRun = tmp.resolve("dit");
        Map<String, Object> d = base("pretrain", ditRun);
        d.put("latent", new LinkedHashMap<>(Map.of("vae", vaeRun.toString())));
        d.put("data", new LinkedHashMap<>(Map.of("batch_size", 2, "height", 32, "size_multiple", 32, "frames", 2, "frame_stride", 1)));
        d.put("model", new LinkedHashMap<>(Map.of("dim", 48, "depth", 1, "heads", 4, "audio_dim", 16, "patch", 1,
                "frame_pack", List.of(List.of(1, 1, 1, 1), List.of(2, 1, 2, 2), List.of(4, 2, 4, 4)))));
        d.put("optim", new LinkedHashMap<>(Map.of("steps", 3, "warmup_steps", 1)));
        d.put("sample", new LinkedHashMap<>(Map.of("steps", 2, "scale", 1)));
        TrainConfig dcfg = TrainConfig.fromMap(d, "dit.yaml");
        try (Trainer t = new Trainer(dcfg, shards.toString(), ditRun, ps)) {
            t.train();
            assertEquals(3, t.losses().size());
            assertTrue(t.losses().stream().allMatch(x -> Double.isFinite(x) && x > 0));
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("on the latents of " + vaeRun.resolve("checkpoints")), log.toString(StandardCharsets.UTF_8));

        Sampler s = new Sampler(dcfg, ditRun, ps);
        try {
            Sampler.Result r = s.generate(Sampler.findClip(shards.toString(), null), Sampler.findClip(shards.toString(), null), 2, 3, tmp.resolve("latent.mp4"));
            assertEquals(2 * 2 * 4, r.frames(), "2 segments of 2 latent frames, 4 video frames each");
            assertEquals(32, r.height());
            assertTrue(Files.size(tmp.resolve("latent.mp4")) > 0);
        } finally {
            s.close();
        }
    }
}
