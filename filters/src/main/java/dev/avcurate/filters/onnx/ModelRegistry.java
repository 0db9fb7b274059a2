package dev.avcurate.filters.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.avcurate.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The model registry: {@code conf/models.yaml} lists each model's file, SHA-256, source and
 * expected inputs and outputs. {@link #check} validates a models directory against it before any
 * video is decoded: a missing file, a wrong checksum or an input/output mismatch is reported with
 * the file's path. Its optional {@code data:} section lists the data files scorers read that are
 * not models ({@link DataSpec}: Tesseract's traineddata, BRISQUE's SVM model and ranges), fetched
 * into the models directory the same way.
 */
public final class ModelRegistry implements Serializable {
    /**
     * A data file of the registry: where it lives under the models directory, its SHA-256, where
     * {@code models fetch} gets it, and where a Debian package installs the same file
     * ({@code fallback}, used when the models directory has no copy; may be null).
     */
    public record DataSpec(String name, String file, String sha256, String source, String fallback) implements Serializable {}

    private final String source;
    private final Map<String, ModelSpec> models;
    private final Map<String, DataSpec> data;

    private ModelRegistry(String source, Map<String, ModelSpec> models, Map<String, DataSpec> data) {
        this.source = source;
        this.models = models;
        this.data = data;
    }

    public static ModelRegistry load(Path yaml) {
        String text;
        try {
            text = Files.readString(yaml);
        } catch (IOException e) {
            throw new ConfigException(yaml + ": cannot read the model registry: " + e.getMessage());
        }
        return parse(text, yaml.toString());
    }

    @SuppressWarnings("unchecked")
    public static ModelRegistry parse(String text, String source) {
        Object root = new Yaml(new LoaderOptions()).load(text);
        if (!(root instanceof Map<?, ?> top) || !(top.get("models") instanceof Map<?, ?> ms)) {
            throw new ConfigException(source + ": expected a top-level 'models:' mapping");
        }
        Map<String, ModelSpec> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ms.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> m)) throw new ConfigException(source + ": models." + name + ": expected a mapping");
            for (Object k : m.keySet()) {
                if (!List.of("file", "sha256", "source", "license", "inputs", "outputs").contains(String.valueOf(k))) {
                    throw new ConfigException(source + ": models." + name + ": unknown key '" + k + "'");
                }
            }
            String file = req(m, "file", source, name);
            String sha = req(m, "sha256", source, name);
            if (!sha.matches("[0-9a-f]{64}")) throw new ConfigException(source + ": models." + name + ".sha256: expected 64 hex digits");
            out.put(name, new ModelSpec(name, file, sha, String.valueOf(m.get("source")),
                    shapes((Map<String, Object>) m.get("inputs"), source, name + ".inputs"),
                    shapes((Map<String, Object>) m.get("outputs"), source, name + ".outputs")));
        }
        Map<String, DataSpec> data = new LinkedHashMap<>();
        Object ds = top.get("data");
        if (ds != null && !(ds instanceof Map<?, ?>)) throw new ConfigException(source + ": 'data:' must be a mapping");
        if (ds instanceof Map<?, ?> dm) {
            for (Map.Entry<?, ?> e : dm.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new ConfigException(source + ": data." + name + ": expected a mapping");
                for (Object k : m.keySet()) {
                    if (!List.of("file", "sha256", "source", "license", "fallback").contains(String.valueOf(k))) {
                        throw new ConfigException(source + ": data." + name + ": unknown key '" + k + "'");
                    }
                }
                String file = reqData(m, "file", source, name);
                String sha = reqData(m, "sha256", source, name);
                if (!sha.matches("[0-9a-f]{64}")) throw new ConfigException(source + ": data." + name + ".sha256: expected 64 hex digits");
                data.put(name, new DataSpec(name, file, sha, reqData(m, "source", source, name),
                        m.get("fallback") == null ? null : String.valueOf(m.get("fallback"))));
            }
        }
        return new ModelRegistry(source, out, data);
    }

    private static String reqData(Map<?, ?> m, String key, String source, String name) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) throw new ConfigException(source + ": data." + name + "." + key + " is required");
        return String.valueOf(v);
    }

    private static String req(Map<?, ?> m, String key, String source, String name) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) throw new ConfigException(source + ": models." + name + "." + key + " is required");
        return String.valueOf(v);
    }

    private static Map<String, long[]> shapes(Map<String, Object> m, String source, String where) {
        Map<String, long[]> out = new LinkedHashMap<>();
        if (m == null) throw new ConfigException(source + ": models." + where + " is required");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!(e.getValue() instanceof List<?> dims)) throw new ConfigException(source + ": models." + where + "." + e.getKey() + ": expected a shape list");
            long[] s = new long[dims.size()];
            for (int i = 0; i < s.length; i++) s[i] = ((Number) dims.get(i)).longValue();
            out.put(e.getKey(), s);
        }
        return out;
    }

    public ModelSpec get(String name) {
        ModelSpec s = models.get(name);
        if (s == null) throw new ConfigException(source + ": no model named '" + name + "' (known: " + models.keySet() + ")");
        return s;
    }

    public Map<String, ModelSpec> all() {
        return models;
    }

    /** The data files of the registry's {@code data:} section, by name. */
    public Map<String, DataSpec> data() {
        return data;
    }

    public DataSpec dataSpec(String name) {
        DataSpec s = data.get(name);
        if (s == null) throw new ConfigException(source + ": no data file named '" + name + "' under 'data:' (known: " + data.keySet() + ")");
        return s;
    }

    /** The problems of one data file in {@code dir}: missing, or not the registry's bytes. */
    public static List<String> checkData(DataSpec spec, Path dir) {
        Path f = dir.resolve(spec.file());
        if (!Files.isRegularFile(f)) return List.of(spec.name() + ": data file missing: " + f + " (run `bin/curate models fetch`)");
        String sha = sha256(f);
        if (!sha.equals(spec.sha256())) {
            return List.of(spec.name() + ": " + f + ": SHA-256 is " + sha + ", the registry expects " + spec.sha256()
                    + " (corrupt or a different file; run `bin/curate models fetch`)");
        }
        return List.of();
    }

    /** The problems of one model's file in {@code dir}; empty when it is present, intact and the expected shape. */
    public static List<String> check(ModelSpec spec, Path dir) {
        List<String> problems = new ArrayList<>();
        Path f = dir.resolve(spec.file());
        if (!Files.isRegularFile(f)) {
            problems.add(spec.name() + ": model file missing: " + f + " (run `bin/curate models fetch`)");
            return problems;
        }
        String sha = sha256(f);
        if (!sha.equals(spec.sha256())) {
            problems.add(spec.name() + ": " + f + ": SHA-256 is " + sha + ", the registry expects " + spec.sha256()
                    + " (corrupt or a different model)");
            return problems;
        }
        problems.addAll(checkInterface(spec, f));
        return problems;
    }

    /**
     * As {@link #check}, but a model that passed before and has not changed since is not hashed and
     * opened again: the run's start-up then costs milliseconds instead of hashing and loading every
     * model (about a second on the driver for the default profile). The proof of the earlier pass is
     * a small file beside the model, {@code <file>.verified}, keyed by the file's real path, size,
     * modification and change times and inode (a file replaced by a copy with the same size and
     * mtime still has a new inode and ctime), the registry's checksum and shapes, and the runtime
     * that opened it (an ONNX Runtime or TFLite upgrade, or the GPU build, checks again). Where those
     * attributes or the directory are not available (no POSIX attributes, read-only), every run
     * checks in full. {@code bin/curate models check} always checks in full.
     */
    public static List<String> checkCached(ModelSpec spec, Path dir) {
        Path f = dir.resolve(spec.file());
        Path stamp = f.resolveSibling(f.getFileName() + ".verified");
        String key;
        try {
            Path real = f.toRealPath();
            Map<String, Object> a = Files.readAttributes(real, "unix:size,lastModifiedTime,ctime,ino,dev");
            key = real + " " + a.get("size") + " " + ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() + " "
                    + ((java.nio.file.attribute.FileTime) a.get("ctime")).toMillis() + " " + a.get("ino") + " " + a.get("dev") + " "
                    + spec.sha256() + " " + interfaceKey(spec) + " " + runtimeKey();
            if (Files.isRegularFile(stamp) && Files.readString(stamp).strip().equals(key)) return List.of();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // Missing or unreadable (IOException), or a file system without the "unix" attribute view (readAttributes
            // throws UnsupportedOperationException / IllegalArgumentException there): the full check, every time.
            return check(spec, dir);
        }
        List<String> problems = check(spec, dir);
        if (problems.isEmpty()) {
            Path tmp = null;
            try {
                tmp = Files.createTempFile(f.getParent(), ".verified", ".tmp");
                Files.writeString(tmp, key + "\n");
                Files.move(tmp, stamp, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            } catch (IOException | UnsupportedOperationException e) {
                // A read-only models directory (IOException) or a move option the file system lacks
                // (UnsupportedOperationException): nothing remembered, the next run checks in full.
            } finally {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }
        return problems;
    }

    /** The jars of the runtimes that check the models (their file names carry the version and the CPU/GPU flavour). */
    private static String runtimeKey() {
        StringBuilder b = new StringBuilder();
        for (Class<?> c : List.of(ai.onnxruntime.OrtEnvironment.class, org.bytedeco.tensorflowlite.Interpreter.class)) {
            java.security.CodeSource src = c.getProtectionDomain().getCodeSource();
            String loc = src == null || src.getLocation() == null ? c.getName() : src.getLocation().getPath();
            b.append(loc.substring(loc.lastIndexOf('/', loc.length() - 2) + 1)).append(';');
        }
        return Integer.toHexString(b.toString().hashCode());
    }

    /** The spec's expected inputs and outputs, as one string (a changed shape in the registry means a new check). */
    private static String interfaceKey(ModelSpec spec) {
        StringBuilder b = new StringBuilder();
        for (Map<String, long[]> m : List.of(spec.inputs(), spec.outputs())) {
            m.forEach((k, v) -> b.append(k).append(java.util.Arrays.toString(v)));
            b.append('|');
        }
        return Integer.toHexString(b.toString().hashCode());
    }

    /** Opens the model and compares its inputs and outputs with the spec (TFLite models by TFLite, the rest by ONNX Runtime). */
    public static List<String> checkInterface(ModelSpec spec, Path f) {
        if (f.getFileName().toString().endsWith(".tflite")) return dev.avcurate.filters.mediapipe.TfLiteModels.checkInterface(spec, f);
        List<String> problems = new ArrayList<>();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(f.toString(), o)) {
            compare(spec.name() + ": " + f + ": input", spec.inputs(), s.getInputInfo(), problems);
            compare(spec.name() + ": " + f + ": output", spec.outputs(), s.getOutputInfo(), problems);
            }
        } catch (OrtException e) {
            problems.add(spec.name() + ": " + f + ": ONNX Runtime cannot load it: " + e.getMessage());
        }
        return problems;
    }

    static void compare(String what, Map<String, long[]> expected, Map<String, NodeInfo> actual, List<String> problems) {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NodeInfo n = actual.get(e.getKey());
            if (n == null) {
                problems.add(what + " '" + e.getKey() + "' missing; the model has " + actual.keySet());
            } else if (n.getInfo() instanceof TensorInfo t && !ModelSpec.shapeMatches(e.getValue(), t.getShape())) {
                problems.add(what + " '" + e.getKey() + "' has shape " + ModelSpec.shape(t.getShape()) + ", expected " + ModelSpec.shape(e.getValue()));
            }
        }
    }

    public static String sha256(Path f) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) { /* digest */ }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new ModelException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
