package dev.avcurate.filters.vision;

import java.util.ArrayList;
import java.util.List;

/**
 * How many different people appear in a clip, from the ArcFace embeddings of its faces: greedy
 * online clustering, each face joining the cluster whose mean embedding is most similar when the
 * cosine reaches the threshold (0.4, the usual same-person cut for ArcFace's L2-normalized
 * embeddings), else starting a new one. Greedy rather than agglomerative because a clip's faces
 * arrive in time order and the same person's consecutive faces are near-duplicates; single-frame
 * false detections can be dropped with {@code minMembers}.
 */
public final class IdentityClusters {
    public static final double DEFAULT_THRESHOLD = 0.4;

    private IdentityClusters() {}

    /** Cluster index of each embedding, clusters numbered in order of first appearance. */
    public static int[] assign(List<float[]> embeddings, double threshold) {
        List<double[]> sums = new ArrayList<>();
        int[] label = new int[embeddings.size()];
        for (int i = 0; i < embeddings.size(); i++) {
            float[] e = embeddings.get(i);
            int best = -1;
            double bestCos = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < sums.size(); c++) {
                double cos = cosine(sums.get(c), e);
                if (cos > bestCos) {
                    bestCos = cos;
                    best = c;
                }
            }
            if (best < 0 || bestCos < threshold) {
                best = sums.size();
                sums.add(new double[e.length]);
            }
            double[] s = sums.get(best);
            double n = norm(e);
            for (int j = 0; j < e.length; j++) s[j] += n == 0 ? 0 : e[j] / n;
            label[i] = best;
        }
        return label;
    }

    /** Number of identities with at least {@code minMembers} faces. */
    public static int count(List<float[]> embeddings, double threshold, int minMembers) {
        int[] label = assign(embeddings, threshold);
        int[] size = new int[embeddings.size() + 1];
        for (int l : label) size[l]++;
        int n = 0;
        for (int s : size) if (s > 0 && s >= minMembers) n++;
        return n;
    }

    public static int count(List<float[]> embeddings) {
        return count(embeddings, DEFAULT_THRESHOLD, 1);
    }

    private static double norm(float[] e) {
        double s = 0;
        for (float v : e) s += (double) v * v;
        return Math.sqrt(s);
    }

    private static double cosine(double[] sum, float[] e) {
        double dot = 0, a = 0, b = 0;
        for (int j = 0; j < e.length; j++) {
            dot += sum[j] * e[j];
            a += sum[j] * sum[j];
            b += (double) e[j] * e[j];
        }
        return a == 0 || b == 0 ? 0 : dot / Math.sqrt(a * b);
    }
}
