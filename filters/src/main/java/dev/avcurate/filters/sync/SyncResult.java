package dev.avcurate.filters.sync;

/**
 * Audio-visual sync of one face track over shifts -15..+15 video frames.
 *
 * @param offsetFrames the best shift in video frames, SPEC sign: positive = the audio lags the
 *                     video (its sound arrives that many frames late), so a fix-up plays it earlier
 * @param confidence   SyncNet and the default estimator: how much the best shift stands out (median - min
 *                     distance; Sync-C for SyncNet); StableSyncNet: the mean cosine at the best shift
 * @param minDistance  distance at the best shift (Sync-D for SyncNet; 1 - cosine for StableSyncNet)
 * @param distances    distance per shift, index 0 = shift -15
 * @param estimator    what produced it
 */
public record SyncResult(int offsetFrames, double confidence, double minDistance, double[] distances, String estimator) {
    public static final int MAX_SHIFT = 15;

    /** SyncNet's reduction over the 31 mean distances: argmin, and median minus min as confidence. */
    public static SyncResult fromDistances(double[] mdist, String estimator) {
        int best = 0;
        for (int i = 1; i < mdist.length; i++) if (mdist[i] < mdist[best]) best = i;
        double[] sorted = mdist.clone();
        java.util.Arrays.sort(sorted);
        // torch.median returns the lower of the two middle values for even counts; 31 is odd.
        double median = sorted[(sorted.length - 1) / 2];
        return new SyncResult(best - MAX_SHIFT, median - mdist[best], mdist[best], mdist, estimator);
    }
}
