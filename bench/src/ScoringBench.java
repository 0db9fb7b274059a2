import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.ScorerSet;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Scoring cost against decode cost, per scorer, on one thread: clips of {@code clipS} seconds cut
 * from a video, each decoded once (as the score stage does) and scored by the default profile.
 * Prints seconds per clip for the decode and for each scorer, their ratio to the decode, and the
 * whole profile's throughput in seconds of video per CPU-core-second.
 */
public final class ScoringBench {
    public static void main(String[] args) throws Exception {
        String video = args[0];
        Path root = Path.of(args[1]);
        double clipS = Double.parseDouble(args.length > 2 ? args[2] : "10");
        int clips = Integer.parseInt(args.length > 3 ? args[3] : "6");
        CurateConfig cfg = CurateConfig.load(root.resolve("conf/default.yaml"))
                .withOverrides(java.util.List.of("models.dir=" + root.resolve("models")));
        ModelRegistry reg = ModelRegistry.load(root.resolve("conf/models.yaml"));
        ClipDecoder dec = ScorerSet.decoder(cfg, 600, new Configuration()); // with the sync clock when sync is on
        try (ScorerSet set = new ScorerSet(cfg, reg, root.resolve("models"))) {
            set.score(dec.decode("warm", video, 0, clipS, 30)); // warm-up: sessions, JIT
            set.nanosByScorer().clear();
            long decodeNanos = 0;
            for (int i = 0; i < clips; i++) {
                long t0 = System.nanoTime();
                DecodedClip c = dec.decode("c" + i, video, i * clipS, (i + 1) * clipS, 30);
                decodeNanos += System.nanoTime() - t0;
                set.score(c);
            }
            Map<String, Double> perClip = new LinkedHashMap<>();
            perClip.put("decode", decodeNanos / 1e9 / clips);
            double scoring = 0;
            for (Map.Entry<String, Long> e : set.nanosByScorer().entrySet()) {
                perClip.put(e.getKey(), e.getValue() / 1e9 / clips);
                scoring += e.getValue() / 1e9 / clips;
            }
            System.out.println("step\tseconds_per_clip\tratio_to_decode");
            for (Map.Entry<String, Double> e : perClip.entrySet()) {
                System.out.printf(Locale.ROOT, "%s\t%.4f\t%.3f%n", e.getKey(), e.getValue(), e.getValue() / perClip.get("decode"));
            }
            double total = perClip.get("decode") + scoring;
            System.out.printf(Locale.ROOT, "all scorers\t%.4f\t%.3f%n", scoring, scoring / perClip.get("decode"));
            System.out.printf(Locale.ROOT, "video seconds per core-second (decode + all scorers, %s s clips)\t%.2f%n", clipS, clipS / total);
        }
        System.exit(0);
    }
}
