package dev.avcurate.ingest.shots;

import java.io.Serializable;

/** A run of frames between cuts or fades: frames [startFrame, endFrame), times [startS, endS). */
public record Shot(int index, long startFrame, long endFrame, double startS, double endS) implements Serializable {
    public double durationS() {
        return endS - startS;
    }
}
