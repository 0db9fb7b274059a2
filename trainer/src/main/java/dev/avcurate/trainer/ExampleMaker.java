package dev.avcurate.trainer;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import dev.avcurate.trainerbridge.ShardFormat;
import dev.avcurate.trainerbridge.Sample;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Cuts training windows out of shard samples: {@code data.frames} frames at {@code
 * data.frame_stride}, the Frame Pack's motion frames before them, the reference frame, the
 * caption embedding and the log-mel of the audio under the generated frames. Frames are decoded
 * by libjpeg at the smallest power-of-two scale that still covers the target size, then area-resized
 * (the shards hold 384-720 px frames; the tiny model trains on 32 px).
 */
public final class ExampleMaker {
    private final TrainConfig cfg;
    private final LogMel mel;
    private final int motionFrames;

    private final int perStep;

    public ExampleMaker(TrainConfig cfg) {
        this.cfg = cfg;
        this.mel = new LogMel(cfg.model.melBins(), 16000);
        this.perStep = cfg.pixelFramesPerStep();
        // a vae stage needs no motion frames; through a VAE, each motion latent is 4 frames
        this.motionFrames = cfg.stage == TrainConfig.Stage.VAE ? 0 : cfg.model.motionFrames() * perStep;
    }

    /** Clip frames a window spans (the generated frames at the stride; motion frames may reach before the clip). */
    public int framesNeeded() {
        return (cfg.frames * perStep - 1) * cfg.frameStride + 1;
    }

    /** Whether the clip has enough frames for one window of generated frames. */
    public boolean fits(Sample s) {
        return s.numFrames() >= framesNeeded();
    }

    /** A window at a random start (motion frames may reach before the clip: its first frame repeats). */
    public Example random(Sample s, SplittableRandom rnd) {
        int last = s.numFrames() - framesNeeded();
        return at(s, rnd.nextInt(last + 1));
    }

    /** The window whose first generated frame is clip frame {@code first}. */
    public Example at(Sample s, int first) {
        if (first < 0 || first + framesNeeded() > s.numFrames()) {
            throw new IllegalArgumentException(s.clipId() + ": window at frame " + first + " needs " + framesNeeded() + " frames, clip has " + s.numFrames());
        }
        int[] dims = ShardFormat.bucketDims(s.bucket());
        int h = cfg.height, w = cfg.widthFor(dims[0], dims[1]);
        int f = cfg.frames * perStep, stride = cfg.frameStride;
        float[] video = new float[3 * f * h * w];
        int scale = dctScale(dims[1], dims[0], h, w);
        for (int k = 0; k < f; k++) putFrame(video, f, k, decode(s.frames().get(first + k * stride), h, w, scale));
        float[] motion = new float[3 * motionFrames * h * w];
        for (int k = 0; k < motionFrames; k++) {
            int idx = Math.max(0, first - (motionFrames - k) * stride);
            putFrame(motion, motionFrames, k, decode(s.frames().get(idx), h, w, scale));
        }
        float[] ref = decode(s.referenceFrame(), h, w, scale);
        float[] text = new float[cfg.model.textDim()];
        boolean hasText = s.captionEmbedding() != null;
        if (hasText) {
            if (s.captionEmbedding().length != text.length) {
                throw new IllegalArgumentException(s.clipId() + ": caption embedding has " + s.captionEmbedding().length
                        + " values, model.text_dim is " + text.length);
            }
            System.arraycopy(s.captionEmbedding(), 0, text, 0, text.length);
        }
        double samplesPerVideoFrame = s.audioRate() / s.fps();
        if (s.audioRate() != mel.rate()) throw new IllegalArgumentException(s.clipId() + ": audio at " + s.audioRate() + " Hz, the trainer reads 16 kHz shards");
        // one group of mel frames per generated (DiT) frame, which spans perStep clip frames at the stride
        float[] m = mel.features(s.audio(), first * samplesPerVideoFrame, samplesPerVideoFrame * stride * perStep, cfg.frames, cfg.model.melPerFrame());
        return new Example(s.clipId(), s.bucket(), h, w, f, motionFrames, video, motion, ref, text, hasText, m);
    }

    private static void putFrame(float[] dst, int frames, int k, float[] chw) {
        int plane = chw.length / 3;
        for (int c = 0; c < 3; c++) System.arraycopy(chw, c * plane, dst, (c * frames + k) * plane, plane);
    }

    /** The largest of 1, 2, 4, 8 by which a srcH x srcW frame can shrink and still cover h x w. */
    public static int dctScale(int srcH, int srcW, int h, int w) {
        int scale = 1;
        while (scale < 8 && srcH / (scale * 2) >= h && srcW / (scale * 2) >= w) scale *= 2;
        return scale;
    }

    /** A JPEG as (3, h, w) RGB in [-1, 1], decoded at 1/{@code scale} by libjpeg (1, 2, 4 or 8), then area-resized. */
    public static float[] decode(byte[] jpeg, int h, int w, int scale) {
        try (BytePointer bytes = new BytePointer(jpeg); Mat buf = new Mat(1, jpeg.length, CV_8UC1, bytes)) {
            Mat img = imdecode(buf, switch (scale) {
                case 2 -> IMREAD_REDUCED_COLOR_2;
                case 4 -> IMREAD_REDUCED_COLOR_4;
                case 8 -> IMREAD_REDUCED_COLOR_8;
                default -> IMREAD_COLOR;
            });
            if (img == null || img.empty()) throw new IllegalArgumentException("frame is not a decodable JPEG (" + jpeg.length + " bytes)");
            try (Mat small = new Mat()) {
                resize(img, small, new Size(w, h), 0, 0, INTER_AREA);
                byte[] px = new byte[h * w * 3];
                small.data().get(px);
                float[] out = new float[3 * h * w];
                int plane = h * w;
                for (int i = 0; i < plane; i++) {
                    // BGR -> RGB planes
                    out[i] = (px[i * 3 + 2] & 0xFF) / 127.5f - 1f;
                    out[plane + i] = (px[i * 3 + 1] & 0xFF) / 127.5f - 1f;
                    out[2 * plane + i] = (px[i * 3] & 0xFF) / 127.5f - 1f;
                }
                return out;
            } finally {
                img.close();
            }
        }
    }
}
