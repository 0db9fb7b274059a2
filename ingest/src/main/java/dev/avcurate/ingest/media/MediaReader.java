package dev.avcurate.ingest.media;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swresample.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

import dev.avcurate.core.Reasons;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Streaming probe and decode of one media file with FFmpeg's libraries. Frames are chosen by
 * presentation time before any colour conversion, so frames that are not sampled cost only
 * their decode; audio is resampled to mono float as it streams. Memory does not depend on the
 * length of the file.
 *
 * <p>Owner of every native resource it opens (format context, custom AVIO, codec contexts,
 * scaler, resampler, packet and frames); {@link #close()} frees them. Not thread-safe: one
 * reader per task. A deadline is enforced inside FFmpeg's blocking I/O (interrupt callback) and
 * between packets.
 */
public final class MediaReader implements AutoCloseable {
    private static final int EAGAIN = -11;
    private static final int AVSEEK_SIZE = 0x10000;
    private static final int AVSEEK_FORCE = 0x20000;
    private static final int IO_BUFFER = 1 << 16;

    private static final Map<Long, Long> DEADLINES = new ConcurrentHashMap<>();
    private static final Map<Long, SourceState> SOURCES = new ConcurrentHashMap<>();
    private static final AVIOInterruptCB.Callback_Pointer INTERRUPT = new AVIOInterruptCB.Callback_Pointer() {
        @Override
        public int call(Pointer opaque) {
            Long deadline = opaque == null ? null : DEADLINES.get(opaque.address());
            return deadline != null && System.nanoTime() > deadline ? 1 : 0;
        }
    }.retainReference();
    private static final Read_packet_Pointer_BytePointer_int READ = new Read_packet_Pointer_BytePointer_int() {
        @Override
        public int call(Pointer opaque, BytePointer buf, int size) {
            SourceState s = SOURCES.get(opaque.address());
            if (s == null) return AVERROR_EXIT();
            if (s.deadline != 0 && System.nanoTime() > s.deadline) return AVERROR_EXIT();
            try {
                if (s.tmp.length < size) s.tmp = new byte[size];
                int n = s.source.read(s.tmp, 0, size);
                if (n <= 0) return AVERROR_EOF();
                buf.put(s.tmp, 0, n);
                s.pos += n;
                return n;
            } catch (IOException e) {
                s.error = e;
                return AVERROR_EXIT();
            }
        }
    }.retainReference();
    private static final Seek_Pointer_long_int SEEK = new Seek_Pointer_long_int() {
        @Override
        public long call(Pointer opaque, long offset, int whence) {
            SourceState s = SOURCES.get(opaque.address());
            if (s == null) return -1;
            try {
                long size = s.source.size();
                whence &= ~AVSEEK_FORCE;
                if (whence == AVSEEK_SIZE) return size;
                long target = switch (whence) {
                    case 0 -> offset;
                    case 1 -> s.pos + offset;
                    case 2 -> size + offset;
                    default -> -1;
                };
                if (target < 0) return -1;
                s.source.seek(target);
                s.pos = target;
                return target;
            } catch (IOException e) {
                s.error = e;
                return -1;
            }
        }
    }.retainReference();

    private static final class SourceState {
        final SeekableSource source;
        final long deadline;
        byte[] tmp = new byte[IO_BUFFER];
        long pos;
        IOException error;

        SourceState(SeekableSource source, long deadline) {
            this.source = source;
            this.deadline = deadline;
        }
    }

    private final String name;
    private final long deadlineNanos;
    private final int decoderThreads;
    private final BytePointer deadlineKey = new BytePointer(1);
    private AVFormatContext fmt;
    private AVIOContext avio;
    private BytePointer avioKey;
    private SeekableSource source;
    private int videoIndex = -1;
    private int audioIndex = -1;
    private VideoProbe probe;
    private double startOffsetS;

    private MediaReader(String name, long deadlineNanos, int decoderThreads) {
        this.name = name;
        this.deadlineNanos = deadlineNanos;
        this.decoderThreads = decoderThreads;
    }

    /** Opens a local file path (or any URL FFmpeg's own protocols read). */
    public static MediaReader open(String path, long deadlineNanos, int decoderThreads) throws MediaException {
        return opened(new MediaReader(path, deadlineNanos, decoderThreads), path, null);
    }

    /** Opens a stream from any file system; the reader owns and closes the source. */
    public static MediaReader open(String name, SeekableSource source, long deadlineNanos, int decoderThreads)
            throws MediaException {
        return opened(new MediaReader(name, deadlineNanos, decoderThreads), null, source);
    }

    /** A reader that fails to open frees what it allocated (and closes the source) before the error leaves. */
    private static MediaReader opened(MediaReader r, String path, SeekableSource source) throws MediaException {
        try {
            r.openInput(path, source);
            return r;
        } catch (MediaException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private void openInput(String path, SeekableSource src) throws MediaException {
        Ffmpeg.init();
        Ffmpeg.clearMessages();
        fmt = avformat_alloc_context();
        DEADLINES.put(deadlineKey.address(), deadlineNanos);
        fmt.interrupt_callback().callback(INTERRUPT).opaque(deadlineKey);
        if (src != null) {
            this.source = src;
            avioKey = new BytePointer(1);
            SOURCES.put(avioKey.address(), new SourceState(src, deadlineNanos));
            BytePointer buffer = new BytePointer(av_malloc(IO_BUFFER)).capacity(IO_BUFFER);
            avio = avio_alloc_context(buffer, IO_BUFFER, 0, avioKey, READ, null, SEEK);
            fmt.pb(avio);
            fmt.flags(fmt.flags() | 0x0080); // AVFMT_FLAG_CUSTOM_IO: we free the AVIO context ourselves
        }
        int rc = avformat_open_input(fmt, path, null, null);
        if (rc < 0) {
            fmt = null; // freed by FFmpeg on failure
            throw fail(rc, "cannot open input");
        }
        rc = avformat_find_stream_info(fmt, (PointerPointer<?>) null);
        if (rc < 0) throw fail(rc, "cannot read stream info");
        // An interrupted stream-info read can still return success with half-filled streams
        // (size 0x0); past the deadline the probe cannot be trusted, so it is a timeout.
        if (System.nanoTime() > deadlineNanos) throw timeout();
        probe = readProbe();
    }

    private MediaException fail(int rc, String what) {
        String reason = rc == AVERROR_EXIT() ? Reasons.DECODE_TIMEOUT : Reasons.DECODE_ERROR;
        if (rc == AVERROR_EXIT() && System.nanoTime() <= deadlineNanos) reason = Reasons.DECODE_ERROR;
        SourceState s = avioKey == null ? null : SOURCES.get(avioKey.address());
        String ioErr = s != null && s.error != null ? " (I/O: " + s.error + ")" : "";
        return new MediaException(reason, what + ioErr, Ffmpeg.messageFor(rc));
    }

    private MediaException timeout() {
        return new MediaException(Reasons.DECODE_TIMEOUT, "time limit reached while reading " + name,
                Ffmpeg.recentMessages());
    }

    private VideoProbe readProbe() {
        videoIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
        audioIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, videoIndex >= 0 ? videoIndex : -1, (AVCodec) null, 0);
        if (audioIndex < 0) audioIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
        // Attached pictures (cover art) are not video.
        if (videoIndex >= 0 && (fmt.streams(videoIndex).disposition() & AV_DISPOSITION_ATTACHED_PIC) != 0) videoIndex = -1;
        long st = fmt.start_time();
        startOffsetS = st == AV_NOPTS_VALUE ? 0 : st / (double) AV_TIME_BASE;
        double dur = fmt.duration() == AV_NOPTS_VALUE ? 0 : fmt.duration() / (double) AV_TIME_BASE;
        String container = fmt.iformat() == null ? "" : fmt.iformat().name().getString();
        boolean hasVideo = videoIndex >= 0;
        String vcodec = "";
        int cw = 0, ch = 0, rot = 0;
        double fps = 0;
        boolean vfr = false;
        long frames = 0;
        if (hasVideo) {
            AVStream vs = fmt.streams(videoIndex);
            AVCodecParameters p = vs.codecpar();
            vcodec = avcodec_get_name(p.codec_id()).getString();
            cw = p.width();
            ch = p.height();
            rot = rotationOf(p);
            double avg = q(vs.avg_frame_rate());
            double real = q(vs.r_frame_rate());
            fps = avg > 0 ? avg : real;
            vfr = avg > 0 && real > 0 && Math.abs(avg - real) / real > 0.01;
            frames = vs.nb_frames();
            if (dur <= 0 && vs.duration() != AV_NOPTS_VALUE) dur = vs.duration() * q(vs.time_base());
        }
        boolean hasAudio = audioIndex >= 0;
        String acodec = "";
        int rate = 0, channels = 0;
        if (hasAudio) {
            AVCodecParameters p = fmt.streams(audioIndex).codecpar();
            acodec = avcodec_get_name(p.codec_id()).getString();
            rate = p.sample_rate();
            channels = p.ch_layout().nb_channels();
        }
        boolean swap = rot == 90 || rot == 270;
        return new VideoProbe(container, dur, hasVideo, vcodec, cw, ch, swap ? ch : cw, swap ? cw : ch, rot, fps, vfr,
                frames, hasAudio, acodec, rate, channels, fmt.bit_rate());
    }

    /** Degrees clockwise to turn the coded picture for display (the display matrix, as ffmpeg -autorotate reads it). */
    private static int rotationOf(AVCodecParameters p) {
        AVPacketSideData sd = av_packet_side_data_get(p.coded_side_data(), p.nb_coded_side_data(), AV_PKT_DATA_DISPLAYMATRIX);
        if (sd == null || sd.isNull() || sd.size() < 36) return 0;
        double ccw = av_display_rotation_get(new IntPointer(sd.data()));
        if (Double.isNaN(ccw)) return 0;
        int cw = (int) Math.round(-ccw);
        cw = ((cw % 360) + 360) % 360;
        return (int) (Math.round(cw / 90.0) * 90) % 360;
    }

    private static double q(AVRational r) {
        return r == null || r.den() == 0 ? 0 : r.num() / (double) r.den();
    }

    public VideoProbe probe() {
        return probe;
    }

    /**
     * Decodes per the request and streams the result into the sink.
     *
     * @throws MediaException decode_timeout past the deadline, decode_error when a decoder cannot be opened
     */
    public DecodeStats decode(DecodeRequest req, FrameSink sink) throws MediaException {
        Ffmpeg.clearMessages();
        boolean wantVideo = req.video() && videoIndex >= 0;
        boolean wantAudio = req.audioRate() > 0 && audioIndex >= 0;
        AVCodecContext vctx = null, actx = null;
        AVPacket pkt = av_packet_alloc();
        AVFrame frame = av_frame_alloc();
        VideoOut vout = null;
        AudioOut aout = null;
        try {
            if (wantVideo) {
                vctx = openDecoder(videoIndex);
                int[] out = req.outputSize(probe.width(), probe.height());
                vout = new VideoOut(req, out[0], out[1], probe.rotation(), q(fmt.streams(videoIndex).time_base()), startOffsetS);
            }
            if (wantAudio) {
                actx = openDecoder(audioIndex);
                aout = new AudioOut(req, q(fmt.streams(audioIndex).time_base()), startOffsetS);
            }
            if (req.startS() > 0) {
                long ts = (long) ((req.startS() + startOffsetS) * AV_TIME_BASE);
                av_seek_frame(fmt, -1, ts, AVSEEK_FLAG_BACKWARD);
            }
            long packets = 0, corrupt = 0;
            boolean eof = false;
            while (!eof) {
                if (System.nanoTime() > deadlineNanos) throw timeout();
                if ((vout == null || vout.done) && (aout == null || aout.done)) break;
                int rc = av_read_frame(fmt, pkt);
                if (rc < 0) {
                    if (System.nanoTime() > deadlineNanos) throw timeout();
                    // Before the deadline an interrupted read is our I/O callback giving up: say why.
                    if (rc == AVERROR_EXIT()) throw fail(rc, "cannot read packets");
                    eof = true;
                    if (vctx != null) avcodec_send_packet(vctx, null);
                    if (actx != null) avcodec_send_packet(actx, null);
                } else {
                    int si = pkt.stream_index();
                    if (si == videoIndex && vctx != null && !vout.done) {
                        packets++;
                        int s = avcodec_send_packet(vctx, pkt);
                        if (s < 0 && s != EAGAIN) corrupt++;
                    } else if (si == audioIndex && actx != null && !aout.done) {
                        avcodec_send_packet(actx, pkt);
                    }
                }
                if (vctx != null) corrupt += drainVideo(vctx, frame, vout, sink);
                if (actx != null) drainAudio(actx, frame, aout, sink);
                av_packet_unref(pkt);
            }
            if (aout != null) aout.finish(sink);
            return new DecodeStats(packets, corrupt, vout == null ? 0 : vout.decoded, vout == null ? 0 : vout.emitted,
                    vout == null ? 0 : vout.firstPts, vout == null ? 0 : vout.lastPts,
                    vout == null ? 0 : vout.meanInterval(), vout == null ? 0 : vout.intervalCv(),
                    aout == null ? 0 : aout.emittedTotal, Ffmpeg.recentMessages());
        } finally {
            if (vout != null) vout.close();
            if (aout != null) aout.close();
            av_frame_free(frame);
            av_packet_free(pkt);
            if (vctx != null) avcodec_free_context(vctx);
            if (actx != null) avcodec_free_context(actx);
        }
    }

    private AVCodecContext openDecoder(int index) throws MediaException {
        AVCodecParameters p = fmt.streams(index).codecpar();
        AVCodec codec = avcodec_find_decoder(p.codec_id());
        if (codec == null || codec.isNull()) {
            throw new MediaException(Reasons.DECODE_ERROR, "no decoder for codec " + avcodec_get_name(p.codec_id()).getString(), "");
        }
        AVCodecContext ctx = avcodec_alloc_context3(codec);
        int rc = avcodec_parameters_to_context(ctx, p);
        if (rc >= 0) {
            ctx.thread_count(decoderThreads);
            ctx.pkt_timebase(fmt.streams(index).time_base());
            rc = avcodec_open2(ctx, codec, (PointerPointer<?>) null);
        }
        if (rc < 0) {
            avcodec_free_context(ctx);
            throw fail(rc, "cannot open the " + codec.name().getString() + " decoder");
        }
        return ctx;
    }

    private long drainVideo(AVCodecContext ctx, AVFrame frame, VideoOut out, FrameSink sink) throws MediaException {
        long corrupt = 0;
        while (true) {
            int rc = avcodec_receive_frame(ctx, frame);
            if (rc == EAGAIN || rc == AVERROR_EOF()) return corrupt;
            if (rc < 0) {
                return corrupt + 1;
            }
            if (frame.decode_error_flags() != 0 || (frame.flags() & 1) != 0) corrupt++;
            if (!out.done) out.accept(frame, sink);
            av_frame_unref(frame);
        }
    }

    private void drainAudio(AVCodecContext ctx, AVFrame frame, AudioOut out, FrameSink sink) throws MediaException {
        while (true) {
            int rc = avcodec_receive_frame(ctx, frame);
            if (rc < 0) return;
            if (!out.done) out.accept(frame, sink);
            av_frame_unref(frame);
        }
    }

    /** Chooses frames by time, scales the chosen ones, rotates for display. Owns its scaler and buffers. */
    private static final class VideoOut implements AutoCloseable {
        final DecodeRequest req;
        final int outW, outH, rotation;
        final int scaledW, scaledH, channels;
        final double tb, offset;
        SwsContext sws;
        int srcW = -1, srcH = -1, srcFmt = -1;
        final BytePointer buf;
        final int rowBytes, stride;
        // sws_scale reads four plane pointers and four strides even for packed output.
        final PointerPointer<?> dstPlanes = new PointerPointer<>(4);
        final IntPointer dstStrides = new IntPointer(4);
        final byte[] scaled, rotated;
        boolean done;
        long decoded, emitted;
        double firstPts = Double.NaN, lastPts = Double.NaN, nextTick;
        double sum, sumSq;
        long intervals;

        VideoOut(DecodeRequest req, int outW, int outH, int rotation, double tb, double offset) {
            this.req = req;
            this.outW = outW;
            this.outH = outH;
            this.rotation = rotation;
            boolean swap = rotation == 90 || rotation == 270;
            this.scaledW = swap ? outH : outW;
            this.scaledH = swap ? outW : outH;
            this.channels = req.gray() ? 1 : 3;
            this.tb = tb;
            this.offset = offset;
            // swscale's SIMD paths write whole vectors: rows must start 64-byte aligned, and the
            // buffer needs slack past the last row, or a width like 456 overruns the native heap.
            this.rowBytes = scaledW * channels;
            this.stride = (rowBytes + 63) & ~63;
            this.buf = new BytePointer(av_malloc((long) stride * scaledH + 128)).capacity((long) stride * scaledH + 128);
            dstPlanes.put(0, buf);
            dstStrides.put(0, stride);
            this.scaled = new byte[scaledW * scaledH * channels];
            this.rotated = rotation == 0 ? scaled : new byte[scaled.length];
            this.nextTick = req.startS();
        }

        void accept(AVFrame f, FrameSink sink) throws MediaException {
            long ts = f.best_effort_timestamp();
            double pts = ts == AV_NOPTS_VALUE ? (Double.isNaN(lastPts) ? 0 : lastPts + meanIntervalOr(1 / 25.0)) : ts * tb - offset;
            if (pts < req.startS() - 1e-6) return;
            if (pts >= req.endS() - 1e-6) {
                done = true;
                return;
            }
            if (!Double.isNaN(lastPts)) {
                double d = pts - lastPts;
                if (d > 0) {
                    sum += d;
                    sumSq += d * d;
                    intervals++;
                }
            } else {
                firstPts = pts;
            }
            lastPts = pts;
            decoded++;
            if (req.sampleFps() > 0) {
                // The frame on screen at each tick of the output clock: emit it once per tick passed.
                if (pts + 1e-6 < nextTick) return;
                double step = 1.0 / req.sampleFps();
                while (nextTick <= pts + 1e-6) nextTick += step;
            }
            convert(f);
            sink.frame(emitted++, pts, outW, outH, rotated);
        }

        private void convert(AVFrame f) throws MediaException {
            if (f.width() != srcW || f.height() != srcH || f.format() != srcFmt) {
                if (f.width() <= 0 || f.height() <= 0) throw new MediaException(Reasons.DECODE_ERROR, "frame with no size", "");
                if (sws != null) sws_freeContext(sws);
                srcW = f.width();
                srcH = f.height();
                srcFmt = f.format();
                sws = sws_getContext(srcW, srcH, srcFmt, scaledW, scaledH, channels == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_BGR24,
                        SWS_BILINEAR, null, null, (DoublePointer) null);
                if (sws == null || sws.isNull()) {
                    throw new MediaException(Reasons.DECODE_ERROR, "cannot scale pixel format " + srcFmt, "");
                }
            }
            sws_scale(sws, f.data(), f.linesize(), 0, srcH, dstPlanes, dstStrides);
            if (stride == rowBytes) {
                buf.position(0).get(scaled, 0, rowBytes * scaledH);
            } else {
                for (int y = 0; y < scaledH; y++) buf.position((long) y * stride).get(scaled, y * rowBytes, rowBytes);
                buf.position(0);
            }
            if (rotation != 0) Rotation.rotate(scaled, scaledW, scaledH, channels, rotation, rotated);
        }

        private double meanIntervalOr(double d) {
            return intervals == 0 ? d : sum / intervals;
        }

        double meanInterval() {
            return meanIntervalOr(0);
        }

        double intervalCv() {
            if (intervals < 2) return 0;
            double m = sum / intervals;
            double var = Math.max(0, sumSq / intervals - m * m);
            return Math.sqrt(var) / m;
        }

        @Override
        public void close() {
            if (sws != null) sws_freeContext(sws);
            dstPlanes.close();
            dstStrides.close();
            av_free(buf.position(0));
        }
    }

    /** Resamples to mono float, aligns to the requested start, trims to the requested end. Owns its resampler. */
    private static final class AudioOut implements AutoCloseable {
        final DecodeRequest req;
        final double tb, offset;
        final long target; // samples wanted, or -1 for "to the end"
        SwrContext swr;
        int inFmt = -1, inRate = -1, inChannels = -1;
        FloatPointer out = new FloatPointer(8192);
        final PointerPointer<?> outPlanes = new PointerPointer<>(1);
        float[] jbuf = new float[8192];
        boolean aligned, done;
        long emittedTotal;

        AudioOut(DecodeRequest req, double tb, double offset) {
            this.req = req;
            this.tb = tb;
            this.offset = offset;
            this.target = Double.isInfinite(req.endS()) ? -1 : Math.round((req.endS() - req.startS()) * req.audioRate());
        }

        void accept(AVFrame f, FrameSink sink) throws MediaException {
            if (f.format() != inFmt || f.sample_rate() != inRate || f.ch_layout().nb_channels() != inChannels) {
                if (swr != null) swr_free(swr);
                inFmt = f.format();
                inRate = f.sample_rate();
                inChannels = f.ch_layout().nb_channels();
                swr = new SwrContext(null);
                try (AVChannelLayout mono = new AVChannelLayout()) {
                    av_channel_layout_default(mono, 1);
                    int rc = swr_alloc_set_opts2(swr, mono, AV_SAMPLE_FMT_FLT, req.audioRate(), f.ch_layout(), inFmt, inRate, 0, null);
                    if (rc < 0 || swr_init(swr) < 0) throw new MediaException(Reasons.DECODE_ERROR, "cannot resample audio", Ffmpeg.messageFor(rc));
                }
            }
            long ts = f.best_effort_timestamp();
            if (!aligned) {
                aligned = true;
                if (ts != AV_NOPTS_VALUE) {
                    double pts = ts * tb - offset;
                    long pos = Math.round((pts - req.startS()) * req.audioRate());
                    if (pos > 0) pad(Math.min(pos, target < 0 ? pos : target), sink);
                    else skip = -pos;
                }
            }
            int maxOut = swr_get_out_samples(swr, f.nb_samples());
            ensure(maxOut);
            int n = swr_convert(swr, outPlanes.put(0, out), maxOut, f.extended_data(), f.nb_samples());
            if (n > 0) emit(n, sink);
        }

        long skip;

        private void ensure(int n) {
            if (out.capacity() < n) {
                out.close();
                out = new FloatPointer(n);
            }
            if (jbuf.length < n) jbuf = new float[n];
        }

        private void emit(int n, FrameSink sink) {
            out.get(jbuf, 0, n);
            int from = 0;
            if (skip > 0) {
                int s = (int) Math.min(skip, n);
                skip -= s;
                from = s;
            }
            int count = n - from;
            if (target >= 0 && emittedTotal + count > target) {
                count = (int) (target - emittedTotal);
                done = true;
            }
            if (count <= 0) return;
            if (from > 0) System.arraycopy(jbuf, from, jbuf, 0, count);
            emittedTotal += count;
            sink.audio(jbuf, count);
            if (target >= 0 && emittedTotal >= target) done = true;
        }

        private void pad(long n, FrameSink sink) {
            float[] zeros = new float[4096];
            while (n > 0) {
                int c = (int) Math.min(n, zeros.length);
                sink.audio(zeros, c);
                emittedTotal += c;
                n -= c;
            }
        }

        void finish(FrameSink sink) {
            if (swr != null && !done) {
                ensure(8192);
                int n = swr_convert(swr, outPlanes.put(0, out), 8192, (PointerPointer<?>) null, 0);
                if (n > 0) emit(n, sink);
            }
            // A range request gets exactly its length: silence where the stream ran out.
            if (target >= 0 && emittedTotal < target && emittedTotal > 0) pad(target - emittedTotal, sink);
        }

        @Override
        public void close() {
            if (swr != null) swr_free(swr);
            outPlanes.close();
            out.close();
        }
    }

    @Override
    public void close() {
        if (fmt != null) {
            avformat_close_input(fmt);
            fmt = null;
        }
        if (avio != null) {
            BytePointer b = avio.buffer();
            if (b != null && !b.isNull()) av_free(b);
            avio_context_free(avio);
            avio = null;
        }
        if (avioKey != null) {
            SOURCES.remove(avioKey.address());
            avioKey.close();
        }
        DEADLINES.remove(deadlineKey.address());
        deadlineKey.close();
        if (source != null) {
            try {
                source.close();
            } catch (IOException ignored) {
                // closing a read-only stream: nothing is lost
            }
        }
    }
}
