package dev.avcurate.filters.scoring;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.DataBufferByte;
import java.awt.image.Kernel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import org.junit.jupiter.api.Test;

/**
 * The DCT perceptual hash against the formula and against scipy, and its behaviour on generated
 * pictures: edits that keep the footage stay a few bits apart, other scenes about half the bits.
 */
class PhashTest {
    static final int W = 456, H = 256;

    /** The known 32x32 input of the reference tests (integers only, so Python computes the same pixels). */
    static int known(int x, int y) {
        return (x * x * 3 + y * 17 + x * y * 5 + (x * 31 + y * 7) % 29) % 256;
    }

    static byte[] knownGrey() {
        byte[] g = new byte[32 * 32];
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) g[y * 32 + x] = (byte) known(x, y);
        return g;
    }

    @Test
    void matchesANaiveDctOfTheFormula() {
        byte[] g = knownGrey();
        // F(u, v) = sum_y sum_x 4 f(x, y) cos(pi u (2y + 1) / 64) cos(pi v (2x + 1) / 64): scipy's unnormalised DCT-II on both axes.
        double[] f = new double[64];
        for (int u = 0; u < 8; u++) {
            for (int v = 0; v < 8; v++) {
                double s = 0;
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        s += 4 * (g[y * 32 + x] & 0xff) * Math.cos(Math.PI * u * (2 * y + 1) / 64) * Math.cos(Math.PI * v * (2 * x + 1) / 64);
                    }
                }
                f[u * 8 + v] = s;
            }
        }
        double[] sorted = f.clone();
        Arrays.sort(sorted);
        double median = (sorted[31] + sorted[32]) / 2;
        long expected = 0;
        for (int i = 0; i < 64; i++) if (f[i] > median) expected |= 1L << (63 - i);
        long h = PerceptualHash.dct64(g, 32, 32);
        assertEquals(expected, h);
        assertEquals(32, Long.bitCount(h), "a median split sets half the bits");
        // imagehash.phash's arithmetic (scipy.fftpack.dct on both axes, numpy median) on the same pixels, computed once in Python.
        assertEquals("ddb62822123f1b37", PerceptualHash.format(h));
    }

    @Test
    void areaResizeAveragesBlocksAndHandlesFractionalSteps() {
        double[] src = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        assertArrayEquals(new double[] {3.5, 5.5, 11.5, 13.5}, PerceptualHash.resizeArea(src, 4, 4, 2, 2), 1e-12);
        // 3 -> 2: the middle pixel is split half and half.
        assertArrayEquals(new double[] {(1 + 0.5 * 2) / 1.5, (0.5 * 2 + 3) / 1.5}, PerceptualHash.resizeArea(new double[] {1, 2, 3}, 3, 1, 2, 1), 1e-12);
        double[] flat = new double[37 * 23];
        Arrays.fill(flat, 77);
        for (double v : PerceptualHash.resizeArea(flat, 37, 23, 32, 32)) assertEquals(77, v, 1e-9);
    }

    @Test
    void formatAndParseRoundTrip() {
        long[] h = {0L, -1L, 0x0123456789abcdefL};
        String s = PerceptualHash.format(h);
        assertEquals("0000000000000000,ffffffffffffffff,0123456789abcdef", s);
        assertArrayEquals(h, PerceptualHash.parse(s));
        assertNull(PerceptualHash.parse(null));
        assertNull(PerceptualHash.parse(""));
        assertThrows(IllegalArgumentException.class, () -> PerceptualHash.parse("abc"));
        assertEquals(64, PerceptualHash.distance(0L, -1L));
        assertEquals(65, PerceptualHash.distance(h, new long[] {1L, 0L, 0x0123456789abcdefL}));
    }

    // ---- generated pictures ----

    static BufferedImage paint(SyntheticVideo.Painter p, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        p.paint(g, 0, 0.7, w, h);
        g.dispose();
        return img;
    }

    static long hash(BufferedImage img) {
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        return PerceptualHash.ofBgr(bgr, img.getWidth(), img.getHeight());
    }

    static BufferedImage jpeg(BufferedImage img, float quality) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            w.setOutput(ImageIO.createImageOutputStream(bytes));
            w.write(null, new IIOImage(img, null, null), p);
            w.dispose();
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
            return scaled(back, 0, 0, back.getWidth(), back.getHeight(), back.getWidth(), back.getHeight());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static BufferedImage blur(BufferedImage img, int k) {
        float[] kern = new float[k * k];
        Arrays.fill(kern, 1f / (k * k));
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        new ConvolveOp(new Kernel(k, k, kern), ConvolveOp.EDGE_NO_OP, null).filter(img, out);
        return out;
    }

    static BufferedImage brighter(BufferedImage img, int delta) {
        BufferedImage out = scaled(img, 0, 0, img.getWidth(), img.getHeight(), img.getWidth(), img.getHeight());
        byte[] px = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) px[i] = (byte) Math.min(255, (px[i] & 0xff) + delta);
        return out;
    }

    /** The source rectangle (x, y, w, h) drawn at ow x oh with bilinear filtering. */
    static BufferedImage scaled(BufferedImage img, int x, int y, int w, int h, int ow, int oh) {
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, ow, oh, x, y, x + w, y + h, null);
        g.dispose();
        return out;
    }

    /** Crops {@code ratio} of each dimension (half on each side) and scales back to the original size. */
    static BufferedImage cropCentre(BufferedImage img, double ratio) {
        int w = img.getWidth(), h = img.getHeight();
        int dx = (int) Math.round(w * ratio / 2), dy = (int) Math.round(h * ratio / 2);
        return scaled(img, dx, dy, w - 2 * dx, h - 2 * dy, w, h);
    }

    /** Crops {@code ratio} of each dimension from the top-left corner only and scales back. */
    static BufferedImage cropCorner(BufferedImage img, double ratio) {
        int w = img.getWidth(), h = img.getHeight();
        int dx = (int) Math.round(w * ratio), dy = (int) Math.round(h * ratio);
        return scaled(img, dx, dy, w - dx, h - dy, w, h);
    }

    static List<SyntheticVideo.Painter> scenes() {
        List<SyntheticVideo.Painter> out = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) out.add(Scenes.textured(seed * 101));
        for (long seed = 1; seed <= 6; seed++) {
            out.add(Scenes.talkingHead(Scenes.textured(seed * 37), new SpeechSignal(seed, 120), 0.4 + 0.04 * seed, 0.55, seed));
        }
        return out;
    }

    static final Map<String, UnaryOperator<BufferedImage>> EDITS = new java.util.LinkedHashMap<>();

    static {
        EDITS.put("jpeg q0.10", i -> jpeg(i, 0.10f));
        EDITS.put("blur 5x5", i -> blur(i, 5));
        EDITS.put("brightness +10", i -> brighter(i, 10));
        EDITS.put("rescale 640x360", i -> scaled(i, 0, 0, W, H, 640, 360));
        EDITS.put("rescale 228x128", i -> scaled(i, 0, 0, W, H, 228, 128));
        EDITS.put("crop 5% centre", i -> cropCentre(i, 0.05));
        EDITS.put("crop 5% corner", i -> cropCorner(i, 0.05));
        EDITS.put("all of them", i -> cropCentre(brighter(blur(jpeg(scaled(i, 0, 0, W, H, 640, 360), 0.15f), 3), 10), 0.05));
    }

    @Test
    void identicalFramesHashTheSame() {
        BufferedImage img = paint(Scenes.textured(9), W, H);
        assertEquals(0, PerceptualHash.distance(hash(img), hash(paint(Scenes.textured(9), W, H))));
    }

    /**
     * Measured on these 12 scenes (6 textures, 6 talking heads), worst / mean bits of 64: JPEG at
     * quality 0.1 4 / 1.7, 5x5 blur 0, rescales 0, brightness +10 2 / 0.3 (a uniform offset moves
     * only the DC term, which stays above the median, except where pixels clip at 255); a 5% crop
     * kept centred 12 / 5.5, a 5% crop from one corner (the picture also shifts) 16 / 10, all the
     * edits together 12 / 5.8. Unrelated scenes (below) are 20 or more apart, 32 on average. A
     * crop is what pHash tolerates least: its low frequencies move with the framing. The bounds
     * leave 2 bits (one swap: a median split moves bits in pairs) for JDK codec differences.
     */
    @Test
    void editsOfTheSamePictureStayClose() {
        Map<String, Integer> worst = new java.util.LinkedHashMap<>();
        Map<String, Double> mean = new java.util.LinkedHashMap<>();
        List<SyntheticVideo.Painter> scenes = scenes();
        for (SyntheticVideo.Painter p : scenes) {
            BufferedImage img = paint(p, W, H);
            long h = hash(img);
            for (var e : EDITS.entrySet()) {
                int d = PerceptualHash.distance(h, hash(e.getValue().apply(img)));
                worst.merge(e.getKey(), d, Math::max);
                mean.merge(e.getKey(), d / (double) scenes.size(), Double::sum);
            }
        }
        System.out.println("[phash] worst distance per edit over " + scenes.size() + " scenes: " + worst + ", mean " + mean);
        for (String e : List.of("jpeg q0.10", "blur 5x5", "brightness +10", "rescale 640x360", "rescale 228x128")) {
            assertTrue(worst.get(e) <= 6, e + ": " + worst.get(e) + " bits");
        }
        assertTrue(worst.get("crop 5% centre") <= 14 && mean.get("crop 5% centre") <= 8, "centre crop " + worst + " " + mean);
        assertTrue(worst.get("all of them") <= 14 && mean.get("all of them") <= 8, "all edits " + worst + " " + mean);
        assertTrue(worst.get("crop 5% corner") <= 18 && mean.get("crop 5% corner") <= 12, "corner crop " + worst + " " + mean);
    }

    @Test
    void unrelatedScenesAreFarApart() {
        List<SyntheticVideo.Painter> scenes = scenes();
        long[] h = new long[scenes.size()];
        for (int i = 0; i < h.length; i++) h[i] = hash(paint(scenes.get(i), W, H));
        int min = 64;
        double sum = 0;
        int n = 0;
        for (int i = 0; i < h.length; i++) {
            for (int j = i + 1; j < h.length; j++) {
                int d = PerceptualHash.distance(h[i], h[j]);
                min = Math.min(min, d);
                sum += d;
                n++;
            }
        }
        System.out.println("[phash] unrelated scenes: min " + min + ", mean " + sum / n + " bits over " + n + " pairs");
        assertTrue(min >= 20, "closest unrelated pair: " + min);
    }
}
