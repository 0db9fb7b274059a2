package dev.avcurate.trainer;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A small video autoencoder trained by the trainer itself (stage {@code vae}): spatial /8 and
 * temporal /4 like Wan's VAE, scaled down. Encoder: 3x3x3 convolutions with SiLU, downsampling by
 * space-to-depth (/2 in space, then /2 in time and space twice); a diagonal Gaussian latent of
 * {@code latentChannels}. Decoder: the mirror, upsampling by depth-to-space. Frames are (B, 3, T,
 * H, W) in [-1, 1] with T a multiple of 4 and H, W multiples of 8.
 */
public final class VideoAutoencoder extends Module {
    public static final int SPATIAL = 8, TEMPORAL = 4;

    /** @param channels width of the first stage (doubled, then quadrupled) */
    public record Config(int channels, int latentChannels, double klWeight) {
        public Config {
            if (channels < 1 || latentChannels < 1) throw new IllegalArgumentException("vae.channels and vae.latent_channels must be >= 1");
        }
    }

    /** A 3x3x3 convolution with zero padding 1 (written with the plain conv3d overload and an explicit pad). */
    static final class Conv3 extends Module {
        final Tensor weight, bias;
        final int k;

        Conv3(long in, long out, int k) {
            this.k = k;
            double bound = 1.0 / Math.sqrt(in * k * k * k);
            weight = torch.rand(out, in, k, k, k).mul(Tensors.s(2 * bound)).sub(Tensors.s(bound));
            bias = torch.zeros(out);
            register_parameter("weight", weight);
            register_parameter("bias", bias);
        }

        Tensor forward(Tensor x) {
            int p = k / 2;
            Tensor padded = p == 0 ? x : torch.constant_pad_nd(x, p, p, p, p, p, p);
            return torch.conv3d(padded, weight).add(bias.view(1, -1, 1, 1, 1));
        }
    }

    private final Config cfg;
    private final List<Conv3> enc = new ArrayList<>();
    private final List<Conv3> dec = new ArrayList<>();

    public VideoAutoencoder(Config cfg) {
        this.cfg = cfg;
        long c = cfg.channels();
        enc.add(conv("enc0", 3, c, 3));
        enc.add(conv("enc1", c * 4, 2 * c, 3));        // after /2 in space
        enc.add(conv("enc2", 2 * c * 8, 4 * c, 3));    // after /2 in time and space
        enc.add(conv("enc3", 4 * c * 8, 4 * c, 3));    // after /2 in time and space
        enc.add(conv("enc_out", 4 * c, 2L * cfg.latentChannels(), 1));
        dec.add(conv("dec_in", cfg.latentChannels(), 4 * c, 3));
        dec.add(conv("dec1", 4 * c, 4 * c * 8, 3));    // then x2 in time and space
        dec.add(conv("dec2", 4 * c, 2 * c * 8, 3));    // then x2 in time and space
        dec.add(conv("dec3", 2 * c, c * 4, 3));        // then x2 in space
        dec.add(conv("dec_out", c, 3, 3));
    }

    private Conv3 conv(String name, long in, long out, int k) {
        return register_module(name, new Conv3(in, out, k));
    }

    public Config config() {
        return cfg;
    }

    /** Mean and log-variance of the latent, each (B, z, T/4, H/8, W/8). */
    public Tensor[] encode(Tensor x) {
        check(x);
        Tensor h = torch.silu(enc.get(0).forward(x));
        h = torch.silu(enc.get(1).forward(unshuffle(h, 1, 2)));
        h = torch.silu(enc.get(2).forward(unshuffle(h, 2, 2)));
        h = torch.silu(enc.get(3).forward(unshuffle(h, 2, 2)));
        Tensor out = enc.get(4).forward(h);
        long z = cfg.latentChannels();
        return new Tensor[] {out.narrow(1, 0, z), out.narrow(1, z, z)};
    }

    /** Frames from latents (B, z, T', H', W'): (B, 3, 4T', 8H', 8W'). */
    public Tensor decode(Tensor z) {
        Tensor h = torch.silu(dec.get(0).forward(z));
        h = torch.silu(shuffle(dec.get(1).forward(h), 2, 2));
        h = torch.silu(shuffle(dec.get(2).forward(h), 2, 2));
        h = torch.silu(shuffle(dec.get(3).forward(h), 1, 2));
        return dec.get(4).forward(h);
    }

    private static void check(Tensor x) {
        if (x.size(2) % TEMPORAL != 0 || x.size(3) % SPATIAL != 0 || x.size(4) % SPATIAL != 0) {
            throw new IllegalArgumentException("the VAE takes T a multiple of 4 and H, W multiples of 8, got " + java.util.Arrays.toString(Tensors.shape(x)));
        }
    }

    /** Space-to-depth: (B, C, T, H, W) -> (B, C*rt*rs*rs, T/rt, H/rs, W/rs). */
    static Tensor unshuffle(Tensor x, long rt, long rs) {
        long b = x.size(0), c = x.size(1), t = x.size(2), h = x.size(3), w = x.size(4);
        return x.reshape(b, c, t / rt, rt, h / rs, rs, w / rs, rs).permute(0, 1, 3, 5, 7, 2, 4, 6).reshape(b, c * rt * rs * rs, t / rt, h / rs, w / rs);
    }

    /** Depth-to-space, the inverse of {@link #unshuffle}. */
    static Tensor shuffle(Tensor x, long rt, long rs) {
        long b = x.size(0), c = x.size(1) / (rt * rs * rs), t = x.size(2), h = x.size(3), w = x.size(4);
        return x.reshape(b, c, rt, rs, rs, t, h, w).permute(0, 1, 5, 2, 6, 3, 7, 4).reshape(b, c, t * rt, h * rs, w * rs);
    }
}
