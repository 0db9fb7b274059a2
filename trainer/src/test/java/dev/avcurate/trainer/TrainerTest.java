package dev.avcurate.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    static Path tmp;
    static Path shards;

    @BeforeAll
    static void writeShards() {
        shards = tmp.resolve("shards");
        SyntheticShards.write(shards, List.of("pretrain", "sft"), 3);
    }

    /** A tiny run on 16x16 frames: two generated frames, seven motion frames. */
    static Map<String, Object> tinyConfig(String stage, Path runDir, int steps) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("stage", stage);
        root.put("run_dir", runDir.toString());
        root.put("seed", 7);
        root.put("threads", 1);
        root.put("data", new LinkedHashMap<>(Map.of("batch_size", 2, "height", 16, "frames", 2, "frame_stride", 2)));
        root.put("model", new LinkedHashMap<>(Map.of("dim", 48, "depth", 2, "heads", 4, "audio_dim", 32)));
        root.put("optim", new LinkedHashMap<>(Map.of("steps", steps, "warmup_steps", 2, "lr", 1e-3)));
        root.put("log", new LinkedHashMap<>(Map.of("every", 1, "checkpoint_every", 3)));
        return root;
    }

    static Trainer trainer(Map<String, Object> conf, Path runDir, ByteArrayOutputStream log) throws IOException {
        return new Trainer(TrainConfig.fromMap(conf, "test.yaml"), shards.toString(), runDir, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void anInterruptedAndResumedRunGivesTheUninterruptedLossesExactly() throws IOException {
        Path a = tmp.resolve("run-a"), b = tmp.resolve("run-b");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Double> straight;
        try (Trainer t = trainer(tinyConfig("pretrain", a, 7), a, log)) {
            t.train();
            straight = List.copyOf(t.losses());
        }
        assertEquals(7, straight.size());
        List<Double> first;
        try (Trainer t = trainer(tinyConfig("pretrain", b, 7), b, log)) {
            t.train(3); // stops after the checkpoint at step 3, as a killed job would have left it
            first = List.copyOf(t.losses());
        }
        List<Double> rest;
        try (Trainer t = trainer(tinyConfig("pretrain", b, 7), b, log)) {
            assertNotNull(t.resumedFrom());
            assertEquals(3, t.step());
            t.train();
            rest = List.copyOf(t.losses());
        }
        assertEquals(straight.subList(0, 3), first);
        assertEquals(straight.subList(3, 7), rest, "resumed losses must equal the uninterrupted run's, bit for bit");
        String out = log.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("resumed at step 3"), out);
        List<String> metrics = Files.readAllLines(a.resolve("metrics.tsv"));
        assertEquals(8, metrics.size());
        assertTrue(metrics.get(0).startsWith("step\tepoch\tlr\tloss\tgrad_norm\tloss_t0_25"));
        assertEquals(2, Checkpoints.list(a).size(), "keep_checkpoints defaults to 2");
        assertEquals(metrics.size(), Files.readAllLines(b.resolve("metrics.tsv")).size(), "no metrics row twice after a resume");
        // a resume that would read the shards differently is refused
        Map<String, Object> other = tinyConfig("pretrain", b, 9);
        ((Map<String, Object>) other.get("data")).put("batch_size", 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(other, b, log));
        assertTrue(e.getMessage().contains("batch_size 2") && e.getMessage().contains("another run_dir"), e.getMessage());
    }

    @Test
    void aPretrainingCheckpointLoadsIntoSft() throws IOException {
        Path pre = tmp.resolve("pre"), sft = tmp.resolve("sft");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Trainer t = trainer(tinyConfig("pretrain", pre, 3), pre, log)) {
            t.train();
        }
        Map<String, Object> conf = tinyConfig("sft", sft, 2);
        conf.put("init_from", pre.toString());
        TrainConfig cfg = TrainConfig.fromMap(conf, "sft.yaml");
        assertEquals(Map.of("sft", 1.0), cfg.splits, "sft reads the sft split by default");
        try (Trainer t = new Trainer(cfg, shards.toString(), sft, new PrintStream(log, true, StandardCharsets.UTF_8));
             Trainer p = trainer(tinyConfig("pretrain", pre, 3), pre, new ByteArrayOutputStream())) {
            assertEquals(0, t.step(), "sft counts its own steps");
            TensorVector a = t.model().parameters(), b = p.model().parameters();
            try (NoGradGuard g = new NoGradGuard()) {
                for (long i = 0; i < a.size(); i++) assertTrue(a.get(i).equal(b.get(i)), "parameter " + i + " differs from the pretraining checkpoint");
            }
            t.train();
            assertEquals(2, t.losses().size());
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("sft starts from the weights of " + pre.resolve("checkpoints")));
        // a model of another shape does not load, and the error names the file
        Map<String, Object> other = tinyConfig("sft", tmp.resolve("sft2"), 2);
        other.put("init_from", pre.toString());
        ((Map<String, Object>) other.get("model")).put("depth", 3);
        IOException e = assertThrows(IOException.class, () -> trainer(other, tmp.resolve("sft2"), log).close());
        assertTrue(e.getMessage().contains("model.pt does not fit"), e.getMessage());
    }

    @Test
    void configErrorsNameTheKeyAndTheFile() {
        Map<String, Object> conf = tinyConfig("pretrain", tmp.resolve("x"), 1);
        ((Map<String, Object>) conf.get("optim")).put("learning_rate", 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(conf, "conf/x.yaml"));
        assertTrue(e.getMessage().contains("conf/x.yaml") && e.getMessage().contains("optim.learning_rate"), e.getMessage());
        Map<String, Object> sft = tinyConfig("sft", tmp.resolve("y"), 1);
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(sft, "conf/y.yaml"));
        assertTrue(e.getMessage().contains("init_from"), e.getMessage());
        Map<String, Object> bad = tinyConfig("pretrain", tmp.resolve("z"), 1);
        ((Map<String, Object>) bad.get("data")).put("height", 20);
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(bad, "conf/z.yaml"));
        assertTrue(e.getMessage().contains("data.height"), e.getMessage());
        Map<String, Object> vae = tinyConfig("vae", tmp.resolve("v"), 1);
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(vae, "conf/v.yaml"));
        assertTrue(e.getMessage().contains("conf/v.yaml: model") && e.getMessage().contains("vae stage"), e.getMessage());
    }
}
