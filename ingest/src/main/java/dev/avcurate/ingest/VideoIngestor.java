package dev.avcurate.ingest;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.Ids;
import dev.avcurate.core.Reasons;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.ingest.IngestRecords.Clip;
import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.IngestRecords.Reject;
import dev.avcurate.ingest.IngestRecords.Result;
import dev.avcurate.ingest.IngestRecords.Video;
import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.DecodeStats;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.HadoopSource;
import dev.avcurate.ingest.media.MediaException;
import dev.avcurate.ingest.media.MediaReader;
import dev.avcurate.ingest.media.VideoProbe;
import dev.avcurate.ingest.shots.ClipCutter;
import dev.avcurate.ingest.shots.Shot;
import dev.avcurate.ingest.shots.ShotDetector;
import dev.avcurate.ingest.media.Ffmpeg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Lock;
import org.apache.hadoop.conf.Configuration;

/**
 * Ingests one video: checks, probe, one streaming decode (every frame, downscaled, for shot
 * detection; audio to count what decodes), shots, clips. Knows nothing of Spark: the ingest
 * stage calls it per video on the executors, the benchmark calls it in a plain loop.
 * Every failure becomes a reject with a reason; nothing thrown escapes for a bad file.
 *
 * <p>Poison files: the decode runs on its own thread under a {@link DecodeWatchdog} (a hang inside
 * a native call ends as {@code decode_timeout}), and, given the job's output directory, under the
 * attempt journal of {@link PoisonGuard} (a file that crashed the JVM on two attempts ends as
 * {@code decode_crash}). What escapes {@link #ingest} is not about the file: the journal cannot be
 * written ({@link UncheckedIOException}), the task was interrupted ({@link CancellationException}),
 * the JVM is out of memory.
 */
public final class VideoIngestor {
    private final CurateConfig cfg;
    private final Configuration hadoopConf;
    private final PoisonGuard guard;

    /** Without the attempt journal (benchmarks, tests): the watchdog still cuts a hang. */
    public VideoIngestor(CurateConfig cfg, Configuration hadoopConf) {
        this(cfg, hadoopConf, null);
    }

    /** With the attempt journal under {@code <output>/_work/attempts} (the ingest stage); null output: none. */
    public VideoIngestor(CurateConfig cfg, Configuration hadoopConf, String output) {
        this.cfg = cfg;
        this.hadoopConf = hadoopConf;
        this.guard = output == null ? null : new PoisonGuard(output, hadoopConf, !DecodeWatchdog.clusterExecutor.getAsBoolean());
    }

    public Result ingest(Input in) {
        if (in.sizeBytes() < 0) return rejected(in, null, Reasons.READ_ERROR, "listed in the manifest but not found: " + in.uri(), "");
        if (in.sizeBytes() == 0) return rejected(in, null, Reasons.EMPTY_FILE, "the file is empty (0 bytes)", "");
        try {
            return guarded(in);
        } catch (IOException e) {
            // Only the journal throws it (the file's own I/O errors are rejects): the output is not writable.
            throw new UncheckedIOException("attempt journal " + (guard == null ? "" : guard.dir()) + ", video " + in.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException c = new CancellationException("interrupted while ingesting " + in.uri());
            c.initCause(e);
            throw c;
        }
    }

    private Result guarded(Input in) throws IOException, InterruptedException {
        PoisonGuard.Prior prior = guard == null ? PoisonGuard.Prior.NONE : guard.prior(in);
        if (prior.hung()) {
            return rejected(in, null, Reasons.DECODE_TIMEOUT, "an earlier attempt's decode hung in a native call past "
                    + "ingest.timeout_s + ingest.watchdog_grace_s and the watchdog gave up on it; not decoded again", "");
        }
        if (prior.attempts() >= PoisonGuard.CRASHED_ATTEMPTS_TO_REJECT) {
            return rejected(in, null, Reasons.DECODE_CRASH, "the decoder crashed the executor on " + prior.attempts() + " attempts", "");
        }
        Ffmpeg.init(); // natives load before the clock starts
        Lock lock = PoisonGuard.decodeLock(prior);
        lock.lockInterruptibly();
        try {
            int attempt = prior.attempts() + 1;
            if (guard != null) guard.begin(in, attempt);
            double limitS = cfg.get(INGEST_TIMEOUT_S) + cfg.get(INGEST_WATCHDOG_GRACE_S);
            DecodeWatchdog.Outcome<Result> o = DecodeWatchdog.run("avcurate-decode-" + in.videoId(), "the decode of " + in.uri(),
                    (long) (limitS * 1e9),
                    () -> {
                        FaultInjection.beforeOpen(in.uri());
                        return decode(in);
                    },
                    () -> {
                        if (guard != null) guard.done(in);
                    },
                    () -> {
                        if (guard != null) guard.hung(in, attempt);
                    });
            if (!o.abandoned()) return o.value();
            return rejected(in, null, Reasons.DECODE_TIMEOUT, String.format(Locale.ROOT,
                    "the decode did not return %.0f s after it started (ingest.timeout_s + ingest.watchdog_grace_s): "
                            + "stuck in a native call, given up by the watchdog", limitS), "");
        } finally {
            lock.unlock();
        }
    }

    /** The decode and everything after it; on the decode thread. */
    private Result decode(Input in) {
        try {
            return ingestOrThrow(in);
        } catch (MediaException e) {
            return rejected(in, null, e.reason(), e.getMessage(), e.ffmpegMessage());
        } catch (IOException e) {
            return rejected(in, null, Reasons.READ_ERROR, "cannot read " + in.uri() + ": " + e, "");
        } catch (RuntimeException | LinkageError e) {
            // A bug or a native failure on one file must not fail the job: record it and go on.
            return rejected(in, null, Reasons.DECODE_ERROR, "unexpected " + e, "");
        }
    }

    private Result ingestOrThrow(Input in) throws MediaException, IOException {
        long deadline = System.nanoTime() + (long) (cfg.get(INGEST_TIMEOUT_S) * 1e9);
        int threads = cfg.get(INGEST_DECODER_THREADS);
        String local = localPath(in.uri());
        try (MediaReader reader = local != null && "auto".equals(cfg.get(INGEST_IO))
                ? MediaReader.open(local, deadline, threads)
                : MediaReader.open(in.uri(), new HadoopSource(in.uri(), hadoopConf), deadline, threads)) {
            VideoProbe p = reader.probe();
            if (!p.hasVideo()) {
                return rejected(in, p, Reasons.NO_VIDEO, "no video stream (" + (p.hasAudio() ? "audio only" : "no streams") + ")", "");
            }
            if (p.width() <= 0 || p.height() <= 0 || p.width() > cfg.get(INGEST_MAX_WIDTH) || p.height() > cfg.get(INGEST_MAX_HEIGHT)) {
                return rejected(in, p, Reasons.BAD_DIMENSIONS, String.format(Locale.ROOT,
                        "frame size %dx%d is outside 1..%dx%d", p.width(), p.height(), cfg.get(INGEST_MAX_WIDTH), cfg.get(INGEST_MAX_HEIGHT)), "");
            }
            if (p.durationS() > cfg.get(INGEST_MAX_DURATION_S)) {
                return rejected(in, p, Reasons.TOO_LONG, String.format(Locale.ROOT, "duration %.0f s exceeds ingest.max_duration_s", p.durationS()), "");
            }
            if (cfg.get(INGEST_REQUIRE_AUDIO) && !p.hasAudio()) {
                return rejected(in, p, Reasons.NO_AUDIO, "no audio stream", "");
            }
            ShotDetector detector = new ShotDetector(cfg.get(SHOTS_CUT_THRESHOLD), cfg.get(SHOTS_ADAPTIVE_RATIO),
                    cfg.get(SHOTS_WINDOW), cfg.get(SHOTS_FADE_LUMA), cfg.get(SHOTS_MIN_FRAMES),
                    cfg.get(SHOTS_DISSOLVE_MAX_S), cfg.get(SHOTS_DISSOLVE_FIT), p.fps());
            long[] audioSamples = {0};
            DecodeStats st = reader.decode(DecodeRequest.allFrames(cfg.get(SHOTS_ANALYSIS_WIDTH), cfg.get(DECODE_AUDIO_RATE)),
                    new FrameSink() {
                        @Override
                        public void frame(long index, double ptsS, int width, int height, byte[] pixels) {
                            detector.accept(ptsS, width, height, pixels);
                        }

                        @Override
                        public void audio(float[] samples, int count) {
                            audioSamples[0] += count;
                        }
                    });
            double audioS = audioSamples[0] / (double) cfg.get(DECODE_AUDIO_RATE);
            if (st.framesDecoded() == 0) {
                return rejected(in, p, st, Reasons.DECODE_ERROR, "no video frame could be decoded", st.ffmpegMessages());
            }
            double corruptRatio = st.videoPackets() == 0 ? 1 : st.corruptPackets() / (double) st.videoPackets();
            if (corruptRatio > cfg.get(INGEST_MAX_CORRUPT_RATIO)) {
                return rejected(in, p, st, Reasons.DECODE_ERROR, String.format(Locale.ROOT,
                        "%d of %d video packets failed to decode (%.1f%% > ingest.max_corrupt_ratio)",
                        st.corruptPackets(), st.videoPackets(), 100 * corruptRatio), st.ffmpegMessages());
            }
            double declared = p.durationS();
            if (declared > 0 && st.decodedDurationS() < cfg.get(INGEST_MIN_DECODED_RATIO) * declared) {
                return rejected(in, p, st, Reasons.TRUNCATED, String.format(Locale.ROOT,
                        "decoded %.2f s of the %.2f s the header declares", st.decodedDurationS(), declared), st.ffmpegMessages());
            }
            if (cfg.get(INGEST_REQUIRE_AUDIO) && audioSamples[0] == 0) {
                return rejected(in, p, st, Reasons.NO_AUDIO, "the audio stream has no decodable samples", st.ffmpegMessages());
            }
            List<Shot> shots = detector.finish();
            double fps = st.meanFrameIntervalS() > 0 ? 1 / st.meanFrameIntervalS() : p.fps();
            boolean vfr = p.vfrHint() || st.frameIntervalCv() > 0.1;
            ClipCutter cutter = new ClipCutter(cfg.get(CLIPS_MIN_S), cfg.get(CLIPS_MAX_S));
            List<Clip> clips = new ArrayList<>();
            List<Reject> rejects = new ArrayList<>();
            String vid = in.videoId();
            for (Shot s : shots) {
                for (ClipCutter.Piece piece : cutter.cut(s)) {
                    double a = round3(piece.startS()), b = round3(piece.endS());
                    String clipId = Ids.clipId(vid, a, b);
                    if (piece.tooShort()) {
                        rejects.add(new Reject(clipId + ":" + Reasons.TOO_SHORT, vid, clipId, in.uri(), "ingest", Reasons.TOO_SHORT,
                                String.format(Locale.ROOT, "shot %d piece of %.2f s is under ingest.clips.min_s = %.2f s",
                                        s.index(), b - a, cfg.get(CLIPS_MIN_S)), "", a, b));
                    } else {
                        clips.add(new Clip(clipId, vid, in.uri(), s.index(), piece.indexInShot(), a, b, round3(b - a),
                                p.width(), p.height(), round3(fps), p.hasAudio()));
                    }
                }
            }
            if (shots.isEmpty()) {
                rejects.add(videoReject(in, Reasons.NO_SHOTS, "no shot: every frame is black (below ingest.shots.fade_luma)", ""));
            }
            Video v = video(in, p, st, "ok", null, round3(fps), vfr, audioS, shots.size(), clips.size());
            return new Result(v, clips, rejects);
        }
    }

    /** A local file path for file: URIs and bare paths; null for other schemes. */
    static String localPath(String uri) {
        if (!uri.contains(":/")) return uri;
        URI u = URI.create(uri);
        return "file".equals(u.getScheme()) ? u.getPath() : null;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private Result rejected(Input in, VideoProbe p, String reason, String message, String ffmpeg) {
        return rejected(in, p, null, reason, message, ffmpeg);
    }

    private Result rejected(Input in, VideoProbe p, DecodeStats st, String reason, String message, String ffmpeg) {
        Video v = video(in, p, st, "rejected", reason, p == null ? null : round3(p.fps()), p == null ? null : p.vfrHint(),
                null, null, null);
        return new Result(v, List.of(), List.of(videoReject(in, reason, message, ffmpeg)));
    }

    private static Reject videoReject(Input in, String reason, String message, String ffmpeg) {
        return new Reject(in.videoId() + ":" + reason, in.videoId(), null, in.uri(), "ingest", reason, message,
                ffmpeg == null ? "" : ffmpeg, null, null);
    }

    private static Video video(Input in, VideoProbe p, DecodeStats st, String status, String reason, Double fps, Boolean vfr,
                               Double audioS, Integer shots, Integer clips) {
        return new Video(in.videoId(), in.uri(), in.sizeBytes(), in.mtimeMs(), status, reason,
                p == null ? null : p.container(), p == null ? null : round3(p.durationS()), fps, vfr,
                p == null ? null : p.width(), p == null ? null : p.height(),
                p == null ? null : p.codedWidth(), p == null ? null : p.codedHeight(), p == null ? null : p.rotation(),
                p == null ? null : p.videoCodec(), p == null || !p.hasAudio() ? null : p.audioCodec(),
                p == null ? null : p.hasAudio(), p == null || !p.hasAudio() ? null : p.audioSampleRate(),
                p == null || !p.hasAudio() ? null : p.audioChannels(), p == null ? null : p.bitRate(),
                st == null ? null : st.framesDecoded(), st == null ? null : st.corruptPackets(),
                st == null ? null : round3(st.decodedDurationS()), audioS == null ? null : round3(audioS), shots, clips);
    }
}
