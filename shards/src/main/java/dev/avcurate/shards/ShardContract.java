package dev.avcurate.shards;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.core.stage.Resources;
import dev.avcurate.core.stage.Stage;
import dev.avcurate.core.stage.StageContext;
import dev.avcurate.core.stage.StageReport;
import dev.avcurate.core.stage.TableUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shard stage in the pipeline: reads the kept clips (hashes for near-duplicates, the SFT
 * criteria's scores, captions), writes the shards index, rejects for clips left out, and
 * duplicate_of into clips.
 */
public final class ShardContract implements Stage {
    @Override
    public String name() {
        return "shard";
    }

    @Override
    public String description() {
        return "remove near-duplicates, split pretrain/SFT, bucket, and write Parquet shards with their index";
    }

    @Override
    public List<TableUse> reads(CurateConfig cfg) {
        List<String> optional = new ArrayList<>(List.of(NearDuplicateStep.PHASH_COLUMN, cfg.get(CurateKeys.SHARDS_QUALITY_SCORE), "audio_shift_s"));
        return List.of(TableUse.of("clips", "clip_id", "video_id", "uri", "start_s", "end_s", "width", "height", "keep"),
                TableUse.optional("clips", optional),
                TableUse.optional("captions", List.of("clip_id", "caption", "caption_keep", "embedding")));
    }

    @Override
    public List<TableUse> writes(CurateConfig cfg) {
        if (cfg.get(CurateKeys.SHARDS_PLAN_ONLY)) return List.of(TableUse.of("shard_plan", "clip_id", "split", "bucket", "slice"));
        return List.of(TableUse.of("shards", List.of(ShardTables.SCHEMA.fieldNames())), TableUse.of("rejects", "reject_id", "reason"),
                TableUse.of("clips", "duplicate_of"));
    }

    @Override
    public List<String> configSections() {
        return List.of("shards");
    }

    /** One core per task: each task decodes and encodes its slice's clips one at a time. */
    @Override
    public Resources resources(CurateConfig cfg) {
        return Resources.cpu(1);
    }

    @Override
    public void validate(StageContext ctx) {
        ShardStage.check(ctx.cfg()); // buckets and SFT criteria: errors a run would meet before any work
    }

    @Override
    public StageReport run(StageContext ctx) throws Exception {
        ShardStage.Report r = new ShardStage(ctx.spark(), ctx.cfg(), ctx.log()).run(ctx.output());
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.planOnly()) m.put("plan_only", true); // clips_by_split/bucket are planned, not written
        m.put("kept_clips", r.keptClips());
        m.put("already_in_shards", r.alreadySharded());
        m.put("duplicates", r.duplicates());
        m.put("left_out", r.leftOut());
        m.put("clips_written", r.written());
        m.put("clips_by_split", r.clipsBySplit());
        m.put("clips_by_bucket", r.clipsByBucket());
        m.put("shard_files", r.shardFiles());
        m.put("bytes", r.bytes());
        m.put("failed", r.failed());
        m.put("training_seconds", r.clipSeconds());
        m.put("orphan_files_deleted", r.orphansDeleted());
        m.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        r.phaseSeconds().forEach((k, v) -> m.put("seconds_" + k, v));
        return new StageReport(name(), m, String.format(Locale.ROOT, "%d clips in %d shard files", r.written(), r.shardFiles()));
    }
}
