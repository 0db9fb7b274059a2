package dev.avcurate.trainer;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;

/**
 * Checkpoints of a run: {@code <run>/checkpoints/step-NNNNNNNN/} with {@code model.pt}, {@code
 * ema.pt}, {@code optimizer.pt} (libtorch archives) and {@code state.properties} (step, the shard
 * reader's state, the loader's batch index, seed, stage). Written to a temporary directory and
 * renamed, so a crash mid-write leaves the previous checkpoint as the latest. RNG needs no state of
 * its own: every step reseeds from (seed, step).
 */
public final class Checkpoints {
    private Checkpoints() {}

    public static final String MODEL = "model.pt", EMA = "ema.pt", OPTIMIZER = "optimizer.pt", STATE = "state.properties";

    public static Path dir(Path runDir) {
        return runDir.resolve("checkpoints");
    }

    /** Checkpoint directories of a run, oldest first. */
    public static List<Path> list(Path runDir) throws IOException {
        Path d = dir(runDir);
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d{8}") && Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    /**
     * A checkpoint directory from a path that is one, or a run directory (its latest).
     *
     * @throws IOException naming the path when there is none
     */
    public static Path resolve(Path runOrCheckpoint) throws IOException {
        if (Files.isRegularFile(runOrCheckpoint.resolve(STATE))) return runOrCheckpoint;
        List<Path> all = list(runOrCheckpoint);
        if (all.isEmpty()) throw new IOException(runOrCheckpoint + " is neither a checkpoint (no " + STATE + ") nor a run directory with checkpoints");
        return all.get(all.size() - 1);
    }

    public static Properties readState(Path checkpoint) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(checkpoint.resolve(STATE), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    public static Path write(Path runDir, long step, Module model, Module ema, Optimizer optimizer, Properties state, int keep) throws IOException {
        Path d = dir(runDir);
        Files.createDirectories(d);
        String name = String.format("step-%08d", step);
        Path tmp = d.resolve("." + name + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        save(model, tmp.resolve(MODEL));
        save(ema, tmp.resolve(EMA));
        try (OutputArchive a = new OutputArchive()) {
            optimizer.save(a);
            a.save_to(tmp.resolve(OPTIMIZER).toString());
        }
        try (Writer w = Files.newBufferedWriter(tmp.resolve(STATE), StandardCharsets.UTF_8)) {
            state.store(w, "avcurate trainer checkpoint");
        }
        Path target = d.resolve(name);
        deleteTree(target);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        }
        List<Path> all = new ArrayList<>(list(runDir));
        while (all.size() > keep) deleteTree(all.remove(0));
        return target;
    }

    static void save(Module m, Path file) {
        try (OutputArchive a = new OutputArchive()) {
            m.save(a);
            a.save_to(file.toString());
        }
    }

    /** Loads parameters into {@code m}; a shape or name mismatch names the file and the model config. */
    public static void load(Module m, Path file, String what, Device device) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("missing " + file);
        try (InputArchive a = new InputArchive()) {
            // onto the device the module lives on (a CUDA-trained checkpoint samples on a CPU, and back)
            a.load_from(file.toString(), new DeviceOptional(device));
            m.load(a);
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new IOException(file + " does not fit this " + what + " (different model: section?): " + msg, e);
        }
    }

    public static void loadOptimizer(Optimizer o, Path file, Device device) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("missing " + file);
        try (InputArchive a = new InputArchive()) {
            a.load_from(file.toString(), new DeviceOptional(device));
            o.load(a);
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new IOException(file + ": cannot restore the optimizer: " + msg, e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
