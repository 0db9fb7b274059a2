package dev.avcurate.trainer;

import java.util.function.BiFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The flow-matching convention, defined once (SPEC §2): x_t = t*eps + (1-t)*x0 for t in [0, 1],
 * the model predicts v = eps - x0, and sampling integrates dx/dt = v from t=1 (noise) to t=0 by
 * Euler steps. Training times are logit-normal, then shifted towards noise for larger inputs
 * (SD3's resolution shift t' = s*t / (1 + (s-1)*t)).
 */
public final class FlowMatching {
    private FlowMatching() {}

    /** x_t = t*eps + (1-t)*x0, t (B) broadcast over the other dimensions. */
    public static Tensor interpolate(Tensor x0, Tensor eps, Tensor t) {
        Tensor tb = broadcast(t, x0);
        return tb.mul(eps).add(tb.neg().add(Tensors.s(1.0)).mul(x0));
    }

    /** The regression target v = eps - x0. */
    public static Tensor velocity(Tensor x0, Tensor eps) {
        return eps.sub(x0);
    }

    /** Logit-normal times (B), shifted by {@code shift} (1 = no shift). Uses torch's global generator. */
    public static Tensor sampleTimes(long batch, double mean, double std, double shift) {
        Tensor t = torch.sigmoid(torch.randn(batch).mul(Tensors.s(std)).add(Tensors.s(mean)));
        return shift(t, shift);
    }

    public static Tensor shift(Tensor t, double s) {
        if (s == 1.0) return t;
        return t.mul(Tensors.s(s)).div(t.mul(Tensors.s(s - 1.0)).add(Tensors.s(1.0)));
    }

    public static double shift(double t, double s) {
        return s * t / (1 + (s - 1) * t);
    }

    /** The resolution shift for {@code tokens} tokens against a base of {@code baseTokens}: sqrt of their ratio, at least 1. */
    public static double resolutionShift(long tokens, long baseTokens) {
        return Math.max(1.0, Math.sqrt((double) tokens / baseTokens));
    }

    /**
     * Euler integration from x1 = noise at t=1 down to t=0 over {@code steps} steps spaced evenly in
     * shifted time. {@code velocity} gets (x_t, t as a (B) tensor).
     */
    public static Tensor euler(Tensor noise, int steps, double shift, BiFunction<Tensor, Tensor, Tensor> velocity) {
        Tensor x = noise;
        long b = noise.size(0);
        for (int i = 0; i < steps; i++) {
            double t = shift(1.0 - (double) i / steps, shift);
            double next = shift(1.0 - (double) (i + 1) / steps, shift);
            Tensor stepped;
            // One scope per step: the model's intermediates of a step are freed before the next
            // (under NoGradGuard only their Java handles hold them); the new x outlives it.
            try (PointerScope scope = new PointerScope()) {
                Tensor tt = torch.full(new long[] {b}, Tensors.s(t)).to(noise.device(), noise.scalar_type());
                stepped = x.add(velocity.apply(x, tt).mul(Tensors.s(next - t)));
                stepped.retainReference(); // one reference more than the scope releases: it survives
            }
            if (x != noise) x.releaseReference(); // the previous step's x: freed
            x = stepped;
        }
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null && x != noise) {
            outer.attach(x); // the caller's scope owns it from here
            x.releaseReference();
        }
        return x;
    }

    static Tensor broadcast(Tensor t, Tensor like) {
        long[] shape = new long[(int) like.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = like.size(0);
        return t.view(shape);
    }
}
