package dev.avcurate.trainer;

import dev.avcurate.trainerbridge.Batch;
import dev.avcurate.trainerbridge.ReaderOptions;
import dev.avcurate.trainerbridge.Sample;
import dev.avcurate.trainerbridge.ShardReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Generates a video from a checkpoint's EMA weights: the reference frame, caption embedding and
 * audio of a clip from the shards (optionally another clip's audio, for the swapped-audio
 * check). The video is made segment by segment of {@code data.frames} frames; each segment's
 * motion frames are the frames generated before it (the first segment's: the clip's first frame,
 * as in training windows at a clip's start). Every segment integrates Euler from t=1 to 0 with
 * classifier-free guidance on text and audio: v = v(-,-) + g_text (v(text,-) - v(-,-)) + g_audio
 * (v(text,audio) - v(text,-)), the reference kept in all three. Writes an mp4 with the driving
 * audio, and reports PSNR/SSIM against the clip's own frames.
 */
public final class Sampler {

    /** What a sampling run produced. */
    public record Result(Path video, String clipId, String audioFrom, int frames, int height, int width, double fps, double psnr, double ssim,
            float[] generated, float[] truth) {}

    private final TrainConfig cfg;
    private final VideoDiT model;
    private final Device device;
    private final ExampleMaker maker;
    private final PrintStream progress;

    /** Loads the EMA weights of {@code checkpoint} (a checkpoint or run directory). Owns the model: {@link #close()}. */
    public Sampler(TrainConfig cfg, Path checkpoint, PrintStream progress) throws IOException {
        this.cfg = cfg;
        this.progress = progress;
        torch.set_num_threads(cfg.threads);
        device = Tensors.device(cfg.device);
        model = new VideoDiT(cfg.model);
        Path ck = Checkpoints.resolve(checkpoint);
        Checkpoints.load(model, ck.resolve(Checkpoints.EMA), "model");
        model.to(device, false);
        model.eval();
        maker = new ExampleMaker(cfg);
        progress.println("[sample] EMA weights of " + ck + " on " + cfg.device);
    }

    /** A clip of the shards by id, or the first one of the index when {@code clipId} is null. */
    public static Sample findClip(String shardsDir, String clipId) throws IOException {
        ReaderOptions o = ReaderOptions.builder().shardsDir(shardsDir).batchSize(1).shuffle(false).build();
        try (ShardReader r = ShardReader.open(o)) {
            while (r.hasNext()) {
                Batch b = r.next();
                for (Sample s : b.samples()) if (clipId == null || s.clipId().equals(clipId)) return s;
            }
        }
        throw new IOException("clip " + clipId + " is not in " + shardsDir);
    }

    /**
     * @param clip the conditioning clip (reference, caption, ground truth)
     * @param audioFrom the clip whose audio drives the video (the same clip for the normal case)
     * @param segments how many segments of data.frames frames (0: as many as the clip holds)
     */
    public Result generate(Sample clip, Sample audioFrom, int segments, long seed, Path out) throws IOException {
        int stride = cfg.frameStride, f = cfg.frames;
        int fit = (clip.numFrames() - 1) / (f * stride) + ((clip.numFrames() - 1) % (f * stride) + 1 >= (f - 1) * stride + 1 ? 1 : 0);
        int n = segments <= 0 ? fit : Math.min(segments, fit);
        if (n <= 0) throw new IllegalArgumentException(clip.clipId() + " has " + clip.numFrames() + " frames, one segment needs " + maker.framesNeeded());
        Sample driver = withAudio(clip, audioFrom);
        Example first = maker.at(driver, 0);
        int h = first.height(), w = first.width(), m = first.motionFrames(), plane = h * w;
        int total = n * f;
        float[] video = new float[3 * total * plane];
        float[] truth = new float[3 * total * plane];
        double shift = cfg.shiftFor(h, w);
        torch.manual_seed(seed);
        long t0 = System.nanoTime();
        try (NoGradGuard g = new NoGradGuard()) {
            for (int sgm = 0; sgm < n; sgm++) {
                Example ex = maker.at(driver, sgm * f * stride);
                float[] motion = ex.motion();
                if (sgm > 0) motion = motionFromGenerated(video, total, sgm * f, m, plane, first);
                float[] gen;
                try (PointerScope scope = new PointerScope()) {
                    gen = segment(ex, motion, shift);
                }
                copyFrames(gen, f, 0, video, total, sgm * f, f, plane);
                copyFrames(ex.video(), f, 0, truth, total, sgm * f, f, plane);
                progress.printf(Locale.ROOT, "[sample] segment %d/%d (%.1f s)%n", sgm + 1, n, (System.nanoTime() - t0) / 1e9);
            }
        }
        double fps = clip.fps() / stride;
        short[] audio = Arrays.copyOf(audioFrom.audio(), Math.min(audioFrom.audio().length, (int) Math.round(total * stride / clip.fps() * audioFrom.audioRate())));
        Mp4Writer.write(out, video, total, h, w, fps, audio, audioFrom.audioRate(), cfg.sampleScale);
        double psnr = VideoQuality.psnr(video, truth), ssim = VideoQuality.ssim(video, truth, total, h, w);
        return new Result(out, clip.clipId(), audioFrom.clipId(), total, h, w, fps, psnr, ssim, video, truth);
    }

    /** One segment: Euler with classifier-free guidance; returns (3, F, H, W). */
    private float[] segment(Example ex, float[] motion, double shift) {
        Example e = new Example(ex.clipId(), ex.bucket(), ex.height(), ex.width(), ex.frames(), ex.motionFrames(), ex.video(), motion, ex.reference(),
                ex.text(), ex.hasText(), ex.mel(), ex.firstFrame());
        Inputs one = Inputs.of(java.util.List.of(e, e, e), cfg.model, device);
        // three branches in one batch: (no text, no audio), (text, no audio), (text, audio)
        Tensor keepText = on(Tensors.fromFloats(new float[] {0, 1, 1}, 3).mul(one.hasText()));
        Tensor keepAudio = on(Tensors.fromFloats(new float[] {0, 0, 1}, 3));
        VideoDiT.Conditions c = one.conditions().withKeep(keepText, keepAudio, null);
        long[] shape = Tensors.shape(one.x0());
        shape[0] = 1;
        Tensor noise = torch.randn(shape).to(device, torch.ScalarType.Float);
        Tensor x = FlowMatching.euler(noise, cfg.sampleSteps, shift, (xt, t) -> {
            Tensor v = model.forward(xt.repeat(3, 1, 1, 1, 1), t.repeat(3), c);
            TensorVector parts = v.chunk(3, 0);
            Tensor u = parts.get(0), txt = parts.get(1), full = parts.get(2);
            return u.add(txt.sub(u).mul(Tensors.s(cfg.guidanceText))).add(full.sub(txt).mul(Tensors.s(cfg.guidanceAudio)));
        });
        float[] out = Tensors.toFloats(x);
        for (int i = 0; i < out.length; i++) out[i] = Math.max(-1f, Math.min(1f, out[i]));
        return out;
    }

    private Tensor on(Tensor t) {
        return device.is_cpu() ? t : t.to(device, torch.ScalarType.Float);
    }

    /** The m generated frames before frame {@code upTo}, oldest first; the first frame repeats where there are fewer. */
    private static float[] motionFromGenerated(float[] video, int total, int upTo, int m, int plane, Example first) {
        float[] out = new float[3 * m * plane];
        for (int k = 0; k < m; k++) {
            int idx = upTo - m + k;
            if (idx < 0) {
                copyFrames(first.motion(), m, 0, out, m, k, 1, plane); // the clip's first frame
            } else {
                copyFrames(video, total, idx, out, m, k, 1, plane);
            }
        }
        return out;
    }

    /** Copies {@code count} frames between (3, T, H, W) arrays. */
    static void copyFrames(float[] src, int srcT, int srcFrom, float[] dst, int dstT, int dstFrom, int count, int plane) {
        for (int c = 0; c < 3; c++) {
            System.arraycopy(src, (c * srcT + srcFrom) * plane, dst, (c * dstT + dstFrom) * plane, count * plane);
        }
    }

    /** The clip with another clip's audio (cut or zero-padded to the clip's length). */
    static Sample withAudio(Sample clip, Sample from) {
        if (from == clip) return clip;
        short[] a = Arrays.copyOf(from.audio(), clip.audio().length);
        return new Sample(clip.clipId(), clip.split(), clip.bucket(), clip.width(), clip.height(), clip.numFrames(), clip.fps(), clip.frames(),
                clip.referenceFrame(), a, from.audioRate(), from.audioShiftS(), clip.caption(), clip.captionEstimator(), clip.captionEmbedding(),
                clip.scores(), clip.videoId(), clip.uri(), clip.startS(), clip.endS(), clip.framesStartS());
    }

    public void close() {
        model.close();
    }

    static void writeReport(Result r, Path file) throws IOException {
        Files.writeString(file, String.format(Locale.ROOT,
                "{\"video\": \"%s\", \"clip_id\": \"%s\", \"audio_from\": \"%s\", \"frames\": %d, \"height\": %d, \"width\": %d, \"fps\": %.3f, \"psnr_db\": %.3f, \"ssim\": %.4f}%n",
                r.video().toString().replace("\\", "\\\\").replace("\"", "\\\""), r.clipId().replace("\"", "\\\""), r.audioFrom().replace("\"", "\\\""),
                r.frames(), r.height(), r.width(), r.fps(), r.psnr(), r.ssim()));
    }
}
