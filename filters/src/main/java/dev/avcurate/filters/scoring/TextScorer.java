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
    /** The score columns this scorer writes (ScorerSet declares them in the table before any scorer runs). */
    public static final List<String> COLUMNS = dev.avcurate.core.ScoreColumns.of("text");

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
        return COLUMNS;
    }

    @Override
    public void score(DecodedClip clip, ClipContext ctx, Map<String, Object> out) {
        scoreBatch(List.of(clip), List.of(ctx), List.of(out));
    }

    /** Frames of all the clips go through the detector together, one batch per frame size. */
    @Override
    public void scoreBatch(List<DecodedClip> clips, List<ClipContext> ctxs, List<Map<String, Object>> outs) {
        List<List<Integer>> idx = new ArrayList<>();
        Map<String, List<int[]>> bySize = new java.util.LinkedHashMap<>(); // "w x h" -> (clip, k)
        for (int c = 0; c < clips.size(); c++) {
            int n = clips.get(c).frames().size();
            List<Integer> mine = new ArrayList<>();
            int k = Math.min(frames, n);
            for (int i = 0; i < k; i++) mine.add((int) Math.round((i + 0.5) * n / k - 0.5));
            idx.add(mine);
            for (int j = 0; j < mine.size(); j++) {
                VideoFrame f = clips.get(c).frames().get(mine.get(j));
                bySize.computeIfAbsent(f.width() + "x" + f.height(), s -> new ArrayList<>()).add(new int[] {c, j});
            }
        }
        List<List<List<Box>>> text = new ArrayList<>();
        for (List<Integer> mine : idx) {
            List<List<Box>> slots = new ArrayList<>();
            for (int j = 0; j < mine.size(); j++) slots.add(null);
            text.add(slots);
        }
        for (List<int[]> group : bySize.values()) {
            List<VideoFrame> batch = new ArrayList<>();
            for (int[] cj : group) batch.add(clips.get(cj[0]).frames().get(idx.get(cj[0]).get(cj[1])));
            List<List<Box>> found = detector.detect(batch);
            for (int g = 0; g < group.size(); g++) text.get(group.get(g)[0]).set(group.get(g)[1], found.get(g));
        }
        for (int c = 0; c < clips.size(); c++) {
            if (idx.get(c).isEmpty()) continue;
            summarize(clips.get(c), idx.get(c), text.get(c), ctxs.get(c), outs.get(c));
        }
    }

    private void summarize(DecodedClip clip, List<Integer> idx, List<List<Box>> text, ClipContext ctx, Map<String, Object> out) {
        List<VideoFrame> chosen = new ArrayList<>();
        for (int i : idx) chosen.add(clip.frames().get(i));
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
        out.put("text_face_overlap_estimator", est + (ctx.faces() == null ? "+no_faces" : "+" + ctx.faceDetector()));
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
