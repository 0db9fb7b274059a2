package dev.avcurate.core.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A validated pipeline configuration: the defaults of {@link CurateKeys} overlaid with one YAML
 * file and then with {@code --set key=value} overrides. Immutable and serializable, so it
 * travels to executors with the tasks.
 */
public final class CurateConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final Map<String, Object> values;

    private CurateConfig(String source, Map<String, Object> values) {
        this.source = source;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** All defaults; the source is named "defaults". */
    public static CurateConfig defaults() {
        Map<String, Object> v = new LinkedHashMap<>();
        CurateKeys.ALL.forEach((p, k) -> v.put(p, k.defaultValue()));
        return new CurateConfig("defaults", v);
    }

    /** Loads and validates a YAML file; errors name the key, the file and the line. */
    public static CurateConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the config file: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses YAML text whose origin (a file name) is {@code source}. */
    public static CurateConfig parse(String yamlText, String source) {
        Map<String, Object> v = new LinkedHashMap<>();
        CurateKeys.ALL.forEach((p, k) -> v.put(p, k.defaultValue()));
        Node root;
        try (Reader r = new StringReader(yamlText)) {
            LoaderOptions opts = new LoaderOptions();
            opts.setAllowDuplicateKeys(false);
            root = new Yaml(opts).compose(r);
        } catch (YAMLException | IOException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage());
        }
        if (root != null) {
            if (!(root instanceof MappingNode m)) {
                throw new ConfigException(source + ":" + line(root) + ": the top level must be a mapping of sections");
            }
            walk(m, "", source, v);
        }
        CurateConfig c = new CurateConfig(source, v);
        c.crossCheck();
        return c;
    }

    /** A copy with {@code key=value} overrides applied (from the command line). */
    public CurateConfig withOverrides(List<String> assignments) {
        if (assignments == null || assignments.isEmpty()) return this;
        Map<String, Object> v = new LinkedHashMap<>(values);
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new ConfigException("--set " + a + ": expected key=value");
            String path = a.substring(0, eq).trim();
            String raw = a.substring(eq + 1).trim();
            ConfigKey<?> key = CurateKeys.ALL.get(path);
            if (key == null) throw new ConfigException("--set: unknown key '" + path + "'" + suggestion(path));
            Node n;
            try {
                n = new Yaml().compose(new StringReader(raw.isEmpty() ? "''" : raw));
            } catch (YAMLException e) {
                throw new ConfigException("--set " + path + ": not a valid value: " + e.getMessage());
            }
            v.put(path, convert(key, n, "--set"));
        }
        CurateConfig c = new CurateConfig(source + " + --set", v);
        c.crossCheck();
        return c;
    }

    private static void walk(MappingNode m, String prefix, String source, Map<String, Object> out) {
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode kn)) {
                throw new ConfigException(source + ":" + line(t.getKeyNode()) + ": keys must be plain names");
            }
            String path = prefix.isEmpty() ? kn.getValue() : prefix + "." + kn.getValue();
            Node vn = t.getValueNode();
            ConfigKey<?> key = CurateKeys.ALL.get(path);
            if (key != null) {
                out.put(path, convert(key, vn, source));
            } else if (vn instanceof MappingNode sub && isSection(path)) {
                walk(sub, path, source, out);
            } else {
                String hint = path.equals("stage") ? " (a trainer config? those run with bin/curate train --config " + source + ")" : suggestion(path);
                throw new ConfigException(source + ":" + line(kn) + ": unknown key '" + path + "'" + hint);
            }
        }
    }

    private static boolean isSection(String path) {
        String p = path + ".";
        return CurateKeys.ALL.keySet().stream().anyMatch(k -> k.startsWith(p));
    }

    private static String suggestion(String path) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : CurateKeys.ALL.keySet()) {
            int d = editDistance(k, path);
            if (d < bestD) { bestD = d; best = k; }
        }
        return best != null && bestD <= Math.max(2, path.length() / 5) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(ConfigKey<?> key, Node n, String source) {
        String where = source + (n.getStartMark() != null && !"--set".equals(source) ? ":" + line(n) : "") + ": " + key.path();
        Object value;
        switch (key.kind()) {
            case STRING_LIST -> {
                if (!(n instanceof SequenceNode seq)) throw new ConfigException(where + ": expected a list, e.g. [a, b]");
                List<String> l = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    if (!(item instanceof ScalarNode s)) throw new ConfigException(where + ": list items must be plain values");
                    l.add(s.getValue());
                }
                value = List.copyOf(l);
            }
            case RULES -> value = rules(n, where, source);
            default -> {
                if (!(n instanceof ScalarNode s)) throw new ConfigException(where + ": expected " + key.constraint() + ", got a " + (n instanceof SequenceNode ? "list" : "mapping"));
                String raw = s.getValue().trim();
                try {
                    value = switch (key.kind()) {
                        case INT -> Integer.valueOf(raw.replace("_", ""));
                        case DOUBLE -> Double.valueOf(raw.replace("_", ""));
                        case BOOL -> switch (raw.toLowerCase(Locale.ROOT)) {
                            case "true" -> Boolean.TRUE;
                            case "false" -> Boolean.FALSE;
                            default -> throw new NumberFormatException();
                        };
                        default -> s.getValue();
                    };
                } catch (NumberFormatException e) {
                    throw new ConfigException(where + ": expected " + key.constraint() + ", got '" + raw + "'");
                }
            }
        }
        if (!((ConfigKey) key).accepts(value)) {
            throw new ConfigException(where + ": expected " + key.constraint() + ", got " + value);
        }
        return value;
    }

    private static List<FilterRule> rules(Node n, String where, String source) {
        if (!(n instanceof SequenceNode seq)) throw new ConfigException(where + ": expected a list of rules");
        List<FilterRule> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            String at = source + ":" + line(item) + ": " + where.substring(where.lastIndexOf(": ") + 2);
            if (!(item instanceof MappingNode m)) throw new ConfigException(at + ": each rule is a mapping {score, op, value, reason}");
            Map<String, ScalarNode> f = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode kn)) throw new ConfigException(at + ": rule field names are plain words (score, op, value, reason)");
                String k = kn.getValue();
                if (!List.of("score", "op", "value", "reason").contains(k)) {
                    throw new ConfigException(at + ": unknown rule field '" + k + "' (score, op, value, reason)");
                }
                if (!(t.getValueNode() instanceof ScalarNode sv)) throw new ConfigException(at + ": rule field '" + k + "' must be a plain value");
                f.put(k, sv);
            }
            for (String k : List.of("score", "op", "value", "reason")) {
                if (!f.containsKey(k)) throw new ConfigException(at + ": a rule needs '" + k + "'");
            }
            String score = f.get("score").getValue();
            if (!dev.avcurate.core.ScoreColumns.ALL.containsKey(score)) {
                throw new ConfigException(at + ": unknown score '" + score + "' (known: " + new java.util.TreeSet<>(dev.avcurate.core.ScoreColumns.ALL.keySet()) + ")");
            }
            String op = f.get("op").getValue();
            if (!FilterRule.OPS.contains(op)) throw new ConfigException(at + ": op must be one of " + FilterRule.OPS + ", got '" + op + "'");
            String raw = f.get("value").getValue();
            Object value;
            if (dev.avcurate.core.ScoreColumns.isNumeric(score)) {
                try {
                    value = Double.valueOf(raw);
                } catch (NumberFormatException e) {
                    throw new ConfigException(at + ": value of a rule on " + score + " must be a number, got '" + raw + "'");
                }
            } else {
                if (!List.of("==", "!=").contains(op)) throw new ConfigException(at + ": " + score + " is a label: use == or !=");
                value = raw;
            }
            String reason = f.get("reason").getValue();
            if (!reason.matches("[a-z][a-z0-9_]*")) throw new ConfigException(at + ": reason must be a lower_snake_case code, got '" + reason + "'");
            out.add(new FilterRule(score, op, value, reason));
        }
        return List.copyOf(out);
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    /** Rules that relate several keys. */
    private void crossCheck() {
        if (get(CurateKeys.CLIPS_MIN_S) > get(CurateKeys.CLIPS_MAX_S)) {
            throw new ConfigException(source + ": ingest.clips.min_s (" + get(CurateKeys.CLIPS_MIN_S)
                    + ") must not exceed ingest.clips.max_s (" + get(CurateKeys.CLIPS_MAX_S) + ")");
        }
        if (get(CurateKeys.CAPTION_VLM_MIN_FRAMES) > get(CurateKeys.CAPTION_VLM_MAX_FRAMES)) {
            throw new ConfigException(source + ": caption.vlm.min_frames (" + get(CurateKeys.CAPTION_VLM_MIN_FRAMES)
                    + ") must not exceed caption.vlm.max_frames (" + get(CurateKeys.CAPTION_VLM_MAX_FRAMES) + ")");
        }
        if (get(CurateKeys.CAPTION_MIN_WORDS) > get(CurateKeys.CAPTION_MAX_WORDS)) {
            throw new ConfigException(source + ": caption.checks.min_words (" + get(CurateKeys.CAPTION_MIN_WORDS)
                    + ") must not exceed caption.checks.max_words (" + get(CurateKeys.CAPTION_MAX_WORDS) + ")");
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        if (!values.containsKey(key.path())) throw new IllegalArgumentException("undeclared key " + key.path());
        return (T) values.get(key.path());
    }

    /** Where the values came from (a file name, "defaults", or a file plus --set). */
    public String source() {
        return source;
    }

    /** All values by path, sorted, for run-summary.json and the dataset card; secrets show as "(set)" or "". */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new TreeMap<>(values);
        for (ConfigKey<?> k : CurateKeys.ALL.values()) {
            if (k.secret()) m.put(k.path(), String.valueOf(values.get(k.path())).isEmpty() ? "" : "(set)");
        }
        return m;
    }

    /** The documentation of every key, as YAML-commented lines; {@code bin/curate config describe}. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        for (ConfigKey<?> k : CurateKeys.ALL.values()) {
            sb.append(k.path()).append(" = ").append(k.defaultAsYaml()).append("   (").append(k.constraint()).append(")\n");
            sb.append("    ").append(k.doc()).append("\n");
        }
        return sb.toString();
    }
}
