package dev.avcurate.ingest.samples;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/** Painters for generated scenes: textures, pans, a drawn talking face, subtitles, cuts and fades. */
public final class Scenes {
    private Scenes() {}

    /** A still background of coloured shapes, different for every seed. */
    public static SyntheticVideo.Painter textured(long seed) {
        return (g, i, t, w, h) -> drawTexture(g, seed, 0, w, h, w);
    }

    /** A camera pan: a wide texture moving left by {@code pxPerSecond}. */
    public static SyntheticVideo.Painter pan(long seed, double pxPerSecond) {
        return (g, i, t, w, h) -> {
            int shift = (int) Math.round(t * pxPerSecond);
            drawTexture(g, seed, shift, w, h, w * 4);
        };
    }

    /** A camera zoom: a still texture scaled about the centre by {@code exp(ratePerSecond * t)}. */
    public static SyntheticVideo.Painter zoom(long seed, double ratePerSecond) {
        SyntheticVideo.Painter still = textured(seed);
        return (g, i, t, w, h) -> {
            double z = Math.exp(ratePerSecond * t);
            AffineTransform saved = g.getTransform();
            g.translate(w / 2.0, h / 2.0);
            g.scale(z, z);
            g.translate(-w / 2.0, -h / 2.0);
            // Paint a margin around the frame so that zooming out shows texture, not a border.
            g.translate(-w, -h);
            g.scale(3, 3);
            still.paint(g, i, t, w, h);
            g.setTransform(saved);
        };
    }

    private static void drawTexture(Graphics2D g, long seed, int shift, int w, int h, int worldW) {
        SplittableRandom r = new SplittableRandom(seed);
        Color a = new Color(40 + r.nextInt(180), 40 + r.nextInt(180), 40 + r.nextInt(180));
        Color b = new Color(40 + r.nextInt(180), 40 + r.nextInt(180), 40 + r.nextInt(180));
        g.setPaint(new GradientPaint(-shift, 0, a, worldW - shift, h, b));
        g.fillRect(0, 0, w, h);
        int n = 12 * Math.max(1, worldW / Math.max(1, w));
        for (int k = 0; k < n; k++) {
            int x = r.nextInt(Math.max(1, worldW)) - shift;
            int y = r.nextInt(Math.max(1, h));
            int s = 10 + r.nextInt(Math.max(11, h / 3));
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            if (r.nextBoolean()) g.fillRect(x, y, s, s * 2 / 3); else g.fillOval(x, y, s, s);
        }
    }

    /**
     * A drawn head and shoulders whose mouth opens with the speech envelope, over a background.
     *
     * @param cx centre of the face as a fraction of the width
     * @param scale face height as a fraction of the frame height
     */
    public static SyntheticVideo.Painter talkingHead(SyntheticVideo.Painter background, SpeechSignal speech,
                                                      double cx, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Color skin = new Color(190 + r.nextInt(50), 140 + r.nextInt(50), 110 + r.nextInt(40));
        Color hair = new Color(r.nextInt(90), r.nextInt(70), r.nextInt(50));
        Color shirt = new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
        return (g, i, t, w, h) -> {
            background.paint(g, i, t, w, h);
            double mouth = speech == null ? 0 : speech.envelope(t);
            int fh = (int) (h * scale);
            int fw = (int) (fh * 0.75);
            int x0 = (int) (w * cx) - fw / 2 + (int) Math.round(2 * Math.sin(t * 1.3));
            int y0 = (int) (h * 0.48) - fh / 2 + (int) Math.round(1.5 * Math.sin(t * 0.9));
            g.setColor(shirt);
            g.fillRoundRect(x0 - fw / 2, y0 + fh - fh / 10, fw * 2, h, fw / 2, fw / 2);
            g.setColor(skin.darker());
            g.fillRect(x0 + fw / 3, y0 + fh * 8 / 10, fw / 3, fh / 4);
            g.setColor(hair);
            g.fillOval(x0 - fw / 20, y0 - fh / 12, fw + fw / 10, fh * 6 / 10);
            g.setColor(skin);
            g.fillOval(x0, y0, fw, fh);
            int eyeY = y0 + fh * 4 / 10;
            int eyeW = fw / 5, eyeH = fh / 12;
            for (int side = 0; side < 2; side++) {
                int ex = x0 + (side == 0 ? fw * 22 / 100 : fw * 58 / 100);
                g.setColor(Color.WHITE);
                g.fillOval(ex, eyeY, eyeW, eyeH);
                g.setColor(new Color(60, 40, 20));
                g.fillOval(ex + eyeW / 3, eyeY + eyeH / 8, eyeW / 3, eyeH * 3 / 4);
                g.setColor(hair);
                g.setStroke(new BasicStroke(Math.max(2, fh / 60f)));
                g.drawLine(ex, eyeY - eyeH / 2, ex + eyeW, eyeY - eyeH * 2 / 3);
            }
            g.setColor(skin.darker());
            g.drawLine(x0 + fw / 2, eyeY + eyeH, x0 + fw / 2 - fw / 20, y0 + fh * 64 / 100);
            int mw = fw * 36 / 100;
            int mh = Math.max(2, (int) Math.round(fh * (0.02 + 0.16 * mouth)));
            int mx = x0 + (fw - mw) / 2, my = y0 + fh * 74 / 100 - mh / 2;
            g.setColor(new Color(150, 50, 50));
            g.fillOval(mx - 2, my - 2, mw + 4, mh + 4);
            g.setColor(new Color(40, 10, 10));
            g.fillOval(mx, my, mw, mh);
        };
    }

    /** Burned-in subtitles: white text with a black outline in the bottom band, one line per period. */
    public static SyntheticVideo.Painter subtitles(SyntheticVideo.Painter under, String[] lines, double secondsPerLine) {
        return (g, i, t, w, h) -> {
            under.paint(g, i, t, w, h);
            String line = lines[(int) (t / secondsPerLine) % lines.length];
            Font font = new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, h / 14));
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            int x = (w - fm.stringWidth(line)) / 2;
            int y = h - h / 12;
            GlyphVector gv = font.createGlyphVector(g.getFontRenderContext(), line);
            g.translate(x, y);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(Math.max(2, h / 120f)));
            g.draw(gv.getOutline());
            g.setColor(Color.WHITE);
            g.fill(gv.getOutline());
            g.translate(-x, -y);
        };
    }

    /** Hard cuts: shot k is shown from frame {@code cuts[k-1]} (0 for k = 0) up to {@code cuts[k]}. */
    public static SyntheticVideo.Painter cuts(int[] cutFrames, SyntheticVideo.Painter... shots) {
        if (shots.length != cutFrames.length + 1) throw new IllegalArgumentException("need one more shot than cuts");
        return (g, i, t, w, h) -> {
            int k = 0;
            while (k < cutFrames.length && i >= cutFrames[k]) k++;
            shots[k].paint(g, i, t, w, h);
        };
    }

    /**
     * A cross-dissolve: {@code from} up to frame {@code start}, then {@code (1 - a) from + a to}
     * with {@code a = (i - start + 1) / (end - start + 1)} rising linearly over frames
     * {@code [start, end)}, then {@code to}. Frames {@code [start, end)} are the blended ones.
     */
    public static SyntheticVideo.Painter dissolve(SyntheticVideo.Painter from, SyntheticVideo.Painter to, int start, int end) {
        BufferedImage[] over = new BufferedImage[1];
        return (g, i, t, w, h) -> {
            if (i >= end) {
                to.paint(g, i, t, w, h);
                return;
            }
            from.paint(g, i, t, w, h);
            if (i < start) return;
            if (over[0] == null || over[0].getWidth() != w || over[0].getHeight() != h) {
                over[0] = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            }
            Graphics2D o = over[0].createGraphics();
            o.setRenderingHints(g.getRenderingHints());
            to.paint(o, i, t, w, h);
            o.dispose();
            float a = (float) ((i - start + 1) / (double) (end - start + 1));
            java.awt.Composite saved = g.getComposite();
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, a));
            g.drawImage(over[0], 0, 0, null);
            g.setComposite(saved);
        };
    }

    /** Darkens to black over [outStart, outEnd) frames, stays black, and comes back over [inStart, inEnd). */
    public static SyntheticVideo.Painter fade(SyntheticVideo.Painter p, int outStart, int outEnd, int inStart, int inEnd) {
        return (g, i, t, w, h) -> {
            p.paint(g, i, t, w, h);
            double dark;
            if (i < outStart || i >= inEnd) dark = 0;
            else if (i < outEnd) dark = (i - outStart + 1) / (double) (outEnd - outStart);
            else if (i < inStart) dark = 1;
            else dark = 1 - (i - inStart + 1) / (double) (inEnd - inStart);
            if (dark > 0) {
                g.setColor(new Color(0f, 0f, 0f, (float) Math.min(1, dark)));
                g.fillRect(0, 0, w, h);
            }
        };
    }
}
