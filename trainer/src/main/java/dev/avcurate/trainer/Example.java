package dev.avcurate.trainer;

/**
 * One training or sampling window of a clip, as arrays ready for tensors; values in [-1, 1].
 *
 * @param video (C, F, H, W) the frames to generate
 * @param motion (C, M, H, W) the frames before them, oldest first (the clip's first frame repeated
 *     where the window starts near the clip's start)
 * @param reference (C, H, W) the clip's reference frame
 * @param text the caption embedding, zeros when the clip has none ({@code hasText} false)
 * @param mel (bins, S * melPerFrame) log-mel of the audio under the S generated (DiT) frames; through a VAE
 *     each of them spans 4 of the F pixel frames
 */
public record Example(String clipId, String bucket, int height, int width, int frames, int motionFrames,
        float[] video, float[] motion, float[] reference, float[] text, boolean hasText, float[] mel) {}
