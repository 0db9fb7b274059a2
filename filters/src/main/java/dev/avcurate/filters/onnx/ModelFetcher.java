package dev.avcurate.filters.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * {@code bin/curate models fetch}: obtains each registry model with its registry's own client
 * ({@code npm pack NAME@VERSION} for {@code npm:} sources) or from the project itself
 * ({@code repo:PATH}, relative to the project root: the exports we make, such as Light-ASD's),
 * verifies its SHA-256 and only then moves it into place. Run at set-up, never by a job.
 * An npm path may end in {@code [start:end]}: the bytes start..end (end exclusive) of that file, for
 * models packed into an emscripten {@code .data} bundle (MediaPipe's solution packages list each
 * packed file's offsets in their {@code *_packed_assets_loader.js}), or be {@code ARCHIVE!MEMBER}: a file
 * of a {@code .tar.gz} inside the package. {@code classpath:RESOURCE} takes a resource of a jar the
 * build already has. The registry's {@code data:} files (Tesseract's and BRISQUE's) are fetched the
 * same way, checked by SHA-256 only (they have no inputs and outputs).
 */
public final class ModelFetcher {
    private ModelFetcher() {}

    /** {@code ModelFetcher <registry.yaml> <models dir>}: the build runs this before the tests that need models. */
    public static void main(String[] args) throws Exception {
        Path registry = Path.of(args[0]);
        List<String> problems = fetch(ModelRegistry.load(registry), Path.of(args[1]), projectRoot(registry), System.err);
        problems.forEach(p -> System.err.println("[models] problem: " + p));
        if (!problems.isEmpty()) throw new IllegalStateException("models not fetched: " + problems);
    }

    /** The root {@code repo:} sources resolve against: the folder above the registry's {@code conf/}. */
    public static Path projectRoot(Path registryYaml) {
        Path conf = registryYaml.toAbsolutePath().normalize().getParent();
        return conf.getParent() == null ? conf : conf.getParent();
    }

    /**
     * Fetches what is missing or wrong; returns the problems left (empty = every model is in place).
     *
     * @param root the project root that {@code repo:} sources are relative to
     */
    public static List<String> fetch(ModelRegistry reg, Path dir, Path root, PrintStream log) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        Map<String, Path> packs = new HashMap<>();
        Path tmp = Files.createTempDirectory("avcurate-models");
        try {
            for (ModelSpec spec : reg.all().values()) {
                if (ModelRegistry.check(spec, dir).isEmpty()) {
                    log.println("[models] " + spec.name() + ": ok " + dir.resolve(spec.file()));
                    continue;
                }
                byte[] data = obtain(spec.name(), spec.source(), dir.resolve(spec.file()), root, packs, tmp, problems, log);
                if (data != null && install(spec.name(), spec.file(), spec.sha256(), data, dir, from(spec.source()), problems, log)) {
                    List<String> p = ModelRegistry.checkInterface(spec, dir.resolve(spec.file()));
                    problems.addAll(p);
                    if (p.isEmpty()) log.println("[models] " + spec.name() + ": fetched " + dir.resolve(spec.file()));
                }
            }
            for (ModelRegistry.DataSpec spec : reg.data().values()) {
                if (ModelRegistry.checkData(spec, dir).isEmpty()) {
                    log.println("[models] " + spec.name() + ": ok " + dir.resolve(spec.file()));
                    continue;
                }
                byte[] data = obtain(spec.name(), spec.source(), dir.resolve(spec.file()), root, packs, tmp, problems, log);
                if (data != null && install(spec.name(), spec.file(), spec.sha256(), data, dir, from(spec.source()), problems, log)) {
                    log.println("[models] " + spec.name() + ": fetched " + dir.resolve(spec.file()));
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return problems;
    }

    /** What a source names for the messages: the package, the class path resource or the project file. */
    private static String from(String src) {
        if (src != null && src.startsWith("npm:")) return src.substring(4).split(":", 2)[0];
        return src;
    }

    /**
     * The bytes a registry source names, or null with a problem added. Sources: {@code repo:PATH} (a file of the
     * project), {@code classpath:RESOURCE} (a resource of a jar on the class path, e.g. a data file a Maven
     * artifact carries), {@code npm:PACKAGE@VERSION:PATH} where PATH may end in {@code [start:end]} (a byte range)
     * or name a member of a {@code .tar.gz} inside the package as {@code ARCHIVE!MEMBER}.
     */
    private static byte[] obtain(String name, String src, Path target, Path root, Map<String, Path> packs, Path tmp, List<String> problems,
                                 PrintStream log) throws IOException, InterruptedException {
        if (src != null && src.startsWith("repo:")) {
            Path from = root.resolve(src.substring(5)).normalize();
            if (!Files.isRegularFile(from)) {
                problems.add(name + ": " + from + " is missing (source " + src + ", relative to " + root + ")");
                return null;
            }
            return Files.readAllBytes(from);
        }
        if (src != null && src.startsWith("classpath:")) {
            try (InputStream in = ModelFetcher.class.getClassLoader().getResourceAsStream(src.substring(10))) {
                if (in == null) {
                    problems.add(name + ": " + src.substring(10) + " is not on the class path (source " + src + ")");
                    return null;
                }
                return in.readAllBytes();
            }
        }
        if (src == null || !src.startsWith("npm:")) {
            problems.add(name + ": no automatic source (" + src + "); place the file by hand");
            return null;
        }
        String[] parts = src.substring(4).split(":", 2);
        if (parts.length != 2) {
            problems.add(name + ": source must be npm:<package>@<version>:<path in package>, got " + src);
            return null;
        }
        Path tgz = packs.get(parts[0]);
        if (tgz == null) {
            log.println("[models] npm pack " + parts[0]);
            tgz = npmPack(parts[0], tmp);
            packs.put(parts[0], tgz);
        }
        String[] nested = parts[1].split("!", 2);
        PackagePath pp = PackagePath.parse(nested[0]);
        byte[] data = extract(tgz, "package/" + pp.path());
        if (data == null) {
            problems.add(name + ": " + pp.path() + " is not in " + parts[0]);
            return null;
        }
        if (pp.start() >= 0) {
            if (pp.end() > data.length || pp.start() >= pp.end()) {
                problems.add(name + ": bytes " + pp.start() + ".." + pp.end() + " are outside " + pp.path() + " (" + data.length + " bytes)");
                return null;
            }
            data = java.util.Arrays.copyOfRange(data, (int) pp.start(), (int) pp.end());
        }
        if (nested.length == 2) {
            byte[] inner;
            try (InputStream in = new java.io.ByteArrayInputStream(data)) {
                inner = extract(in, nested[1]);
            }
            if (inner == null) {
                problems.add(name + ": " + nested[1] + " is not in " + pp.path() + " of " + parts[0]);
                return null;
            }
            data = inner;
        }
        return data;
    }

    /** Writes the bytes under a temporary name, checks the SHA-256, then renames into place; false with a problem added when the SHA-256 differs. */
    private static boolean install(String name, String file, String sha256, byte[] data, Path dir, String from, List<String> problems,
                                   PrintStream log) throws IOException {
        Path target = dir.resolve(file);
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.write(part, data);
        String sha = ModelRegistry.sha256(part);
        if (!sha.equals(sha256)) {
            Files.delete(part);
            problems.add(name + ": " + from + " gave a file with SHA-256 " + sha + ", the registry expects " + sha256);
            return false;
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** A file in a package, optionally a byte range of it: {@code dir/file.data[0:2962288]} (start inclusive, end exclusive; -1 = whole file). */
    record PackagePath(String path, long start, long end) {
        static PackagePath parse(String s) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.+)\\[(\\d+):(\\d+)]").matcher(s);
            if (!m.matches()) return new PackagePath(s, -1, -1);
            return new PackagePath(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
        }
    }

    static Path npmPack(String pkg, Path dir) throws IOException, InterruptedException {
        // Output to a file, so that the time limit holds even when npm hangs without closing its stdout.
        Path log = Files.createTempFile(dir, "npm-pack", ".log");
        Process p = new ProcessBuilder("npm", "pack", pkg, "--silent", "--pack-destination", dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(600, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String out = Files.readString(log, StandardCharsets.UTF_8).strip();
        Files.deleteIfExists(log);
        if (!finished) throw new IOException("npm pack " + pkg + " did not finish in 600 s: " + out);
        if (p.exitValue() != 0) throw new IOException("npm pack " + pkg + " failed: " + out);
        String name = out.lines().reduce((a, b) -> b).orElse("");
        Path tgz = dir.resolve(name);
        if (!Files.isRegularFile(tgz)) throw new IOException("npm pack " + pkg + " did not write " + tgz + ": " + out);
        return tgz;
    }

    /** The bytes of one entry of a .tgz (ustar), or null. */
    static byte[] extract(Path tgz, String entry) throws IOException {
        try (InputStream in = Files.newInputStream(tgz)) {
            return extract(in, entry);
        }
    }

    /** The bytes of one entry of a gzipped tar stream (ustar or GNU tar), or null. */
    static byte[] extract(InputStream gz, String entry) throws IOException {
        try (InputStream in = new GZIPInputStream(gz, 1 << 16)) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                if (header[0] == 0) return null;
                String name = cString(header, 0, 100);
                // The prefix field is POSIX ustar's ("ustar\0"); GNU tar ("ustar  ") keeps other fields there.
                String prefix = new String(header, 257, 6, StandardCharsets.US_ASCII).equals("ustar\0") ? cString(header, 345, 155) : "";
                if (!prefix.isEmpty()) name = prefix + "/" + name;
                long size = Long.parseLong(cString(header, 124, 12).trim().isEmpty() ? "0" : cString(header, 124, 12).trim(), 8);
                long padded = (size + 511) / 512 * 512;
                if (name.equals(entry) && (header[156] == '0' || header[156] == 0)) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream((int) size);
                    b.write(in.readNBytes((int) size));
                    return b.toByteArray();
                }
                in.skipNBytes(padded);
            }
        }
        return null;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.US_ASCII);
    }
}
