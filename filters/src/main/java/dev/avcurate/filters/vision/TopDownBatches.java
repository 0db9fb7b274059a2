package dev.avcurate.filters.vision;

import dev.avcurate.filters.onnx.ModelException;
import dev.avcurate.filters.onnx.OnnxSessions;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The batching both top-down estimators share: every (frame, person box) pair of a call is
 * cropped into one input tensor and run together, {@link #MAX_BATCH} persons per run when the
 * export's batch dimension is dynamic, else in runs of the export's fixed batch (zero-padded).
 */
final class TopDownBatches {
    /** Persons per run with a dynamic batch: 32 wholebody crops are 42 MB of input. */
    static final int MAX_BATCH = 32;

    /** Decodes a run's outputs ({@code rows} rows, the first {@code n} real persons) into poses in frame pixels. */
    interface Decoder {
        List<Pose> decode(Map<String, float[]> outputs, int n, int rows, List<TopDown.Crop> crops);
    }

    private final OnnxSessions.Shared shared;
    private final String model;
    final int inputW, inputH, fixedBatch; // fixedBatch 0 = dynamic
    private FloatBuffer buf;

    TopDownBatches(OnnxSessions.Shared shared, String model) {
        this.shared = shared;
        this.model = model;
        long[] in = PoseOnnxIo.shape(shared, model, "input", true);
        if (in.length != 4 || in[1] != 3 || in[2] <= 0 || in[3] <= 0) {
            throw new ModelException(model + ": input 'input' has shape " + java.util.Arrays.toString(in)
                    + ", expected (N, 3, H, W) with fixed H and W");
        }
        inputH = (int) in[2];
        inputW = (int) in[3];
        fixedBatch = in[0] > 0 ? (int) in[0] : 0;
    }

    List<List<Pose>> run(List<VideoFrame> frames, List<List<Box>> persons, boolean mmpose0x, Decoder decoder, String... outputs) {
        if (frames.size() != persons.size()) throw new IllegalArgumentException(frames.size() + " frames but " + persons.size() + " box lists");
        List<VideoFrame> pf = new ArrayList<>();
        List<Box> pb = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            for (Box b : persons.get(i)) {
                pf.add(frames.get(i));
                pb.add(b);
            }
        }
        List<Pose> all = new ArrayList<>();
        int step = fixedBatch > 0 ? fixedBatch : MAX_BATCH, plane = 3 * inputW * inputH;
        for (int b0 = 0; b0 < pf.size(); b0 += step) {
            int n = Math.min(step, pf.size() - b0), rows = fixedBatch > 0 ? fixedBatch : n;
            FloatBuffer in = buf = PoseOnnxIo.reuse(buf, (long) rows * plane);
            List<TopDown.Crop> crops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TopDown.Crop c = TopDown.crop(pb.get(b0 + i), inputW, inputH, mmpose0x);
                TopDown.warp(pf.get(b0 + i), c, inputW, inputH, in);
                crops.add(c);
            }
            while (in.position() < in.limit()) in.put(0f); // padding rows of a fixed batch
            Map<String, float[]> out = PoseOnnxIo.run(shared, model, "input", in, new long[] {rows, 3, inputH, inputW}, outputs);
            all.addAll(decoder.decode(out, n, rows, crops));
        }
        List<List<Pose>> res = new ArrayList<>();
        int k = 0;
        for (List<Box> boxes : persons) {
            res.add(new ArrayList<>(all.subList(k, k + boxes.size())));
            k += boxes.size();
        }
        return res;
    }
}
