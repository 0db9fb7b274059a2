package dev.avcurate.app;

import dev.avcurate.captioning.CaptionContract;
import dev.avcurate.core.config.CurateKeys;
import dev.avcurate.core.stage.Stage;
import dev.avcurate.filters.FilterContract;
import dev.avcurate.filters.ScoreContract;
import dev.avcurate.ingest.IngestContract;
import dev.avcurate.shards.ShardContract;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every stage the runner knows, by name, in the order of the recipe (a config may list a subset, in any valid order). */
final class Stages {
    private Stages() {}

    static final Map<String, Stage> ALL;

    static {
        Map<String, Stage> m = new LinkedHashMap<>();
        for (Stage s : new Stage[] {new IngestContract(), new ScoreContract(), new FilterContract(), new CaptionContract(), new ShardContract()}) {
            m.put(s.name(), s);
        }
        if (!m.keySet().equals(new java.util.LinkedHashSet<>(CurateKeys.STAGES))) {
            throw new IllegalStateException("stages " + m.keySet() + " differ from pipeline.stages' allowed values " + CurateKeys.STAGES);
        }
        ALL = java.util.Collections.unmodifiableMap(m);
    }
}
