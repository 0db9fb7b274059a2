package dev.avcurate.shards;

import dev.avcurate.core.ScoreColumns;
import dev.avcurate.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.UnresolvedNamedLambdaVariable;
import org.apache.spark.sql.catalyst.expressions.BinaryComparison;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
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
            String name = c.substring(0, i).trim(), condition = c.substring(i + 1).trim();
            criteria.put(name, condition);
            check(name, condition, source);
        }
        this.minCriteria = minCriteria;
        this.maxSharePerVideo = maxSharePerVideo;
        this.qualityScore = qualityScore;
    }

    /**
     * Columns of {@code clips} besides the score columns (and their estimators): those of ingest,
     * and those the score, filter and shard stages add.
     */
    static final Set<String> CLIPS_COLUMNS;

    static {
        Set<String> c = new TreeSet<>();
        for (String f : dev.avcurate.ingest.IngestTables.CLIPS_SCHEMA.fieldNames()) c.add(f.toLowerCase(Locale.ROOT));
        c.addAll(List.of("scorer_versions", "scores_version", "score_error", "audio_shift_s", "duplicate_of"));
        CLIPS_COLUMNS = Collections.unmodifiableSet(c);
    }

    /**
     * Checks one criterion before any Spark work: it parses as a Spark SQL condition, every column
     * it names is a clips column or a score of the registry (a misspelt name would otherwise be "met
     * by no clip"), and no comparison of a score with a number lies outside the score's declared
     * range (such a criterion can never hold).
     */
    static void check(String name, String condition, String source) {
        String at = source + ": shards.sft.criteria: " + name + ": '" + condition + "'";
        Expression e;
        try {
            e = CatalystSqlParser$.MODULE$.parseExpression(condition);
        } catch (Exception ex) { // ParseException is a checked exception to Java
            throw new ConfigException(at + " is not a condition over the clips columns (" + firstLine(ex.getMessage()) + ")");
        }
        Set<String> lambdaVars = new HashSet<>();
        List<Expression> all = new ArrayList<>();
        collect(e, all);
        for (Expression x : all) {
            if (x instanceof UnresolvedNamedLambdaVariable v) lambdaVars.add(v.name().toLowerCase(Locale.ROOT));
        }
        for (Expression x : all) {
            if (x instanceof UnresolvedAttribute a) {
                String col = column(a);
                if (lambdaVars.contains(col) || CLIPS_COLUMNS.contains(col) || ScoreColumns.isScoreOrEstimator(col)) continue;
                throw new ConfigException(at + ": unknown column '" + col + "': neither a clips column nor a score" + suggestion(col));
            }
            if (x instanceof BinaryComparison cmp) {
                String problem = impossible(cmp);
                if (problem != null) throw new ConfigException(at + " can never hold: " + problem);
            }
        }
    }

    private static void collect(Expression e, List<Expression> out) {
        out.add(e);
        for (Expression c : scala.jdk.javaapi.CollectionConverters.asJava(e.children())) collect(c, out);
    }

    private static String column(UnresolvedAttribute a) {
        return scala.jdk.javaapi.CollectionConverters.asJava(a.nameParts()).get(0).toLowerCase(Locale.ROOT);
    }

    /** Why {@code score op number} (either way round) can never hold on the score's declared range, or null. */
    private static String impossible(BinaryComparison cmp) {
        Expression l = cmp.left(), r = cmp.right();
        boolean attrLeft = l instanceof UnresolvedAttribute;
        UnresolvedAttribute a = attrLeft ? (l instanceof UnresolvedAttribute x ? x : null) : (r instanceof UnresolvedAttribute x ? x : null);
        Double v = number(attrLeft ? r : l);
        if (a == null || v == null) return null;
        ScoreColumns.Column c = ScoreColumns.get(column(a));
        if (c == null || !c.numeric()) return null;
        String op = cmp.symbol();
        if (!attrLeft) op = switch (op) { case ">" -> "<"; case ">=" -> "<="; case "<" -> ">"; case "<=" -> ">="; default -> op; };
        boolean never = switch (op) {
            case ">" -> c.max() != null && v >= c.max();
            case ">=" -> c.max() != null && v > c.max();
            case "<" -> c.min() != null && v <= c.min();
            case "<=" -> c.min() != null && v < c.min();
            case "=", "==", "<=>" -> !c.inRange(v);
            default -> false;
        };
        if (!never) return null;
        return String.format(Locale.ROOT, "%s lies in %s..%s (%s), so %s %s %s is never true", c.name(),
                c.min() == null ? "-inf" : fmt(c.min()), c.max() == null ? "inf" : fmt(c.max()), c.meaning(), c.name(), op, fmt(v));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** A numeric literal (possibly negated), or null. */
    private static Double number(Expression e) {
        if (e instanceof UnaryMinus m) {
            Double d = number(m.child());
            return d == null ? null : -d;
        }
        if (e instanceof Literal lit && lit.value() != null && lit.dataType() instanceof org.apache.spark.sql.types.NumericType) {
            try {
                return Double.parseDouble(lit.value().toString());
            } catch (NumberFormatException ex) {
                return null;
            }
        }
        return null;
    }

    private static String suggestion(String col) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        List<String> known = new ArrayList<>(CLIPS_COLUMNS);
        known.addAll(ScoreColumns.ALL.keySet());
        for (String k : known) {
            int d = editDistance(k, col);
            if (d < bestD) { bestD = d; best = k; }
        }
        return best != null && bestD <= Math.max(2, col.length() / 5) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
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
                        && st.getCondition().startsWith("UNRESOLVED_COLUMN") && missingAreScores(e.getValue(), have)) {
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

    /**
     * Whether every column the condition names that the table lacks is a score (or estimator)
     * column of the registry: its scorer did not run. Any other missing name is a config error.
     */
    static boolean missingAreScores(String condition, List<String> have) {
        Set<String> present = new HashSet<>();
        for (String h : have) present.add(h.toLowerCase(Locale.ROOT));
        List<Expression> all = new ArrayList<>();
        try {
            collect(CatalystSqlParser$.MODULE$.parseExpression(condition), all);
        } catch (Exception ex) {
            return false;
        }
        Set<String> lambdaVars = new HashSet<>();
        for (Expression x : all) if (x instanceof UnresolvedNamedLambdaVariable v) lambdaVars.add(v.name().toLowerCase(Locale.ROOT));
        for (Expression x : all) {
            if (x instanceof UnresolvedAttribute a) {
                String col = column(a);
                if (!present.contains(col) && !lambdaVars.contains(col) && !ScoreColumns.isScoreOrEstimator(col)) return false;
            }
        }
        return true;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
