package dev.avcurate.captioning;

import dev.avcurate.captioning.vlm.VlmException;
import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.HadoopSource;
import dev.avcurate.ingest.media.MediaException;
import dev.avcurate.ingest.media.MediaReader;
import dev.avcurate.ingest.media.VideoProbe;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The frames a VLM sees of one clip: about {@code fps} per second, between {@code minFrames} and
 * {@code maxFrames}, an even count (Qwen2.5-VL merges frames in pairs), each resized keeping the
 * aspect to sides that are multiples of 28 within {@code maxPixels} (Qwen2.5-VL's smart_resize,
 * so the server's processor does not resize again), JPEG-encoded as they stream out of the
 * decoder (only the JPEGs are kept).
 */
public final class CaptionFrames {
    /** Qwen2.5-VL: 14 px patches merged 2x2. */
    static final int FACTOR = 28;
    static final int MIN_PIXELS = 4 * FACTOR * FACTOR;

    /** The encoded frames and their size. */
    public record Sampled(List<byte[]> jpegs, int width, int height) {}

    private final double fps;
    private final int minFrames;
    private final int maxFrames;
    private final int maxPixels;
    private final int jpegQuality;
    private final double timeoutS;
    private final Configuration hadoopConf;

    public CaptionFrames(double fps, int minFrames, int maxFrames, int maxPixels, int jpegQuality, double timeoutS, Configuration hadoopConf) {
        this.fps = fps;
        this.minFrames = minFrames;
        this.maxFrames = maxFrames;
        this.maxPixels = maxPixels;
        this.jpegQuality = jpegQuality;
        this.timeoutS = timeoutS;
        this.hadoopConf = hadoopConf;
    }

    /** Frames to send for a clip of this length: about fps per second, clamped, rounded up to even. */
    public static int frameCount(double durationS, double fps, int minFrames, int maxFrames) {
        int n = (int) Math.round(durationS * fps);
        n = Math.max(minFrames, Math.min(maxFrames, n));
        if (n % 2 == 1) n = n + 1 <= maxFrames ? n + 1 : n - 1;
        return Math.max(2, n);
    }

    /** Qwen2.5-VL's smart_resize: sides rounded to multiples of 28, area within [MIN_PIXELS, maxPixels], aspect kept. */
    public static int[] smartResize(int width, int height, int maxPixels) {
        int h = Math.max(FACTOR, (int) Math.round(height / (double) FACTOR) * FACTOR);
        int w = Math.max(FACTOR, (int) Math.round(width / (double) FACTOR) * FACTOR);
        if ((long) h * w > maxPixels) {
            double beta = Math.sqrt((double) height * width / maxPixels);
            h = Math.max(FACTOR, (int) Math.floor(height / beta / FACTOR) * FACTOR);
            w = Math.max(FACTOR, (int) Math.floor(width / beta / FACTOR) * FACTOR);
        } else if ((long) h * w < MIN_PIXELS) {
            double beta = Math.sqrt(MIN_PIXELS / ((double) height * width));
            h = (int) Math.ceil(height * beta / FACTOR) * FACTOR;
            w = (int) Math.ceil(width * beta / FACTOR) * FACTOR;
        }
        return new int[] {w, h};
    }

    /** @throws VlmException {@code frames_error} when the clip cannot be decoded (the reason names FFmpeg's message) */
    public Sampled sample(String uri, double startS, double endS) {
        long deadline = System.nanoTime() + (long) (timeoutS * 1e9);
        int n = frameCount(endS - startS, fps, minFrames, maxFrames);
        String local = localPath(uri);
        List<byte[]> jpegs = new ArrayList<>();
        int[] size = new int[2];
        try (MediaReader r = local != null ? MediaReader.open(local, deadline, 1)
                : MediaReader.open(uri, new HadoopSource(uri, hadoopConf), deadline, 1)) {
            VideoProbe p = r.probe();
            int[] wh = smartResize(p.width(), p.height(), maxPixels);
            size[0] = wh[0];
            size[1] = wh[1];
            // A little above n per clip length, so that n can be picked evenly from what comes out.
            double rate = n / Math.max(1e-3, endS - startS) * 1.0001;
            r.decode(new DecodeRequest(startS, endS, rate, wh[0], wh[1], 0, false, true, 0), new FrameSink() {
                @Override
                public void frame(long index, double ptsS, int width, int height, byte[] pixels) {
                    jpegs.add(jpeg(pixels, width, height, jpegQuality));
                }
            });
        } catch (MediaException | IOException | RuntimeException e) {
            throw new VlmException(VlmException.FRAMES, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (jpegs.isEmpty()) throw new VlmException(VlmException.FRAMES, "no frame decoded in [" + startS + ", " + endS + ") s");
        return new Sampled(pick(jpegs, n), size[0], size[1]);
    }

    /** n items evenly spread over the list; a list that is too short is padded by repeating its last item. */
    static <T> List<T> pick(List<T> all, int n) {
        List<T> out = new ArrayList<>(n);
        if (all.size() >= n) {
            for (int i = 0; i < n; i++) out.add(all.get((int) Math.floor((i + 0.5) * all.size() / n)));
        } else {
            out.addAll(all);
            while (out.size() < n) out.add(all.get(all.size() - 1));
        }
        return out;
    }

    static byte[] jpeg(byte[] bgr, int width, int height, int quality) {
        try (BytePointer px = new BytePointer(bgr); Mat m = new Mat(height, width, opencv_core.CV_8UC3, px);
             BytePointer out = new BytePointer(); IntPointer params = new IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality)) {
            if (!opencv_imgcodecs.imencode(".jpg", m, out, params)) throw new IllegalStateException("JPEG encoding failed");
            byte[] b = new byte[(int) out.limit()];
            out.get(b);
            return b;
        }
    }

    static String localPath(String uri) {
        if (!uri.contains(":/")) return uri;
        URI u = URI.create(uri);
        return "file".equals(u.getScheme()) ? u.getPath() : null;
    }
}
