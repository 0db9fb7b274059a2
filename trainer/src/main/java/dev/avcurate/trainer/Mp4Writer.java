package dev.avcurate.trainer;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Writes generated frames as an H.264 mp4 with the driving audio muxed as AAC (FFmpeg through JavaCV). */
public final class Mp4Writer {
    private Mp4Writer() {}

    /**
     * @param frames (3, T, H, W) row-major in [-1, 1]
     * @param audio mono 16-bit samples at {@code rate}, from the first frame on
     * @param scale nearest-neighbour upscale factor (the tiny model makes 32 px frames)
     */
    public static void write(Path out, float[] frames, int t, int h, int w, double fps, short[] audio, int rate, int scale) throws IOException {
        av_log_set_level(AV_LOG_ERROR);
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        int ow = w * scale, oh = h * scale;
        // H.264 wants even sizes
        ow += ow % 2;
        oh += oh % 2;
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), ow, oh, 1); Java2DFrameConverter conv = new Java2DFrameConverter()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(AV_CODEC_ID_H264);
            rec.setFrameRate(fps);
            rec.setPixelFormat(AV_PIX_FMT_YUV420P);
            rec.setVideoQuality(18);
            rec.setAudioCodec(AV_CODEC_ID_AAC);
            rec.setSampleRate(rate);
            rec.setSampleFormat(AV_SAMPLE_FMT_FLTP);
            rec.setAudioBitrate(96_000);
            rec.start();
            BufferedImage img = new BufferedImage(ow, oh, BufferedImage.TYPE_3BYTE_BGR);
            int plane = h * w;
            long samplesDone = 0;
            long total = Math.min(audio.length, Math.round(t / fps * rate));
            for (int k = 0; k < t; k++) {
                for (int y = 0; y < oh; y++) {
                    int sy = Math.min(h - 1, y / scale);
                    for (int x = 0; x < ow; x++) {
                        int sx = Math.min(w - 1, x / scale);
                        int i = k * plane + sy * w + sx;
                        int r = byteOf(frames[i]), g = byteOf(frames[t * plane + i]), b = byteOf(frames[2 * t * plane + i]);
                        img.setRGB(x, y, (r << 16) | (g << 8) | b);
                    }
                }
                rec.record(conv.convert(img));
                long until = Math.min(total, Math.round((k + 1) / fps * rate));
                while (samplesDone < until) {
                    int n = (int) Math.min(1024, until - samplesDone);
                    FloatBuffer buf = FloatBuffer.allocate(n);
                    for (int j = 0; j < n; j++) buf.put(j, audio[(int) (samplesDone + j)] / 32768f);
                    rec.recordSamples(rate, 1, buf);
                    samplesDone += n;
                }
            }
            rec.stop();
        }
    }

    static int byteOf(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }
}
