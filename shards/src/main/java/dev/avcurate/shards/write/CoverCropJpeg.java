package dev.avcurate.shards.write;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Centre-crops packed BGR frames of the covering size to the bucket and JPEG-encodes them. The
 * crop is copied row by row straight into one native buffer that the encoder reads, so a frame
 * costs no Java-side image copy. Owns its native buffers; one per decode, not thread-safe.
 */
final class CoverCropJpeg implements AutoCloseable {
    private final int srcW, srcH, outW, outH, x0, y0;
    private final BytePointer pixels;
    private final Mat mat;
    private final IntPointer params;

    CoverCropJpeg(int srcW, int srcH, int outW, int outH, int quality) {
        if (srcW < outW || srcH < outH) throw new IllegalArgumentException(srcW + "x" + srcH + " does not cover " + outW + "x" + outH);
        this.srcW = srcW;
        this.srcH = srcH;
        this.outW = outW;
        this.outH = outH;
        this.x0 = (srcW - outW) / 2;
        this.y0 = (srcH - outH) / 2;
        this.pixels = new BytePointer((long) outW * outH * 3);
        this.mat = new Mat(outH, outW, opencv_core.CV_8UC3, pixels);
        this.params = new IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality);
    }

    /**
     * The size to decode a {@code w x h} picture at so that it covers {@code outW x outH} with its
     * aspect kept: one side matches, the other overhangs and is cropped.
     */
    static int[] coverSize(int w, int h, int outW, int outH) {
        double s = Math.max((double) outW / w, (double) outH / h);
        return new int[] {Math.max(outW, (int) Math.round(w * s)), Math.max(outH, (int) Math.round(h * s))};
    }

    byte[] encode(byte[] bgr, int width, int height) {
        if (width != srcW || height != srcH) {
            throw new IllegalStateException("frame is " + width + "x" + height + ", expected " + srcW + "x" + srcH);
        }
        int row = outW * 3;
        for (int y = 0; y < outH; y++) pixels.position((long) y * row).put(bgr, ((y0 + y) * srcW + x0) * 3, row);
        pixels.position(0);
        // A fresh output vector per frame: imencode replaces the buffer it is given.
        try (BytePointer encoded = new BytePointer()) {
            if (!opencv_imgcodecs.imencode(".jpg", mat, encoded, params)) throw new IllegalStateException("JPEG encoding failed");
            byte[] out = new byte[(int) encoded.limit()];
            encoded.get(out);
            return out;
        }
    }

    @Override
    public void close() {
        params.close();
        mat.close();
        pixels.close();
    }
}
