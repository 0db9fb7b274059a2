package dev.avcurate.filters;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.config.ConfigKey;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.onnx.ModelSpec;
import dev.avcurate.filters.scoring.ScorerSet;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * The files the scorers open, shipped with the job: registry models, Tesseract's
 * {@code eng.traineddata}, BRISQUE's model and ranges, and the user's exports the config names.
 * Nothing has to be installed on an executor.
 *
 * <p>On the driver, {@link #of} says which files the configured scorers need and where they are
 * here (the data files: the key's path when set, else the copy {@code models fetch} put under
 * {@code models.dir}, else where a Debian package installs the same bytes); {@link #checkData}
 * checks the data files as {@link ModelRegistry#checkCached} checks the models; {@link #ship} adds
 * them to the job with {@link SparkContext#addFile}. A task then opens its executor's own copy
 * ({@link SparkFiles#get}) through {@link #model}, {@link #data} and {@link #user}. Without Spark
 * (benchmarks, unit tests), or with files that were not shipped, those return the driver's paths.
 *
 * <p>Spark keeps the shipped files of an application in one directory, by file name, and ships a
 * path once per application (a second {@code addFile} of the path is a no-op). So a file is shipped
 * under its own name unless that name already went with this application for another file (two
 * exports called {@code model.onnx}, or a model replaced since an earlier run of the same
 * application): then under a name of its own, a link to (or copy of) it in a directory of this JVM.
 */
public final class JobFiles implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The data files of the registry's {@code data:} section the scorers may read. */
    public static final String TESSDATA_ENG = "tessdata_eng", BRISQUE_MODEL = "brisque_model", BRISQUE_RANGE = "brisque_range";

    /** Where Debian installs the data files: the fallback for a registry without a {@code data:} section. */
    private static final Map<String, String> DEBIAN = Map.of(TESSDATA_ENG, "/usr/share/tesseract-ocr/5/tessdata/eng.traineddata",
            BRISQUE_MODEL, "/usr/share/opencv4/quality/brisque_model_live.yml", BRISQUE_RANGE, "/usr/share/opencv4/quality/brisque_range_live.yml");

    /** Per Spark application: file name in SparkFiles' directory -> the file shipped under it (real path, size, time). */
    private static final Map<SparkContext, Map<String, String>> SHIPPED = Collections.synchronizedMap(new WeakHashMap<>());
    /** Per JVM: what {@link #local} resolved, by id (the path a task of this JVM opened last). */
    private static final Map<String, Path> OPENED = new ConcurrentHashMap<>();
    private static Path staging;

    /** id ("model:NAME", "data:NAME", "user:KEY") -> absolute path on the driver. */
    private final LinkedHashMap<String, String> paths;
    /** id -> file name in SparkFiles' directory; empty until shipped. */
    private final LinkedHashMap<String, String> names;
    private final String modelsDir;

    private JobFiles(Map<String, String> paths, Map<String, String> names, String modelsDir) {
        this.paths = new LinkedHashMap<>(paths);
        this.names = new LinkedHashMap<>(names);
        this.modelsDir = modelsDir;
    }

    /** The files the configured scorers open, at their driver-side paths (not shipped). */
    public static JobFiles of(CurateConfig cfg, ModelRegistry reg, Path modelsDir) {
        Map<String, String> paths = new LinkedHashMap<>();
        for (String m : ScorerSet.registryModels(cfg)) paths.put("model:" + m, modelsDir.resolve(reg.get(m).file()).toAbsolutePath().toString());
        for (String d : dataFiles(cfg)) paths.put("data:" + d, dataPath(cfg, reg, modelsDir, d).toAbsolutePath().toString());
        ScorerSet.userModels(cfg).forEach((spec, key) -> {
            String f = cfg.get(key);
            if (!f.isBlank()) paths.put("user:" + key.path(), Path.of(f).toAbsolutePath().toString());
        });
        return new JobFiles(paths, Map.of(), modelsDir.toAbsolutePath().toString());
    }

    /** The registry data files the configured scorers read. */
    public static List<String> dataFiles(CurateConfig cfg) {
        List<String> out = new ArrayList<>();
        for (String s : SCORERS) if (cfg.get(SCORE_SCORERS).contains(s)) out.addAll(dataFilesOf(s, cfg));
        return out;
    }

    /** The registry data files one scorer reads under {@code cfg}: text's Tesseract data, quality's BRISQUE files. */
    public static List<String> dataFilesOf(String scorer, CurateConfig cfg) {
        return switch (scorer) {
            case "text" -> cfg.get(SCORE_TEXT_READ) ? List.of(TESSDATA_ENG) : List.of();
            case "quality" -> cfg.get(SCORE_QUALITY_ESTIMATOR).equals("brisque") ? List.of(BRISQUE_MODEL, BRISQUE_RANGE) : List.of();
            default -> List.of();
        };
    }

    /** The key that sets a data file's location (blank = the registry's copy, else Debian's). */
    static ConfigKey<String> key(String data) {
        return switch (data) {
            case TESSDATA_ENG -> SCORE_TEXT_TESSDATA;
            case BRISQUE_MODEL -> SCORE_BRISQUE_MODEL;
            case BRISQUE_RANGE -> SCORE_BRISQUE_RANGE;
            default -> throw new IllegalArgumentException("no data file " + data);
        };
    }

    /**
     * Where a data file is on this machine: the key's path when set ({@code score.text.tessdata} names the
     * directory), else the registry's copy under {@code modelsDir} when it is there, else Debian's when that is
     * there, else the registry's copy (missing: {@link #checkData} says so).
     */
    public static Path dataPath(CurateConfig cfg, ModelRegistry reg, Path modelsDir, String data) {
        String set = cfg.get(key(data));
        if (!set.isBlank()) return data.equals(TESSDATA_ENG) ? Path.of(set, "eng.traineddata") : Path.of(set);
        ModelRegistry.DataSpec spec = reg.data().get(data);
        String fallback = spec == null ? DEBIAN.get(data) : spec.fallback();
        if (spec != null && Files.isRegularFile(modelsDir.resolve(spec.file()))) return modelsDir.resolve(spec.file());
        if (fallback != null && Files.isRegularFile(Path.of(fallback))) return Path.of(fallback);
        return spec == null ? Path.of(DEBIAN.get(data)) : modelsDir.resolve(spec.file());
    }

    /**
     * The problems of the data files the configured scorers read: a set path that is not a file; a copy under
     * {@code models.dir} that is not the registry's bytes (SHA-256); none at all. Debian's copy is taken as
     * installed (it is the same file; the version of the scorer that reads it holds the SHA-256 of the file used).
     */
    public static List<String> checkData(CurateConfig cfg, ModelRegistry reg, Path modelsDir) {
        List<String> problems = new ArrayList<>();
        for (String d : dataFiles(cfg)) {
            Path p = dataPath(cfg, reg, modelsDir, d);
            String what = d.equals(TESSDATA_ENG) ? "text: Tesseract data" : "quality: BRISQUE file";
            String hint = d.equals(TESSDATA_ENG) ? ", or set score.text.read_subtitles=false" : "";
            ModelRegistry.DataSpec spec = reg.data().get(d);
            if (!cfg.get(key(d)).isBlank() || spec == null) {
                if (!Files.isRegularFile(p)) problems.add(what + " missing: " + p + " (set by " + key(d).path() + ")" + hint);
            } else if (!Files.isRegularFile(p)) {
                problems.add(what + " missing: " + p + " (run `bin/curate models fetch`; or Debian's " + spec.fallback() + ")" + hint);
            } else if (p.equals(modelsDir.resolve(spec.file()))) {
                for (String q : ModelRegistry.checkData(spec, modelsDir)) problems.add(what + ": " + q);
            }
        }
        return problems;
    }

    /** The SHA-256 of each data file the configured scorers read, by name (the scores depend on the bytes, not the place). */
    public Map<String, String> dataChecksums() {
        Map<String, String> out = new LinkedHashMap<>();
        paths.forEach((id, p) -> {
            if (id.startsWith("data:")) out.put(id.substring(5), Files.isRegularFile(Path.of(p)) ? ModelRegistry.sha256(Path.of(p)) : "missing");
        });
        return out;
    }

    /** Every file, by id, at its driver-side path. */
    public Map<String, String> paths() {
        return Collections.unmodifiableMap(paths);
    }

    /** The file names in SparkFiles' directory, by id; empty when not shipped. */
    public Map<String, String> shippedNames() {
        return Collections.unmodifiableMap(names);
    }

    /**
     * Adds every file to the application's files ({@link SparkContext#addFile}); the driver must have checked them.
     * Returns the files as the tasks resolve them: their executor's copies.
     */
    public JobFiles ship(SparkContext sc) {
        Map<String, String> shipped;
        synchronized (SHIPPED) {
            shipped = SHIPPED.computeIfAbsent(sc, k -> new ConcurrentHashMap<>());
        }
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (shipped) {
            for (Map.Entry<String, String> e : paths.entrySet()) {
                Path file;
                String fp;
                try {
                    file = Path.of(e.getValue()).toRealPath(); // Spark ships a link's target, under the target's name
                    fp = fingerprint(file);
                } catch (IOException x) {
                    throw new ModelException(e.getKey() + ": cannot ship " + e.getValue() + ": " + x);
                }
                String name = file.getFileName().toString();
                String before = shipped.get(name);
                if (before != null && !before.equals(fp)) {
                    file = staged(file, fp);
                    name = file.getFileName().toString();
                }
                shipped.put(name, fp);
                sc.addFile(file.toString());
                out.put(e.getKey(), name);
            }
        }
        return new JobFiles(paths, out, modelsDir);
    }

    /** A registry model's file: the executor's copy when shipped, else the driver's path. */
    public Path model(ModelSpec spec) {
        String id = "model:" + spec.name();
        if (!paths.containsKey(id) && names.isEmpty()) return Path.of(modelsDir).resolve(spec.file());
        return local(id);
    }

    /** A registry data file ({@link #TESSDATA_ENG}, {@link #BRISQUE_MODEL}, {@link #BRISQUE_RANGE}). */
    public Path data(String name) {
        return local("data:" + name);
    }

    /** The user's export a key names. */
    public Path user(ConfigKey<String> key) {
        if (!paths.containsKey("user:" + key.path())) {
            throw new ModelException(key.path() + ": no model file is set (set it to your ONNX export, or choose the default estimator)");
        }
        return local("user:" + key.path());
    }

    /** The file of an id here: the executor's copy (SparkFiles) when shipped and Spark runs, else the driver's path. */
    Path local(String id) {
        String p = paths.get(id);
        if (p == null) throw new IllegalStateException("the job's files have no " + id + " (they have " + paths.keySet() + ")");
        String name = names.get(id);
        if (name == null || SparkEnv.get() == null) return Path.of(p);
        Path copy = Path.of(SparkFiles.get(name));
        if (!Files.isRegularFile(copy)) {
            throw new ModelException(id + ": " + name + " was shipped with the job but is not in " + SparkFiles.getRootDirectory());
        }
        OPENED.put(id, copy);
        return copy;
    }

    /** What tasks of this JVM opened, by id (their last answer): for the tests and diagnostics. */
    public static Map<String, Path> opened() {
        return Collections.unmodifiableMap(new HashMap<>(OPENED));
    }

    /** Forgets what tasks of this JVM opened (tests). */
    static void forgetOpened() {
        OPENED.clear();
    }

    private static String fingerprint(Path real) throws IOException {
        String ino = "";
        try {
            ino = String.valueOf(Files.getAttribute(real, "unix:ino"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no inode on this file system: path, size and time alone
        }
        return real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis() + "|" + ino;
    }

    /** A link to (or, across file systems, a copy of) the file under a name of its own: stem-HASH.ext. */
    private static Path staged(Path file, String fp) {
        String n = file.getFileName().toString();
        int dot = n.indexOf('.');
        String hash = Integer.toHexString(fp.hashCode() & 0x7fffffff);
        String name = dot < 0 ? n + "-" + hash : n.substring(0, dot) + "-" + hash + n.substring(dot);
        try {
            Path target = stagingDir().resolve(name);
            if (Files.isRegularFile(target)) return target;
            Path part = stagingDir().resolve(name + ".part");
            Files.deleteIfExists(part);
            try {
                Files.createLink(part, file);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage " + file + " under a name of its own", e);
        }
    }

    private static synchronized Path stagingDir() throws IOException {
        if (staging == null) {
            Path dir = Files.createTempDirectory("avcurate-job-files");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }, "job-files-cleanup"));
            staging = dir;
        }
        return staging;
    }
}
