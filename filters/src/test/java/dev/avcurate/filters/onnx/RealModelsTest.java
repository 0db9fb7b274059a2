package dev.avcurate.filters.onnx;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.VideoFrame;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real default models (fetched by the build from their registries) on generated inputs. */
class RealModelsTest {
    static final Path MODELS = Path.of(System.getProperty("avcurate.models.dir", "../models"));
    static final ModelRegistry REG = ModelRegistry.load(Path.of(System.getProperty("avcurate.repo.root", "..")).resolve("conf/models.yaml"));

    static OnnxSessions.Shared session(String name) {
        ModelSpec s = REG.get(name);
        return OnnxSessions.get(s, MODELS.resolve(s.file()), "cpu", 1);
    }

    static VideoFrame draw(dev.avcurate.ingest.samples.SyntheticVideo.Painter p, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        p.paint(g, 0, 0.3, w, h);
        g.dispose();
        return new VideoFrame(0, w, h, ((DataBufferByte) img.getRaster().getDataBuffer()).getData().clone());
    }

    @Test
    void blazeFaceFindsTheDrawnFaceWhereItIsAndNothingInATexture() {
        BlazeFace bf = new BlazeFace(session("blazeface"), 0.5, 0.3);
        VideoFrame face = draw(Scenes.talkingHead(Scenes.textured(1), new SpeechSignal(1, 120), 0.5, 0.6, 1), 456, 256);
        List<Box> boxes = bf.detect(face);
        System.out.println("faces: " + boxes);
        assertFalse(boxes.isEmpty(), "a face in the talking head");
        Box b = boxes.get(0);
        double cx = (b.x0() + b.x1()) / 2, cy = (b.y0() + b.y1()) / 2;
        assertEquals(228, cx, 30, "centre x");
        assertEquals(256 * 0.48, cy, 30, "centre y");
        assertTrue(bf.detect(draw(Scenes.textured(2), 456, 256)).isEmpty(), "no face in a texture");
    }

    static float[] wav16k(Path wav) throws Exception {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        float[][] acc = {new float[0]};
        java.util.List<Float> all = new java.util.ArrayList<>();
        try (dev.avcurate.ingest.media.MediaReader r = dev.avcurate.ingest.media.MediaReader.open(wav.toString(), Long.MAX_VALUE / 4, 1)) {
            r.decode(new dev.avcurate.ingest.media.DecodeRequest(0, Double.POSITIVE_INFINITY, 0, 0, 0, 0, false, false, 16_000),
                    new dev.avcurate.ingest.media.FrameSink() {
                        @Override
                        public void frame(long i, double p, int w, int h, byte[] px) {}

                        @Override
                        public void audio(float[] s, int n) {
                            for (int i = 0; i < n; i++) all.add(s[i]);
                        }
                    });
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }

    static double ratio(float[] p) {
        int n = 0;
        for (float v : p) if (v >= 0.5) n++;
        return n / (double) p.length;
    }

    @Test
    void sileroHearsReadSpeechAndNotSilenceOrATone() throws Exception {
        SileroVad vad = new SileroVad(session("silero_vad"));
        Path wav = Path.of("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav");
        assertTrue(java.nio.file.Files.exists(wav), "Debian pocketsphinx-testdata (installed by .ci/run)");
        double speech = ratio(vad.probabilities(wav16k(wav)));
        double silence = ratio(vad.probabilities(new float[16_000 * 3]));
        float[] tone = new float[16_000 * 3];
        for (int i = 0; i < tone.length; i++) tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 1000 * i / 16_000.0));
        double beep = ratio(vad.probabilities(tone));
        System.out.printf("speech %.2f silence %.2f tone %.2f%n", speech, silence, beep);
        assertTrue(speech > 0.7, "read speech: " + speech);
        assertEquals(0.0, silence, 0.02);
        assertTrue(beep < 0.1, "a steady tone is not speech: " + beep);
    }

    @Test
    void ppOcrFindsBurnedInSubtitlesAndTheirOverlapWithTheFace() {
        PpOcrDetector det = new PpOcrDetector(session("ppocr_det"), 960, 0.3, 0.6, 1.5);
        var head = Scenes.talkingHead(Scenes.textured(3), new SpeechSignal(1, 120), 0.5, 0.55, 1);
        VideoFrame plain = draw(head, 456, 256);
        VideoFrame subtitled = draw(Scenes.subtitles(head, new String[] {"Tell me what happened next."}, 10), 456, 256);
        List<List<Box>> boxes = det.detect(List.of(plain, subtitled));
        double plainArea = boxes.get(0).stream().mapToDouble(Box::area).sum();
        double subArea = boxes.get(1).stream().mapToDouble(Box::area).sum();
        System.out.println("text boxes plain " + boxes.get(0) + " subtitled " + boxes.get(1));
        assertTrue(subArea > plainArea + 1500, "subtitle text found: " + subArea + " vs " + plainArea);
        // Subtitle boxes sit in the bottom band where they were drawn.
        for (Box b : boxes.get(1)) if (b.area() > 500) assertTrue(b.y0() > 256 * 0.6, "subtitle in the bottom band: " + b);
        // eng.traineddata where a run finds it: the copy `models fetch` made, else Debian's tesseract-ocr-eng.
        Path tessdata = dev.avcurate.filters.JobFiles.dataPath(dev.avcurate.core.config.CurateConfig.defaults(), REG, MODELS,
                dev.avcurate.filters.JobFiles.TESSDATA_ENG).getParent();
        try (dev.avcurate.filters.scoring.SubtitleReader reader =
                     new dev.avcurate.filters.scoring.SubtitleReader(tessdata.toString(), "eng")) {
            String text = reader.read(subtitled, boxes.get(1));
            System.out.println("subtitle read: " + text);
            assertTrue(text.toLowerCase(java.util.Locale.ROOT).contains("what happened"), text);
            assertEquals("", reader.read(plain, boxes.get(0)));
        }
    }

    @Test
    void theSampleSetsSyntheticSpeechIsHeardAsSpeechWhereItIsVoiced() {
        // The generated samples must pass the speech filter for the README's job to keep them.
        SileroVad vad = new SileroVad(session("silero_vad"));
        for (long seed : new long[] {1, 2, 3}) {
            SpeechSignal s = new SpeechSignal(seed, 120 + 40 * seed);
            float[] a = new float[16_000 * 8];
            for (int i = 0; i < a.length; i++) a[i] = s.sample(i / 16_000.0);
            float[] p = vad.probabilities(a);
            double voiced = 0, heard = 0;
            for (int w = 0; w < p.length; w++) {
                if (s.envelope(w * 0.032 + 0.016) > 0.05) {
                    voiced++;
                    if (p[w] >= 0.5) heard++;
                }
            }
            assertTrue(heard / voiced > 0.6, "seed " + seed + ": " + heard / voiced);
            assertTrue(ratio(p) > 0.3, "seed " + seed + " speech_ratio " + ratio(p));
        }
    }

    @Test
    void aSubtitleDrawnOverTheFaceGivesAHighTextFaceOverlapAndOneBelowItALowOne() {
        PpOcrDetector det = new PpOcrDetector(session("ppocr_det"), 960, 0.3, 0.6, 1.5);
        BlazeFace bf = new BlazeFace(session("blazeface"), 0.5, 0.3);
        var head = Scenes.talkingHead(Scenes.textured(5), new SpeechSignal(1, 120), 0.5, 0.55, 1);
        dev.avcurate.ingest.samples.SyntheticVideo.Painter overFace = (g, i, t, w, h) -> {
            head.paint(g, i, t, w, h);
            g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, h / 10));
            g.setColor(java.awt.Color.WHITE);
            g.drawString("WHERE WERE YOU", w / 2 - (int) (h * 0.45), (int) (h * 0.52));
            g.drawString("LAST NIGHT?", w / 2 - (int) (h * 0.35), (int) (h * 0.64));
        };
        double low = overlap(det, bf, Scenes.subtitles(head, new String[] {"We walked until sunrise."}, 10));
        double high = overlap(det, bf, overFace);
        System.out.printf("text_face_overlap below the face %.3f, over the face %.3f%n", low, high);
        assertTrue(high > 0.15, "text over the face: " + high);
        assertTrue(low < 0.05, "subtitles under the face: " + low);
    }

    static double overlap(PpOcrDetector det, BlazeFace bf, dev.avcurate.ingest.samples.SyntheticVideo.Painter p) {
        List<VideoFrame> frames = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) frames.add(draw(p, 456, 256));
        dev.avcurate.filters.scoring.DecodedClip clip = new dev.avcurate.filters.scoring.DecodedClip("c", 0, 0.8, 25, 5, frames, null, 16_000);
        dev.avcurate.filters.scoring.ClipContext ctx = new dev.avcurate.filters.scoring.ClipContext();
        List<List<Box>> faces = new java.util.ArrayList<>();
        for (VideoFrame f : frames) faces.add(bf.detect(f));
        ctx.faces(faces, "blazeface");
        java.util.Map<String, Object> out = new java.util.HashMap<>();
        new dev.avcurate.filters.scoring.TextScorer(det, 4, null).score(clip, ctx, out);
        return (double) out.get("text_face_overlap");
    }

    @Test
    void batchingClipsTogetherGivesTheSameAnswersAsOneAtATime() throws Exception {
        SileroVad vad = new SileroVad(session("silero_vad"));
        float[] speech = wav16k(Path.of("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav"));
        float[] shortSilence = new float[16_000];
        List<float[]> batch = vad.probabilities(List.of(speech, shortSilence));
        assertArrayEquals(vad.probabilities(speech), batch.get(0), 1e-4f, "speech alone vs in a batch");
        assertArrayEquals(vad.probabilities(shortSilence), batch.get(1), 1e-4f, "the shorter clip is cut at its own length");

        PpOcrDetector det = new PpOcrDetector(session("ppocr_det"), 960, 0.3, 0.6, 1.5);
        var head = Scenes.talkingHead(Scenes.textured(3), new SpeechSignal(1, 120), 0.5, 0.55, 1);
        VideoFrame a = draw(Scenes.subtitles(head, new String[] {"Tell me what happened next."}, 10), 456, 256);
        VideoFrame b = draw(head, 456, 256);
        List<List<Box>> together = det.detect(List.of(a, b));
        assertEquals(det.detect(List.of(a)).get(0).size(), together.get(0).size());
        assertEquals(det.detect(List.of(b)).get(0).size(), together.get(1).size());
    }
}
