package dev.avcurate.filters;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.core.config.FilterRule;
import dev.avcurate.core.spark.DeltaTables;
import io.delta.tables.DeltaTable;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The threshold stage: SQL over the stored scores of {@code clips}, never a decode. Each rule of
 * {@code filter.rules} that a clip fails adds its reason to {@code reject_reasons}; {@code keep}
 * is true when there is none. Only rows whose decision changes are rewritten, so re-running with
 * the same rules changes nothing and a changed threshold rewrites just the clips it moves.
 * When sync was scored, a kept clip with a small offset ({@code |av_offset_frames| <=
 * filter.audio_fixup_max_frames}) gets {@code audio_shift_s = av_offset_frames / decode.sync_fps}:
 * the seconds by which the shards play its audio earlier (LatentSync's fix-up); 0 otherwise.
 */
public final class FilterStage {
    /** The funnel: clips in, clips failing each rule (a clip may fail several), clips kept. */
    public record Report(long clipsIn, Map<String, Long> failingByRule, long kept, long changed, double seconds) {}

    /** The table is rewritten from itself when at least 1 row in this many changes its decision; a merge otherwise. */
    static final int REWRITE_SHARE = 10;

    private final SparkSession spark;
    private final CurateConfig cfg;
    private final PrintStream log;

    public FilterStage(SparkSession spark, CurateConfig cfg, PrintStream log) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
    }

    public Report run(String clipsPath) {
        long t0 = System.nanoTime();
        if (!DeltaTables.exists(spark, clipsPath)) throw new IllegalStateException("no clips table at " + clipsPath + ": run the ingest stage first");
        List<FilterRule> rules = cfg.get(CurateKeys.FILTER_RULES);
        Dataset<Row> clips = spark.read().format("delta").load(clipsPath);
        List<String> columns = List.of(clips.columns());
        List<FilterRule> active = new ArrayList<>();
        for (FilterRule r : rules) {
            if (columns.contains(r.score())) active.add(r);
            else log.printf("[filter] rule '%s' skipped: no column %s yet (its scorer has not run)%n", r, r.score());
        }
        String reasonsSql = decisionSql(active);
        if (columns.contains("score_error")) {
            // A clip the score stage could not decode has no evidence of quality: it is not kept.
            reasonsSql = "array_distinct(concat(" + reasonsSql + ", CASE WHEN score_error IS NULL THEN CAST(array() AS ARRAY<STRING>) "
                    + "ELSE array('score_error') END))";
        }
        boolean fixup = columns.contains("av_offset_frames");
        if (fixup) {
            DeltaTables.addMissingColumns(spark, clipsPath, Map.of("audio_shift_s", "DOUBLE"));
            clips = spark.read().format("delta").load(clipsPath);
        }
        Dataset<Row> decided = fixup ? clips.selectExpr("clip_id", reasonsSql + " AS new_reasons", "av_offset_frames")
                : clips.selectExpr("clip_id", reasonsSql + " AS new_reasons");
        if (fixup) {
            // From the decision just made, not the rules again.
            decided = decided.selectExpr("clip_id", "new_reasons", String.format(Locale.ROOT,
                    "CASE WHEN size(new_reasons) = 0 AND av_offset_frames IS NOT NULL AND abs(av_offset_frames) <= %d "
                            + "THEN av_offset_frames / %s ELSE 0.0 END AS new_shift",
                    cfg.get(CurateKeys.FILTER_AUDIO_FIXUP_MAX), cfg.get(CurateKeys.DECODE_SYNC_FPS)));
        }
        // The decision's effect on each row, as SQL over the row itself (no join): what changes.
        String newKeep = "size(" + reasonsSql + ") = 0";
        String changedRowSql = "NOT (reject_reasons <=> " + reasonsSql + ") OR NOT (keep <=> (" + newKeep + "))";
        String shiftSql = null;
        if (fixup) {
            shiftSql = String.format(Locale.ROOT, "CASE WHEN %s AND av_offset_frames IS NOT NULL AND abs(av_offset_frames) <= %d "
                    + "THEN av_offset_frames / %s ELSE 0.0 END", newKeep, cfg.get(CurateKeys.FILTER_AUDIO_FIXUP_MAX), cfg.get(CurateKeys.DECODE_SYNC_FPS));
            changedRowSql += " OR NOT (audio_shift_s <=> (" + shiftSql + "))";
        }
        // One aggregate for the whole funnel: clips in, kept, clips failing each rule, and rows whose decision changes.
        List<String> aggs = new ArrayList<>(List.of("count(*)", "coalesce(sum(CASE WHEN " + newKeep + " THEN 1 ELSE 0 END), 0)",
                "coalesce(sum(CASE WHEN " + changedRowSql + " THEN 1 ELSE 0 END), 0)"));
        for (FilterRule r : active) aggs.add("coalesce(sum(CASE WHEN NOT " + r.passSql() + " THEN 1 ELSE 0 END), 0)");
        Row counts = clips.selectExpr(aggs.toArray(String[]::new)).first();
        long in = counts.getLong(0);
        long kept = counts.getLong(1);
        long changed = counts.getLong(2);
        Map<String, Long> failing = new LinkedHashMap<>();
        for (int i = 0; i < active.size(); i++) failing.put(active.get(i).toString(), counts.getLong(3 + i));
        if (changed > 0 && changed * REWRITE_SHARE >= in) {
            // Most rows move (a first decision, a threshold moved through the bulk): rewriting the table from itself is one
            // map-only pass, where a merge would join the table with its own decisions and still rewrite nearly every file.
            Dataset<Row> next = clips.withColumn("reject_reasons", functions.expr(reasonsSql)).withColumn("keep", functions.expr("size(reject_reasons) = 0"));
            if (fixup) next = next.withColumn("audio_shift_s", functions.expr(shiftSql.replace(newKeep, "keep")));
            next.write().format("delta").mode("overwrite").save(clipsPath);
        } else if (changed > 0) {
            // A few rows move: a merge rewrites only the files that hold them.
            String changedSql = "NOT (t.reject_reasons <=> s.new_reasons) OR NOT (t.keep <=> (size(s.new_reasons) = 0))";
            Map<String, String> set = new LinkedHashMap<>(Map.of("reject_reasons", "s.new_reasons", "keep", "size(s.new_reasons) = 0"));
            if (fixup) {
                changedSql += " OR NOT (t.audio_shift_s <=> s.new_shift)";
                set.put("audio_shift_s", "s.new_shift");
            }
            DeltaTable.forPath(spark, clipsPath).as("t").merge(decided.as("s"), "t.clip_id = s.clip_id")
                    .whenMatched(changedSql).updateExpr(set).execute();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        log.printf(Locale.ROOT, "[filter] %d clips in, %d kept, %d decisions changed, %.1f s%n", in, kept, changed, seconds);
        for (Map.Entry<String, Long> e : failing.entrySet()) log.printf("[filter]   %6d fail %s%n", e.getValue(), e.getKey());
        return new Report(in, failing, kept, changed, seconds);
    }

    /** Spark SQL for the array of reasons a clip fails, in rule order, without duplicates. */
    static String decisionSql(List<FilterRule> rules) {
        if (rules.isEmpty()) return "CAST(array() AS ARRAY<STRING>)";
        List<String> parts = new ArrayList<>();
        for (FilterRule r : rules) {
            parts.add("CASE WHEN NOT " + r.passSql() + " THEN '" + r.reason() + "' END");
        }
        return "array_distinct(filter(array(" + String.join(", ", parts) + "), x -> x IS NOT NULL))";
    }

}
