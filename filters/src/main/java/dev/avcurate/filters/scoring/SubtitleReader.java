package dev.avcurate.filters.scoring;

import static org.bytedeco.tesseract.global.tesseract.PSM_SINGLE_BLOCK;

import dev.avcurate.filters.onnx.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tesseract.TessBaseAPI;

/**
 * Reads the text of the subtitle band (text boxes in the bottom quarter of a frame) with
 * Tesseract's LSTM engine, for audits ({@code subtitle_text}). The band is cropped around the
 * boxes, converted to grey and enlarged 2x, then read as one block. Owner of its Tesseract
 * handle, released by {@link #close()}.
 *
 * <p>Every Tesseract call in the JVM goes through one lock: Tesseract keeps some parameters in
 * globals, and concurrent instances in Spark's task threads corrupted the native heap here
 * ("corrupted double-linked list"). One read per clip makes the lock cheap.
 */
public final class SubtitleReader implements AutoCloseable {
    private static final Object TESSERACT = new Object();
    private final TessBaseAPI api;

    public SubtitleReader(String tessdataDir, String language) {
        synchronized (TESSERACT) {
            api = new TessBaseAPI();
            init(tessdataDir, language);
        }
    }

    private void init(String tessdataDir, String language) {
        if (!Files.isRegularFile(Path.of(tessdataDir, language + ".traineddata"))) {
            api.close();
            throw new ModelException("Tesseract data missing: " + Path.of(tessdataDir, language + ".traineddata")
                    + " (Debian package tesseract-ocr-" + language + "; set score.text.tessdata)");
        }
        if (api.Init(tessdataDir, language) != 0) {
            api.close();
            throw new ModelException("Tesseract cannot load " + language + " from " + tessdataDir);
        }
        api.SetPageSegMode(PSM_SINGLE_BLOCK);
    }

    /** The text in the subtitle band of {@code f} given the detector's boxes, or "" when there is none. */
    public String read(VideoFrame f, List<Box> textBoxes) {
        synchronized (TESSERACT) {
            return readLocked(f, textBoxes);
        }
    }

    private String readLocked(VideoFrame f, List<Box> textBoxes) {
        double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = 0, y1 = 0;
        for (Box b : textBoxes) {
            if (b.y0() < f.height() * 0.75) continue;
            x0 = Math.min(x0, b.x0());
            y0 = Math.min(y0, b.y0());
            x1 = Math.max(x1, b.x1());
            y1 = Math.max(y1, b.y1());
        }
        if (x1 <= x0 || y1 <= y0) return "";
        int pad = 4;
        int cx0 = Math.max(0, (int) x0 - pad), cy0 = Math.max(0, (int) y0 - pad);
        int cx1 = Math.min(f.width(), (int) Math.ceil(x1) + pad), cy1 = Math.min(f.height(), (int) Math.ceil(y1) + pad);
        int w = (cx1 - cx0) * 2, h = (cy1 - cy0) * 2;
        byte[] grey = new byte[w * h];
        byte[] px = f.bgr();
        for (int y = 0; y < h; y++) {
            int sy = cy0 + y / 2;
            for (int x = 0; x < w; x++) {
                int o = (sy * f.width() + cx0 + x / 2) * 3;
                grey[y * w + x] = (byte) ((29 * (px[o] & 0xff) + 150 * (px[o + 1] & 0xff) + 77 * (px[o + 2] & 0xff)) >> 8);
            }
        }
        try (BytePointer img = new BytePointer(grey)) {
            api.SetImage(img, w, h, 1, w);
            BytePointer text = api.GetUTF8Text();
            try {
                return text == null ? "" : text.getString(java.nio.charset.StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            } finally {
                // A pointer returned by native code has no Java deallocator: Tesseract frees its own (delete[]).
                if (text != null) org.bytedeco.tesseract.global.tesseract.TessDeleteText(text);
                api.Clear();
            }
        }
    }

    @Override
    public void close() {
        synchronized (TESSERACT) {
            api.End();
            api.close();
        }
    }
}
