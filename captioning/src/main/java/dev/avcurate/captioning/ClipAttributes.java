package dev.avcurate.captioning;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What earlier stages measured about a clip, in the words of a caption: shot size from the face
 * (or person) box size, camera movement, people and speakers, on-screen text, lighting. They go
 * into the VLM prompt as hints and into the captions table as columns; with no VLM they make the
 * caption itself ({@link #compose()}). Null when the scorer behind it did not run.
 *
 * @param faceAreaRatio median area of the largest face box over the frame (score column face_area_ratio)
 */
public record ClipAttributes(Double faceAreaRatio, Double personAreaRatio, Double faceFramesRatio, String cameraMotion, Integer people,
                             Integer speakers, Double activeSpeakerRatio, Double speechRatio, Double textAreaRatio, Double brightness)
        implements Serializable {
    /** The clips columns read; a missing one reads as null. */
    public static final List<String> COLUMNS = List.of("face_area_ratio", "person_area_ratio", "face_frames_ratio", "camera_motion",
            "max_faces", "speaker_count", "active_speaker_ratio", "speech_ratio", "text_area_ratio", "brightness_mean");
    /** Version of the composed-caption wording (the prompt version of attribute captions). */
    public static final String COMPOSED_VERSION = "attributes-v2";

    public static ClipAttributes of(Map<String, Object> v) {
        return new ClipAttributes(d(v, "face_area_ratio"), d(v, "person_area_ratio"), d(v, "face_frames_ratio"),
                v.get("camera_motion") instanceof String s ? s : null, i(v, "max_faces"), i(v, "speaker_count"),
                d(v, "active_speaker_ratio"), d(v, "speech_ratio"), d(v, "text_area_ratio"), d(v, "brightness_mean"));
    }

    private static Double d(Map<String, Object> v, String k) {
        return v.get(k) instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.doubleValue() : null;
    }

    private static Integer i(Map<String, Object> v, String k) {
        Double x = d(v, k);
        return x == null ? null : (int) Math.round(x);
    }

    /**
     * Shot size by the share of the frame the largest face covers (BlazeFace boxes span brow to
     * chin): a head filling a quarter of the frame is an extreme close-up, head and shoulders
     * (8%) a close-up, chest up (3%) a medium close-up, waist up (1%) a medium shot, a whole body
     * (0.3%) a full shot. Without a face, by the people's share of the frame.
     */
    public String shotSize() {
        boolean face = faceAreaRatio != null && faceAreaRatio > 0 && (faceFramesRatio == null || faceFramesRatio >= 0.5);
        if (face) {
            if (faceAreaRatio >= 0.25) return "extreme close-up";
            if (faceAreaRatio >= 0.08) return "close-up";
            if (faceAreaRatio >= 0.03) return "medium close-up";
            if (faceAreaRatio >= 0.01) return "medium shot";
            if (faceAreaRatio >= 0.003) return "full shot";
            return "wide shot";
        }
        if (personAreaRatio == null) return null;
        if (personAreaRatio >= 0.3) return "medium shot";
        if (personAreaRatio >= 0.08) return "full shot";
        return "wide shot";
    }

    /**
     * Speakers: the sync stage's count, else one when a face speaks for a fifth of the clip; never
     * more than the faces seen at once (speaker_count counts face tracks, and one person's track
     * broken by a look away or a missed detection counts twice).
     */
    public Integer speakerCount() {
        Integer n = speakers != null ? speakers : activeSpeakerRatio != null ? (activeSpeakerRatio >= 0.2 ? 1 : 0) : null;
        if (n != null && people != null) n = Math.min(n, people);
        return n;
    }

    /** On-screen text (subtitles, captions, signs): detected text covering more than 0.2% of the frame. */
    public Boolean hasText() {
        return textAreaRatio == null ? null : textAreaRatio > 0.002;
    }

    public String lighting() {
        if (brightness == null) return null;
        return brightness < 60 ? "dim" : brightness > 170 ? "bright" : "even";
    }

    String cameraPhrase() {
        if (cameraMotion == null) return null;
        return switch (cameraMotion) {
            case "static" -> "a static camera";
            case "pan_left" -> "a camera panning left";
            case "pan_right" -> "a camera panning right";
            case "tilt_up" -> "a camera tilting up";
            case "tilt_down" -> "a camera tilting down";
            case "zoom_in" -> "a camera zooming in";
            case "zoom_out" -> "a camera zooming out";
            case "shaky" -> "a shaky handheld camera";
            default -> null;
        };
    }

    /** The measured attributes as prompt hints, one per line; "none measured" when nothing ran. */
    public String hints() {
        List<String> h = new ArrayList<>();
        if (shotSize() != null) {
            h.add(faceAreaRatio != null && faceAreaRatio > 0
                    ? String.format(Locale.ROOT, "- shot size: %s (the largest face covers %.1f%% of the frame)", shotSize(), 100 * faceAreaRatio)
                    : "- shot size: " + shotSize());
        }
        if (cameraMotion != null) h.add("- camera movement: " + cameraMotion.replace('_', ' '));
        if (people != null) h.add("- faces visible at once: " + people);
        if (speakerCount() != null) h.add("- people speaking: " + speakerCount());
        if (hasText() != null) h.add("- on-screen text or subtitles: " + (hasText() ? "yes" : "none detected"));
        if (lighting() != null) h.add(String.format(Locale.ROOT, "- lighting: %s (mean luma %.0f of 255)", lighting(), brightness));
        return h.isEmpty() ? "- none measured" : String.join("\n", h);
    }

    /**
     * A caption made of the measured attributes alone (no VLM): plain sentences in the recipe's
     * order, camera then people then scene, and no word the attributes do not support.
     */
    public String compose() {
        StringBuilder sb = new StringBuilder();
        String shot = shotSize();
        int n = people == null ? -1 : people;
        String who = n == 0 ? "a scene without a visible face" : n == 1 ? "one person with the face visible"
                : n > 1 ? number(n) + " people with their faces visible" : "people";
        sb.append(shot == null ? "A shot" : cap(article(shot)) + " " + shot).append(" of ").append(who);
        String cam = cameraPhrase();
        if (cam != null) sb.append(", filmed with ").append(cam);
        sb.append(". ");
        Integer sp = speakerCount();
        if (sp != null && n != 0) {
            if (sp == 0) sb.append(n == 1 ? "The person is not speaking on camera. " : "Nobody is seen speaking. ");
            else if (sp == 1) sb.append(n == 1 ? "The person is talking during the clip. " : "One of them is talking during the clip. ");
            else if (sp == n) sb.append(n == 2 ? "Both of them" : "All " + number(n) + " of them").append(" take turns talking. ");
            else sb.append(cap(number(sp))).append(" of them take turns talking. ");
        } else if (speechRatio != null && speechRatio >= 0.2) {
            sb.append("Speech can be heard during the clip. ");
        }
        if (lighting() != null) sb.append("The scene is ").append(lighting().equals("even") ? "evenly lit" : lighting().equals("dim") ? "dimly lit" : "brightly lit").append(". ");
        if (hasText() != null) sb.append(hasText() ? "Text or subtitles appear on screen." : "No on-screen text is visible.");
        return sb.toString().strip();
    }

    private static String article(String s) {
        return "aeiou".indexOf(Character.toLowerCase(s.charAt(0))) >= 0 ? "an" : "a";
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String number(int n) {
        String[] w = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
        return n < w.length ? w[n] : Integer.toString(n);
    }
}
