package dev.avcurate.filters.onnx;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model of the registry ({@code conf/models.yaml}): where its file lives under the models
 * directory, its SHA-256, where {@code bin/curate models fetch} gets it, and the input and output
 * names and shapes the operator code expects ({@code -1} = any size).
 */
public record ModelSpec(String name, String file, String sha256, String source, Map<String, long[]> inputs,
                        Map<String, long[]> outputs) implements Serializable {

    public ModelSpec {
        inputs = new LinkedHashMap<>(inputs);
        outputs = new LinkedHashMap<>(outputs);
    }

    /** True when an actual shape fits an expected one (-1 on either side matches any size). */
    public static boolean shapeMatches(long[] expected, long[] actual) {
        if (expected.length != actual.length) return false;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] >= 0 && actual[i] >= 0 && expected[i] != actual[i]) return false;
        }
        return true;
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}
