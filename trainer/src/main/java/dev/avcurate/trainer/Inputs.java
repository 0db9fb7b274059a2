package dev.avcurate.trainer;

import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A batch of {@link Example}s stacked into tensors on the training device. */
public record Inputs(Tensor x0, Tensor reference, Tensor motion, Tensor text, Tensor hasText, Tensor mel) {

    public VideoDiT.Conditions conditions() {
        return new VideoDiT.Conditions(reference, motion, text, mel, null, null, null);
    }

    public static Inputs of(List<Example> examples, ModelConfig m, Device device) {
        Example e0 = examples.get(0);
        int b = examples.size(), h = e0.height(), w = e0.width(), f = e0.frames(), mf = e0.motionFrames();
        for (Example e : examples) {
            if (e.height() != h || e.width() != w || e.frames() != f) {
                throw new IllegalArgumentException("a batch mixes frame sizes: " + e0.clipId() + " (" + e0.bucket() + ") and " + e.clipId() + " (" + e.bucket() + ")");
            }
        }
        int melCols = e0.mel().length / m.melBins();
        float[] x0 = new float[b * 3 * f * h * w], ref = new float[b * 3 * h * w], mot = new float[b * 3 * mf * h * w];
        float[] text = new float[b * m.textDim()], has = new float[b], mel = new float[b * m.melBins() * melCols];
        for (int i = 0; i < b; i++) {
            Example e = examples.get(i);
            System.arraycopy(e.video(), 0, x0, i * e.video().length, e.video().length);
            System.arraycopy(e.reference(), 0, ref, i * e.reference().length, e.reference().length);
            System.arraycopy(e.motion(), 0, mot, i * e.motion().length, e.motion().length);
            System.arraycopy(e.text(), 0, text, i * m.textDim(), m.textDim());
            System.arraycopy(e.mel(), 0, mel, i * e.mel().length, e.mel().length);
            has[i] = e.hasText() ? 1f : 0f;
        }
        return new Inputs(on(Tensors.fromFloats(x0, b, 3, f, h, w), device), on(Tensors.fromFloats(ref, b, 3, h, w), device),
                mf == 0 ? null : on(Tensors.fromFloats(mot, b, 3, mf, h, w), device), on(Tensors.fromFloats(text, b, m.textDim()), device),
                on(Tensors.fromFloats(has, b), device), on(Tensors.fromFloats(mel, b, m.melBins(), melCols), device));
    }

    private static Tensor on(Tensor t, Device d) {
        return d.is_cpu() ? t : t.to(d, torch.ScalarType.Float);
    }
}
