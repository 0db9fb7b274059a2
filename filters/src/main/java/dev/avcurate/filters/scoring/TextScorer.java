package dev.avcurate.filters.scoring;

import dev.avcurate.filters.onnx.PpOcrDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text and subtitle occlusion on {@code frames} evenly spaced frames of the clip:
 * {@code text_area_ratio}, the mean share of the frame covered by detected text, and
 * {@code text_face_overlap}, the mean share of face area covered by text boxes over frames with
 * a face (subtitles over the face; null when no face was seen).
 */
public final class TextScorer implements Scorer {
    private final PpOcrDetector detector;
    private final int frames;
    private final SubtitleReader reader;

    /** @param reader Tesseract for the subtitle band, or null to skip reading (subtitle_text stays null) */
    public TextScorer(PpOcrDetector detector, int frames, SubtitleReader reader) {
        this.detector = detector;
        this.frames = frames;
        this.reader = reader;
    }

    @Override
    public String name() {
        return "text";
    }

    @Override
    public List<String> columns() {
        return List.of("text_area_ratio", "text_face_overlap", "subtitle_text");
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        int n = clip.frames().size();
        if (n == 0) return;
        List<Integer> idx = new ArrayList<>();
        int k = Math.min(frames, n);
        for (int i = 0; i < k; i++) idx.add((int) Math.round((i + 0.5) * n / k - 0.5));
        List<VideoFrame> chosen = new ArrayList<>();
        for (int i : idx) chosen.add(clip.frames().get(i));
        List<List<Box>> text = detector.detect(chosen);
        double areaSum = 0, overlapSum = 0;
        int faceFrames = 0;
        for (int j = 0; j < chosen.size(); j++) {
            VideoFrame f = chosen.get(j);
            boolean[] mask = mask(text.get(j), f.width(), f.height());
            int covered = 0;
            for (boolean b : mask) if (b) covered++;
            areaSum += covered / (double) mask.length;
            List<List<Box>> faces = ctx.faces();
            if (faces != null && !faces.get(idx.get(j)).isEmpty()) {
                long faceArea = 0, under = 0;
                for (Box face : faces.get(idx.get(j))) {
                    Box c = face.clip(f.width(), f.height());
                    for (int y = (int) c.y0(); y < (int) Math.ceil(c.y1()); y++) {
                        for (int x = (int) c.x0(); x < (int) Math.ceil(c.x1()); x++) {
                            faceArea++;
                            if (mask[y * f.width() + x]) under++;
                        }
                    }
                }
                if (faceArea > 0) {
                    overlapSum += under / (double) faceArea;
                    faceFrames++;
                }
            }
        }
        if (reader != null) {
            // The middle text frame's subtitle band, read once per clip.
            int mid = chosen.size() / 2;
            out.put("subtitle_text", reader.read(chosen.get(mid), text.get(mid)));
            out.put("subtitle_text_estimator", "tesseract_5.5_lstm_eng");
        }
        out.put("text_area_ratio", areaSum / chosen.size());
        out.put("text_face_overlap", faceFrames == 0 ? null : overlapSum / faceFrames);
        String est = "ppocrv4_det_db@" + detector.device();
        out.put("text_area_ratio_estimator", est);
        out.put("text_face_overlap_estimator", est + (ctx.faces() == null ? "+no_faces" : "+blazeface"));
    }

    @Override
    public void close() {
        if (reader != null) reader.close();
    }

    static boolean[] mask(List<Box> boxes, int w, int h) {
        boolean[] m = new boolean[w * h];
        for (Box b : boxes) {
            Box c = b.clip(w, h);
            for (int y = (int) c.y0(); y < (int) Math.ceil(c.y1()); y++) {
                for (int x = (int) c.x0(); x < (int) Math.ceil(c.x1()); x++) m[y * w + x] = true;
            }
        }
        return m;
    }
}
