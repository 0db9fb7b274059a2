package dev.avcurate.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The frozen video autoencoder a DiT trains on ({@code latent.vae} in the config): frames in,
 * latents out (the encoder's mean divided by the latent standard deviation measured while the VAE
 * trained, so the DiT sees unit-variance latents), and back. Owns the VAE: {@link #close()}.
 */
public final class LatentSpace implements AutoCloseable {
    private final VideoAutoencoder vae;
    private final double std;
    private final String source;

    private LatentSpace(VideoAutoencoder vae, double std, String source) {
        this.vae = vae;
        this.std = std;
        this.source = source;
    }

    /** Loads the EMA weights of a VAE run (or checkpoint), with the vae: section of that run's config.yaml. */
    public static LatentSpace load(Path runOrCheckpoint, Device device) throws IOException {
        Path ck = Checkpoints.resolve(runOrCheckpoint);
        Path runDir = ck.getParent().getParent();
        TrainConfig vcfg = TrainConfig.load(runDir.resolve("config.yaml"), List.of());
        if (vcfg.stage != TrainConfig.Stage.VAE) throw new IllegalArgumentException(runOrCheckpoint + " is not a vae run (its stage is " + vcfg.stage + ")");
        VideoAutoencoder vae = new VideoAutoencoder(vcfg.vae);
        vae.to(device, false);
        Checkpoints.load(vae, ck.resolve(Checkpoints.EMA), "VAE", device);
        vae.eval();
        Properties st = Checkpoints.readState(ck);
        double std = Double.parseDouble(st.getProperty("latent_std", "1"));
        return new LatentSpace(vae, std, ck.toString());
    }

    public int channels() {
        return vae.config().latentChannels();
    }

    public String source() {
        return source;
    }

    public double std() {
        return std;
    }

    /** (B, 3, 4T, H, W) frames -> (B, z, T, H/8, W/8) latents. */
    public Tensor encode(Tensor frames) {
        try (NoGradGuard g = new NoGradGuard()) {
            return vae.encode(frames)[0].div(Tensors.s(std)).detach();
        }
    }

    /** A (B, 3, H, W) image as one latent frame (B, z, H/8, W/8): the image held for 4 frames. */
    public Tensor encodeImage(Tensor image) {
        return encode(image.unsqueeze(2).repeat(1, 1, VideoAutoencoder.TEMPORAL, 1, 1)).select(2, 0);
    }

    /** (B, z, T, h, w) latents -> (B, 3, 4T, 8h, 8w) frames. */
    public Tensor decode(Tensor latents) {
        try (NoGradGuard g = new NoGradGuard()) {
            return vae.decode(latents.mul(Tensors.s(std)));
        }
    }

    @Override
    public void close() {
        vae.close();
    }
}
