package dev.avcurate.shards;

import dev.avcurate.core.config.CurateConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code <output>/shards/dataset_card.md} and {@code dataset_card.json}, written next to the
 * shards after each run: clips and hours per split and bucket, score distributions of the
 * sharded clips, the SFT criteria, the config and the code version that produced them. Only
 * numbers and config values go in; text from videos or captions never does.
 */
final class DatasetCard {
    private DatasetCard() {}

    static void write(SparkSession spark, CurateConfig cfg, String output, SftSelection sft, Buckets buckets) throws IOException {
        String base = output.replaceAll("/+$", "");
        Dataset<Row> shards = spark.read().format("delta").load(ShardTables.tablePath(output));
        Dataset<Row> clips = spark.read().format("delta").load(base + "/tables/clips");
        Dataset<Row> rows = shards.selectExpr("split", "bucket", "explode(clip_ids) AS clip_id")
                .join(clips, "clip_id");
        double fps = cfg.get(dev.avcurate.core.config.CurateKeys.SHARDS_FPS);
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("written_at", Instant.now().toString());
        card.put("code_version", codeVersion());
        List<Map<String, Object>> groups = new ArrayList<>();
        long total = 0;
        double hours = 0;
        for (Row r : rows.selectExpr("split", "bucket", "cast(split_part(bucket, 'x', 3) AS INT) AS frames").groupBy("split", "bucket", "frames")
                .count().orderBy("split", "bucket").collectAsList()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("split", r.getString(0));
            g.put("bucket", r.getString(1));
            g.put("clips", r.getLong(3));
            double h = r.getLong(3) * r.getInt(2) / fps / 3600;
            g.put("hours", Math.round(h * 1e4) / 1e4);
            groups.add(g);
            total += r.getLong(3);
            hours += h;
        }
        card.put("clips", total);
        card.put("hours", Math.round(hours * 1e4) / 1e4);
        card.put("by_split_and_bucket", groups);
        Map<String, Object> dist = new TreeMap<>();
        List<String> scores = ShardStage.scoreColumns(clips);
        if (total > 0 && !scores.isEmpty()) {
            // One pass for every column.
            double[][] q = rows.stat().approxQuantile(scores.toArray(String[]::new), new double[] {0.1, 0.5, 0.9}, 0.001);
            for (int i = 0; i < scores.size(); i++) {
                if (q[i].length == 3) dist.put(scores.get(i), Map.of("p10", round(q[i][0]), "p50", round(q[i][1]), "p90", round(q[i][2])));
            }
        }
        card.put("score_quantiles", dist);
        card.put("sft_criteria", sft.criteria());
        card.put("buckets", buckets.names());
        card.put("config", cfg.asMap());

        Path dir = new Path(ShardTables.shardsDir(output));
        FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        write(fs, new Path(dir, "dataset_card.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(card));
        write(fs, new Path(dir, "dataset_card.md"), markdown(card, groups, dist));
    }

    private static String markdown(Map<String, Object> card, List<Map<String, Object>> groups, Map<String, Object> dist) {
        StringBuilder sb = new StringBuilder("# Dataset card\n\n");
        sb.append(String.format(Locale.ROOT, "%s clips, %s hours of training video. Written %s by avcurate %s. The full config and the "
                + "SFT criteria are in dataset_card.json.%n%n", card.get("clips"), card.get("hours"), card.get("written_at"), card.get("code_version")));
        sb.append("| split | bucket (WxHxframes) | clips | hours |\n| --- | --- | --- | --- |\n");
        for (Map<String, Object> g : groups) {
            sb.append("| ").append(g.get("split")).append(" | ").append(g.get("bucket")).append(" | ").append(g.get("clips")).append(" | ")
                    .append(String.format(Locale.ROOT, "%.4f", ((Number) g.get("hours")).doubleValue())).append(" |\n");
        }
        sb.append("\nScores of the sharded clips:\n\n| score | p10 | p50 | p90 |\n| --- | --- | --- | --- |\n");
        dist.forEach((k, v) -> {
            @SuppressWarnings("unchecked") Map<String, Object> q = (Map<String, Object>) v;
            sb.append("| ").append(k).append(" | ").append(q.get("p10")).append(" | ").append(q.get("p50")).append(" | ").append(q.get("p90")).append(" |\n");
        });
        return sb.toString();
    }

    /** The project version, plus the git commit when the install is a checkout (read from .git, nothing executed). */
    static String codeVersion() {
        String v = "0.1.0-SNAPSHOT";
        Package p = DatasetCard.class.getPackage();
        if (p != null && p.getImplementationVersion() != null) v = p.getImplementationVersion();
        String home = System.getProperty("avcurate.home", System.getenv("AVCURATE_HOME"));
        if (home != null) {
            try {
                java.nio.file.Path git = java.nio.file.Path.of(home, ".git");
                String head = java.nio.file.Files.readString(git.resolve("HEAD")).trim();
                String commit = head;
                if (head.startsWith("ref: ")) {
                    java.nio.file.Path ref = git.resolve(head.substring(5));
                    commit = java.nio.file.Files.exists(ref) ? java.nio.file.Files.readString(ref).trim() : head.substring(5);
                }
                v += " (git " + commit.substring(0, Math.min(12, commit.length())) + ")";
            } catch (IOException | RuntimeException ignored) {
                // not a checkout: the version alone
            }
        }
        return v;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void write(FileSystem fs, Path p, String text) throws IOException {
        Path tmp = new Path(p.getParent(), "." + p.getName() + ".tmp");
        try (OutputStream o = fs.create(tmp, true)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
        fs.delete(p, false);
        if (!fs.rename(tmp, p)) throw new IOException("cannot write " + p);
    }
}
