package dev.avcurate.filters.onnx;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_SIMPLE;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_LIST;
import static org.bytedeco.opencv.global.opencv_imgproc.arcLength;
import static org.bytedeco.opencv.global.opencv_imgproc.boundingRect;
import static org.bytedeco.opencv.global.opencv_imgproc.contourArea;
import static org.bytedeco.opencv.global.opencv_imgproc.findContours;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * PP-OCRv4 text detection (input {@code x} (B,3,H,W), output {@code sigmoid_0.tmp_0} (B,1,H,W)
 * probability map) with PaddleOCR's preprocessing (sides rounded to multiples of 32 under
 * {@code maxSide}; BGR as decoded, /255, ImageNet mean/std, CHW) and DB post-processing:
 * binarize at {@code binThresh}, contours, box score (mean probability inside) at least
 * {@code boxThresh}, unclip by {@code unclipRatio} (offset = area * ratio / perimeter), boxes
 * scaled back to the frame. The frames of one call run as one batch at the input size of the
 * first (callers group frames by size, as TextScorer does). Does not own the session.
 */
public final class PpOcrDetector {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};
    private final OnnxSessions.Shared shared;
    private final int maxSide;
    private final double binThresh, boxThresh, unclipRatio;
    private FloatBuffer direct;

    public PpOcrDetector(OnnxSessions.Shared shared, int maxSide, double binThresh, double boxThresh, double unclipRatio) {
        this.shared = shared;
        this.maxSide = maxSide;
        this.binThresh = binThresh;
        this.boxThresh = boxThresh;
        this.unclipRatio = unclipRatio;
    }

    public String device() {
        return shared.device();
    }

    /** Model input size for a frame: aspect kept, longest side at most maxSide, both multiples of 32. */
    int[] inputSize(int w, int h) {
        double r = Math.min(1.0, maxSide / (double) Math.max(w, h));
        int iw = Math.max(32, (int) Math.round(w * r / 32) * 32);
        int ih = Math.max(32, (int) Math.round(h * r / 32) * 32);
        return new int[] {iw, ih};
    }

    /** CHW float input for one frame, resized (bilinear) to iw x ih. */
    static void preprocess(VideoFrame f, int iw, int ih, float[] dst, int offset) {
        byte[] px = f.bgr();
        double sx = f.width() / (double) iw, sy = f.height() / (double) ih;
        int plane = iw * ih;
        for (int y = 0; y < ih; y++) {
            double fy = Math.max(0, Math.min(f.height() - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) fy, y1 = Math.min(f.height() - 1, y0 + 1);
            double ay = fy - y0;
            for (int x = 0; x < iw; x++) {
                double fx = Math.max(0, Math.min(f.width() - 1, (x + 0.5) * sx - 0.5));
                int x0 = (int) fx, x1 = Math.min(f.width() - 1, x0 + 1);
                double ax = fx - x0;
                for (int c = 0; c < 3; c++) {
                    double v = (1 - ay) * ((1 - ax) * (px[(y0 * f.width() + x0) * 3 + c] & 0xff) + ax * (px[(y0 * f.width() + x1) * 3 + c] & 0xff))
                            + ay * ((1 - ax) * (px[(y1 * f.width() + x0) * 3 + c] & 0xff) + ax * (px[(y1 * f.width() + x1) * 3 + c] & 0xff));
                    dst[offset + c * plane + y * iw + x] = (float) ((v / 255.0 - MEAN[c]) / STD[c]);
                }
            }
        }
    }

    /** Text boxes of each frame, in frame pixels: one batch, every frame resized to the first frame's input size. */
    public List<List<Box>> detect(List<VideoFrame> frames) {
        List<List<Box>> out = new ArrayList<>();
        if (frames.isEmpty()) return out;
        VideoFrame first = frames.get(0);
        int[] size = inputSize(first.width(), first.height());
        int iw = size[0], ih = size[1], plane = iw * ih;
        float[] input = new float[frames.size() * 3 * plane];
        for (int i = 0; i < frames.size(); i++) preprocess(frames.get(i), iw, ih, input, i * 3 * plane);
        float[] maps = run(input, frames.size(), iw, ih);
        float[] map = new float[plane];
        for (int i = 0; i < frames.size(); i++) {
            System.arraycopy(maps, i * plane, map, 0, plane);
            VideoFrame f = frames.get(i);
            out.add(postprocess(map, iw, ih, f.width() / (double) iw, f.height() / (double) ih, f.width(), f.height()));
        }
        return out;
    }

    /** The run step: a preprocessed batch (n, 3, ih, iw) in, the probability maps (n, ih, iw) out. */
    public float[] run(float[] input, int n, int iw, int ih) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        // A direct buffer, reused while the batch fits: ONNX Runtime reads it without a copy.
        if (direct == null || direct.capacity() < input.length) {
            direct = java.nio.ByteBuffer.allocateDirect(input.length * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        }
        direct.clear();
        direct.put(input).flip();
        try (OnnxTensor t = OnnxTensor.createTensor(env, direct, new long[] {n, 3, ih, iw});
             OrtSession.Result r = shared.session().run(Map.of("x", t))) {
            FloatBuffer prob = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] maps = new float[n * iw * ih];
            prob.get(maps);
            return maps;
        } catch (OrtException e) {
            throw new ModelException("ppocr_det: inference failed: " + e.getMessage(), e);
        }
    }

    /** DB post-processing of one probability map (iw x ih) into boxes scaled by (sx, sy). */
    List<Box> postprocess(float[] map, int iw, int ih, double sx, double sy, int fw, int fh) {
        byte[] bits = new byte[iw * ih];
        for (int i = 0; i < bits.length; i++) bits[i] = map[i] > binThresh ? (byte) 255 : 0;
        List<Box> boxes = new ArrayList<>();
        try (BytePointer bp = new BytePointer(bits); Mat bin = new Mat(ih, iw, CV_8UC1, bp); MatVector contours = new MatVector();
             Mat hierarchy = new Mat()) {
            findContours(bin, contours, hierarchy, RETR_LIST, CHAIN_APPROX_SIMPLE);
            for (long k = 0; k < contours.size(); k++) {
                Mat c = contours.get(k);
                try (Rect r = boundingRect(c)) {
                    if (Math.min(r.width(), r.height()) < 3) continue;
                    double sum = 0;
                    for (int y = r.y(); y < r.y() + r.height(); y++) {
                        for (int x = r.x(); x < r.x() + r.width(); x++) sum += map[y * iw + x];
                    }
                    double score = sum / ((double) r.width() * r.height());
                    if (score < boxThresh) continue;
                    double area = Math.max(contourArea(c), r.width() * (double) r.height() * 0.5);
                    double perimeter = Math.max(1, arcLength(c, true));
                    double d = area * unclipRatio / perimeter;
                    Box b = new Box((r.x() - d) * sx, (r.y() - d) * sy, (r.x() + r.width() + d) * sx,
                            (r.y() + r.height() + d) * sy, score, null).clip(fw, fh);
                    if (b.width() >= 3 && b.height() >= 3) boxes.add(b);
                }
            }
        }
        return boxes;
    }
}
