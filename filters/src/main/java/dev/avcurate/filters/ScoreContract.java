package dev.avcurate.filters;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.core.stage.Resources;
import dev.avcurate.core.stage.Stage;
import dev.avcurate.core.stage.StageContext;
import dev.avcurate.core.stage.StageReport;
import dev.avcurate.core.stage.TableUse;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.scoring.ScorerSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The score stage in the pipeline: reads each clip's span, writes the configured scorers' columns into clips. */
public final class ScoreContract implements Stage {
    @Override
    public String name() {
        return "score";
    }

    @Override
    public String description() {
        return "decode each clip once and run every configured scorer on it (score columns in clips)";
    }

    @Override
    public List<TableUse> reads(CurateConfig cfg) {
        return List.of(TableUse.of("clips", "clip_id", "uri", "start_s", "end_s", "fps"));
    }

    @Override
    public List<TableUse> writes(CurateConfig cfg) {
        List<String> cols = new ArrayList<>(ScorerSet.columns(cfg).keySet());
        cols.add("scorer_versions");
        cols.add("scores_version");
        cols.add("score_error");
        return List.of(TableUse.of("clips", cols));
    }

    @Override
    public List<String> configSections() {
        return List.of("score", "decode", "models", "onnx");
    }

    /** CPU tasks; with onnx.device cuda, GPU operator tasks (score.gpu_per_task of a GPU each). */
    @Override
    public Resources resources(CurateConfig cfg) {
        return cfg.get(CurateKeys.ONNX_DEVICE).equals("cuda") ? Resources.gpu(1, cfg.get(CurateKeys.SCORE_GPU_PER_TASK)) : Resources.cpu(1);
    }

    @Override
    public void validate(StageContext ctx) {
        // Models are checked before any stage runs: nothing is decoded for a run that cannot finish.
        List<String> problems = ScoreStage.checkModels(ctx.cfg(), ctx.home());
        if (!problems.isEmpty()) throw new ModelException("models not ready (nothing was done):\n  " + String.join("\n  ", problems));
    }

    @Override
    public StageReport run(StageContext ctx) {
        ScoreStage.Report r = new ScoreStage(ctx.spark(), ctx.cfg(), ctx.log(), ctx.home()).run(ctx.table("clips"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clips", r.clipsTotal());
        m.put("clips_scored", r.clipsScored());
        m.put("clips_failed", r.clipsFailed());
        m.put("clips_scored_by_scorer", r.clipsScoredByScorer());
        m.put("scores_version", r.scoresVersion());
        m.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        r.phaseSeconds().forEach((k, v) -> m.put("seconds_" + k, v));
        // Task seconds summed over executors (they overlap in wall time): where the stage's CPU goes (one thread per task).
        m.put("task_seconds", r.taskSeconds());
        return new StageReport(name(), m, String.format(Locale.ROOT, "%d clips scored, %d failed in %.1f s", r.clipsScored(), r.clipsFailed(), r.seconds()));
    }
}
