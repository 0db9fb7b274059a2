package dev.avcurate.ingest;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.core.stage.Resources;
import dev.avcurate.core.stage.Stage;
import dev.avcurate.core.stage.StageContext;
import dev.avcurate.core.stage.StageReport;
import dev.avcurate.core.stage.TableUse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The ingest stage in the pipeline: reads the input files, writes videos, clips and rejects. */
public final class IngestContract implements Stage {
    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String description() {
        return "probe and decode each video, detect shots, cut clips; bad files become rejects";
    }

    @Override
    public List<TableUse> reads(CurateConfig cfg) {
        return List.of(); // the files under --input
    }

    @Override
    public List<TableUse> writes(CurateConfig cfg) {
        return List.of(TableUse.of(IngestTables.VIDEOS, List.of(IngestTables.VIDEOS_SCHEMA.fieldNames())),
                TableUse.of(IngestTables.CLIPS, List.of(IngestTables.CLIPS_SCHEMA.fieldNames())),
                TableUse.of(IngestTables.REJECTS, List.of(IngestTables.REJECTS_SCHEMA.fieldNames())));
    }

    @Override
    public List<String> configSections() {
        return List.of("ingest", "shots", "clips", "decode");
    }

    @Override
    public Resources resources(CurateConfig cfg) {
        return Resources.cpu(Math.max(1, cfg.get(CurateKeys.INGEST_DECODER_THREADS)));
    }

    @Override
    public void validate(StageContext ctx) {
        if (ctx.input() == null || ctx.input().isBlank()) throw new IllegalArgumentException("--input is required when the ingest stage runs");
    }

    @Override
    public StageReport run(StageContext ctx) throws Exception {
        IngestStage.Report r = new IngestStage(ctx.spark(), ctx.cfg(), ctx.log()).run(ctx.input(), ctx.output());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("videos_listed", r.videosListed());
        m.put("videos_skipped_already_done", r.videosSkipped());
        m.put("videos_ingested", r.videosIngested());
        m.put("videos_rejected", r.videosRejected());
        m.put("clips", r.clips());
        m.put("rejects_by_reason", r.rejectsByReason());
        m.put("seconds", round(r.seconds()));
        m.put("seconds_listing_and_resume", round(r.listSeconds()));
        m.put("seconds_decoding", round(r.decodeSeconds()));
        m.put("seconds_committing", round(r.commitSeconds()));
        m.put("videos_per_second", r.seconds() > 0 ? round((r.videosIngested() + r.videosRejected()) / r.seconds()) : 0);
        return new StageReport(name(), m, String.format(Locale.ROOT, "%d videos ingested, %d rejected, %d clips in %.1f s", r.videosIngested(),
                r.videosRejected(), r.clips(), r.seconds()));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
