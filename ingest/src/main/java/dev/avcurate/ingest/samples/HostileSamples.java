package dev.avcurate.ingest.samples;

import dev.avcurate.core.Reasons;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Broken and unusual files of every kind the ingest stage must survive, generated (never
 * downloaded): empty, random bytes, truncated (with and without the index), audio-only,
 * video-only, absurd header dimensions, corrupt packets mid-stream, rotated and variable frame
 * rate. {@code bin/curate samples --hostile} writes them; the tests use them.
 */
public final class HostileSamples {
    private HostileSamples() {}

    /** Writes every kind into {@code dir}; returns file name to the expected ingest outcome (a reason code or "ok"). */
    public static Map<String, String> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> expected = new LinkedHashMap<>();
        SpeechSignal s = new SpeechSignal(9, 140);
        SyntheticVideo.Painter face = Scenes.talkingHead(Scenes.textured(90), s, 0.5, 0.5, 4);

        Files.write(dir.resolve("zero_bytes.mp4"), new byte[0]);
        expected.put("zero_bytes.mp4", Reasons.EMPTY_FILE);

        byte[] junk = new byte[200_000];
        new SplittableRandom(42).nextBytes(junk);
        Files.write(dir.resolve("random_bytes.mp4"), junk);
        expected.put("random_bytes.mp4", Reasons.DECODE_ERROR);

        Path full = new SyntheticVideo().size(320, 180).fps(25).seconds(6).painter(face).audio(s::sample, 44_100, 2)
                .write(dir.resolve(".tmp_full.mp4"));
        byte[] all = Files.readAllBytes(full);
        // The index (moov) is at the end: cutting the file loses it.
        Files.write(dir.resolve("truncated_no_index.mp4"), java.util.Arrays.copyOf(all, all.length / 2));
        expected.put("truncated_no_index.mp4", Reasons.DECODE_ERROR);
        Files.delete(full);

        Path fast = new SyntheticVideo().size(320, 180).fps(25).seconds(6).painter(face).audio(s::sample, 44_100, 2)
                .faststart(true).write(dir.resolve(".tmp_fast.mp4"));
        byte[] fb = Files.readAllBytes(fast);
        Files.write(dir.resolve("truncated_half.mp4"), java.util.Arrays.copyOf(fb, fb.length / 2));
        expected.put("truncated_half.mp4", Reasons.TRUNCATED);

        // Corrupt packets mid-stream: bursts of garbage over a quarter of the media data.
        byte[] cb = fb.clone();
        SplittableRandom r = new SplittableRandom(7);
        for (int k = 0; k < 40; k++) {
            int at = (int) (cb.length * (0.3 + 0.5 * k / 40.0));
            for (int i = 0; i < 1500 && at + i < cb.length; i++) cb[at + i] = (byte) r.nextInt(256);
        }
        Files.write(dir.resolve("corrupt_packets.mp4"), cb);
        expected.put("corrupt_packets.mp4", Reasons.DECODE_ERROR);
        Files.delete(fast);

        new SyntheticVideo().frames(0).audio(s::sample, 44_100, 2).audioSeconds(4).write(dir.resolve("audio_only.mp4"));
        expected.put("audio_only.mp4", Reasons.NO_VIDEO);

        new SyntheticVideo().size(320, 180).fps(25).seconds(4).painter(face).noAudio().write(dir.resolve("video_only.mp4"));
        expected.put("video_only.mp4", Reasons.NO_AUDIO);

        Path raw = new SyntheticVideo().size(64, 48).fps(25).frames(10).codecName("rawvideo").format("avi")
                .painter(Scenes.textured(3)).noAudio().write(dir.resolve(".tmp_raw.avi"));
        byte[] ab = Files.readAllBytes(raw);
        patchAviDimensions(ab, 16_000, 12_000);
        Files.write(dir.resolve("absurd_dimensions.avi"), ab);
        expected.put("absurd_dimensions.avi", Reasons.BAD_DIMENSIONS);
        Files.delete(raw);

        new SyntheticVideo().size(320, 180).fps(25).seconds(4).displayRotation(90).painter(face).audio(s::sample, 44_100, 2)
                .write(dir.resolve("rotated.mp4"));
        expected.put("rotated.mp4", "ok");

        double[] ts = new double[100];
        double t = 0;
        for (int i = 0; i < ts.length; i++) {
            ts[i] = t;
            t += (i / 10) % 2 == 0 ? 1 / 30.0 : 1 / 15.0; // 30 fps and 15 fps stretches
        }
        new SyntheticVideo().size(320, 180).timestamps(ts).painter(face).audio(s::sample, 44_100, 2)
                .write(dir.resolve("variable_frame_rate.mp4"));
        expected.put("variable_frame_rate.mp4", "ok");
        return expected;
    }

    /** Overwrites biWidth/biHeight of every BITMAPINFOHEADER ('strf') and the main header ('avih') of an AVI. */
    static void patchAviDimensions(byte[] avi, int w, int h) {
        ByteBuffer b = ByteBuffer.wrap(avi).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 24 < avi.length; i++) {
            if (avi[i] == 'a' && avi[i + 1] == 'v' && avi[i + 2] == 'i' && avi[i + 3] == 'h') {
                b.putInt(i + 8 + 32, w);
                b.putInt(i + 8 + 36, h);
            }
            if (avi[i] == 's' && avi[i + 1] == 't' && avi[i + 2] == 'r' && avi[i + 3] == 'f') {
                b.putInt(i + 8 + 4, w);
                b.putInt(i + 8 + 8, h);
            }
        }
    }
}
