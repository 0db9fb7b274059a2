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
    public record Result(Path video, String clipId, String audioFrom, int frames, int height, int width, double fps, double psnr, double ssim, float[] truth) {}

    private final TrainConfig cfg;
    private final VideoDiT model;
    private final Device device;
    private final ExampleMaker maker;
    private final PrintStream progress;
    private final LatentSpace latent;

    /** Loads the EMA weights of {@code checkpoint} (a checkpoint or run directory). Owns the model: {@link #close()}. */
    public Sampler(TrainConfig cfg, Path checkpoint, PrintStream progress) throws IOException {
        this.cfg = cfg;
        this.progress = progress;
        torch.set_num_threads(cfg.threads);
        device = Tensors.device(cfg.device);
        latent = cfg.latentVae == null ? null : LatentSpace.load(Path.of(cfg.latentVae), device);
        model = new VideoDiT(latent == null ? cfg.model : cfg.model.withChannels(latent.channels()));
        Path ck = Checkpoints.resolve(checkpoint);
        model.to(device, false);
        Checkpoints.load(model, ck.resolve(Checkpoints.EMA), "model", device);
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
        int perStep = cfg.pixelFramesPerStep();
        int fPix = cfg.frames * perStep, span = fPix * cfg.frameStride;
        int fit = clip.numFrames() >= maker.framesNeeded() ? (clip.numFrames() - maker.framesNeeded()) / span + 1 : 0;
        int n = segments <= 0 ? fit : Math.min(segments, fit);
        if (n <= 0) throw new IllegalArgumentException(clip.clipId() + " has " + clip.numFrames() + " frames, one segment needs " + maker.framesNeeded());
        Sample driver = withAudio(clip, audioFrom);
        Example first = maker.at(driver, 0);
        int h = first.height(), w = first.width(), plane = h * w;
        int total = n * fPix;
        float[] video = new float[3 * total * plane];
        float[] truth = new float[3 * total * plane];
        // what the DiT generates: pixels, or latents of the VAE (channels c, frames / 4, size / 8)
        int c = latent == null ? 3 : latent.channels(), ds = latent == null ? 1 : VideoAutoencoder.SPATIAL;
        int dh = h / ds, dw = w / ds, dplane = dh * dw, m = cfg.model.motionFrames();
        int histT = n * cfg.frames;
        float[] history = new float[c * histT * dplane];
        float[] startMotion;
        double shift = cfg.shiftFor(dh, dw);
        torch.manual_seed(seed);
        long t0 = System.nanoTime();
        try (NoGradGuard g = new NoGradGuard()) {
            try (PointerScope scope = new PointerScope()) {
                Tensor mot = on(Tensors.fromFloats(first.motion(), 1, 3, first.motionFrames(), h, w));
                startMotion = Tensors.toFloats(latent == null ? mot : latent.encode(mot));
            }
            for (int sgm = 0; sgm < n; sgm++) {
                Example ex = maker.at(driver, sgm * span);
                float[] motion = motionFrom(history, histT, sgm * cfg.frames, m, c, dplane, startMotion);
                try (PointerScope scope = new PointerScope()) {
                    Tensor gen = segment(ex, motion, c, dh, dw, shift);
                    copyFrames(Tensors.toFloats(gen), c, cfg.frames, 0, history, histT, sgm * cfg.frames, cfg.frames, dplane);
                    float[] px = Tensors.toFloats(latent == null ? gen : latent.decode(gen));
                    for (int i = 0; i < px.length; i++) px[i] = Math.max(-1f, Math.min(1f, px[i]));
                    copyFrames(px, 3, fPix, 0, video, total, sgm * fPix, fPix, plane);
                }
                copyFrames(ex.video(), 3, fPix, 0, truth, total, sgm * fPix, fPix, plane);
                progress.printf(Locale.ROOT, "[sample] segment %d/%d (%.1f s)%n", sgm + 1, n, (System.nanoTime() - t0) / 1e9);
            }
        }
        double fps = clip.fps() / cfg.frameStride;
        short[] audio = Arrays.copyOf(audioFrom.audio(), Math.min(audioFrom.audio().length, (int) Math.round(total * cfg.frameStride / clip.fps() * audioFrom.audioRate())));
        Mp4Writer.write(out, video, total, h, w, fps, audio, audioFrom.audioRate(), cfg.sampleScale);
        double psnr = VideoQuality.psnr(video, truth), ssim = VideoQuality.ssim(video, truth, total, h, w);
        return new Result(out, clip.clipId(), audioFrom.clipId(), total, h, w, fps, psnr, ssim, truth);
    }

    /** One segment in the DiT's space, (1, c, F, dh, dw): Euler with classifier-free guidance. */
    private Tensor segment(Example ex, float[] motion, int c, int dh, int dw, double shift) {
        Inputs one = Inputs.of(java.util.List.of(ex, ex, ex), cfg.model, device);
        Tensor ref = latent == null ? one.reference() : latent.encodeImage(one.reference());
        int m = cfg.model.motionFrames();
        Tensor mot = on(Tensors.fromFloats(motion, 1, c, m, dh, dw)).repeat(3, 1, 1, 1, 1);
        // three branches in one batch: (no text, no audio), (text, no audio), (text, audio)
        Tensor keepText = on(Tensors.fromFloats(new float[] {0, 1, 1}, 3)).mul(one.hasText());
        Tensor keepAudio = on(Tensors.fromFloats(new float[] {0, 0, 1}, 3));
        VideoDiT.Conditions cond = new VideoDiT.Conditions(ref, mot, one.text(), one.mel(), keepText, keepAudio, null);
        Tensor noise = torch.randn(1, c, cfg.frames, dh, dw).to(device, torch.ScalarType.Float);
        return FlowMatching.euler(noise, cfg.sampleSteps, shift, (xt, t) -> {
            Tensor v = model.forward(xt.repeat(3, 1, 1, 1, 1), t.repeat(3), cond);
            TensorVector parts = v.chunk(3, 0);
            Tensor u = parts.get(0), txt = parts.get(1), full = parts.get(2);
            return u.add(txt.sub(u).mul(Tensors.s(cfg.guidanceText))).add(full.sub(txt).mul(Tensors.s(cfg.guidanceAudio)));
        });
    }

    private Tensor on(Tensor t) {
        return device.is_cpu() ? t : t.to(device, torch.ScalarType.Float);
    }

    /** The m generated frames before frame {@code upTo}, oldest first; the start's motion frames fill in where there are fewer. */
    static float[] motionFrom(float[] history, int histT, int upTo, int m, int c, int plane, float[] startMotion) {
        float[] out = new float[c * m * plane];
        for (int k = 0; k < m; k++) {
            int idx = upTo - m + k;
            if (idx < 0) copyFrames(startMotion, c, m, m + idx, out, m, k, 1, plane);
            else copyFrames(history, c, histT, idx, out, m, k, 1, plane);
        }
        return out;
    }

    /** Copies {@code count} frames between (c, T, H, W) arrays. */
    static void copyFrames(float[] src, int c, int srcT, int srcFrom, float[] dst, int dstT, int dstFrom, int count, int plane) {
        for (int ch = 0; ch < c; ch++) {
            System.arraycopy(src, (ch * srcT + srcFrom) * plane, dst, (ch * dstT + dstFrom) * plane, count * plane);
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
        if (latent != null) latent.close();
    }

    static void writeReport(Result r, Path file) throws IOException {
        Files.writeString(file, String.format(Locale.ROOT,
                "{\"video\": \"%s\", \"clip_id\": \"%s\", \"audio_from\": \"%s\", \"frames\": %d, \"height\": %d, \"width\": %d, \"fps\": %.3f, \"psnr_db\": %.3f, \"ssim\": %.4f}%n",
                r.video().toString().replace("\\", "\\\\").replace("\"", "\\\""), r.clipId().replace("\"", "\\\""), r.audioFrom().replace("\"", "\\\""),
                r.frames(), r.height(), r.width(), r.fps(), r.psnr(), r.ssim()));
    }
}
