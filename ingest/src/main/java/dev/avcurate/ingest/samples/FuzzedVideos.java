package dev.avcurate.ingest.samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Mutated valid videos for fuzzing the ingest: generated seeds (MPEG-4 Part 2 and H.264 in MP4,
 * with AAC, index at the end or in front) mutated by flipped bytes, truncated or mis-sized MP4
 * boxes, huge dimensions patched into the headers (tkhd, the sample entry, the H.264 SPS), wrong
 * codec tags in the sample entry, and moov/mdat swapped or duplicated. Seeded: the same seed and
 * count give the same files. Nothing is downloaded.
 */
public final class FuzzedVideos {
    private FuzzedVideos() {}

    /** One written file: its seed video and the mutations applied, in order. */
    public record Fuzzed(Path path, String seed, List<String> mutations) {}

    private static final String[] TAGS = {"avc1", "hvc1", "hev1", "mp4v", "av01", "vp09", "mjpa", "s263"};
    private static final int[] DIMS = {0, 1, 2, 16, 4095, 8192, 8193, 16_384, 32_768, 65_535};

    /**
     * Writes {@code n} fuzzed files into {@code dir} (named {@code fuzz_00000.mp4}, ...), from seed
     * videos written once into {@code seedDir} (kept apart: they are valid). Stops early, with fewer
     * files, once {@code maxSeconds} have passed.
     */
    public static List<Fuzzed> write(Path dir, Path seedDir, int n, long seed, double maxSeconds) throws IOException {
        long until = System.nanoTime() + (long) (maxSeconds * 1e9);
        Files.createDirectories(dir);
        List<Path> seeds = seeds(seedDir);
        List<byte[]> seedBytes = new ArrayList<>();
        for (Path p : seeds) seedBytes.add(Files.readAllBytes(p));
        SplittableRandom r = new SplittableRandom(seed);
        List<Fuzzed> out = new ArrayList<>();
        for (int i = 0; i < n && System.nanoTime() < until; i++) {
            SplittableRandom ri = r.split();
            int s = ri.nextInt(seeds.size());
            List<String> log = new ArrayList<>();
            byte[] b = mutate(seedBytes.get(s), ri, log);
            Path p = dir.resolve(String.format(Locale.ROOT, "fuzz_%05d.mp4", i));
            Files.write(p, b);
            out.add(new Fuzzed(p, seeds.get(s).getFileName().toString(), log));
        }
        return out;
    }

    /** The seed videos (written once): 320x180, 3 s, 25 fps, talking head with speech-like AAC audio. */
    static List<Path> seeds(Path dir) throws IOException {
        SpeechSignal s = new SpeechSignal(17, 150);
        List<Path> out = new ArrayList<>();
        for (String codec : List.of("mpeg4", "libopenh264")) {
            for (boolean fast : List.of(false, true)) {
                Path p = dir.resolve((codec.equals("mpeg4") ? "mp4v" : "h264") + (fast ? "_faststart" : "_moov_end") + ".mp4");
                if (!Files.exists(p)) {
                    Path tmp = dir.resolve(".tmp_" + p.getFileName());
                    SyntheticVideo v = new SyntheticVideo().size(320, 180).fps(25).seconds(3)
                            .painter(Scenes.talkingHead(Scenes.textured(17), s, 0.5, 0.5, 17)).audio(s::sample, 44_100, 2).faststart(fast);
                    if (!codec.equals("mpeg4")) v.codecName(codec);
                    v.write(tmp);
                    Files.move(tmp, p);
                }
                out.add(p);
            }
        }
        return out;
    }

    /** One to three mutations of a seed, in an order where the structural ones see an intact file. */
    static byte[] mutate(byte[] seed, SplittableRandom r, List<String> log) {
        int count = 1 + (r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0);
        List<Integer> kinds = new ArrayList<>();
        for (int k = 0; k < count; k++) kinds.add(r.nextInt(5));
        kinds.sort(Comparator.naturalOrder()); // dims, tag, reorder, box, flip: each later one may break the structure
        byte[] b = seed;
        for (int kind : kinds) {
            byte[] next = switch (kind) {
                case 0 -> hugeDimensions(b, r, log);
                case 1 -> codecTag(b, r, log);
                case 2 -> reorder(b, r, log);
                case 3 -> boxDamage(b, r, log);
                default -> flip(b, r, log);
            };
            if (next == null) next = flip(b, r, log); // the structure it needed was gone
            b = next;
        }
        return b;
    }

    // ---- the MP4 box tree ------------------------------------------------------------------------

    /** A box: type, start offset, total size, header length, index of its parent (-1 at the top). */
    record Box(String type, int start, long size, int header, int parent) {
        int end() {
            return (int) (start + size);
        }

        int payload() {
            return start + header;
        }
    }

    private static final List<String> CONTAINERS = List.of("moov", "trak", "mdia", "minf", "stbl", "edts", "dinf", "udta", "mvex");

    /** The boxes of a file, parents before children; null when the top level does not parse. */
    static List<Box> boxes(byte[] f) {
        List<Box> out = new ArrayList<>();
        return walk(f, 0, f.length, -1, out, 0) ? out : null;
    }

    private static boolean walk(byte[] f, int from, int to, int parent, List<Box> out, int depth) {
        int at = from;
        while (at + 8 <= to) {
            long size = u32(f, at);
            int header = 8;
            if (size == 1) {
                if (at + 16 > to) return false;
                size = ByteBuffer.wrap(f, at + 8, 8).getLong();
                header = 16;
            } else if (size == 0) {
                size = to - at;
            }
            if (size < header || at + size > to) return false;
            String type = new String(f, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            Box b = new Box(type, at, size, header, parent);
            int index = out.size();
            out.add(b);
            if (depth < 12) {
                if (CONTAINERS.contains(type)) {
                    if (!walk(f, b.payload(), b.end(), index, out, depth + 1)) return false;
                } else if (type.equals("stsd")) {
                    if (!walk(f, b.payload() + 8, b.end(), index, out, depth + 1)) return false;
                } else if (parent >= 0 && out.get(parent).type().equals("stsd")) {
                    int fields = isVisual(f, out, parent) ? 78 : 28; // visual or audio sample entry fields before the child boxes
                    if (b.payload() + fields <= b.end()) walk(f, b.payload() + fields, b.end(), index, out, depth + 1);
                }
            }
            at += (int) size;
        }
        return true;
    }

    /** Whether a sample entry (a child of stsd) belongs to a video track: its mdia's hdlr says 'vide'. */
    private static boolean isVisual(byte[] f, List<Box> out, int stsd) {
        int stbl = out.get(stsd).parent(), minf = stbl < 0 ? -1 : out.get(stbl).parent(), mdia = minf < 0 ? -1 : out.get(minf).parent();
        if (mdia < 0) return false;
        for (Box h : out) {
            if (h.parent() == mdia && h.type().equals("hdlr") && h.payload() + 12 <= h.end()) {
                return f[h.payload() + 8] == 'v' && f[h.payload() + 9] == 'i' && f[h.payload() + 10] == 'd' && f[h.payload() + 11] == 'e';
            }
        }
        return false;
    }

    private static Box first(List<Box> bs, String type) {
        for (Box b : bs) if (b.type().equals(type)) return b;
        return null;
    }

    private static Box videoEntry(byte[] f, List<Box> bs) {
        for (Box b : bs) {
            if (b.parent() >= 0 && bs.get(b.parent()).type().equals("stsd") && isVisual(f, bs, b.parent())) return b;
        }
        return null;
    }

    // ---- mutations ---------------------------------------------------------------------------------

    static byte[] flip(byte[] f, SplittableRandom r, List<String> log) {
        byte[] b = f.clone();
        List<Box> bs = boxes(f);
        Box moov = bs == null ? null : first(bs, "moov");
        boolean inMoov = moov != null && r.nextBoolean();
        int from = inMoov ? moov.start() : 0, len = inMoov ? (int) moov.size() : b.length;
        int k = 1 + r.nextInt(16);
        for (int i = 0; i < k; i++) b[from + r.nextInt(len)] ^= (byte) (1 + r.nextInt(255));
        log.add("flip " + k + " bytes" + (inMoov ? " in moov" : ""));
        return b;
    }

    static byte[] boxDamage(byte[] f, SplittableRandom r, List<String> log) {
        List<Box> bs = boxes(f);
        if (bs == null || bs.isEmpty()) return null;
        Box b = bs.get(r.nextInt(bs.size()));
        if (r.nextInt(3) == 0) {
            int cut = b.start() + r.nextInt((int) Math.min(Integer.MAX_VALUE, b.size()));
            log.add("truncate inside " + b.type() + " at " + cut + " of " + f.length);
            return Arrays.copyOf(f, cut);
        }
        byte[] out = f.clone();
        long[] sizes = {0, 1, 7, b.size() / 2, b.size() - 1, b.size() + 1, b.size() + 4096, 0xFFFF_FFFFL, r.nextLong(1L << 32)};
        long size = sizes[r.nextInt(sizes.length)];
        if (b.header() == 16) ByteBuffer.wrap(out, b.start() + 8, 8).putLong(size);
        else putU32(out, b.start(), size);
        log.add("size of " + b.type() + " " + b.size() + " -> " + size);
        return out;
    }

    static byte[] codecTag(byte[] f, SplittableRandom r, List<String> log) {
        List<Box> bs = boxes(f);
        Box e = bs == null ? null : videoEntry(f, bs);
        if (e == null) return null;
        String tag;
        do {
            tag = r.nextInt(4) == 0 ? randomTag(r) : TAGS[r.nextInt(TAGS.length)];
        } while (tag.equals(e.type()));
        byte[] out = f.clone();
        byte[] t = tag.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(t, 0, out, e.start() + 4, 4);
        log.add("codec tag " + e.type() + " -> " + printable(tag));
        return out;
    }

    static byte[] reorder(byte[] f, SplittableRandom r, List<String> log) {
        List<Box> bs = boxes(f);
        if (bs == null) return null;
        Box moov = null, mdat = null;
        for (Box b : bs) {
            if (b.parent() != -1) continue;
            if (b.type().equals("moov") && moov == null) moov = b;
            if (b.type().equals("mdat") && mdat == null) mdat = b;
        }
        if (moov == null || mdat == null) return null;
        byte[] mv = Arrays.copyOfRange(f, moov.start(), moov.end()), md = Arrays.copyOfRange(f, mdat.start(), mdat.end());
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        switch (r.nextInt(4)) {
            case 0 -> { // swap the two, chunk offsets left pointing where the media data was
                Box a = moov.start() < mdat.start() ? moov : mdat, z = a == moov ? mdat : moov;
                o.write(f, 0, a.start());
                o.writeBytes(a == moov ? md : mv);
                o.write(f, a.end(), z.start() - a.end());
                o.writeBytes(a == moov ? mv : md);
                o.write(f, z.end(), f.length - z.end());
                log.add("swap moov and mdat (offsets stale)");
            }
            case 1 -> { // swap, chunk offsets moved with the media data: a valid file in the other layout
                Box a = moov.start() < mdat.start() ? moov : mdat, z = a == moov ? mdat : moov;
                long newMdatStart = a == mdat ? a.start() + (z.end() - z.start()) + (z.start() - a.end()) : a.start();
                byte[] mv2 = mv.clone();
                shiftChunkOffsets(mv2, newMdatStart - mdat.start());
                o.write(f, 0, a.start());
                o.writeBytes(a == moov ? md : mv2);
                o.write(f, a.end(), z.start() - a.end());
                o.writeBytes(a == moov ? mv2 : md);
                o.write(f, z.end(), f.length - z.end());
                log.add("swap moov and mdat (offsets moved)");
            }
            case 2 -> {
                o.writeBytes(f);
                o.writeBytes(mv);
                log.add("duplicate moov at the end");
            }
            default -> {
                o.write(f, 0, mdat.end());
                o.writeBytes(md);
                o.write(f, mdat.end(), f.length - mdat.end());
                log.add("duplicate mdat");
            }
        }
        return o.toByteArray();
    }

    static byte[] hugeDimensions(byte[] f, SplittableRandom r, List<String> log) {
        List<Box> bs = boxes(f);
        Box e = bs == null ? null : videoEntry(f, bs);
        if (e == null) return null;
        int w = dim(r), h = dim(r);
        int where = 1 + r.nextInt(7); // bit 0: tkhd, 1: sample entry, 2: SPS
        byte[] out = f.clone();
        List<String> what = new ArrayList<>();
        if ((where & 1) != 0) {
            for (Box t : bs) {
                if (!t.type().equals("tkhd")) continue;
                int v = out[t.payload()] & 0xff;
                int at = t.payload() + (v == 1 ? 88 : 76);
                if (at + 8 > t.end() || u32(out, at) == 0) continue; // the audio track has no size
                putU32(out, at, (long) w << 16);
                putU32(out, at + 4, (long) h << 16);
                what.add("tkhd");
            }
        }
        if ((where & 2) != 0 && e.payload() + 28 <= e.end()) {
            putU16(out, e.payload() + 24, w);
            putU16(out, e.payload() + 26, h);
            what.add(e.type());
        }
        if ((where & 4) != 0) {
            byte[] patched = patchSps(out, w, h);
            if (patched != null) {
                out = patched;
                what.add("SPS");
            }
        }
        if (what.isEmpty()) return null;
        log.add("dimensions " + w + "x" + h + " in " + String.join("+", what));
        return out;
    }

    private static int dim(SplittableRandom r) {
        return r.nextInt(3) == 0 ? 1 + r.nextInt(65_535) : DIMS[r.nextInt(DIMS.length)];
    }

    // ---- H.264 SPS --------------------------------------------------------------------------------

    /** The first SPS NAL unit of the file's avcC; null without one. */
    static byte[] firstSps(byte[] f) {
        List<Box> bs = boxes(f);
        Box avcc = bs == null ? null : first(bs, "avcC");
        if (avcc == null) return null;
        int p = avcc.payload();
        if (p + 8 > avcc.end() || (f[p + 5] & 0x1f) == 0 || p + 8 + u16(f, p + 6) > avcc.end()) return null;
        return Arrays.copyOfRange(f, p + 8, p + 8 + u16(f, p + 6));
    }

    /** The file with the first SPS of its avcC rewritten to w x h (in whole macroblocks); null without an avcC. */
    static byte[] patchSps(byte[] f, int w, int h) {
        List<Box> bs = boxes(f);
        Box avcc = bs == null ? null : first(bs, "avcC");
        if (avcc == null) return null;
        int p = avcc.payload();
        if (p + 8 > avcc.end() || (f[p + 5] & 0x1f) == 0) return null;
        int spsLen = u16(f, p + 6);
        if (p + 8 + spsLen > avcc.end()) return null;
        byte[] nal = Arrays.copyOfRange(f, p + 8, p + 8 + spsLen);
        byte[] sps = rewriteSps(nal, Math.max(0, (w + 15) / 16 - 1), Math.max(0, (h + 15) / 16 - 1));
        if (sps == null) return null;
        byte[] payload = new byte[(int) avcc.size() - avcc.header() + sps.length - spsLen];
        System.arraycopy(f, p, payload, 0, 6);
        putU16(payload, 6, sps.length);
        System.arraycopy(sps, 0, payload, 8, sps.length);
        System.arraycopy(f, p + 8 + spsLen, payload, 8 + sps.length, avcc.end() - (p + 8 + spsLen));
        return replacePayload(f, bs, bs.indexOf(avcc), payload);
    }

    /** pic_width_in_mbs_minus1 and pic_height_in_map_units_minus1 of an SPS NAL unit; null if it cannot be parsed. */
    static int[] spsSize(byte[] nal) {
        Bits in = new Bits(unescape(Arrays.copyOfRange(nal, 1, nal.length)));
        try {
            if (!skipToSize(in)) return null;
            return new int[] {in.ue(), in.ue()};
        } catch (ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Reads an SPS up to pic_width_in_mbs_minus1; false for what this parser does not follow (scaling matrices). */
    private static boolean skipToSize(Bits in) {
        int profile = in.u(8);
        in.u(16); // constraint flags, level
        in.ue(); // seq_parameter_set_id
        if (List.of(100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135).contains(profile)) {
            if (in.ue() == 3) in.u(1);
            in.ue();
            in.ue();
            in.u(1);
            if (in.u(1) == 1) return false;
        }
        in.ue(); // log2_max_frame_num_minus4
        int poc = in.ue();
        if (poc == 0) {
            in.ue();
        } else if (poc == 1) {
            in.u(1);
            in.se();
            in.se();
            int n = in.ue();
            for (int i = 0; i < n; i++) in.se();
        }
        in.ue(); // max_num_ref_frames
        in.u(1); // gaps_in_frame_num_value_allowed_flag
        return true;
    }

    /** An SPS NAL unit with new pic_width_in_mbs_minus1 / pic_height_in_map_units_minus1; null if it cannot be parsed. */
    static byte[] rewriteSps(byte[] nal, int widthMbsMinus1, int heightMapUnitsMinus1) {
        byte[] rbsp = unescape(Arrays.copyOfRange(nal, 1, nal.length));
        Bits in = new Bits(rbsp);
        try {
            if (!skipToSize(in)) return null;
            int before = in.pos;
            in.ue();
            in.ue();
            int after = in.pos;
            int stop = in.lastOne();
            if (stop < after) return null;
            Bits out = new Bits(new byte[rbsp.length + 16]);
            out.copy(rbsp, 0, before);
            out.putUe(widthMbsMinus1);
            out.putUe(heightMapUnitsMinus1);
            out.copy(rbsp, after, stop);
            out.put(1, 1); // rbsp_stop_one_bit, then zeros to the byte boundary
            byte[] body = escape(Arrays.copyOf(out.buf, (out.pos + 7) / 8));
            byte[] res = new byte[body.length + 1];
            res[0] = nal[0];
            System.arraycopy(body, 0, res, 1, body.length);
            return res;
        } catch (ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    static byte[] unescape(byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int zeros = 0;
        for (byte x : b) {
            if (zeros >= 2 && x == 3) {
                zeros = 0;
                continue;
            }
            o.write(x);
            zeros = x == 0 ? zeros + 1 : 0;
        }
        return o.toByteArray();
    }

    static byte[] escape(byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int zeros = 0;
        for (byte x : b) {
            if (zeros >= 2 && (x & 0xff) <= 3) {
                o.write(3);
                zeros = 0;
            }
            o.write(x);
            zeros = x == 0 ? zeros + 1 : 0;
        }
        return o.toByteArray();
    }

    /** Big-endian bit reader and writer over a byte array. */
    static final class Bits {
        final byte[] buf;
        int pos;

        Bits(byte[] buf) {
            this.buf = buf;
        }

        int bit(int i) {
            return (buf[i >> 3] >> (7 - (i & 7))) & 1;
        }

        int u(int n) {
            int v = 0;
            for (int i = 0; i < n; i++) v = (v << 1) | bit(pos++);
            return v;
        }

        int ue() {
            int zeros = 0;
            while (bit(pos) == 0) {
                zeros++;
                pos++;
                if (zeros > 31) throw new ArrayIndexOutOfBoundsException("ue too long");
            }
            pos++;
            return (int) ((1L << zeros) - 1 + (zeros == 0 ? 0 : u(zeros)));
        }

        int se() {
            int k = ue();
            return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
        }

        int lastOne() {
            for (int i = buf.length * 8 - 1; i >= 0; i--) if (bit(i) == 1) return i;
            return -1;
        }

        void put(int value, int n) {
            for (int i = n - 1; i >= 0; i--) {
                if (((value >> i) & 1) == 1) buf[pos >> 3] |= (byte) (0x80 >> (pos & 7));
                pos++;
            }
        }

        void putUe(int v) {
            long x = (long) v + 1;
            int len = 64 - Long.numberOfLeadingZeros(x);
            put(0, len - 1);
            for (int i = len - 1; i >= 0; i--) put((int) ((x >> i) & 1), 1);
        }

        void copy(byte[] src, int fromBit, int toBit) {
            Bits s = new Bits(src);
            for (int i = fromBit; i < toBit; i++) put(s.bit(i), 1);
        }
    }

    // ---- rewriting boxes ---------------------------------------------------------------------------

    /** The file with box {@code index}'s payload replaced; its ancestors' sizes and, when media data moves, the chunk offsets follow. */
    static byte[] replacePayload(byte[] f, List<Box> bs, int index, byte[] payload) {
        Box b = bs.get(index);
        int delta = payload.length - ((int) b.size() - b.header());
        byte[] out = new byte[f.length + delta];
        System.arraycopy(f, 0, out, 0, b.payload());
        System.arraycopy(payload, 0, out, b.payload(), payload.length);
        System.arraycopy(f, b.end(), out, b.end() + delta, f.length - b.end());
        for (int i = index; i >= 0; i = bs.get(i).parent()) {
            Box a = bs.get(i);
            if (a.header() == 16) ByteBuffer.wrap(out, a.start() + 8, 8).putLong(a.size() + delta);
            else putU32(out, a.start(), a.size() + delta);
        }
        Box mdat = first(bs, "mdat");
        if (mdat != null && mdat.start() > b.start()) {
            List<Box> nb = boxes(out);
            if (nb != null) for (Box x : nb) shiftOffsetsIn(out, x, delta);
        }
        return out;
    }

    /** Adds {@code delta} to every chunk offset (stco, co64) inside a moov box given as bytes. */
    static void shiftChunkOffsets(byte[] moov, long delta) {
        List<Box> bs = boxes(moov);
        if (bs != null) for (Box x : bs) shiftOffsetsIn(moov, x, delta);
    }

    private static void shiftOffsetsIn(byte[] f, Box x, long delta) {
        boolean co64 = x.type().equals("co64");
        if (!co64 && !x.type().equals("stco")) return;
        int p = x.payload() + 4;
        if (p + 4 > x.end()) return;
        long n = u32(f, p);
        for (long i = 0; i < n; i++) {
            int at = (int) (p + 4 + i * (co64 ? 8 : 4));
            if (at + (co64 ? 8 : 4) > x.end()) return;
            if (co64) ByteBuffer.wrap(f, at, 8).putLong(ByteBuffer.wrap(f, at, 8).getLong() + delta);
            else putU32(f, at, u32(f, at) + delta);
        }
    }

    // ---- bytes -------------------------------------------------------------------------------------

    static long u32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static void putU32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putU16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static String randomTag(SplittableRandom r) {
        byte[] t = new byte[4];
        for (int i = 0; i < 4; i++) t[i] = (byte) r.nextInt(256);
        return new String(t, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String printable(String tag) {
        StringBuilder sb = new StringBuilder();
        for (char c : tag.toCharArray()) sb.append(c >= 0x21 && c < 0x7f ? String.valueOf(c) : String.format(Locale.ROOT, "\\x%02x", (int) c));
        return sb.toString();
    }
}
