package dev.avcurate.shards;

import dev.avcurate.core.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The SFT subset (SPEC §1 step 5): kept clips meeting enough of the recipe's criteria (several
 * people, dynamic camera, fine motion, high fidelity), each a named Spark SQL condition of
 * {@code shards.sft.criteria}, under a quota per source video so that no source dominates; the
 * rest of the pool is pretraining data. Pure SQL over the stored scores: moving a criterion
 * costs seconds.
 */
public final class SftSelection {
    private final Map<String, String> criteria = new LinkedHashMap<>();
    private final int minCriteria;
    private final double maxSharePerVideo;
    private final String qualityScore;

    public SftSelection(List<String> namedConditions, int minCriteria, double maxSharePerVideo, String qualityScore, String source) {
        for (String c : namedConditions) {
            int i = c.indexOf(':');
            if (i <= 0 || c.substring(0, i).isBlank() || c.substring(i + 1).isBlank() || !c.substring(0, i).trim().matches("[A-Za-z0-9_]+")) {
                throw new ConfigException(source + ": shards.sft.criteria: '" + c + "' is not 'name: condition' (name of letters, digits, _)");
            }
            criteria.put(c.substring(0, i).trim(), c.substring(i + 1).trim());
        }
        this.minCriteria = minCriteria;
        this.maxSharePerVideo = maxSharePerVideo;
        this.qualityScore = qualityScore;
    }

    public Map<String, String> criteria() {
        return criteria;
    }

    /**
     * Adds {@code sft_criteria} (names of the criteria met) and {@code split} to the candidates.
     * Conditions on columns the table lacks are a config error naming the criterion.
     */
    public Dataset<Row> select(Dataset<Row> candidates, String source, java.io.PrintStream log) {
        List<String> have = List.of(candidates.columns());
        List<String> parts = new ArrayList<>();
        for (var e : criteria.entrySet()) {
            try {
                candidates.selectExpr("coalesce((" + e.getValue() + "), false)").schema();
            } catch (Exception ex) {
                if (ex instanceof org.apache.spark.SparkThrowable st && st.getCondition() != null
                        && st.getCondition().startsWith("UNRESOLVED_COLUMN")) {
                    // A score whose scorer has not run: like a null score, the criterion is not met.
                    log.printf("[shard] SFT criterion %s is met by no clip: %s%n", e.getKey(), firstLine(ex.getMessage()));
                    continue;
                }
                throw new ConfigException(source + ": shards.sft.criteria: " + e.getKey() + ": '" + e.getValue()
                        + "' is not a condition over the clips columns (" + firstLine(ex.getMessage()) + ")");
            }
            parts.add("CASE WHEN coalesce((" + e.getValue() + "), false) THEN '" + e.getKey() + "' END");
        }
        String met = parts.isEmpty() ? "CAST(array() AS ARRAY<STRING>)" : "filter(array(" + String.join(", ", parts) + "), x -> x IS NOT NULL)";
        String quality = have.contains(qualityScore) ? "coalesce(`" + qualityScore + "`, -1e300)" : "0.0";
        Dataset<Row> scored = candidates.selectExpr("*", met + " AS sft_criteria", quality + " AS __quality");
        scored = scored.selectExpr("*", "size(sft_criteria) >= " + minCriteria + " AS __eligible");
        long eligible = scored.filter("__eligible").count();
        long quota = Math.max(1, (long) Math.floor(maxSharePerVideo * eligible));
        // Within a source video, its best clips by quality take the quota.
        Dataset<Row> ranked = scored.selectExpr("*", "CASE WHEN __eligible THEN row_number() OVER (PARTITION BY video_id, __eligible "
                + "ORDER BY __quality DESC, clip_id) END AS __rank");
        return ranked.selectExpr("*", String.format(Locale.ROOT, "CASE WHEN __eligible AND __rank <= %d THEN 'sft' ELSE 'pretrain' END AS split", quota))
                .drop("__quality", "__eligible", "__rank");
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
