package dev.avcurate.trainer;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** Small helpers over the bytedeco libtorch API: Java arrays in and out, scalars, parameter-free layer norm. */
public final class Tensors {
    private Tensors() {}

    /** A float32 CPU tensor that owns a copy of {@code data}. */
    public static Tensor fromFloats(float[] data, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != data.length) throw new IllegalArgumentException("shape holds " + n + " values, array has " + data.length);
        try (FloatPointer p = new FloatPointer(data)) {
            return torch.from_blob(p, shape).clone();
        }
    }

    /** The values of a float32 tensor (any device), in row-major order. */
    public static float[] toFloats(Tensor t) {
        Tensor c = t.device().is_cpu() ? t.contiguous() : t.cpu().contiguous();
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }

    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) s[i] = t.size(i);
        return s;
    }

    public static Scalar s(double v) {
        return new Scalar(v);
    }

    /** LayerNorm over the last dimension without affine parameters (adaLN supplies scale and shift). */
    public static Tensor layerNorm(Tensor x) {
        return torch.layer_norm(x, new long[] {x.size(x.dim() - 1)}, new TensorOptional(), new TensorOptional(), 1e-6, false);
    }

    /** x * (1 + scale) + shift, with scale and shift of shape (B, D) broadcast over tokens. */
    public static Tensor modulate(Tensor x, Tensor shift, Tensor scale) {
        return x.mul(scale.unsqueeze(1).add(s(1.0))).add(shift.unsqueeze(1));
    }

    /** Sets every value of a parameter to zero, outside autograd. */
    public static void zero(Tensor parameter) {
        try (NoGradGuard g = new NoGradGuard()) {
            parameter.zero_();
        }
    }

    public static Device device(String name) {
        if (name.startsWith("cuda") && !torch.cuda_is_available()) {
            throw new IllegalStateException("device " + name + " requested but libtorch sees no CUDA device "
                    + "(build with -Pgpu for the CUDA 13 natives, and run on a machine with an NVIDIA driver)");
        }
        return new Device(name);
    }
}
