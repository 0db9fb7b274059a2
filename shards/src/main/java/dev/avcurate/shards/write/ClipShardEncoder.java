package dev.avcurate.shards.write;

import dev.avcurate.core.Reasons;
import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.HadoopSource;
import dev.avcurate.ingest.media.MediaException;
import dev.avcurate.ingest.media.MediaReader;
import dev.avcurate.ingest.media.VideoProbe;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.util.Arrays;
import java.util.Collections;
import org.apache.hadoop.conf.Configuration;

/**
 * Turns one kept clip into one shard row: the bucket's frame count at the training frame rate,
 * from a window centred in the clip, each frame covering the bucket and centre-cropped; the
 * clip's middle frame as the reference image; the audio of the same window moved by the sync
 * fix-up. One decode pass over the source gives all of it.
 *
 * <p>Frames follow an exact clock: frame i shows what is on screen at
 * {@code framesStartS + i / fps}. A source slower than the training rate repeats frames (a
 * trainer gets {@code frames} frames, never fewer); a faster one skips some. Only the settings
 * are held, so an instance can be shipped to executors; each call owns its native resources.
 */
public final class ClipShardEncoder implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Slack when a frame time meets a clock tick: pts are rounded to their stream's time base. */
    private static final double TICK_EPS = 1e-4;

    private final double fps;
    private final int jpegQuality;
    private final int audioRate;
    private final double decodeTimeoutS;

    /**
     * @param fps            training frame rate
     * @param jpegQuality    1..100
     * @param audioRate      samples per second of the shard audio (the format says 16000)
     * @param decodeTimeoutS limit for opening and decoding one clip
     */
    public ClipShardEncoder(double fps, int jpegQuality, int audioRate, double decodeTimeoutS) {
        if (!(fps > 0)) throw new IllegalArgumentException("fps must be positive: " + fps);
        if (jpegQuality < 1 || jpegQuality > 100) throw new IllegalArgumentException("JPEG quality must be 1..100: " + jpegQuality);
        if (audioRate <= 0) throw new IllegalArgumentException("audio rate must be positive: " + audioRate);
        if (!(decodeTimeoutS > 0)) throw new IllegalArgumentException("decode timeout must be positive: " + decodeTimeoutS);
        this.fps = fps;
        this.jpegQuality = jpegQuality;
        this.audioRate = audioRate;
        this.decodeTimeoutS = decodeTimeoutS;
    }

    /** 25 fps, JPEG quality 90, 16 kHz audio, 120 s per clip. */
    public static ClipShardEncoder defaults() {
        return new ClipShardEncoder(25, 90, 16_000, 120);
    }

    public double fps() {
        return fps;
    }

    public int jpegQuality() {
        return jpegQuality;
    }

    public int audioRate() {
        return audioRate;
    }

    public double decodeTimeoutS() {
        return decodeTimeoutS;
    }

    /** Source time of the first frame: the bucket's window centred in the clip. */
    public double framesStartS(ClipInput in, Bucket b) {
        double window = b.windowS(fps);
        if (in.durationS() < window - 1e-9) {
            throw new IllegalArgumentException("clip " + in.clipId() + " lasts " + in.durationS() + " s, shorter than bucket "
                    + b.name() + " at " + fps + " fps (" + window + " s)");
        }
        return in.startS() + Math.max(0, (in.durationS() - window) / 2);
    }

    /** Samples of shard audio for a bucket: exactly its frames' duration. */
    public int audioSamples(Bucket b) {
        return (int) Math.round(b.frames() * (double) audioRate / fps);
    }

    /** {@link #encode(ClipInput, Bucket, Configuration)} for local files (or with a default Hadoop configuration). */
    public ShardRow encode(ClipInput in, Bucket b) throws MediaException, IOException {
        return encode(in, b, null);
    }

    /**
     * @param hadoopConf for sources that are not local files; null = a default configuration
     * @throws IllegalArgumentException the clip is shorter than the bucket's window
     * @throws MediaException           the source cannot be decoded in time, or has no video or no audio
     */
    public ShardRow encode(ClipInput in, Bucket b, Configuration hadoopConf) throws MediaException, IOException {
        double window = b.windowS(fps);
        double framesStart = framesStartS(in, b);
        double middle = (in.startS() + in.endS()) / 2;
        double audioStart = framesStart + in.audioShiftS();
        long deadline = System.nanoTime() + (long) (decodeTimeoutS * 1e9);
        String local = localPath(in.uri());
        try (MediaReader r = local != null ? MediaReader.open(local, deadline, 1)
                : MediaReader.open(in.uri(), new HadoopSource(in.uri(), hadoopConf == null ? new Configuration() : hadoopConf), deadline, 1)) {
            VideoProbe p = r.probe();
            if (!p.hasVideo() || p.width() <= 0 || p.height() <= 0) {
                throw new MediaException(Reasons.NO_VIDEO, in.uri() + ": no video stream", "");
            }
            if (!p.hasAudio()) throw new MediaException(Reasons.NO_AUDIO, in.uri() + ": no audio stream", "");
            // The frame on screen at the first tick started up to one source interval before it (two: pts jitter).
            double lead = Math.min(1.0, 2.0 / (p.fps() > 0 ? p.fps() : 10));
            double decodeStart = Math.min(framesStart - lead, audioStart);
            double decodeEnd = Math.max(framesStart + window, audioStart + window);
            int[] cover = CoverCropJpeg.coverSize(p.width(), p.height(), b.width(), b.height());
            DecodeRequest req = new DecodeRequest(decodeStart, decodeEnd, 0, cover[0], cover[1], 0, false, true, audioRate);
            try (CoverCropJpeg jpeg = new CoverCropJpeg(cover[0], cover[1], b.width(), b.height(), jpegQuality)) {
                Collector c = new Collector(jpeg, framesStart, b.frames(), middle, decodeEnd - decodeStart);
                r.decode(req, c);
                c.finish(in.uri());
                byte[] audio = int16le(c.audio, c.audioCount, Math.round((audioStart - decodeStart) * audioRate), audioSamples(b));
                return new ShardRow(in.clipId(), in.split(), b.name(), b.width(), b.height(), b.frames(), fps,
                        Collections.unmodifiableList(Arrays.asList(c.frames)), c.reference, audio, audioRate, in.audioShiftS(),
                        in.caption(), in.captionEstimator(), in.captionEmbedding(), in.scores(), in.videoId(), in.uri(),
                        in.startS(), in.endS(), framesStart);
            }
        }
    }

    /**
     * Streams decoded frames onto the clock: a frame is known to be the one on screen at a tick
     * once the next frame starts after that tick, so only the previous frame is kept. A frame
     * repeated over several ticks is encoded once.
     */
    private final class Collector implements FrameSink {
        final CoverCropJpeg jpeg;
        final double framesStart, middle;
        final byte[][] frames;
        byte[] reference;
        int nextTick;
        byte[] held;
        byte[] heldJpeg;
        int heldW, heldH;
        float[] audio;
        int audioCount;

        Collector(CoverCropJpeg jpeg, double framesStart, int frames, double middle, double decodeS) {
            this.jpeg = jpeg;
            this.framesStart = framesStart;
            this.frames = new byte[frames][];
            this.middle = middle;
            this.audio = new float[(int) Math.ceil(decodeS * audioRate) + 1024];
        }

        double tick(int i) {
            return framesStart + i / fps;
        }

        @Override
        public void frame(long index, double ptsS, int width, int height, byte[] pixels) {
            if (nextTick == frames.length && reference != null) return; // only audio is still wanted
            boolean refDue = reference == null && middle + TICK_EPS < ptsS;
            boolean tickDue = nextTick < frames.length && tick(nextTick) + TICK_EPS < ptsS;
            byte[] first = null;
            if (refDue || tickDue) {
                // Before the first frame nothing was on screen: the first frame stands in.
                byte[] onScreen = held != null ? heldJpeg() : (first = jpeg.encode(pixels, width, height));
                while (nextTick < frames.length && tick(nextTick) + TICK_EPS < ptsS) frames[nextTick++] = onScreen;
                if (refDue) reference = onScreen;
            }
            if (held == null || held.length != pixels.length) held = new byte[pixels.length];
            System.arraycopy(pixels, 0, held, 0, pixels.length);
            heldW = width;
            heldH = height;
            heldJpeg = first;
        }

        byte[] heldJpeg() {
            if (heldJpeg == null) heldJpeg = jpeg.encode(held, heldW, heldH);
            return heldJpeg;
        }

        @Override
        public void audio(float[] samples, int count) {
            if (audioCount + count > audio.length) audio = Arrays.copyOf(audio, Math.max(audio.length * 2, audioCount + count));
            System.arraycopy(samples, 0, audio, audioCount, count);
            audioCount += count;
        }

        /** The last frame stays on screen to the end of the window. */
        void finish(String uri) throws MediaException {
            if (nextTick == frames.length && reference != null) return;
            if (held == null) {
                throw new MediaException(Reasons.DECODE_ERROR, uri + ": no frame decoded after " + framesStart + " s", "");
            }
            while (nextTick < frames.length) frames[nextTick++] = heldJpeg();
            if (reference == null) reference = heldJpeg();
        }
    }

    /**
     * {@code count} samples from {@code offset} on, as int16 little-endian; outside what was
     * decoded (before the file's audio starts or after it ends) is silence.
     */
    static byte[] int16le(float[] samples, int available, long offset, int count) {
        byte[] out = new byte[count * 2];
        for (int k = 0; k < count; k++) {
            long i = offset + k;
            if (i < 0 || i >= available) continue;
            float v = Math.max(-1f, Math.min(1f, samples[(int) i]));
            int s = Math.round(v * 32767f);
            out[2 * k] = (byte) s;
            out[2 * k + 1] = (byte) (s >> 8);
        }
        return out;
    }

    static String localPath(String uri) {
        if (!uri.contains(":/")) return uri;
        URI u = URI.create(uri);
        return "file".equals(u.getScheme()) ? u.getPath() : null;
    }
}
