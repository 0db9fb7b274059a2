package dev.avcurate.core.stage;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.ConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The stages of one run, in the order given ({@code pipeline.stages} or {@code --stages}), checked
 * against what each reads: every column a stage needs is written by an earlier stage of the run
 * or is already in the output's tables, and none is written only by a stage that runs later.
 */
public final class Pipeline {
    private final List<Stage> stages;
    private final String source;

    private Pipeline(List<Stage> stages, String source) {
        this.stages = List.copyOf(stages);
        this.source = source;
    }

    /**
     * @param known  every stage, by name
     * @param names  the stages to run, in order
     * @param source where the names come from (the config file, or --stages), for errors
     */
    public static Pipeline of(Map<String, Stage> known, List<String> names, String source) {
        List<Stage> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            Stage s = known.get(n);
            if (s == null) throw new ConfigException(source + ": unknown stage '" + n + "' (known: " + String.join(", ", known.keySet()) + ")");
            if (!seen.add(n)) throw new ConfigException(source + ": stage '" + n + "' is listed twice");
            out.add(s);
        }
        if (out.isEmpty()) throw new ConfigException(source + ": no stage to run");
        return new Pipeline(out, source);
    }

    public List<Stage> stages() {
        return stages;
    }

    public List<String> names() {
        return stages.stream().map(Stage::name).toList();
    }

    public boolean contains(String name) {
        return names().contains(name);
    }

    /**
     * Every problem with the order, as one line each; empty when the run can go ahead.
     *
     * @param existing the columns of a table already in the output, or null when it is not there
     */
    public List<String> orderProblems(CurateConfig cfg, Function<String, Set<String>> existing) {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> written = new LinkedHashMap<>(); // table -> columns written by the stages so far
        Map<String, Map<String, String>> writtenLater = new LinkedHashMap<>(); // table -> column -> first stage after
        for (int i = 0; i < stages.size(); i++) {
            for (int j = i + 1; j < stages.size(); j++) {
                for (TableUse w : stages.get(j).writes(cfg)) {
                    for (String c : w.columns()) {
                        writtenLater.computeIfAbsent(i + "/" + w.table(), k -> new LinkedHashMap<>()).putIfAbsent(c, stages.get(j).name());
                    }
                }
            }
        }
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            for (TableUse r : s.reads(cfg)) {
                Set<String> before = written.getOrDefault(r.table(), Set.of());
                Set<String> there = existing.apply(r.table());
                Map<String, String> later = writtenLater.getOrDefault(i + "/" + r.table(), Map.of());
                List<String> missing = new ArrayList<>();
                Map<String, List<String>> tooLate = new LinkedHashMap<>(); // writer -> columns
                for (String c : r.columns()) {
                    if (before.contains(c)) continue;
                    String by = later.get(c);
                    if (by != null) {
                        tooLate.computeIfAbsent(by, k -> new ArrayList<>()).add(c);
                        continue;
                    }
                    if (there != null && there.contains(c)) continue;
                    if (!r.optional()) missing.add(c);
                }
                tooLate.forEach((by, cols) -> problems.add(String.format("%s: %s reads %s.%s, which %s writes, but %s runs after %s: put %s before %s "
                        + "in the stage list", source, s.name(), r.table(), columns(cols), by, by, s.name(), by, s.name())));
                if (!missing.isEmpty()) {
                    problems.add(String.format("%s: %s reads %s.%s, which no earlier stage of this run writes and the output %s: "
                                    + "run the stage that writes it first (or add it to the stage list)", source, s.name(), r.table(),
                            columns(missing),
                            there == null ? "has no " + r.table() + " table" : "table " + r.table() + " lacks"));
                }
            }
            for (TableUse w : s.writes(cfg)) written.computeIfAbsent(w.table(), k -> new HashSet<>()).addAll(w.columns());
        }
        return problems;
    }

    private static String columns(List<String> cols) {
        return cols.size() == 1 ? cols.get(0) : "{" + String.join(", ", cols) + "}";
    }
}
