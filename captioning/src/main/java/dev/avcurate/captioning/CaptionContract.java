package dev.avcurate.captioning;

import dev.avcurate.core.ScoreColumns;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.stage.Resources;
import dev.avcurate.core.stage.Stage;
import dev.avcurate.core.stage.StageContext;
import dev.avcurate.core.stage.StageReport;
import dev.avcurate.core.stage.TableUse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The caption stage in the pipeline: reads the kept clips (and their scores, for composed captions), writes captions. */
public final class CaptionContract implements Stage {
    @Override
    public String name() {
        return "caption";
    }

    @Override
    public String description() {
        return "caption the kept clips with a VLM (or compose captions from the scores), check and embed them";
    }

    @Override
    public List<TableUse> reads(CurateConfig cfg) {
        // Captions composed from attributes use whatever scores exist; a score computed later in the run is an error.
        return List.of(TableUse.of("clips", "clip_id", "video_id", "uri", "start_s", "end_s", "keep"),
                TableUse.optional("clips", ScoreColumns.ALL.keySet().stream().toList()));
    }

    @Override
    public List<TableUse> writes(CurateConfig cfg) {
        List<String> cols = new java.util.ArrayList<>(List.of(CaptionTables.SCHEMA.fieldNames()));
        return List.of(TableUse.of("captions", cols));
    }

    @Override
    public List<String> configSections() {
        return List.of("caption");
    }

    /** Network-bound tasks: one core each; the VLM's GPUs are the server's, not Spark's. */
    @Override
    public Resources resources(CurateConfig cfg) {
        return Resources.cpu(1);
    }

    @Override
    public void validate(StageContext ctx) {
        // The endpoint, prompt file and check patterns are checked before anything runs.
        CaptionStage.plan(ctx.cfg(), ctx.home(), ctx.env());
    }

    @Override
    public StageReport run(StageContext ctx) {
        CaptionStage.Report r = new CaptionStage(ctx.spark(), ctx.cfg(), ctx.log(), ctx.home(), ctx.env()).run(ctx.table("clips"),
                CaptionTables.path(ctx.output()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimator", r.estimator());
        m.put("model", r.model());
        m.put("prompt_version", r.promptVersion());
        m.put("kept_clips", r.clipsKept());
        m.put("already_captioned", r.alreadyCaptioned());
        m.put("requested", r.requested());
        m.put("ok", r.ok());
        m.put("failed", r.failed());
        m.put("failed_by_reason", r.failedByCode());
        m.put("captions_passing_checks", r.captionsKept());
        m.put("check_codes", r.checkCounts());
        m.put("prompt_tokens", r.promptTokens());
        m.put("completion_tokens", r.completionTokens());
        m.put("requests_per_second", r.requestsPerS());
        m.put("tokens_per_second", r.tokensPerS());
        m.put("latency_p50_s", r.latencyP50S());
        m.put("latency_p95_s", r.latencyP95S());
        m.put("rechecked", r.rechecked());
        m.put("seconds_requesting", r.requestSeconds());
        m.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        return new StageReport(name(), m, String.format(Locale.ROOT, "%d captions ok, %d failed (%s)", r.ok(), r.failed(), r.estimator()));
    }
}
