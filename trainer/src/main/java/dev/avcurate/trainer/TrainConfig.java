package dev.avcurate.trainer;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A training run's configuration ({@code conf/train-*.yaml}). Every key has a default here; an
 * unknown key or a bad value is an error that names the key and the file. {@code --set a.b=v}
 * overrides apply before validation.
 */
public final class TrainConfig {
    public enum Stage { VAE, PRETRAIN, SFT }

    public final String source;
    /** The configuration as read, overrides applied (written to the run directory as config.yaml). */
    public final Map<String, Object> raw;
    public final Stage stage;
    public final String runDir;
    public final String initFrom;
    public final long seed;
    public final String device;
    public final int threads;
    // data
    public final Map<String, Double> splits;
    public final int batchSize;
    public final int height;
    public final int sizeMultiple;
    public final int frames;
    public final int frameStride;
    public final int prefetchBatches;
    // model
    public final ModelConfig model;
    /** The video autoencoder of a vae stage. */
    public final VideoAutoencoder.Config vae;
    /** A vae run whose latents the DiT trains on; null: pixel space. */
    public final String latentVae;
    // optimisation
    public final int steps;
    public final double lr;
    public final int warmupSteps;
    public final double weightDecay;
    public final double gradClip;
    public final double emaDecay;
    // flow matching
    public final double tMean;
    public final double tStd;
    public final double shift; // <= 0: from the token count
    public final int shiftBaseTokens;
    public final double dropText;
    public final double dropAudio;
    public final double dropReference;
    // logging and checkpoints
    public final int logEvery;
    public final int checkpointEvery;
    public final int keepCheckpoints;
    // sampling
    public final int sampleSteps;
    public final double guidanceText;
    public final double guidanceAudio;
    public final int sampleScale;

    private TrainConfig(Section r, String source) {
        this.source = source;
        this.raw = r.values;
        String st = r.str("stage", "pretrain");
        stage = switch (st) {
            case "pretrain" -> Stage.PRETRAIN;
            case "sft" -> Stage.SFT;
            case "vae" -> Stage.VAE;
            default -> throw r.bad("stage", st, "vae, pretrain or sft");
        };
        runDir = r.str("run_dir", "runs/" + st);
        initFrom = r.str("init_from", null);
        if (stage == Stage.SFT && initFrom == null) throw r.bad("init_from", null, "a pretraining run or checkpoint directory (sft starts from one)");
        seed = r.lng("seed", 42);
        device = r.str("device", "cpu");
        if (!device.equals("cpu") && !device.startsWith("cuda")) throw r.bad("device", device, "cpu or cuda[:n]");
        threads = r.intAtLeast("threads", 1, 1);

        Section d = r.section("data");
        splits = d.weights("splits", stage == Stage.SFT ? Map.of("sft", 1.0) : Map.of("pretrain", 1.0, "sft", 1.0));
        batchSize = d.intAtLeast("batch_size", 2, 1);
        height = d.intAtLeast("height", 32, 8);
        sizeMultiple = d.intAtLeast("size_multiple", 16, 1);
        if (height % sizeMultiple != 0) throw d.bad("height", height, "a multiple of data.size_multiple (" + sizeMultiple + ")");
        frames = d.intAtLeast("frames", 4, 1);
        frameStride = d.intAtLeast("frame_stride", 2, 1);
        prefetchBatches = d.intAtLeast("prefetch_batches", 4, 1);

        if (stage == Stage.VAE) {
            for (String k : List.of("model", "latent", "flow", "sample", "init_from")) {
                if (r.values.containsKey(k)) throw r.bad(k, "...", "nothing: a vae stage trains the autoencoder only (no " + k + ")");
            }
        } else if (r.values.containsKey("vae")) {
            throw r.bad("vae", "...", "nothing in a " + st + " stage: the DiT takes its VAE from the run named by latent.vae");
        }
        Section v = r.section("vae");
        vae = new VideoAutoencoder.Config(v.intAtLeast("channels", 16, 1), v.intAtLeast("latent_channels", 8, 1), v.nonNegative("kl_weight", 1e-6));
        Section lat = r.section("latent");
        latentVae = lat.str("vae", null);
        if (stage == Stage.VAE && latentVae != null) throw lat.bad("vae", latentVae, "nothing in a vae stage (it trains the VAE)");
        if (stage == Stage.VAE && frames % VideoAutoencoder.TEMPORAL != 0) throw d.bad("frames", frames, "a multiple of 4 in a vae stage (the VAE halves time twice)");
        if ((stage == Stage.VAE || latentVae != null) && sizeMultiple % VideoAutoencoder.SPATIAL != 0) {
            throw d.bad("size_multiple", sizeMultiple, "a multiple of 8 with a VAE (it shrinks frames 8x)");
        }

        Section m = r.section("model");
        ModelConfig t = ModelConfig.tiny();
        List<FramePack.Group> pack = m.framePack("frame_pack", t.framePack());
        try {
            model = new ModelConfig(3, m.intAtLeast("dim", t.dim(), 6), m.intAtLeast("depth", t.depth(), 1), m.intAtLeast("heads", t.heads(), 1),
                    m.intAtLeast("mlp_ratio", t.mlpRatio(), 1), m.intAtLeast("patch", t.patch(), 1), m.intAtLeast("text_dim", t.textDim(), 1),
                    m.intAtLeast("text_tokens", t.textTokens(), 1), m.intAtLeast("mel_bins", t.melBins(), 8), m.intAtLeast("audio_dim", t.audioDim(), 1),
                    m.intAtLeast("audio_layers", t.audioLayers(), 1), m.intAtLeast("mel_per_frame", t.melPerFrame(), 1),
                    m.intAtLeast("audio_tokens", t.audioTokens(), 1), pack, m.bool("zero_init", true));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        // in latent space the DiT's grid is the VAE's: frames / 8
        int grid = latentVae != null ? sizeMultiple / VideoAutoencoder.SPATIAL : sizeMultiple;
        String gridName = latentVae != null ? "data.size_multiple / 8 (" + grid + ", the latent grid)" : "data.size_multiple (" + grid + ")";
        for (FramePack.Group g : pack) {
            if (grid % g.ph() != 0 || grid % g.pw() != 0) throw m.bad("frame_pack", g, "patches that divide " + gridName);
        }
        if (grid % model.patch() != 0) throw m.bad("patch", model.patch(), "a divisor of " + gridName);

        Section o = r.section("optim");
        steps = o.intAtLeast("steps", 300, 1);
        lr = o.positive("lr", 5e-4);
        warmupSteps = o.intAtLeast("warmup_steps", 20, 0);
        weightDecay = o.nonNegative("weight_decay", 0.01);
        gradClip = o.positive("grad_clip", 1.0);
        emaDecay = o.fraction("ema_decay", 0.99);

        Section f = r.section("flow");
        tMean = f.dbl("t_mean", 0.0);
        tStd = f.positive("t_std", 1.0);
        Object sh = f.raw("shift");
        if (sh == null || "auto".equals(sh)) shift = 0;
        else if (sh instanceof Number n && n.doubleValue() >= 1) shift = n.doubleValue();
        else throw f.bad("shift", sh, "auto or a number >= 1");
        shiftBaseTokens = f.intAtLeast("shift_base_tokens", 256, 1);
        dropText = f.fraction("drop_text", 0.1);
        dropAudio = f.fraction("drop_audio", 0.1);
        dropReference = f.fraction("drop_reference", 0.05);

        Section l = r.section("log");
        logEvery = l.intAtLeast("every", 10, 1);
        checkpointEvery = l.intAtLeast("checkpoint_every", 100, 1);
        keepCheckpoints = l.intAtLeast("keep_checkpoints", 2, 1);

        Section s = r.section("sample");
        sampleSteps = s.intAtLeast("steps", 20, 1);
        guidanceText = s.nonNegative("guidance_text", 1.0);
        guidanceAudio = s.nonNegative("guidance_audio", 2.0);
        sampleScale = s.intAtLeast("scale", 4, 1);
        r.checkAllUsed();
    }

    /** The resolution shift for frames of h x w (the configured one, or sqrt(tokens / shift_base_tokens)). */
    public double shiftFor(long h, long w) {
        if (shift > 0) return shift;
        long tokens = (long) frames * (h / model.patch()) * (w / model.patch()); // h, w of what the DiT sees
        return FlowMatching.resolutionShift(tokens, shiftBaseTokens);
    }

    /** Clip frames that make one generated (DiT) frame: 4 through a VAE, 1 in pixel space. */
    public int pixelFramesPerStep() {
        return latentVae != null ? VideoAutoencoder.TEMPORAL : 1;
    }

    /** Frame width for a bucket of {@code bw x bh}: the aspect kept, rounded to data.size_multiple. */
    public int widthFor(int bw, int bh) {
        long w = Math.round((double) height * bw / bh / sizeMultiple) * sizeMultiple;
        return (int) Math.max(sizeMultiple, w);
    }

    public static TrainConfig load(Path file, List<String> overrides) throws IOException {
        Map<String, Object> root;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object o;
            try {
                o = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            } catch (org.yaml.snakeyaml.error.YAMLException e) {
                throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
            }
            if (o == null) root = new LinkedHashMap<>();
            else if (o instanceof Map<?, ?> map) root = copy(map);
            else throw new IllegalArgumentException(file + ": not a YAML mapping");
        }
        for (String ov : overrides) apply(root, ov, file.toString());
        return new TrainConfig(new Section(root, "", file.toString()), file.toString());
    }

    /** The configuration as YAML (what config.yaml in a run directory holds). */
    public String toYaml() {
        org.yaml.snakeyaml.DumperOptions o = new org.yaml.snakeyaml.DumperOptions();
        o.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        return "# as read from " + source + "\n" + new Yaml(o).dump(raw);
    }

    public static TrainConfig fromMap(Map<String, Object> root, String source) {
        return new TrainConfig(new Section(copy(root), "", source), source);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            out.put(String.valueOf(e.getKey()), v instanceof Map<?, ?> mm ? copy(mm) : v);
        }
        return out;
    }

    /** {@code a.b=value}: value parsed as YAML (numbers, booleans, lists). */
    @SuppressWarnings("unchecked")
    static void apply(Map<String, Object> root, String override, String source) {
        int eq = override.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("--set " + override + ": expected key=value");
        String[] path = override.substring(0, eq).split("\\.");
        Object value = new Yaml(new SafeConstructor(new LoaderOptions())).load(override.substring(eq + 1));
        Map<String, Object> m = root;
        for (int i = 0; i < path.length - 1; i++) {
            Object next = m.get(path[i]);
            if (next == null) {
                next = new LinkedHashMap<String, Object>();
                m.put(path[i], next);
            }
            if (!(next instanceof Map)) throw new IllegalArgumentException("--set " + override + ": " + path[i] + " in " + source + " is not a section");
            m = (Map<String, Object>) next;
        }
        m.put(path[path.length - 1], value instanceof Map<?, ?> mm ? copy(mm) : value);
    }

    /** One mapping of the file, remembering which keys were read. */
    static final class Section {
        private final Map<String, Object> values;
        private final String prefix;
        private final String file;
        private final Set<String> used = new TreeSet<>();
        private final List<Section> children = new ArrayList<>();

        Section(Map<String, Object> values, String prefix, String file) {
            this.values = values;
            this.prefix = prefix;
            this.file = file;
        }

        IllegalArgumentException bad(String key, Object value, String expected) {
            return new IllegalArgumentException(file + ": " + prefix + key + " = " + value + ": expected " + expected);
        }

        Object raw(String key) {
            used.add(key);
            return values.get(key);
        }

        @SuppressWarnings("unchecked")
        Section section(String key) {
            Object v = raw(key);
            if (v != null && !(v instanceof Map)) throw bad(key, v, "a mapping");
            Section s = new Section(v == null ? new LinkedHashMap<>() : (Map<String, Object>) v, prefix + key + ".", file);
            children.add(s);
            return s;
        }

        String str(String key, String def) {
            Object v = raw(key);
            if (v == null) return def;
            if (v instanceof Map || v instanceof List) throw bad(key, v, "a string");
            return String.valueOf(v);
        }

        boolean bool(String key, boolean def) {
            Object v = raw(key);
            if (v == null) return def;
            if (v instanceof Boolean b) return b;
            throw bad(key, v, "true or false");
        }

        double dbl(String key, double def) {
            Object v = raw(key);
            if (v == null) return def;
            if (v instanceof Number n) return n.doubleValue();
            if (v instanceof String s) {
                try {
                    return Double.parseDouble(s); // YAML 1.1 reads 3e-4 (no dot) as a string
                } catch (NumberFormatException e) {
                    throw bad(key, v, "a number");
                }
            }
            throw bad(key, v, "a number");
        }

        double positive(String key, double def) {
            double v = dbl(key, def);
            if (!(v > 0)) throw bad(key, v, "a number > 0");
            return v;
        }

        double nonNegative(String key, double def) {
            double v = dbl(key, def);
            if (!(v >= 0)) throw bad(key, v, "a number >= 0");
            return v;
        }

        double fraction(String key, double def) {
            double v = dbl(key, def);
            if (!(v >= 0 && v < 1)) throw bad(key, v, "a number in [0, 1)");
            return v;
        }

        long lng(String key, long def) {
            Object v = raw(key);
            if (v == null) return def;
            if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
            throw bad(key, v, "an integer");
        }

        int intAtLeast(String key, int def, int min) {
            long v = lng(key, def);
            if (v < min || v > Integer.MAX_VALUE) throw bad(key, v, "an integer >= " + min);
            return (int) v;
        }

        Map<String, Double> weights(String key, Map<String, Double> def) {
            Object v = raw(key);
            if (v == null) return new LinkedHashMap<>(new java.util.TreeMap<>(def));
            if (!(v instanceof Map<?, ?> m) || m.isEmpty()) throw bad(key, v, "a mapping of split name to repeats per epoch, e.g. {pretrain: 1.0, sft: 2.0}");
            Map<String, Double> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getValue() instanceof Number n) || !(n.doubleValue() > 0)) throw bad(key + "." + e.getKey(), e.getValue(), "a number > 0");
                out.put(String.valueOf(e.getKey()), n.doubleValue());
            }
            return out;
        }

        List<FramePack.Group> framePack(String key, List<FramePack.Group> def) {
            Object v = raw(key);
            if (v == null) return def;
            String expected = "a list of [frames, pt, ph, pw] groups, newest first, e.g. [[1, 1, 4, 4], [2, 1, 8, 8]]";
            if (!(v instanceof List<?> l) || l.isEmpty()) throw bad(key, v, expected);
            List<FramePack.Group> out = new ArrayList<>();
            for (Object g : l) {
                if (!(g instanceof List<?> q) || q.size() != 4 || !q.stream().allMatch(x -> x instanceof Integer)) throw bad(key, v, expected);
                try {
                    out.add(new FramePack.Group((Integer) q.get(0), (Integer) q.get(1), (Integer) q.get(2), (Integer) q.get(3)));
                } catch (IllegalArgumentException e) {
                    throw bad(key, g, expected + " (" + e.getMessage() + ")");
                }
            }
            return out;
        }

        void checkAllUsed() {
            for (String k : values.keySet()) {
                if (!used.contains(k)) {
                    throw new IllegalArgumentException(file + ": unknown key " + prefix + k + " (known here: " + String.join(", ", used) + ")");
                }
            }
            for (Section c : children) c.checkAllUsed();
        }
    }
}
