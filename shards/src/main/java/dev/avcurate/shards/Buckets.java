package dev.avcurate.shards;

import dev.avcurate.core.config.ConfigException;
import dev.avcurate.trainerbridge.ShardFormat;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolution and frame-count buckets (SPEC §1 step 6). A clip goes to the resolution bucket
 * nearest its aspect ratio (by |log ratio|, ties to the larger area) and to the largest frame
 * bucket its duration holds at the training fps; it is later scaled to cover the bucket and
 * centre-cropped. A source that would need more than {@code maxUpscale} is left out rather
 * than trained on blurred pixels.
 */
public final class Buckets implements Serializable {
    /** Where a clip goes, or why it goes nowhere ({@code bucket} null, {@code reason} set). */
    public record Assignment(String bucket, int width, int height, int frames, String reason) implements Serializable {}

    public static final String TOO_SMALL = "too_small_for_bucket";
    public static final String TOO_SHORT = "too_short_for_bucket";

    private final int[][] sizes;
    private final int[] frames;
    private final double fps;
    private final double maxUpscale;

    public Buckets(List<String> sizes, List<String> frameCounts, double fps, double maxUpscale, String source) {
        if (sizes.isEmpty()) throw new ConfigException(source + ": shards.buckets is empty");
        if (frameCounts.isEmpty()) throw new ConfigException(source + ": shards.frame_buckets is empty");
        this.sizes = new int[sizes.size()][];
        for (int i = 0; i < sizes.size(); i++) {
            String s = sizes.get(i).trim();
            String[] p = s.split("x");
            try {
                if (p.length != 2) throw new NumberFormatException();
                int w = Integer.parseInt(p[0]), h = Integer.parseInt(p[1]);
                if (w < 16 || h < 16 || w % 2 != 0 || h % 2 != 0) throw new NumberFormatException();
                this.sizes[i] = new int[] {w, h};
            } catch (NumberFormatException e) {
                throw new ConfigException(source + ": shards.buckets: '" + s + "' is not WIDTHxHEIGHT with even sides of at least 16");
            }
        }
        this.frames = new int[frameCounts.size()];
        for (int i = 0; i < frameCounts.size(); i++) {
            try {
                frames[i] = Integer.parseInt(frameCounts.get(i).trim());
                if (frames[i] < 1) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new ConfigException(source + ": shards.frame_buckets: '" + frameCounts.get(i) + "' is not a positive frame count");
            }
        }
        java.util.Arrays.sort(frames);
        this.fps = fps;
        this.maxUpscale = maxUpscale;
    }

    public Assignment assign(int width, int height, double durationS) {
        double aspect = Math.log((double) width / height);
        int[] best = null;
        for (int[] s : sizes) {
            double d = Math.abs(Math.log((double) s[0] / s[1]) - aspect);
            if (best == null) {
                best = s;
                continue;
            }
            double bd = Math.abs(Math.log((double) best[0] / best[1]) - aspect);
            if (d < bd - 1e-12 || (Math.abs(d - bd) <= 1e-12 && (long) s[0] * s[1] > (long) best[0] * best[1])) best = s;
        }
        // Cover: the larger of the two scale factors.
        double scale = Math.max((double) best[0] / width, (double) best[1] / height);
        if (scale > maxUpscale + 1e-9) {
            return new Assignment(null, best[0], best[1], 0, String.format(java.util.Locale.ROOT,
                    "%s: %dx%d needs %.2fx to cover %dx%d (shards.max_upscale %.2f)", TOO_SMALL, width, height, scale, best[0], best[1], maxUpscale));
        }
        int f = 0;
        for (int c : frames) if (c / fps <= durationS + 1e-6) f = c;
        if (f == 0) {
            return new Assignment(null, best[0], best[1], 0, String.format(java.util.Locale.ROOT,
                    "%s: %.2f s holds fewer than %d frames at %.0f fps", TOO_SHORT, durationS, frames[0], fps));
        }
        return new Assignment(ShardFormat.bucketName(best[0], best[1], f), best[0], best[1], f, null);
    }

    /** Every bucket name, for documentation and the dataset card. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (int[] s : sizes) for (int f : frames) out.add(ShardFormat.bucketName(s[0], s[1], f));
        return out;
    }
}
