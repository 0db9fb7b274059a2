package dev.avcurate.captioning;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Measured attributes in words: shot sizes from known box sizes, hints, and captions without a VLM. */
class ClipAttributesTest {
    static ClipAttributes of(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return ClipAttributes.of(m);
    }

    @Test
    void shotSizeFollowsTheFaceShareOfTheFrame() {
        assertEquals("extreme close-up", of("face_area_ratio", 0.3, "face_frames_ratio", 1.0).shotSize());
        assertEquals("close-up", of("face_area_ratio", 0.12).shotSize());
        assertEquals("medium close-up", of("face_area_ratio", 0.05).shotSize());
        assertEquals("medium shot", of("face_area_ratio", 0.015).shotSize());
        assertEquals("full shot", of("face_area_ratio", 0.005).shotSize());
        assertEquals("wide shot", of("face_area_ratio", 0.001).shotSize());
        assertEquals("full shot", of("face_area_ratio", 0.0, "person_area_ratio", 0.1).shotSize(), "no face: by the people's share");
        assertEquals("close-up", of("face_area_ratio", 0.12, "face_frames_ratio", 0.9).shotSize());
        assertNull(of().shotSize());
    }

    @Test
    void hintsSayWhatWasMeasuredAndNothingElse() {
        ClipAttributes a = of("face_area_ratio", 0.12, "camera_motion", "pan_left", "max_faces", 2.0, "speaker_count", 1.0,
                "text_area_ratio", 0.03, "brightness_mean", 200.0);
        String h = a.hints();
        assertTrue(h.contains("shot size: close-up (the largest face covers 12.0% of the frame)"), h);
        assertTrue(h.contains("camera movement: pan left"), h);
        assertTrue(h.contains("faces visible at once: 2"), h);
        assertTrue(h.contains("people speaking: 1"), h);
        assertTrue(h.contains("on-screen text or subtitles: yes"), h);
        assertTrue(h.contains("lighting: bright"), h);
        assertEquals("- none measured", of().hints());
    }

    @Test
    void aComposedCaptionReadsAsSentencesFromTheMeasurements() {
        ClipAttributes a = of("face_area_ratio", 0.12, "camera_motion", "static", "max_faces", 1.0, "speaker_count", 1.0,
                "text_area_ratio", 0.0, "brightness_mean", 120.0);
        assertEquals("A close-up of one person with the face visible, filmed with a static camera. The person is talking during the clip. "
                + "The scene is evenly lit. No on-screen text is visible.", a.compose());
        ClipAttributes two = of("face_area_ratio", 0.02, "camera_motion", "zoom_in", "max_faces", 2.0, "speaker_count", 2.0,
                "brightness_mean", 40.0, "text_area_ratio", 0.01);
        assertEquals("A medium shot of two people with their faces visible, filmed with a camera zooming in. Both of them take turns "
                + "talking. The scene is dimly lit. Text or subtitles appear on screen.", two.compose());
        assertEquals("An extreme close-up of people.", of("face_area_ratio", 0.4).compose());
    }

    @Test
    void speakersNeverOutnumberThePeopleSeen() {
        // Real footage: one person's face track broken by a look away counts twice, so speaker_count can exceed max_faces.
        // The caption said "A medium close-up of two people ... Three of them take turns talking."
        ClipAttributes a = of("face_area_ratio", 0.05, "camera_motion", "static", "max_faces", 2.0, "speaker_count", 3.0);
        assertEquals(2, a.speakerCount());
        assertEquals("A medium close-up of two people with their faces visible, filmed with a static camera. Both of them take turns "
                + "talking.", a.compose());
        assertTrue(a.hints().contains("people speaking: 2"), a.hints());
        ClipAttributes one = of("face_area_ratio", 0.12, "max_faces", 1.0, "speaker_count", 2.0);
        assertEquals("A close-up of one person with the face visible. The person is talking during the clip.", one.compose());
        ClipAttributes three = of("face_area_ratio", 0.02, "max_faces", 3.0, "speaker_count", 5.0);
        assertTrue(three.compose().contains("three people with their faces visible. All three of them take turns talking."), three.compose());
        ClipAttributes fewer = of("face_area_ratio", 0.02, "max_faces", 4.0, "speaker_count", 2.0);
        assertTrue(fewer.compose().contains("four people with their faces visible. Two of them take turns talking."), fewer.compose());
        // Without a face count nothing bounds the speakers.
        assertEquals(3, of("speaker_count", 3.0).speakerCount());
        for (int faces = 0; faces <= 4; faces++) {
            for (int speakers = 0; speakers <= 6; speakers++) {
                ClipAttributes x = of("max_faces", (double) faces, "speaker_count", (double) speakers);
                assertTrue(x.speakerCount() <= faces, faces + " faces, " + speakers + " speakers: " + x.compose());
            }
        }
    }
}
