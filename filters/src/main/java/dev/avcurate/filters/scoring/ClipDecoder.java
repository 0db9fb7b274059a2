package dev.avcurate.filters.scoring;

import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.HadoopSource;
import dev.avcurate.ingest.media.MediaException;
import dev.avcurate.ingest.media.MediaReader;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Decodes one clip once for every scorer: frames at the sampling rate and short side, 16 kHz mono
 * audio, and, when a sync rate is set, every frame on that clock as well (the sampled frames are
 * then picked from those by the same presentation-time rule the reader uses).
 */
public final class ClipDecoder {
    private final double sampleFps;
    private final double syncFps;
    private final int shortSide;
    private final int audioRate;
    private final double timeoutS;
    private final Configuration hadoopConf;

    /** @param syncFps 0 = no sync clock; else every frame at this rate goes to {@link DecodedClip#syncFrames()} */
    public ClipDecoder(double sampleFps, double syncFps, int shortSide, int audioRate, double timeoutS, Configuration hadoopConf) {
        this.sampleFps = sampleFps;
        this.syncFps = syncFps;
        this.shortSide = shortSide;
        this.audioRate = audioRate;
        this.timeoutS = timeoutS;
        this.hadoopConf = hadoopConf;
    }

    public DecodedClip decode(String clipId, String uri, double startS, double endS, double sourceFps)
            throws MediaException, IOException {
        long deadline = System.nanoTime() + (long) (timeoutS * 1e9);
        String local = localPath(uri);
        List<VideoFrame> frames = new ArrayList<>();
        float[][] audio = {new float[(int) Math.ceil((endS - startS) * audioRate) + 16]};
        int[] n = {0};
        try (MediaReader r = local != null ? MediaReader.open(local, deadline, 1)
                : MediaReader.open(uri, new HadoopSource(uri, hadoopConf), deadline, 1)) {
            r.decode(DecodeRequest.forScorers(startS, endS, syncFps > 0 ? syncFps : sampleFps, shortSide, audioRate), new FrameSink() {
                @Override
                public void frame(long index, double ptsS, int width, int height, byte[] pixels) {
                    frames.add(new VideoFrame(ptsS, width, height, pixels.clone()));
                }

                @Override
                public void audio(float[] samples, int count) {
                    if (n[0] + count > audio[0].length) audio[0] = java.util.Arrays.copyOf(audio[0], (n[0] + count) * 2);
                    System.arraycopy(samples, 0, audio[0], n[0], count);
                    n[0] += count;
                }
            });
        }
        float[] a = n[0] == 0 ? null : java.util.Arrays.copyOf(audio[0], n[0]);
        if (syncFps <= 0) return new DecodedClip(clipId, startS, endS, sourceFps, sampleFps, frames, a, audioRate);
        return new DecodedClip(clipId, startS, endS, sourceFps, sampleFps, sample(frames, startS, sampleFps), a, audioRate,
                onClock(frames, startS, endS, syncFps), syncFps);
    }

    /**
     * One frame per tick of an exact {@code fps} clock from {@code startS}: of the frames the
     * reader chose for that clock, the one nearest the tick, stamped with the tick's time. A
     * source slower than the clock repeats frames (the same pixels, not copies), so that frame i
     * is always at startS + i / fps, which is what 25 fps models and their 40 ms audio windows
     * assume. Ticks stop after the last frame has had its own duration on screen.
     */
    static List<VideoFrame> onClock(List<VideoFrame> frames, double startS, double endS, double fps) {
        List<VideoFrame> out = new ArrayList<>();
        if (frames.isEmpty()) return out;
        double lastPts = frames.get(frames.size() - 1).ptsS();
        double lastShown = frames.size() > 1 ? lastPts - frames.get(frames.size() - 2).ptsS() : 1 / fps;
        int k = 0;
        for (int i = 0; ; i++) {
            double tick = startS + i / fps;
            if (tick >= endS - 1e-6 || tick >= lastPts + lastShown - 1e-6) break;
            while (k + 1 < frames.size() && Math.abs(frames.get(k + 1).ptsS() - tick) < Math.abs(frames.get(k).ptsS() - tick) - 1e-9) k++;
            VideoFrame f = frames.get(k);
            out.add(Math.abs(f.ptsS() - tick) < 1e-9 ? f : new VideoFrame(tick, f.width(), f.height(), f.bgr()));
        }
        return out;
    }

    /** The frame on screen at each tick of a {@code fps} clock starting at {@code startS} (the reader's rule). */
    static List<VideoFrame> sample(List<VideoFrame> frames, double startS, double fps) {
        List<VideoFrame> out = new ArrayList<>();
        double next = startS, step = 1.0 / fps;
        for (VideoFrame f : frames) {
            if (f.ptsS() + 1e-6 < next) continue;
            while (next <= f.ptsS() + 1e-6) next += step;
            out.add(f);
        }
        return out;
    }

    static String localPath(String uri) {
        if (!uri.contains(":/")) return uri;
        URI u = URI.create(uri);
        return "file".equals(u.getScheme()) ? u.getPath() : null;
    }
}
