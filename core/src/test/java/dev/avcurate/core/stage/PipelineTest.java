package dev.avcurate.core.stage;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.ConfigException;
import dev.avcurate.core.config.CurateConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order of a run's stages, checked against what each reads and writes, with the names and the source in every message. */
class PipelineTest {
    /** A stage that only declares its tables. */
    record Fake(String name, List<TableUse> reads, List<TableUse> writes) implements Stage {
        @Override
        public String description() {
            return name;
        }

        @Override
        public List<TableUse> reads(CurateConfig cfg) {
            return reads;
        }

        @Override
        public List<TableUse> writes(CurateConfig cfg) {
            return writes;
        }

        @Override
        public List<String> configSections() {
            return List.of(name);
        }

        @Override
        public Resources resources(CurateConfig cfg) {
            return Resources.cpu(1);
        }

        @Override
        public void validate(StageContext ctx) {}

        @Override
        public StageReport run(StageContext ctx) {
            throw new UnsupportedOperationException();
        }
    }

    static final Map<String, Stage> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("ingest", new Fake("ingest", List.of(), List.of(TableUse.of("clips", "clip_id", "uri", "keep"))));
        KNOWN.put("score", new Fake("score", List.of(TableUse.of("clips", "clip_id", "uri")), List.of(TableUse.of("clips", "face_ratio"))));
        KNOWN.put("filter", new Fake("filter", List.of(TableUse.of("clips", "clip_id"), TableUse.optional("clips", List.of("face_ratio"))),
                List.of(TableUse.of("clips", "keep"))));
        KNOWN.put("shard", new Fake("shard", List.of(TableUse.of("clips", "clip_id", "keep"), TableUse.optional("captions", List.of("caption"))),
                List.of(TableUse.of("shards", "path"))));
    }

    static List<String> problems(List<String> names, Map<String, Set<String>> existing) {
        return Pipeline.of(KNOWN, names, "x.yaml: pipeline.stages").orderProblems(CurateConfig.defaults(), existing::get);
    }

    @Test
    void theRecipeOrderOnAFreshOutputIsFine() {
        assertEquals(List.of(), problems(List.of("ingest", "score", "filter", "shard"), Map.of()));
    }

    @Test
    void aStageReadingWhatALaterStageWritesIsAnErrorEvenIfAnOldRunLeftIt() {
        List<String> p = problems(List.of("ingest", "filter", "score"), Map.of("clips", Set.of("clip_id", "uri", "keep", "face_ratio")));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("x.yaml: pipeline.stages: filter reads clips.face_ratio, which score writes, but score runs after filter"), p.get(0));
    }

    @Test
    void aMissingRequiredInputNamesTheTableAndColumns() {
        List<String> p = problems(List.of("filter", "shard"), Map.of());
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).contains("filter reads clips.clip_id, which no earlier stage of this run writes and the output has no clips table"), p.get(0));
        assertTrue(p.get(1).contains("shard reads clips.clip_id,"), p.get(1)); // keep: written by filter before it
        // The same stages on an output an earlier run made: fine; an optional input (captions) may be missing.
        assertEquals(List.of(), problems(List.of("filter", "shard"), Map.of("clips", Set.of("clip_id", "keep"))));
    }

    @Test
    void unknownAndRepeatedStagesAreConfigErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> Pipeline.of(KNOWN, List.of("ingest", "scroe"), "--stages"));
        assertTrue(e.getMessage().contains("--stages: unknown stage 'scroe' (known: ingest, score, filter, shard)"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Pipeline.of(KNOWN, List.of("score", "score"), "--stages"));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
    }

    @Test
    void theOrderGivenIsTheOrderRun() {
        assertEquals(List.of("score", "ingest"), Pipeline.of(KNOWN, List.of("score", "ingest"), "s").names());
    }
}
