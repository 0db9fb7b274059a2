package dev.avcurate.captioning;

import java.io.Serializable;

/** One kept clip to caption, with its cache key (clip, model, prompt version) and measured attributes. */
public record CaptionTask(String captionKey, String clipId, String videoId, String uri, double startS, double endS,
                          ClipAttributes attributes) implements Serializable {}
