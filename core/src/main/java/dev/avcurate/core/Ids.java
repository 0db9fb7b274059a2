package dev.avcurate.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable identifiers: the same input always gets the same id, on any machine and in any run.
 * A video is identified by its URI as listed (scheme and path); a clip by its video and its
 * time range in milliseconds.
 */
public final class Ids {
    private Ids() {}

    public static String videoId(String uri) {
        return sha256Hex(uri).substring(0, 16);
    }

    public static String clipId(String videoId, double startS, double endS) {
        return sha256Hex(videoId + ":" + Math.round(startS * 1000) + ":" + Math.round(endS * 1000)).substring(0, 16);
    }

    public static String sha256Hex(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
