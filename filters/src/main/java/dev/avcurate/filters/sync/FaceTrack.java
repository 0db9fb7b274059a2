package dev.avcurate.filters.sync;

/**
 * One face followed over consecutive frames of the sync clock (25 fps): smoothed box centre and
 * half-size per frame (the {@code x, y, s} of syncnet_python's and Light-ASD's tracks, s = half
 * the larger box side) and the mouth-centre keypoint, all in pixels of the decoded frames.
 *
 * @param first index, on the sync clock, of the track's first frame
 */
public record FaceTrack(int first, double[] cx, double[] cy, double[] s, double[] mouthX, double[] mouthY) {
    public int length() {
        return cx.length;
    }

    /** One past the track's last frame on the sync clock. */
    public int end() {
        return first + cx.length;
    }
}
