package dev.avcurate.app.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The page's galleries: up to {@code perGroup} kept clips, and as many per reject reason, each
 * with its thumbnails, the scores the filter rules read, its reasons, caption and subtitle text
 * (both untrusted: the page shows them as text). Clips are picked by a hash of their id, so the
 * same table gives the same galleries.
 */
final class Gallery {
    private Gallery() {}

    static Map<String, Object> build(Dataset<Row> clips, QualityReport.ClipColumns cols, Dataset<Row> captions, Thumbnails thumbs, int perGroup) {
        List<String> select = new ArrayList<>(List.of("clip_id", "uri", "start_s", "end_s", "keep", "reject_reasons"));
        boolean subtitles = cols.all().contains("subtitle_text");
        if (subtitles) select.add("subtitle_text");
        for (String s : cols.numericScores()) select.add("`" + s + "`");
        for (String s : cols.labelScores()) select.add("`" + s + "`");
        Dataset<Row> ordered = clips.selectExpr(select.toArray(String[]::new)).orderBy(org.apache.spark.sql.functions.xxhash64(org.apache.spark.sql.functions.col("clip_id")));
        Map<String, Object> out = new LinkedHashMap<>();
        List<Row> kept = ordered.where("keep").limit(perGroup).collectAsList();
        List<String> reasons = new ArrayList<>();
        for (Row r : clips.selectExpr("explode(reject_reasons) AS reason").distinct().orderBy("reason").collectAsList()) reasons.add(r.getString(0));
        Map<String, List<Row>> rejected = new LinkedHashMap<>();
        for (String reason : reasons) rejected.put(reason, ordered.where(org.apache.spark.sql.functions.array_contains(org.apache.spark.sql.functions.col("reject_reasons"), reason)).limit(perGroup).collectAsList());

        List<String> ids = new ArrayList<>();
        kept.forEach(r -> ids.add(r.getString(0)));
        rejected.values().forEach(l -> l.forEach(r -> ids.add(r.getString(0))));
        Map<String, String> caption = new HashMap<>();
        if (captions != null && !ids.isEmpty()) {
            for (Row r : captions.where(org.apache.spark.sql.functions.col("clip_id").isin(ids.toArray())).where("caption IS NOT NULL")
                    .select("clip_id", "caption").collectAsList()) caption.put(r.getString(0), r.getString(1));
        }
        Map<String, Map<String, Object>> made = new HashMap<>(); // a clip in two groups is decoded once
        out.put("kept", entries(kept, cols, subtitles, caption, thumbs, made));
        Map<String, Object> byReason = new LinkedHashMap<>();
        for (Map.Entry<String, List<Row>> e : rejected.entrySet()) byReason.put(e.getKey(), entries(e.getValue(), cols, subtitles, caption, thumbs, made));
        out.put("rejected", byReason);
        return out;
    }

    private static List<Map<String, Object>> entries(List<Row> rows, QualityReport.ClipColumns cols, boolean subtitles, Map<String, String> caption,
            Thumbnails thumbs, Map<String, Map<String, Object>> made) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(made.computeIfAbsent(r.getString(0), id -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("clip_id", id);
                e.put("uri", r.getString(1));
                e.put("start_s", r.getDouble(2));
                e.put("end_s", r.getDouble(3));
                e.put("reasons", r.getList(5));
                e.put("caption", caption.get(id));
                int base = 6;
                if (subtitles) {
                    e.put("subtitle_text", r.isNullAt(6) ? null : r.getString(6));
                    base = 7;
                }
                Map<String, Object> scores = new LinkedHashMap<>();
                for (int k = 0; k < cols.numericScores().size(); k++) {
                    Object v = r.get(base + k);
                    if (v != null) scores.put(cols.numericScores().get(k), ((Number) v).doubleValue());
                }
                for (int k = 0; k < cols.labelScores().size(); k++) {
                    Object v = r.get(base + cols.numericScores().size() + k);
                    if (v != null) scores.put(cols.labelScores().get(k), v.toString());
                }
                e.put("scores", scores);
                Thumbnails.Strip s = thumbs.of(r.getString(1), r.getDouble(2), r.getDouble(3), 3);
                e.put("thumbs", s.images());
                e.put("thumb_problem", s.problem());
                return e;
            }));
        }
        return out;
    }
}
