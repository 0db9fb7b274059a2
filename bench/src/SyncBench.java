import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Cost of the sync stage per clip-second against the decode of the same clip, one thread: a
 * generated 720p talking head (transcoded to H.264 + AAC by bench/run), cut into 10 s clips. Reports, per clip-second, the
 * scorers' usual decode (5 fps sample), the decode with the 25 fps sync clock the sync scorer
 * needs, the faces and speech scorers the sync scorer builds on, and the sync scorer itself.
 */
public class SyncBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path video = Path.of(args[1]);
        double clipS = 10;
        int clips = Integer.parseInt(args.length > 2 ? args[2] : "6");
        if (args.length > 3 && args[3].equals("--generate")) {
            // The source for bench/run, which transcodes it to H.264 + AAC with the ffmpeg CLI.
            SpeechSignal s = new SpeechSignal(5, 130);
            new SyntheticVideo().size(1280, 720).fps(25).seconds(clipS * (clips + 1)).quality(2)
                    .painter(Scenes.talkingHead(Scenes.textured(2), s, 0.5, 0.55, 1)).audio(s::sample, 44_100, 2).write(video);
            System.exit(0);
        }
        CurateConfig cfg = CurateConfig.load(root.resolve("conf/default.yaml")).withOverrides(List.of(
                "models.dir=" + root.resolve("models"), "score.scorers=[faces, speech, sync]"));
        ModelRegistry reg = ModelRegistry.load(root.resolve("conf/models.yaml"));
        Configuration hc = new Configuration();
        ClipDecoder plain = new ClipDecoder(5, 0, 256, 16_000, 600, hc);
        ClipDecoder withSync = ScorerSet.decoder(cfg, 600, hc);
        try (ScorerSet set = new ScorerSet(cfg, reg, root.resolve("models"))) {
            set.score(withSync.decode("warm", video.toString(), 0, clipS, 25)); // sessions, JIT
            plain.decode("warm", video.toString(), 0, clipS, 25);
            set.nanosByScorer().clear();
            long plainNs = 0, syncNs = 0;
            double conf = 0;
            for (int i = 1; i <= clips; i++) {
                long t0 = System.nanoTime();
                plain.decode("p" + i, video.toString(), i * clipS, (i + 1) * clipS, 25);
                long t1 = System.nanoTime();
                DecodedClip c = withSync.decode("s" + i, video.toString(), i * clipS, (i + 1) * clipS, 25);
                long t2 = System.nanoTime();
                plainNs += t1 - t0;
                syncNs += t2 - t1;
                Map<String, Object> out = set.score(c);
                conf += out.get("av_sync_confidence") == null ? 0 : (Double) out.get("av_sync_confidence");
            }
            double seconds = clips * clipS;
            double decode = plainNs / 1e9 / seconds;
            System.out.println("step\tseconds_per_clip_second\tratio_to_decode");
            print("decode (5 fps sample, the scorers' baseline)", decode, decode);
            print("decode with the 25 fps sync clock", syncNs / 1e9 / seconds, decode);
            for (Map.Entry<String, Long> e : set.nanosByScorer().entrySet()) print("scorer " + e.getKey(), e.getValue() / 1e9 / seconds, decode);
            double extra = (syncNs - plainNs) / 1e9 / seconds + set.nanosByScorer().getOrDefault("sync", 0L) / 1e9 / seconds;
            print("sync stage cost (extra decode + sync scorer)", extra, decode);
            System.out.printf(Locale.ROOT, "mean av_sync_confidence (sanity)\t%.3f\t-%n", conf / clips);
        }
        System.exit(0);
    }

    static void print(String what, double v, double decode) {
        System.out.printf(Locale.ROOT, "%s\t%.4f\t%.3f%n", what, v, v / decode);
    }
}
