package dev.avcurate.ingest.samples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's own sample videos (nothing is downloaded): talking faces whose mouths follow a
 * speech-like audio, burned-in subtitles, hard cuts (one shot too short to keep), a fade, a camera
 * pan, a static shot and a rotated portrait phone video. {@code bin/curate samples} writes them;
 * the README's main command runs the pipeline on them.
 */
public final class SampleSet {
    private SampleSet() {}

    /** One written sample and what it was generated to contain. */
    public record Sample(Path path, String description) {}

    public static List<Sample> write(Path dir) throws IOException {
        List<Sample> out = new ArrayList<>();
        double fps = 25;
        SpeechSignal a = new SpeechSignal(1, 120);
        SpeechSignal b = new SpeechSignal(2, 210);
        SpeechSignal c = new SpeechSignal(3, 160);

        out.add(new Sample(new SyntheticVideo().fps(fps).seconds(8)
                .painter(Scenes.talkingHead(Scenes.textured(11), a, 0.5, 0.55, 1))
                .audio(a::sample, 44_100, 2).write(dir.resolve("talking_head.mp4")),
                "static talking head, 8 s, lips follow the audio"));

        String[] subs = {"I never thought we'd get here.", "Tell me what happened next.", "We walked until sunrise."};
        out.add(new Sample(new SyntheticVideo().fps(fps).seconds(9)
                .painter(Scenes.subtitles(Scenes.talkingHead(Scenes.textured(12), b, 0.5, 0.8, 2), subs, 3))
                .audio(b::sample, 48_000, 2).write(dir.resolve("subtitled_closeup.mp4")),
                "close-up talking head with burned-in subtitles over the chin, 9 s"));

        // Shots: 0-5 s speaker A, 5-6.2 s cutaway (too short), 6.2-12 s speaker B, 12-16 s wide shot of A.
        int[] cuts = {125, 155, 300};
        out.add(new Sample(new SyntheticVideo().fps(fps).seconds(16)
                .painter(Scenes.cuts(cuts,
                        Scenes.talkingHead(Scenes.textured(21), a, 0.4, 0.6, 1),
                        Scenes.textured(22),
                        Scenes.talkingHead(Scenes.textured(23), b, 0.6, 0.6, 2),
                        Scenes.talkingHead(Scenes.textured(24), a, 0.3, 0.3, 1)))
                .audio(t -> t < 6.2 || t >= 12 ? a.sample(t) : b.sample(t), 44_100, 2)
                .write(dir.resolve("interview_cuts.mp4")),
                "dialogue with hard cuts at frames 125, 155, 300 (the 1.2 s cutaway is too short)"));

        out.add(new Sample(new SyntheticVideo().fps(fps).seconds(12)
                .painter(Scenes.fade(Scenes.cuts(new int[] {150},
                        Scenes.talkingHead(Scenes.textured(31), c, 0.5, 0.5, 3),
                        Scenes.talkingHead(Scenes.textured(32), c, 0.5, 0.5, 3)), 138, 150, 150, 162))
                .audio(c::sample, 44_100, 1).write(dir.resolve("fade_between_shots.mp4")),
                "two shots joined by a fade through black around frame 150"));

        out.add(new Sample(new SyntheticVideo().fps(fps).seconds(8)
                .painter(Scenes.talkingHead(Scenes.pan(41, 120), c, 0.5, 0.5, 3))
                .audio(c::sample, 44_100, 2).write(dir.resolve("camera_pan.mp4")),
                "speaker over a background panning at 120 px/s, no cuts"));

        out.add(new Sample(new SyntheticVideo().fps(30).seconds(6)
                .painter(Scenes.talkingHead(Scenes.textured(51), a, 0.5, 0.45, 1))
                .audio(a::sample, 44_100, 2).write(dir.resolve("static_shot_30fps.mp4")),
                "static shot at 30 fps, no cuts"));

        out.add(new Sample(new SyntheticVideo().size(640, 360).fps(fps).seconds(6).displayRotation(90)
                .painter((g, i, t, w, h) -> {
                    g.rotate(-Math.PI / 2, w / 2.0, h / 2.0);
                    g.translate((w - h) / 2.0, (h - w) / 2.0);
                    Scenes.talkingHead(Scenes.textured(61), b, 0.5, 0.5, 2).paint(g, i, t, h, w);
                })
                .audio(b::sample, 48_000, 2).write(dir.resolve("phone_portrait_rotated.mp4")),
                "portrait phone video stored landscape with a 90-degree display rotation"));

        out.add(new Sample(new SyntheticVideo().fps(fps).seconds(8)
                .painter(Scenes.talkingHead(Scenes.textured(71), c, 0.5, 0.55, 3))
                .audio(c.delayed(0.4)::sample, 44_100, 2).write(dir.resolve("dubbed_late_audio.mp4")),
                "talking head whose audio lags the lips by 10 frames (0.4 s): out_of_sync"));
        return out;
    }
}
