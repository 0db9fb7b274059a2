import dev.avcurate.core.Ids;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.ingest.IngestRecords;
import dev.avcurate.ingest.VideoIngestor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The sync calibration set (CALIBRATION.md): real talking footage, each clip scored by the
 * configured faces + speech + sync scorers with its own audio shifted by known amounts, and with
 * another speaker's audio swapped in. Prints one TSV row per (clip, variant), then the summaries:
 * offset error per true shift, confidence of true pairs against swapped audio, and what the
 * profile's sync rules keep.
 *
 * <p>{@code SyncCalibration <project root> <profile.yaml> <shifts, e.g. -8,-4,0,4,8> <video>...}
 * Files whose name starts with {@code neg_} are negatives (voice off screen, music, singing):
 * scored as they are only. The first {@code -Dclips_per_video} (2) clips of each video are used.
 * The audio is shifted in memory: {@code +k} frames plays it k frames late (SPEC sign), the gap
 * filled with silence.
 */
public class SyncCalibration {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int perVideo = Integer.getInteger("clips_per_video", 2);
        int[] shifts = Arrays.stream(args[2].split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        CurateConfig cfg = CurateConfig.load(Path.of(args[1])).withOverrides(List.of(
                "models.dir=" + root.resolve("models"), "score.scorers=[faces, speech, sync]"));
        ModelRegistry reg = ModelRegistry.load(root.resolve("conf/models.yaml"));
        Configuration hc = new Configuration();
        List<DecodedClip> clips = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Boolean> negative = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            Path f = Path.of(args[i]);
            String uri = f.toAbsolutePath().toString();
            IngestRecords.Result r = new VideoIngestor(cfg, hc)
                    .ingest(new IngestRecords.Input(Ids.videoId(uri), uri, Files.size(f), Files.getLastModifiedTime(f).toMillis()));
            if (!"ok".equals(r.video().status())) {
                System.err.println("[calibration] skipped " + f + ": " + r.video().status());
                continue;
            }
            int n = 0;
            for (IngestRecords.Clip c : r.clips()) {
                if (n++ >= perVideo) break;
                clips.add(ScorerSet.decoder(cfg, 600, hc).decode(c.clipId(), uri, c.startS(), c.endS(), c.fps()));
                names.add(f.getFileName() + String.format(Locale.ROOT, "@%.2f-%.2f", c.startS(), c.endS()));
                negative.add(f.getFileName().toString().startsWith("neg_"));
            }
        }
        System.out.println("clip\tvariant\ttrue_shift\toffset\tconfidence\tactive_speaker_ratio\tspeech_ratio\tface_frames_ratio\testimator");
        List<double[]> truePairs = new ArrayList<>(); // shift, offset, confidence
        List<Double> swapped = new ArrayList<>(), negatives = new ArrayList<>();
        long t0 = System.nanoTime();
        double clipSeconds = 0;
        try (ScorerSet set = new ScorerSet(cfg, reg, root.resolve("models"))) {
            for (int i = 0; i < clips.size(); i++) {
                DecodedClip c = clips.get(i);
                if (negative.get(i)) {
                    Map<String, Object> s = set.score(c);
                    row(names.get(i), "as_is", null, s);
                    negatives.add(conf(s));
                    continue;
                }
                for (int k : shifts) {
                    Map<String, Object> s = set.score(withAudio(c, shifted(c.audio(), k * c.audioRate() / 25)));
                    clipSeconds += c.durationS();
                    row(names.get(i), "shift", k, s);
                    if (s.get("av_offset_frames") != null) truePairs.add(new double[] {k, (Double) s.get("av_offset_frames"), conf(s)});
                }
                // Another speaker's voice: the next positive clip of another video, cut or padded to this length.
                int j = nextOtherVideo(names, negative, i);
                if (j >= 0) {
                    Map<String, Object> s = set.score(withAudio(c, Arrays.copyOf(clips.get(j).audio(), c.audio().length)));
                    clipSeconds += c.durationS();
                    row(names.get(i), "swap:" + names.get(j), null, s);
                    swapped.add(conf(s));
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        summary(truePairs, swapped, negatives, shifts);
        System.out.printf(Locale.ROOT, "# scoring (faces + speech + sync): %.2f s per clip-second over %.0f clip-seconds%n", secs / clipSeconds, clipSeconds);
    }

    static int nextOtherVideo(List<String> names, List<Boolean> negative, int i) {
        String video = names.get(i).substring(0, names.get(i).indexOf('@'));
        for (int d = 1; d < names.size(); d++) {
            int j = (i + d) % names.size();
            if (!negative.get(j) && !names.get(j).startsWith(video + "@")) return j;
        }
        return -1;
    }

    static double conf(Map<String, Object> s) {
        Object c = s.get("av_sync_confidence");
        return c == null ? Double.NaN : (Double) c;
    }

    /** The audio played {@code samples} late (negative: early), silence where nothing is left. */
    static float[] shifted(float[] a, int samples) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            int j = i - samples;
            out[i] = j >= 0 && j < a.length ? a[j] : 0;
        }
        return out;
    }

    static DecodedClip withAudio(DecodedClip c, float[] audio) {
        return new DecodedClip(c.clipId(), c.startS(), c.endS(), c.sourceFps(), c.sampleFps(), c.frames(), audio, c.audioRate(),
                c.syncFrames(), c.syncFps());
    }

    static void row(String clip, String variant, Integer shift, Map<String, Object> s) {
        System.out.println(String.join("\t", clip, variant, shift == null ? "" : shift.toString(), str(s.get("av_offset_frames")),
                str(s.get("av_sync_confidence")), str(s.get("active_speaker_ratio")), str(s.get("speech_ratio")),
                str(s.get("face_frames_ratio")), String.valueOf(s.get("av_sync_confidence_estimator"))));
        System.out.flush();
    }

    static String str(Object o) {
        return o == null ? "null" : o instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : o.toString();
    }

    static void summary(List<double[]> truePairs, List<Double> swapped, List<Double> negatives, int[] shifts) {
        System.out.println("# offset error by true shift: shift\tclips\twithin_1_frame\tmean_abs_error");
        for (int k : shifts) {
            int n = 0, ok = 0;
            double err = 0;
            for (double[] p : truePairs) {
                if (p[0] != k) continue;
                n++;
                double e = Math.abs(p[1] - k);
                err += e;
                if (e <= 1) ok++;
            }
            System.out.printf(Locale.ROOT, "# %d\t%d\t%d\t%.2f%n", k, n, ok, n == 0 ? 0 : err / n);
        }
        // Rows of truePairs are (true shift, offset, confidence): the in-sync ones are those with true shift 0.
        double[] inSync = truePairs.stream().filter(row -> row[0] == 0).mapToDouble(row -> row[2])
                .filter(conf -> !Double.isNaN(conf)).sorted().toArray();
        double[] otherVoice = swapped.stream().mapToDouble(Double::doubleValue).filter(conf -> !Double.isNaN(conf)).sorted().toArray();
        System.out.println("# confidence, in-sync true pairs (sorted): " + Arrays.toString(round(inSync)));
        System.out.println("# confidence, swapped audio (sorted): " + Arrays.toString(round(otherVoice)));
        System.out.println("# confidence, negatives as they are: " + negatives);
        if (inSync.length > 0 && otherVoice.length > 0) {
            double lowestTrue = inSync[0], highestSwapped = otherVoice[otherVoice.length - 1];
            System.out.printf(Locale.ROOT, "# lowest true pair %.3f, highest swapped %.3f: %s%n", lowestTrue, highestSwapped,
                    lowestTrue > highestSwapped ? "separated" : "overlap");
        }
    }

    static double[] round(double[] x) {
        return Arrays.stream(x).map(v -> Math.round(v * 1000) / 1000.0).toArray();
    }
}
