package dev.avcurate.core.config;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One threshold rule of the filter stage: a clip whose {@code score} fails {@code op value}
 * gets {@code reason} in its {@code reject_reasons}. A clip with a null score (not computed)
 * does not fail the rule: missing evidence is not evidence of a defect, and the scorer's
 * estimator column says why it is missing.
 *
 * @param score  a score column of clips (see {@code ScoreColumns})
 * @param op     one of {@code >= > <= < == !=}: the condition a clip must meet to pass
 * @param value  a number, or a string for label scores such as camera_motion
 * @param reason the stable reason code recorded when the condition is not met
 */
public record FilterRule(String score, String op, Object value, String reason) implements Serializable {
    public static final List<String> OPS = List.of(">=", ">", "<=", "<", "==", "!=");

    /** SQL for "this clip passes the rule" over the clips table. */
    public String passSql() {
        String v = value instanceof Number n ? String.valueOf(n.doubleValue())
                : "'" + String.valueOf(value).replace("'", "''") + "'";
        String sqlOp = "==".equals(op) ? "=" : op;
        return "(`" + score + "` IS NULL OR `" + score + "` " + sqlOp + " " + v + ")";
    }

    /** The rule as written in a config file's {@code filter.rules} list. */
    public String toYaml() {
        String v = value instanceof Number n ? String.valueOf(n) : "\"" + String.valueOf(value).replace("\"", "\\\"") + "\"";
        return String.format(Locale.ROOT, "{score: %s, op: \"%s\", value: %s, reason: %s}", score, op, v, reason);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s %s -> %s", score, op, value, reason);
    }
}
