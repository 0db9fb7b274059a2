package dev.avcurate.core.config;

/**
 * A configuration error found before any work starts. The message always names the key and
 * the file (and the line where the YAML parser knows it), e.g.
 * {@code conf/default.yaml:14: ingest.clips.min_s: must be > 0, got -1}.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
