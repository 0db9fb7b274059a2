package dev.avcurate.app.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avcurate.captioning.CaptionTables;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.ingest.IngestTables;
import dev.avcurate.shards.ShardTables;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * {@code bin/curate report}: one self-contained HTML page from a run's Delta tables and
 * {@code run-summary.json}, for choosing thresholds: the funnel, a histogram per score (all clips
 * against kept ones, the threshold drawn), what-if threshold controls that recompute kept clips
 * and hours in the page (with the {@code --set filter.rules=...} line that applies them),
 * breakdowns, shard hours, SFT criteria hits, near-duplicate groups, thumbnail galleries and stage
 * timings.
 *
 * <p>Offline by construction: uPlot and the page's script are inlined and allowed by their SHA-256
 * in a Content-Security-Policy that forbids every remote load; per-clip scores travel as base64
 * typed arrays inside a JSON block that is never executed; every text that comes from videos or
 * captions is JSON-escaped here and inserted with textContent there (never innerHTML).
 */
public final class QualityReport {
    /** What a report run produced. */
    public record Result(Path html, long clips, long bytes, int thumbnails, double seconds) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final SparkSession spark;
    private final PrintStream log;
    private final int perGroup;

    /** @param perGroup clips per gallery group (kept, each reject reason) */
    public QualityReport(SparkSession spark, PrintStream log, int perGroup) {
        this.spark = spark;
        this.log = log;
        this.perGroup = perGroup;
    }

    public Result write(String output, Path html) throws IOException {
        long t0 = System.nanoTime();
        Path summaryFile = Path.of(output, "run-summary.json");
        if (!Files.isRegularFile(summaryFile)) throw new IOException("no run-summary.json in " + output + ": run bin/curate run --output " + output + " first");
        JsonNode summary = JSON.readTree(summaryFile.toFile());
        String clipsPath = IngestTables.path(output, IngestTables.CLIPS);
        if (!DeltaTables.exists(spark, clipsPath)) throw new IOException("no clips table at " + clipsPath);
        Dataset<Row> clips = spark.read().format("delta").load(clipsPath);

        Map<String, Object> page = new LinkedHashMap<>();
        page.put("meta", Map.of("output", output, "generated_at", Instant.now().toString(),
                "config_source", summary.path("config_source").asText(""), "finished_at", summary.path("finished_at").asText("")));
        page.put("rules", summary.path("config").path("filter.rules"));
        page.put("summary_stages", summary.path("stages"));

        ClipColumns cols = ClipColumns.of(clips.schema());
        Map<String, String[]> shardOf = shardMembership(output);
        Columns data = collect(clips, cols, shardOf);
        page.put("n", data.n);
        page.put("scores", data.scores);
        page.put("categories", data.categories);
        page.put("flags", data.flags);
        page.put("reject_reasons_in_table", data.reasonCounts);
        page.put("ingest_rejects", ingestRejects(output));
        page.put("shard_hours", shardHours(output, clips));
        page.put("sft", sftHits(output, clips));
        page.put("duplicates", duplicates(clips));
        Thumbnails thumbs = new Thumbnails(log);
        page.put("gallery", Gallery.build(clips, cols, captionsTable(output), thumbs, perGroup));

        String dataJson = JSON.writeValueAsString(page).replace("<", "\\u003c"); // never closes the <script> it sits in
        String uplotJs = resource(UPLOT + "uPlot.iife.min.js");
        String uplotCss = resource(UPLOT + "uPlot.min.css");
        String appJs = resource("report/report.js");
        String css = resource("report/report.css");
        String template = resource("report/report.html");
        String csp = "default-src 'none'; script-src " + hash(uplotJs) + " " + hash(appJs)
                + "; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; font-src 'none'; media-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";
        String out = template.replace("{{CSP}}", csp).replace("{{TITLE}}", escapeHtml("avcurate report: " + output))
                .replace("{{STYLE}}", uplotCss + "\n" + css)
                .replace("{{DATA}}", dataJson)
                .replace("{{UPLOT}}", uplotJs)
                .replace("{{APP}}", appJs);
        if (html.toAbsolutePath().getParent() != null) Files.createDirectories(html.toAbsolutePath().getParent());
        Files.writeString(html, out, StandardCharsets.UTF_8);
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Result(html, data.n, Files.size(html), thumbs.count(), secs);
    }

    /** The clips table's columns by role. */
    record ClipColumns(List<String> numericScores, List<String> labelScores, List<String> all) {
        static ClipColumns of(org.apache.spark.sql.types.StructType schema) {
            List<String> names = List.of(schema.fieldNames());
            List<String> numeric = new ArrayList<>(), labels = new ArrayList<>();
            for (StructField f : schema.fields()) {
                boolean scored = names.contains(f.name() + "_estimator");
                if (!scored) continue;
                if (f.dataType() instanceof NumericType) numeric.add(f.name());
                else if (f.dataType() instanceof StringType && !f.name().endsWith("phash") && !f.name().equals("subtitle_text")) labels.add(f.name());
            }
            return new ClipColumns(numeric, labels, names);
        }
    }

    /** Per-clip arrays for the page. */
    static final class Columns {
        int n;
        final Map<String, String> scores = new LinkedHashMap<>();
        final Map<String, Object> categories = new LinkedHashMap<>();
        final Map<String, String> flags = new LinkedHashMap<>();
        final Map<String, Long> reasonCounts = new LinkedHashMap<>();
    }

    private Columns collect(Dataset<Row> clips, ClipColumns cols, Map<String, String[]> shardOf) {
        List<String> select = new ArrayList<>(List.of("clip_id", "uri", "duration_s", "width", "height", "keep", "reject_reasons"));
        select.add(cols.all().contains("score_error") ? "score_error IS NOT NULL AS has_score_error" : "false AS has_score_error");
        for (String s : cols.numericScores()) select.add("CAST(`" + s + "` AS DOUBLE) AS `" + s + "`");
        for (String s : cols.labelScores()) select.add("`" + s + "`");
        Dataset<Row> rows = clips.selectExpr(select.toArray(String[]::new));
        int n = (int) rows.count();
        Columns c = new Columns();
        c.n = n;
        float[][] num = new float[cols.numericScores().size()][n];
        float[] duration = new float[n];
        byte[] keep = new byte[n], scoreError = new byte[n];
        Map<String, Dict> dicts = new LinkedHashMap<>();
        for (String k : List.of("resolution", "source", "split", "bucket")) dicts.put(k, new Dict(n));
        for (String s : cols.labelScores()) dicts.put(s, new Dict(n));
        Iterator<Row> it = rows.toLocalIterator();
        int i = 0;
        int base = 8;
        while (it.hasNext()) {
            Row r = it.next();
            duration[i] = (float) r.getDouble(2);
            keep[i] = (byte) (r.getBoolean(5) ? 1 : 0);
            scoreError[i] = (byte) (r.getBoolean(7) ? 1 : 0);
            for (String reason : r.<String>getList(6)) c.reasonCounts.merge(reason, 1L, Long::sum);
            for (int k = 0; k < num.length; k++) num[k][i] = r.isNullAt(base + k) ? Float.NaN : (float) r.getDouble(base + k);
            for (int k = 0; k < cols.labelScores().size(); k++) {
                int idx = base + num.length + k;
                dicts.get(cols.labelScores().get(k)).set(i, r.isNullAt(idx) ? null : r.getString(idx));
            }
            dicts.get("resolution").set(i, r.getInt(3) + "x" + r.getInt(4));
            dicts.get("source").set(i, source(r.getString(1)));
            String[] sb = shardOf.get(r.getString(0));
            dicts.get("split").set(i, sb == null ? null : sb[0]);
            dicts.get("bucket").set(i, sb == null ? null : sb[1]);
            i++;
        }
        for (int k = 0; k < num.length; k++) c.scores.put(cols.numericScores().get(k), f32(num[k]));
        c.flags.put("duration_s", f32(duration));
        c.flags.put("keep", Base64.getEncoder().encodeToString(keep));
        c.flags.put("score_error", Base64.getEncoder().encodeToString(scoreError));
        for (Map.Entry<String, Dict> e : dicts.entrySet()) c.categories.put(e.getKey(), e.getValue().toJson());
        return c;
    }

    /** A dictionary-encoded string column: codes (uint16, 0 = none) and the values. */
    static final class Dict {
        final List<String> values = new ArrayList<>();
        final Map<String, Integer> index = new HashMap<>();
        final short[] codes;

        Dict(int n) {
            codes = new short[n];
        }

        void set(int i, String v) {
            if (v == null) return;
            Integer code = index.get(v);
            if (code == null) {
                if (values.size() >= 65534) v = "(other)";
                code = index.computeIfAbsent(v, k -> {
                    values.add(k);
                    return values.size();
                });
            }
            codes[i] = (short) (int) code;
        }

        Map<String, Object> toJson() {
            ByteBuffer b = ByteBuffer.allocate(codes.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (short s : codes) b.putShort(s);
            return Map.of("values", values, "u16", Base64.getEncoder().encodeToString(b.array()));
        }
    }

    /** Where a clip comes from: the directory of its URI (scheme and host kept). */
    static String source(String uri) {
        int slash = uri.lastIndexOf('/');
        return slash <= 0 ? uri : uri.substring(0, slash);
    }

    static String f32(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return Base64.getEncoder().encodeToString(b.array());
    }

    private Map<String, String[]> shardMembership(String output) {
        Map<String, String[]> m = new HashMap<>();
        String p = ShardTables.tablePath(output);
        if (!DeltaTables.exists(spark, p)) return m;
        for (Row r : spark.read().format("delta").load(p).selectExpr("split", "bucket", "explode(clip_ids) AS clip_id").collectAsList()) {
            m.put(r.getString(2), new String[] {r.getString(0), r.getString(1)});
        }
        return m;
    }

    private Map<String, Long> ingestRejects(String output) {
        Map<String, Long> m = new LinkedHashMap<>();
        String p = IngestTables.path(output, IngestTables.REJECTS);
        if (!DeltaTables.exists(spark, p)) return m;
        for (Row r : spark.read().format("delta").load(p).groupBy("stage", "reason").count().orderBy("stage", "reason").collectAsList()) {
            m.put(r.getString(0) + ": " + r.getString(1), r.getLong(2));
        }
        return m;
    }

    private List<Map<String, Object>> shardHours(String output, Dataset<Row> clips) {
        List<Map<String, Object>> out = new ArrayList<>();
        String p = ShardTables.tablePath(output);
        if (!DeltaTables.exists(spark, p)) return out;
        Dataset<Row> members = spark.read().format("delta").load(p).selectExpr("split", "bucket", "explode(clip_ids) AS clip_id");
        for (Row r : members.join(clips.select("clip_id", "duration_s"), "clip_id").groupBy("split", "bucket")
                .agg(org.apache.spark.sql.functions.count("*"), org.apache.spark.sql.functions.sum("duration_s")).orderBy("split", "bucket").collectAsList()) {
            out.add(Map.of("split", r.getString(0), "bucket", r.getString(1), "clips", r.getLong(2), "hours", r.getDouble(3) / 3600));
        }
        return out;
    }

    /** Kept clips meeting each SFT criterion of the dataset card (its SQL, run on the clips table). */
    private List<Map<String, Object>> sftHits(String output, Dataset<Row> clips) {
        List<Map<String, Object>> out = new ArrayList<>();
        Path card = Path.of(ShardTables.shardsDir(output), "dataset_card.json");
        if (!Files.isRegularFile(card)) return out;
        try {
            JsonNode crit = JSON.readTree(card.toFile()).path("sft_criteria");
            Dataset<Row> kept = clips.where("keep");
            for (Iterator<Map.Entry<String, JsonNode>> it = crit.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", e.getKey());
                row.put("sql", e.getValue().asText());
                try {
                    row.put("kept_clips_meeting", kept.where(e.getValue().asText()).count());
                } catch (RuntimeException ex) {
                    row.put("error", "not computable on this table: " + ex.getMessage().lines().findFirst().orElse(""));
                }
                out.add(row);
            }
        } catch (IOException e) {
            log.println("[report] dataset card unreadable: " + e.getMessage());
        }
        return out;
    }

    private Map<String, Object> duplicates(Dataset<Row> clips) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!List.of(clips.columns()).contains("duplicate_of")) {
            out.put("groups", 0);
            out.put("clips", 0);
            return out;
        }
        List<Row> groups = clips.where("duplicate_of IS NOT NULL").groupBy("duplicate_of").count().orderBy(org.apache.spark.sql.functions.desc("count")).collectAsList();
        out.put("groups", groups.size());
        out.put("clips", groups.stream().mapToLong(r -> r.getLong(1)).sum());
        List<Map<String, Object>> top = new ArrayList<>();
        for (Row r : groups.subList(0, Math.min(20, groups.size()))) top.add(Map.of("kept_clip", r.getString(0), "duplicates", r.getLong(1)));
        out.put("largest", top);
        return out;
    }

    private Dataset<Row> captionsTable(String output) {
        String p = CaptionTables.path(output);
        return DeltaTables.exists(spark, p) ? spark.read().format("delta").load(p) : null;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = QualityReport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name + " (the uPlot webjar or the report files are not on the class path)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String hash(String script) {
        try {
            return "'sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8))) + "'";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
