package dev.avcurate.trainer;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What a stage trains and how its loss is computed: the {@link Trainer} owns the loop (optimizer,
 * clipping, EMA, checkpoints, metrics), an objective owns the model, its EMA copy and the loss.
 */
interface Objective extends AutoCloseable {
    Module model();

    Module ema();

    /** Forward and loss for one batch (the step's random draws already seeded); the caller runs backward. */
    Loss loss(List<Example> batch);

    /** Extra entries for the checkpoint's state.properties. */
    default Map<String, String> state() {
        return Map.of();
    }

    @Override
    void close();

    /** A step's loss, per-sample losses, and the flow time of each sample (null outside flow matching). */
    record Loss(Tensor value, Tensor perSample, Tensor times) {}

    /** Flow matching on the DiT, in pixel space or on a frozen VAE's latents. */
    final class Flow implements Objective {
        private final TrainConfig cfg;
        private final Device device;
        private final VideoDiT model, ema;
        private final LatentSpace latent;

        Flow(TrainConfig cfg, Device device, LatentSpace latent) {
            this.cfg = cfg;
            this.device = device;
            this.latent = latent;
            ModelConfig m = latent == null ? cfg.model : cfg.model.withChannels(latent.channels());
            model = new VideoDiT(m);
            ema = new VideoDiT(m);
            // libtorch's autocast keeps bf16 copies of the weights until the cache is cleared (Python's
            // autocast clears it on exit): with in-place optimizer updates they would go stale.
            if (device.is_cuda()) torch.set_autocast_cache_enabled(false);
        }

        @Override
        public Module model() {
            return model;
        }

        @Override
        public Module ema() {
            return ema;
        }

        VideoDiT dit() {
            return model;
        }

        @Override
        public Loss loss(List<Example> batch) {
            Inputs in = Inputs.of(batch, cfg.model, device);
            Tensor x0 = in.x0(), motion = in.motion(), ref = in.reference();
            if (latent != null) {
                x0 = latent.encode(x0);
                motion = latent.encode(motion);
                ref = latent.encodeImage(ref);
            }
            long b = x0.size(0);
            Tensor eps = torch.randn(Tensors.shape(x0)).to(device, torch.ScalarType.Float);
            Tensor t = FlowMatching.sampleTimes(b, cfg.tMean, cfg.tStd, cfg.shiftFor(x0.size(3), x0.size(4))).to(device, torch.ScalarType.Float);
            Tensor keepText = keep(b, cfg.dropText).mul(in.hasText());
            Tensor keepAudio = keep(b, cfg.dropAudio);
            Tensor keepRef = keep(b, cfg.dropReference);
            VideoDiT.Conditions c = new VideoDiT.Conditions(ref, motion, in.text(), in.mel(), keepText, keepAudio, keepRef);
            Tensor xt = FlowMatching.interpolate(x0, eps, t);
            boolean autocast = device.is_cuda();
            if (autocast) {
                torch.set_autocast_dtype(torch.DeviceType.CUDA, torch.ScalarType.BFloat16);
                torch.set_autocast_enabled(torch.DeviceType.CUDA, true);
            }
            Tensor pred;
            try {
                pred = model.forward(xt, t, c).to(torch.ScalarType.Float);
            } finally {
                if (autocast) torch.set_autocast_enabled(torch.DeviceType.CUDA, false);
            }
            Tensor perSample = pred.sub(FlowMatching.velocity(x0, eps)).pow(Tensors.s(2)).reshape(b, -1).mean(1);
            return new Loss(perSample.mean(), perSample, t);
        }

        private Tensor keep(long b, double drop) {
            return torch.rand(b).ge(Tensors.s(drop)).to(device, torch.ScalarType.Float);
        }

        @Override
        public void close() {
            model.close();
            ema.close();
            if (latent != null) latent.close();
        }
    }

    /**
     * The video autoencoder: reconstruction MSE plus kl_weight x KL to N(0, 1), the latent sampled
     * by reparameterisation. Tracks the latent means' standard deviation (an EMA over steps) for the
     * DiT stage, which divides by it.
     */
    final class Autoencoder implements Objective {
        private final TrainConfig cfg;
        private final Device device;
        private final VideoAutoencoder model, ema;
        private double latentStd = Double.NaN;

        Autoencoder(TrainConfig cfg, Device device) {
            this.cfg = cfg;
            this.device = device;
            model = new VideoAutoencoder(cfg.vae);
            ema = new VideoAutoencoder(cfg.vae);
        }

        @Override
        public Module model() {
            return model;
        }

        @Override
        public Module ema() {
            return ema;
        }

        @Override
        public Loss loss(List<Example> batch) {
            Inputs in = Inputs.of(batch, cfg.model, device);
            Tensor x = in.x0();
            long b = x.size(0);
            Tensor[] ml = model.encode(x);
            Tensor mean = ml[0], logvar = ml[1];
            Tensor z = mean.add(torch.randn(Tensors.shape(mean)).to(device, torch.ScalarType.Float).mul(logvar.mul(Tensors.s(0.5)).exp()));
            Tensor recon = model.decode(z);
            Tensor rec = recon.sub(x).pow(Tensors.s(2)).reshape(b, -1).mean(1);
            Tensor kl = mean.pow(Tensors.s(2)).add(logvar.exp()).sub(logvar).sub(Tensors.s(1)).mul(Tensors.s(0.5)).reshape(b, -1).mean(1);
            Tensor perSample = rec.add(kl.mul(Tensors.s(cfg.vae.klWeight())));
            double std = mean.detach().std().item_double();
            latentStd = Double.isNaN(latentStd) ? std : 0.99 * latentStd + 0.01 * std;
            return new Loss(perSample.mean(), rec, null);
        }

        @Override
        public Map<String, String> state() {
            return Map.of("latent_std", Double.toString(Double.isNaN(latentStd) ? 1.0 : latentStd));
        }

        void restore(java.util.Properties p) {
            String s = p.getProperty("latent_std");
            if (s != null) latentStd = Double.parseDouble(s);
        }

        @Override
        public void close() {
            model.close();
            ema.close();
        }
    }
}
