package dev.avcurate.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerCliTest {
    @TempDir
    Path tmp;

    private static String run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = TrainerCli.run(args);
        } finally {
            System.setErr(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        return rc + "\n" + out;
    }

    @Test
    void trainThenSampleWritesAnMp4WithTheDrivingAudio() throws Exception {
        Path shards = tmp.resolve("shards");
        SyntheticShards.write(shards, List.of("pretrain"), 2);
        Path conf = tmp.resolve("tiny.yaml");
        Files.writeString(conf, """
                stage: pretrain
                threads: 1
                data: {splits: {pretrain: 1.0, sft: 1.0}, batch_size: 2, height: 16, frames: 2, frame_stride: 2}
                model: {dim: 48, depth: 1, heads: 4, audio_dim: 16}
                optim: {steps: 4, warmup_steps: 1}
                log: {every: 2, checkpoint_every: 2}
                sample: {steps: 3, scale: 2}
                """);
        Path runDir = tmp.resolve("run");
        String out = run("train", "--config", conf.toString(), "--shards", shards.toString(), "--run-dir", runDir.toString());
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.contains("split 'sft'") && out.contains("skipped"), "a split missing from the index is reported: " + out);
        assertTrue(out.contains("[train] step 4/4"), out);
        assertTrue(Files.isRegularFile(runDir.resolve("config.yaml")));

        Path mp4 = tmp.resolve("gen/out.mp4");
        out = run("sample", "--run", runDir.toString(), "--shards", shards.toString(), "--clip", "pretrain-clip1", "--segments", "3", "--output", mp4.toString());
        assertTrue(out.startsWith("0\n"), out);
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
            g.start();
            assertEquals(32, g.getImageWidth());
            assertEquals(32, g.getImageHeight());
            assertEquals(1, g.getAudioChannels(), "the driving audio is muxed");
            assertEquals(12.5, g.getFrameRate(), 0.01);
            int video = 0;
            long audioSamples = 0;
            for (Frame f; (f = g.grab()) != null; ) {
                if (f.image != null) video++;
                if (f.samples != null) audioSamples += f.samples[0].limit();
            }
            assertEquals(6, video, "3 segments of 2 frames");
            assertTrue(Math.abs(audioSamples - 6 * 2 * 640) < 2048, "audio for the 0.48 s of video: " + audioSamples);
        }
        String report = Files.readString(tmp.resolve("gen/out.mp4.json"));
        assertTrue(report.contains("\"clip_id\": \"pretrain-clip1\"") && report.contains("\"psnr_db\""), report);

        out = run("train", "--config", conf.toString(), "--shards", shards.toString(), "--set", "optim.stepz=3");
        assertTrue(out.startsWith("2\n") && out.contains("unknown key optim.stepz") && out.contains(conf.toString()), out);
    }
}
