package dev.avcurate.filters;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.core.config.FilterRule;
import dev.avcurate.core.stage.Resources;
import dev.avcurate.core.stage.Stage;
import dev.avcurate.core.stage.StageContext;
import dev.avcurate.core.stage.StageReport;
import dev.avcurate.core.stage.TableUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The filter stage in the pipeline: reads the scores its rules name, writes keep, reject_reasons and audio_shift_s. */
public final class FilterContract implements Stage {
    @Override
    public String name() {
        return "filter";
    }

    @Override
    public String description() {
        return "apply filter.rules to the stored scores (SQL, no decode): keep and reject_reasons";
    }

    @Override
    public List<TableUse> reads(CurateConfig cfg) {
        Set<String> scores = new LinkedHashSet<>();
        for (FilterRule r : cfg.get(CurateKeys.FILTER_RULES)) scores.add(r.score());
        scores.add("score_error");
        // A rule whose score has not been computed is skipped with a message; computed later in the same run, it is an error.
        return List.of(TableUse.of("clips", "clip_id", "keep", "reject_reasons"), TableUse.optional("clips", new ArrayList<>(scores)));
    }

    @Override
    public List<TableUse> writes(CurateConfig cfg) {
        return List.of(TableUse.of("clips", "keep", "reject_reasons", "audio_shift_s"));
    }

    @Override
    public List<String> configSections() {
        return List.of("filter");
    }

    @Override
    public Resources resources(CurateConfig cfg) {
        return Resources.DRIVER;
    }

    @Override
    public void validate(StageContext ctx) {
        // filter.rules are checked when the config loads (known scores, ranges).
    }

    @Override
    public StageReport run(StageContext ctx) {
        FilterStage.Report r = new FilterStage(ctx.spark(), ctx.cfg(), ctx.log()).run(ctx.table("clips"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clips_in", r.clipsIn());
        m.put("failing_by_rule", r.failingByRule());
        m.put("kept", r.kept());
        m.put("decisions_changed", r.changed());
        m.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        return new StageReport(name(), m, String.format(Locale.ROOT, "%d of %d clips kept", r.kept(), r.clipsIn()));
    }
}
