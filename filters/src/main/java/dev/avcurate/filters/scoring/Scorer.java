package dev.avcurate.filters.scoring;

import java.util.List;
import java.util.Map;

/**
 * Computes score columns for one decoded clip. Knows nothing of Spark: tested with plain JUnit on
 * generated frames. Every score column {@code x} it writes comes with {@code x_estimator} naming
 * the model or algorithm (and the device for models). A scorer holding native resources
 * (sessions, detectors) owns them until {@link #close()}.
 */
public interface Scorer extends AutoCloseable {
    /** Short name, as in the config and logs. */
    String name();

    /** The score columns this scorer writes (their estimator columns are implied). */
    List<String> columns();

    /** Writes this clip's scores into {@code out}; may read and extend {@code ctx}. */
    void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out);

    /**
     * Scores several clips at once. Scorers whose models take a batch override this to run the
     * clips' inputs together (per-row inference is slow, on a GPU above all); the default scores
     * them one by one.
     */
    default void scoreBatch(List<DecodedClip> clips, List<ClipContext> ctxs, List<Map<String, Object>> outs) {
        for (int i = 0; i < clips.size(); i++) score(clips.get(i), ctxs.get(i), outs.get(i));
    }

    @Override
    default void close() {}
}
