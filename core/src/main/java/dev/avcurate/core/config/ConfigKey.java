package dev.avcurate.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One documented, defaulted and validated configuration key. Keys are dotted paths into the
 * YAML tree ({@code ingest.clips.min_s}). Every key the pipeline reads is declared once in
 * {@link CurateKeys}; a key in a file that is not declared there is an error.
 *
 * @param <T> Java type of the value: Integer, Double, Boolean, String or List&lt;String&gt;
 */
public final class ConfigKey<T> {
    /** The value kinds a YAML scalar or sequence may hold. */
    public enum Kind { INT, DOUBLE, BOOL, STRING, STRING_LIST, RULES }

    private final String path;
    private final Kind kind;
    private final T defaultValue;
    private final String doc;
    private final Predicate<T> validator;
    private final String constraint;
    private boolean secret;

    private ConfigKey(String path, Kind kind, T defaultValue, String doc, Predicate<T> validator, String constraint) {
        this.path = Objects.requireNonNull(path);
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.doc = doc;
        this.validator = validator;
        this.constraint = constraint;
    }

    public static ConfigKey<Integer> intKey(String path, int def, int min, int max, String doc) {
        return new ConfigKey<>(path, Kind.INT, def, doc, v -> v >= min && v <= max,
                "an integer in [" + min + ", " + max + "]");
    }

    public static ConfigKey<Double> doubleKey(String path, double def, double min, double max, String doc) {
        return new ConfigKey<>(path, Kind.DOUBLE, def, doc, v -> v >= min && v <= max && !Double.isNaN(v),
                "a number in [" + fmt(min) + ", " + fmt(max) + "]");
    }

    /** A number that must be strictly greater than {@code exclusiveMin}. */
    public static ConfigKey<Double> positiveKey(String path, double def, double max, String doc) {
        return new ConfigKey<>(path, Kind.DOUBLE, def, doc, v -> v > 0 && v <= max,
                "a number > 0 and <= " + fmt(max));
    }

    public static ConfigKey<Boolean> boolKey(String path, boolean def, String doc) {
        return new ConfigKey<>(path, Kind.BOOL, def, doc, v -> true, "true or false");
    }

    public static ConfigKey<String> stringKey(String path, String def, String doc) {
        return new ConfigKey<>(path, Kind.STRING, def, doc, v -> true, "a string");
    }

    /** A string that must never be printed (an API key): run-summary.json and every log show only whether it is set. */
    public static ConfigKey<String> secretKey(String path, String doc) {
        ConfigKey<String> k = new ConfigKey<>(path, Kind.STRING, "", doc, v -> true, "a string (secret: never printed)");
        k.secret = true;
        return k;
    }

    public static ConfigKey<String> enumKey(String path, String def, List<String> allowed, String doc) {
        return new ConfigKey<>(path, Kind.STRING, def, doc, allowed::contains, "one of " + allowed);
    }

    public static ConfigKey<List<String>> listKey(String path, List<String> def, List<String> allowed, String doc) {
        Predicate<List<String>> ok = allowed == null ? v -> true : allowed::containsAll;
        return new ConfigKey<>(path, Kind.STRING_LIST, List.copyOf(def), doc, ok,
                allowed == null ? "a list of strings" : "a list of values from " + allowed);
    }

    /** A list of threshold rules ({@code - {score: x, op: ">=", value: 1, reason: y}}). */
    public static ConfigKey<List<FilterRule>> rulesKey(String path, List<FilterRule> def, String doc) {
        return new ConfigKey<>(path, Kind.RULES, List.copyOf(def), doc, v -> true,
                "a list of {score, op, value, reason} rules");
    }

    public String path() { return path; }
    public Kind kind() { return kind; }
    public T defaultValue() { return defaultValue; }
    public String doc() { return doc; }
    public String constraint() { return constraint; }
    public boolean secret() { return secret; }

    boolean accepts(T value) {
        return validator.test(value);
    }

    /** The default as it would be written in YAML. */
    public String defaultAsYaml() {
        if (kind == Kind.RULES) {
            StringBuilder sb = new StringBuilder();
            for (Object r : (List<?>) defaultValue) sb.append("\n      - ").append(((FilterRule) r).toYaml());
            return sb.toString();
        }
        if (defaultValue instanceof List<?> l) {
            return l.isEmpty() ? "[]" : "[" + String.join(", ", l.stream().map(Object::toString).toList()) + "]";
        }
        if (defaultValue instanceof String s) {
            return s.isEmpty() ? "\"\"" : s;
        }
        return defaultValue instanceof Double d ? fmt(d) : String.valueOf(defaultValue);
    }

    private static String fmt(double d) {
        if (d == Double.MAX_VALUE) return "inf";
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT, "%.1f", d) : String.valueOf(d);
    }
}
