package dev.avcurate.filters.scoring;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_quality.QualityBRISQUE;

/**
 * {@code quality_technical} until a DOVER model is configured: BRISQUE (Mittal et al. 2012, the
 * LIVE-trained model OpenCV ships in Debian's opencv-data) on the frames at 10%, 50% and 90% of
 * the clip, mapped to "higher is better" as (100 - BRISQUE) / 100, mean over the frames.
 */
public final class QualityScorer implements Scorer {
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = List.of("quality_technical");

    private final String modelFile;
    private final String rangeFile;

    public QualityScorer(String modelFile, String rangeFile) {
        if (!Files.isRegularFile(Path.of(modelFile)) || !Files.isRegularFile(Path.of(rangeFile))) {
            throw new dev.avcurate.filters.onnx.ModelException("BRISQUE model files missing: " + modelFile + ", " + rangeFile
                    + " (Debian package opencv-data; set score.quality.brisque_model / brisque_range)");
        }
        this.modelFile = modelFile;
        this.rangeFile = rangeFile;
    }

    /** The BRISQUE model of this scorer (one per task), created on first use; closed by {@link #close()}. */
    private QualityBRISQUE brisque;

    @Override
    public String name() {
        return "quality";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        int n = clip.frames().size();
        if (n == 0) return;
        List<Double> q = new ArrayList<>();
        for (double at : new double[] {0.1, 0.5, 0.9}) {
            VideoFrame f = clip.frames().get(Math.min(n - 1, (int) Math.floor(at * n)));
            if (brisque == null) brisque = QualityBRISQUE.create(modelFile, rangeFile); // the SVM model, loaded once
            try (BytePointer px = new BytePointer(f.bgr()); Mat m = new Mat(f.height(), f.width(), CV_8UC3, px);
                 Scalar s = brisque.compute(m)) {
                double score = s.get(0);
                q.add(Math.max(0, Math.min(1, (100 - score) / 100)));
            }
        }
        out.put("quality_technical", q.stream().mapToDouble(Double::doubleValue).average().orElseThrow() /* three frames, always */);
        out.put("quality_technical_estimator", "brisque_live_opencv:(100-brisque)/100");
    }

    @Override
    public void close() {
        if (brisque != null) brisque.close();
        brisque = null;
    }
}
