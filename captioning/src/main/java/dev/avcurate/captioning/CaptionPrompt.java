package dev.avcurate.captioning;

import dev.avcurate.core.Ids;
import dev.avcurate.core.config.ConfigException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The versioned captioning prompt of {@code caption.prompt}: a system text and a user text whose
 * {@code {hints}} is replaced by the clip's measured attributes.
 */
public record CaptionPrompt(String version, String system, String user, String source) implements Serializable {

    public static CaptionPrompt load(Path file) {
        if (!Files.isRegularFile(file)) throw new ConfigException("caption.prompt: prompt file not found: " + file);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file + ": caption.prompt is not readable YAML: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> m)) throw new ConfigException(file + ": caption.prompt must be a mapping with version, system and user");
        for (Object k : m.keySet()) {
            if (!java.util.List.of("version", "system", "user").contains(String.valueOf(k))) {
                throw new ConfigException(file + ": unknown key '" + k + "' in the caption prompt (known: version, system, user)");
            }
        }
        return new CaptionPrompt(field(m, "version", file), field(m, "system", file), field(m, "user", file), file.toString());
    }

    private static String field(Map<?, ?> m, String k, Path file) {
        Object v = m.get(k);
        if (!(v instanceof String s) || s.isBlank()) throw new ConfigException(file + ": '" + k + "' of the caption prompt must be a non-empty string");
        return s.strip();
    }

    /** The user text for one clip. */
    public String userText(ClipAttributes a) {
        return user.replace("{hints}", a.hints());
    }

    /**
     * The version stored with each caption: the file's version plus a hash of the texts and of
     * everything else that shapes the answer (frames, sizes, sampling), so that a change asks
     * again even when the version was not bumped.
     */
    public String versionWith(String requestShape) {
        return version + "+" + Ids.sha256Hex(system + "\u0000" + user + "\u0000" + requestShape).substring(0, 8);
    }
}
