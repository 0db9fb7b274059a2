package dev.avcurate.filters.sync;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mouth-motion (weight-free) sync estimator end to end: generated talking heads whose audio is
 * shifted by a known number of frames, decoded and scored by faces + speech + sync as the score
 * stage runs them.
 */
class DefaultSyncEstimatorTest {
    static final Path MODELS = Path.of(System.getProperty("avcurate.models.dir", "../models"));
    static final ModelRegistry REG = ModelRegistry.load(Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf/models.yaml"));
    /** The classical estimators (mouth motion), which these generated talking heads were made for: drawn faces are no input for Light-ASD. */
    static final CurateConfig CFG = CurateConfig.defaults().withOverrides(List.of("score.scorers=[faces, speech, sync]",
            "score.sync.estimator=mouth_motion", "score.sync.asd_estimator=mouth_motion", "score.sync.mouth_motion_lips=false"));
    @TempDir
    static Path dir;
    static ScorerSet scorers;
    static ClipDecoder decoder;

    @BeforeAll
    static void open() {
        scorers = new ScorerSet(CFG, REG, MODELS);
        decoder = ScorerSet.decoder(CFG, 120, new Configuration());
    }

    /** A talking head whose mouth follows {@code lips}, with the audio of {@code voice}. */
    static Map<String, Object> score(String name, SpeechSignal lips, SpeechSignal voice, boolean face) throws Exception {
        return score(name, lips, voice, face, 25);
    }

    static Map<String, Object> score(String name, SpeechSignal lips, SpeechSignal voice, boolean face, double fps) throws Exception {
        SyntheticVideo.Painter bg = Scenes.textured(4);
        Path v = new SyntheticVideo().size(480, 270).fps(fps).seconds(8)
                .painter(face ? Scenes.talkingHead(bg, lips, 0.5, 0.55, 3) : bg)
                .audio(voice == null ? t -> 0f : voice::sample, 16_000, 1).write(dir.resolve(name + ".mp4"));
        DecodedClip c = decoder.decode(name, v.toString(), 0, 8, fps);
        assertEquals(200, c.syncFrames().size(), "25 fps sync clock");
        assertEquals(7.96, c.syncFrames().get(199).ptsS(), 1e-9, "frame i at i / 25 s, whatever the source's rate");
        assertEquals(40, c.frames().size(), "5 fps sample");
        Map<String, Object> out = scorers.score(c);
        System.out.println(name + " " + out);
        return out;
    }

    @Test
    void recoversKnownOffsetsWithinOneFrame() throws Exception {
        SpeechSignal s = new SpeechSignal(11, 140);
        for (int d : new int[] {0, 4, -8, -3, 10}) {
            Map<String, Object> out = score("offset" + d, s, s.delayed(d / 25.0), true);
            double off = (Double) out.get("av_offset_frames");
            assertEquals(d, off, 1.0, "offset " + d + ": " + out);
            assertTrue((Double) out.get("av_sync_confidence") >= 0.35, "confident at " + d + ": " + out);
            assertTrue((Double) out.get("active_speaker_ratio") > 0.3, "speaking: " + out);
            assertEquals("mouth_motion_xcorr+blazeface", out.get("av_offset_frames_estimator"));
        }
    }

    @Test
    void aSourceSlowerThanTheClockKeepsFrameTimesExact() throws Exception {
        // At 24 fps, frames taken as they come would drift 0.32 s from the audio by the 8th second.
        SpeechSignal s = new SpeechSignal(11, 140);
        Map<String, Object> out = score("fps24", s, s.delayed(4 / 25.0), true, 24);
        assertEquals(4, (Double) out.get("av_offset_frames"), 1.0, out.toString());
    }

    @Test
    void audioOfAnotherClipHasLowConfidence() throws Exception {
        Map<String, Object> out = score("foreign", new SpeechSignal(11, 140), new SpeechSignal(977, 120), true);
        assertTrue((Double) out.get("av_sync_confidence") < 0.2, out.toString());
    }

    @Test
    void silenceAndNoFaceGiveNoSpeaker() throws Exception {
        Map<String, Object> silent = score("silent", new SpeechSignal(11, 140), null, true);
        assertEquals(0.0, (Double) silent.get("active_speaker_ratio"), 1e-9, silent.toString());
        assertNull(silent.get("av_offset_frames"), "no speech: sync not measurable");
        Map<String, Object> faceless = score("faceless", null, new SpeechSignal(11, 140), false);
        assertEquals(0.0, (Double) faceless.get("active_speaker_ratio"), 1e-9, faceless.toString());
        assertEquals(0.0, (Double) faceless.get("speaker_count"), 1e-9);
    }
}
