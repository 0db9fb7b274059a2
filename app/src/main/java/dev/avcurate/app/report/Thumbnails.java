package dev.avcurate.app.report;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Gallery thumbnails made at report time (a grid that decoded video in the browser would be slow):
 * a few frames per clip, 160 px wide JPEG, as data URIs. Local files only; a clip whose video is
 * elsewhere or does not decode gets a reason instead, shown as text.
 */
final class Thumbnails {
    static final int WIDTH = 160;
    private final PrintStream log;
    private int count;

    Thumbnails(PrintStream log) {
        this.log = log;
        dev.avcurate.ingest.media.Ffmpeg.init(); // FFmpeg's own log off
    }

    int count() {
        return count;
    }

    /** What a clip's gallery entry shows: images, or why there are none. */
    record Strip(List<String> images, String problem) {}

    Strip of(String uri, double start, double end, int frames) {
        Path file;
        try {
            URI u = URI.create(uri);
            file = u.getScheme() == null ? Path.of(uri) : "file".equals(u.getScheme()) ? Path.of(u) : null;
        } catch (IllegalArgumentException e) {
            file = Path.of(uri);
        }
        if (file == null) return new Strip(List.of(), "no thumbnails: not a local file");
        if (!Files.isRegularFile(file)) return new Strip(List.of(), "no thumbnails: file not found");
        List<String> out = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile()); Java2DFrameConverter conv = new Java2DFrameConverter()) {
            g.start();
            for (int k = 0; k < frames; k++) {
                double t = start + (end - start) * (k + 1) / (frames + 1);
                g.setTimestamp(Math.round(t * 1_000_000));
                Frame f = g.grabImage();
                if (f == null) break;
                BufferedImage img = conv.convert(f);
                if (img == null) break;
                out.add("data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpeg(img)));
                count++;
            }
            g.stop();
        } catch (Exception e) {
            log.println("[report] no thumbnails for " + uri + ": " + e.getMessage());
            return new Strip(out, "no thumbnails: " + e.getClass().getSimpleName());
        }
        return new Strip(out, out.isEmpty() ? "no thumbnails: no frame decoded" : null);
    }

    private static byte[] jpeg(BufferedImage src) throws IOException {
        int h = Math.max(1, Math.round((float) src.getHeight() * WIDTH / src.getWidth()));
        BufferedImage small = new BufferedImage(WIDTH, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, WIDTH, h, null);
        g.dispose();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(small, "jpg", b);
        return b.toByteArray();
    }
}
