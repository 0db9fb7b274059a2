package dev.avcurate.core.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CurateConfigTest {
    @Test
    void theShippedProfilesAreValidAndSetEveryKeyTheyName() throws Exception {
        Path root = Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf");
        try (var files = Files.list(root)) {
            // conf/models.yaml is the model registry, conf/caption_prompt.yaml a prompt and conf/train-*.yaml the
            // trainer's configs (checked by the trainer's ShippedConfigsTest), not pipeline profiles.
            List<String> notProfiles = List.of("models.yaml", "caption_prompt.yaml");
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml") && !notProfiles.contains(f.getFileName().toString())
                    && !f.getFileName().toString().startsWith("train-")).toList()) {
                CurateConfig c = CurateConfig.load(p);
                assertEquals(p.toString(), c.source());
            }
        }
    }

    @Test
    void unknownKeyNamesTheKeyTheFileAndTheLineAndSuggests() {
        ConfigException e = assertThrows(ConfigException.class, () -> CurateConfig.parse(
                "ingest:\n  clips:\n    min_s: 2\n    maxs: 8\n", "conf/x.yaml"));
        assertEquals("conf/x.yaml:4: unknown key 'ingest.clips.maxs' (did you mean 'ingest.clips.max_s'?)", e.getMessage());
        e = assertThrows(ConfigException.class, () -> CurateConfig.parse("stage: pretrain\n", "conf/train-x.yaml"));
        assertEquals("conf/train-x.yaml:1: unknown key 'stage' (a trainer config? those run with bin/curate train --config conf/train-x.yaml)", e.getMessage());
    }

    @Test
    void badValuesAreRejectedWithTheAllowedRange() {
        ConfigException e = assertThrows(ConfigException.class, () -> CurateConfig.parse(
                "ingest:\n  clips:\n    min_s: -1\n", "f.yaml"));
        assertTrue(e.getMessage().startsWith("f.yaml:3: ingest.clips.min_s: expected a number > 0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> CurateConfig.parse("ingest:\n  io: ftp\n", "f.yaml"));
        assertTrue(e.getMessage().contains("ingest.io: expected one of [auto, hadoop], got ftp"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> CurateConfig.parse("ingest:\n  require_audio: maybe\n", "f.yaml"));
        assertTrue(e.getMessage().contains("ingest.require_audio"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> CurateConfig.parse("pipeline:\n  stages: [ingest, paint]\n", "f.yaml"));
        assertTrue(e.getMessage().contains("pipeline.stages"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> CurateConfig.parse("ingest: [1, 2]\n", "f.yaml"));
        assertTrue(e.getMessage().contains("'ingest'"), e.getMessage());
    }

    @Test
    void relatedKeysAreCheckedTogether() {
        ConfigException e = assertThrows(ConfigException.class, () -> CurateConfig.parse(
                "ingest:\n  clips:\n    min_s: 12\n    max_s: 8\n", "f.yaml"));
        assertTrue(e.getMessage().contains("ingest.clips.min_s (12.0) must not exceed ingest.clips.max_s (8.0)"), e.getMessage());
    }

    @Test
    void defaultsOverlayAndOverrides() {
        CurateConfig c = CurateConfig.parse("ingest:\n  clips:\n    max_s: 8\n", "f.yaml");
        assertEquals(8.0, c.get(CurateKeys.CLIPS_MAX_S));
        assertEquals(2.0, c.get(CurateKeys.CLIPS_MIN_S));
        CurateConfig o = c.withOverrides(List.of("ingest.clips.min_s=3", "ingest.extensions=[mp4]"));
        assertEquals(3.0, o.get(CurateKeys.CLIPS_MIN_S));
        assertEquals(List.of("mp4"), o.get(CurateKeys.INGEST_EXTENSIONS));
        ConfigException e = assertThrows(ConfigException.class, () -> c.withOverrides(List.of("ingest.nope=1")));
        assertTrue(e.getMessage().startsWith("--set: unknown key 'ingest.nope'"), e.getMessage());
    }

    @Test
    void everyKeyIsDocumented() {
        for (ConfigKey<?> k : CurateKeys.ALL.values()) {
            assertTrue(k.doc() != null && k.doc().length() > 20, "doc of " + k.path());
            assertTrue(CurateConfig.describe().contains(k.path() + " = "), k.path());
        }
    }

    @Test
    void theRulesAsDescribedAreYamlThatReadsBackToTheDefaults() {
        String yaml = "filter:\n  rules:" + CurateKeys.FILTER_RULES.defaultAsYaml().replace("\n      ", "\n    ") + "\n";
        assertEquals(CurateKeys.FILTER_RULES.defaultValue(), CurateConfig.parse(yaml, "described.yaml").get(CurateKeys.FILTER_RULES));
    }

    @Test
    void aRuleWithAComplexKeyIsAConfigErrorNamingTheFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> CurateConfig.parse(
                "filter:\n  rules:\n    - {? [a, b] : 1, op: '>=', value: 1, reason: x}\n", "conf/r.yaml"));
        assertTrue(e.getMessage().startsWith("conf/r.yaml:3: "), e.getMessage());
        assertTrue(e.getMessage().contains("rule field names are plain words"), e.getMessage());
    }

    @Test
    void rulesOnEveryScoreColumnOfTheRegistryAreAccepted() {
        // max_people (people), identity_count (identity) and key_frame_phash (phash) were refused as unknown scores.
        CurateConfig c = CurateConfig.parse("""
                filter:
                  rules:
                    - {score: max_people, op: "<=", value: 3, reason: crowd}
                    - {score: identity_count, op: "<=", value: 2, reason: too_many_identities}
                    - {score: key_frame_phash, op: "!=", value: "", reason: no_phash}
                """, "f.yaml");
        assertEquals(List.of("max_people", "identity_count", "key_frame_phash"),
                c.get(CurateKeys.FILTER_RULES).stream().map(FilterRule::score).toList());
        for (String col : dev.avcurate.core.ScoreColumns.ALL.keySet()) {
            String op = dev.avcurate.core.ScoreColumns.isNumeric(col) ? ">=" : "!=";
            CurateConfig.parse("filter:\n  rules:\n    - {score: " + col + ", op: \"" + op + "\", value: 1, reason: r}\n", "f.yaml");
        }
        ConfigException e = assertThrows(ConfigException.class, () -> CurateConfig.parse(
                "filter:\n  rules:\n    - {score: max_peoples, op: \">=\", value: 1, reason: r}\n", "f.yaml"));
        assertTrue(e.getMessage().contains("unknown score 'max_peoples'"), e.getMessage());
    }
}
