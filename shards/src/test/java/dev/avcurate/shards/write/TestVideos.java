package dev.avcurate.shards.write;

import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Videos whose pictures say which frame they are and where their centre is: the background
 * colour carries the frame index (red = index mod 16, blue = index / 16 mod 16, green =
 * index / 256, in steps of 16 that survive MPEG-4 and JPEG), a white square marks the centre and
 * black bands of {@link #BAND} pixels run along all four edges.
 */
final class TestVideos {
    static final int BAND = 16;

    private TestVideos() {}

    static SyntheticVideo.Painter painter() {
        return (g, i, t, w, h) -> {
            g.setColor(new Color(8 + 16 * (i % 16), 8 + 16 * (i / 256 % 16), 8 + 16 * (i / 16 % 16)));
            g.fillRect(0, 0, w, h);
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, w, BAND);
            g.fillRect(0, h - BAND, w, BAND);
            g.fillRect(0, 0, BAND, h);
            g.fillRect(w - BAND, 0, BAND, h);
            int side = markerSide(w, h);
            g.setColor(Color.WHITE);
            g.fillRect((w - side) / 2, (h - side) / 2, side, side);
        };
    }

    static int markerSide(int w, int h) {
        return Math.min(w, h) / 5;
    }

    static Path video(Path file, int w, int h, double fps, double seconds, SyntheticVideo.AudioFn audio) throws IOException {
        return new SyntheticVideo().size(w, h).fps(fps).seconds(seconds).painter(painter()).audio(audio, 44_100, 2).write(file);
    }

    static BufferedImage image(byte[] jpeg) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
        if (img == null) throw new IOException("not an image");
        return img;
    }

    /** The frame index painted into the background, read from a patch at (x, y). */
    static int frameIndex(BufferedImage img, int x, int y) {
        double r = 0, gr = 0, b = 0;
        int n = 0;
        for (int dy = -3; dy <= 3; dy++) {
            for (int dx = -3; dx <= 3; dx++) {
                Color c = new Color(img.getRGB(x + dx, y + dy));
                r += c.getRed();
                gr += c.getGreen();
                b += c.getBlue();
                n++;
            }
        }
        int lo = (int) Math.round((r / n - 8) / 16), hi = (int) Math.round((b / n - 8) / 16), top = (int) Math.round((gr / n - 8) / 16);
        return top * 256 + hi * 16 + lo;
    }

    static boolean isWhite(BufferedImage img, int x, int y) {
        Color c = new Color(img.getRGB(x, y));
        return c.getRed() > 200 && c.getGreen() > 200 && c.getBlue() > 200;
    }

    static boolean isBlack(BufferedImage img, int x, int y) {
        Color c = new Color(img.getRGB(x, y));
        return c.getRed() < 40 && c.getGreen() < 40 && c.getBlue() < 40;
    }

    /** Bounding box {x0, y0, x1, y1} (inclusive) of the white pixels. */
    static int[] whiteBox(BufferedImage img) {
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (isWhite(img, x, y)) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return new int[] {x0, y0, x1, y1};
    }

    /** int16 little-endian sample k. */
    static int sample(byte[] audio, int k) {
        return (short) ((audio[2 * k] & 0xff) | (audio[2 * k + 1] << 8));
    }
}
