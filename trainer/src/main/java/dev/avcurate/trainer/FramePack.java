package dev.avcurate.trainer;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Motion frames as context tokens, packed as in Wan-S2V's Frame Pack: the newest frames are
 * patchified finely, older ones with larger (temporal x spatial) patches, so a long history costs
 * few tokens. Group g covers {@code frames} frames and yields
 * {@code frames/pt * (H/ph) * (W/pw)} tokens through its own linear projection.
 */
public final class FramePack extends Module {

    /**
     * One group of motion frames.
     *
     * @param frames how many frames (older than the previous group's)
     * @param pt temporal patch (must divide frames)
     * @param ph patch height
     * @param pw patch width
     */
    public record Group(int frames, int pt, int ph, int pw) {
        public Group {
            if (frames <= 0 || pt <= 0 || ph <= 0 || pw <= 0) throw new IllegalArgumentException("frame_pack group values must be > 0: " + this);
            if (frames % pt != 0) throw new IllegalArgumentException("frame_pack group: frames " + frames + " not divisible by its temporal patch " + pt);
        }

        /** Tokens of this group for frames of height h and width w. */
        public long tokens(long h, long w) {
            if (h % ph != 0 || w % pw != 0) throw new IllegalArgumentException("frame size " + h + "x" + w + " not divisible by the frame_pack patch " + ph + "x" + pw);
            return (long) (frames / pt) * (h / ph) * (w / pw);
        }
    }

    private final List<Group> groups;
    private final List<LinearImpl> proj = new ArrayList<>();
    private final int channels;

    public FramePack(List<Group> groups, int channels, int dim) {
        this.groups = List.copyOf(groups);
        this.channels = channels;
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            proj.add(register_module("group" + i, new LinearImpl((long) channels * g.pt() * g.ph() * g.pw(), dim)));
        }
    }

    public List<Group> groups() {
        return groups;
    }

    public int frames() {
        return groups.stream().mapToInt(Group::frames).sum();
    }

    /** Token count of the whole pack for frames of height h and width w. */
    public long tokens(long h, long w) {
        long n = 0;
        for (Group g : groups) n += g.tokens(h, w);
        return n;
    }

    /**
     * @param motion (B, C, M, H, W), oldest first; M = {@link #frames()}
     * @return tokens (B, N, D) and, per token, its (t, y, x) position in units of the generated
     *     frames' patch grid (t negative: -1 is the newest motion frame)
     */
    public Packed forward(Tensor motion, int basePatch) {
        long m = motion.size(2), h = motion.size(3), w = motion.size(4);
        if (m != frames()) throw new IllegalArgumentException("motion frames: expected " + frames() + ", got " + m);
        TensorVector parts = new TensorVector();
        List<float[]> pos = new ArrayList<>();
        long end = m; // groups newest first: each takes the frames just before the previous group's
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            long start = end - g.frames();
            Tensor x = motion.narrow(2, start, g.frames());
            parts.push_back(proj.get(gi).forward(patchify(x, g.pt(), g.ph(), g.pw())));
            for (long t = 0; t < g.frames() / g.pt(); t++) {
                float tc = (float) (start + t * g.pt() + (g.pt() - 1) / 2.0 - m); // -1 = the newest frame
                for (long i = 0; i < h / g.ph(); i++) {
                    for (long j = 0; j < w / g.pw(); j++) {
                        pos.add(new float[] {tc, (float) ((i + 0.5) * g.ph() / basePatch - 0.5), (float) ((j + 0.5) * g.pw() / basePatch - 0.5)});
                    }
                }
            }
            end = start;
        }
        return new Packed(torch.cat(parts, 1), pos);
    }

    /** The packed tokens and their positions. */
    public record Packed(Tensor tokens, List<float[]> positions) {}

    /** (B, C, T, H, W) -> (B, T/pt * H/ph * W/pw, C*pt*ph*pw), tokens in (t, y, x) order. */
    public static Tensor patchify(Tensor x, long pt, long ph, long pw) {
        long b = x.size(0), c = x.size(1), t = x.size(2), h = x.size(3), w = x.size(4);
        return x.reshape(b, c, t / pt, pt, h / ph, ph, w / pw, pw)
                .permute(0, 2, 4, 6, 1, 3, 5, 7)
                .reshape(b, (t / pt) * (h / ph) * (w / pw), c * pt * ph * pw);
    }

    /** The inverse of {@link #patchify} for temporal patch 1. */
    public static Tensor unpatchify(Tensor tokens, long c, long t, long h, long w, long p) {
        long b = tokens.size(0);
        return tokens.reshape(b, t, h / p, w / p, c, p, p)
                .permute(0, 4, 1, 2, 5, 3, 6)
                .reshape(b, c, t, h, w);
    }
}
