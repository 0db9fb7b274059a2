package dev.avcurate.core.stage;

import dev.avcurate.core.config.CurateConfig;
import java.util.List;

/**
 * One stage of the pipeline, as the runner sees it: what it reads and writes (tables and
 * columns), which config sections it uses, what its tasks need, a check that runs before any
 * data moves, and the run itself, which returns a report the run summary prints without knowing
 * the stage. Implementations are stateless; the {@link StageContext} carries the job.
 */
public interface Stage {
    /** The name in {@code pipeline.stages} and {@code --stages}. */
    String name();

    /** One line for {@code --help}. */
    String description();

    /** Tables and columns read, under this config (a filter rule names the score it reads). */
    List<TableUse> reads(CurateConfig cfg);

    /** Tables and columns written, under this config. */
    List<TableUse> writes(CurateConfig cfg);

    /** Config sections (key prefixes such as {@code "ingest"}) the stage reads, for {@code config describe} and reviews. */
    List<String> configSections();

    /** What one task of the stage needs (cores, GPUs), under this config. */
    Resources resources(CurateConfig cfg);

    /**
     * Checks what can be checked without Spark and before any data moves (models present,
     * endpoints and patterns well-formed, settings consistent); throws with every problem named.
     * {@code ctx.spark()} is null here.
     */
    void validate(StageContext ctx);

    /** Runs the stage. */
    StageReport run(StageContext ctx) throws Exception;
}
