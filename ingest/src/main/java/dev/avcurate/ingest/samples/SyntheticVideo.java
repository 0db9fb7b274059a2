package dev.avcurate.ingest.samples;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;

import dev.avcurate.ingest.media.Ffmpeg;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Writes a generated video with FFmpeg: frames painted with Java2D, audio from a function of
 * time. Used by {@code bin/curate samples}, by the tests (known cuts, offsets, rotations) and by
 * the benchmarks, so that nothing is downloaded.
 */
public final class SyntheticVideo {
    /** Paints frame {@code index} shown at time {@code t} seconds. */
    public interface Painter {
        void paint(Graphics2D g, int index, double t, int width, int height);
    }

    /** One mono sample in [-1, 1] at time {@code t} seconds. */
    public interface AudioFn {
        float sample(double t);
    }

    private int width = 640;
    private int height = 360;
    private double fps = 25;
    private int frames = 125;
    private int codec = AV_CODEC_ID_MPEG4;
    private String codecName;
    private String format = "mp4";
    private int quality = 4;
    private int audioRate = 44_100;
    private int audioChannels = 2;
    private AudioFn audio;
    private Painter painter = (g, i, t, w, h) -> {};
    private double rotation;
    private boolean faststart;
    private double[] timestamps;
    private double audioSeconds = -1;

    public SyntheticVideo size(int w, int h) { this.width = w; this.height = h; return this; }
    public SyntheticVideo fps(double f) { this.fps = f; return this; }
    public SyntheticVideo frames(int n) { this.frames = n; return this; }
    public SyntheticVideo seconds(double s) { this.frames = (int) Math.round(s * fps); return this; }
    public SyntheticVideo codec(int avCodecId) { this.codec = avCodecId; return this; }
    /** Encoder by name (for example "libopenh264", "rawvideo"). */
    public SyntheticVideo codecName(String name) { this.codecName = name; return this; }
    public SyntheticVideo format(String f) { this.format = f; return this; }
    public SyntheticVideo quality(int q) { this.quality = q; return this; }
    public SyntheticVideo audio(AudioFn fn, int rate, int channels) { this.audio = fn; this.audioRate = rate; this.audioChannels = channels; return this; }
    public SyntheticVideo noAudio() { this.audio = null; this.audioChannels = 0; return this; }
    /** Audio that lasts a different time than the video (audio-only files use frames(0)). */
    public SyntheticVideo audioSeconds(double s) { this.audioSeconds = s; return this; }
    public SyntheticVideo painter(Painter p) { this.painter = p; return this; }
    /** Display-matrix rotation as FFmpeg's av_display_rotation_set takes it (degrees counter-clockwise). */
    public SyntheticVideo displayRotation(double degreesCcw) { this.rotation = degreesCcw; return this; }
    public SyntheticVideo faststart(boolean f) { this.faststart = f; return this; }
    /** Presentation time of each frame in seconds (variable frame rate); sets the frame count. */
    public SyntheticVideo timestamps(double[] ts) { this.timestamps = ts.clone(); this.frames = ts.length; return this; }

    public Path write(Path out) throws IOException {
        Ffmpeg.init();
        Files.createDirectories(out.toAbsolutePath().getParent());
        boolean hasVideo = frames > 0;
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), hasVideo ? width : 0, hasVideo ? height : 0,
                audio == null ? 0 : audioChannels);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            rec.setFormat(format);
            if (hasVideo) {
                if (codecName != null) rec.setVideoCodecName(codecName); else rec.setVideoCodec(codec);
                // VFR: a fine time base so that irregular timestamps survive.
                rec.setFrameRate(timestamps != null ? 1000 : fps);
                rec.setVideoQuality(quality);
                rec.setGopSize((int) Math.max(1, Math.round(fps * 2)));
                if (!"rawvideo".equals(codecName)) rec.setPixelFormat(AV_PIX_FMT_YUV420P);
                if (rotation != 0) rec.setDisplayRotation(rotation);
            }
            if (audio != null) {
                rec.setAudioCodec(AV_CODEC_ID_AAC);
                rec.setSampleRate(audioRate);
                rec.setSampleFormat(AV_SAMPLE_FMT_FLTP);
                rec.setAudioBitrate(96_000);
            }
            if (faststart) rec.setOption("movflags", "faststart");
            rec.start();
            double videoSeconds = timestamps != null ? timestamps[timestamps.length - 1] + 1 / fps : frames / fps;
            double aSeconds = audioSeconds >= 0 ? audioSeconds : videoSeconds;
            long totalSamples = audio == null ? 0 : Math.round(aSeconds * audioRate);
            long samplesDone = 0;
            BufferedImage img = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_3BYTE_BGR);
            int chunk = Math.max(1, (int) Math.round(audioRate / fps));
            for (int i = 0; i < frames; i++) {
                double t = timestamps != null ? timestamps[i] : i / fps;
                Graphics2D g = img.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                painter.paint(g, i, t, width, height);
                g.dispose();
                Frame f = conv.convert(img);
                if (timestamps != null) rec.setTimestamp(Math.round(t * 1_000_000));
                rec.record(f);
                // Interleave audio up to the time of the next frame.
                double nextT = i + 1 < frames && timestamps != null ? timestamps[i + 1] : (i + 1) / fps;
                long until = Math.min(totalSamples, Math.round(nextT * audioRate));
                samplesDone = writeAudio(rec, samplesDone, until, chunk);
            }
            samplesDone = writeAudio(rec, samplesDone, totalSamples, chunk);
            rec.stop();
        }
        return out;
    }

    private long writeAudio(FFmpegFrameRecorder rec, long from, long until, int chunk) throws FFmpegFrameRecorder.Exception {
        if (audio == null) return from;
        long pos = from;
        while (pos < until) {
            int n = (int) Math.min(chunk, until - pos);
            FloatBuffer[] planes = new FloatBuffer[audioChannels];
            for (int c = 0; c < audioChannels; c++) planes[c] = FloatBuffer.allocate(n);
            for (int k = 0; k < n; k++) {
                float s = audio.sample((pos + k) / (double) audioRate);
                for (int c = 0; c < audioChannels; c++) planes[c].put(k, s);
            }
            rec.recordSamples(audioRate, audioChannels, planes);
            pos += n;
        }
        return pos;
    }
}
