package dev.avcurate.ingest.media;

/** Turns packed pixel rows by 90, 180 or 270 degrees clockwise. */
public final class Rotation {
    private Rotation() {}

    /** Rotates {@code src} ({@code w x h}, {@code ch} bytes per pixel) clockwise into {@code dst}. */
    public static void rotate(byte[] src, int w, int h, int ch, int degreesCw, byte[] dst) {
        switch (degreesCw) {
            case 90 -> { // dst is h x w; dst(x', y') with x' = h-1-y, y' = x
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int s = (y * w + x) * ch;
                        int d = (x * h + (h - 1 - y)) * ch;
                        for (int c = 0; c < ch; c++) dst[d + c] = src[s + c];
                    }
                }
            }
            case 180 -> {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int s = (y * w + x) * ch;
                        int d = ((h - 1 - y) * w + (w - 1 - x)) * ch;
                        for (int c = 0; c < ch; c++) dst[d + c] = src[s + c];
                    }
                }
            }
            case 270 -> { // dst is h x w; x' = y, y' = w-1-x
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int s = (y * w + x) * ch;
                        int d = ((w - 1 - x) * h + y) * ch;
                        for (int c = 0; c < ch; c++) dst[d + c] = src[s + c];
                    }
                }
            }
            default -> System.arraycopy(src, 0, dst, 0, w * h * ch);
        }
    }
}
