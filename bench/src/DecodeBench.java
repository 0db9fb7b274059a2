import dev.avcurate.ingest.media.DecodeRequest;
import dev.avcurate.ingest.media.DecodeStats;
import dev.avcurate.ingest.media.FrameSink;
import dev.avcurate.ingest.media.MediaReader;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Our decode path against the ffmpeg command line on the same file, same scaling, same frame
 * sampling, same decoder threads, in one run. Prints one line per case:
 * case, file, our seconds, CLI seconds, source frames, frames out, ratio (CLI time / our time;
 * above 1 means we are faster).
 */
public final class DecodeBench {
    public static void main(String[] args) throws Exception {
        int reps = Integer.parseInt(System.getProperty("reps", "3"));
        int threads = Integer.parseInt(System.getProperty("threads", "1"));
        System.out.println("case\tfile\tours_s\tffmpeg_s\tsource_frames\tframes_out\tratio");
        for (String file : args) {
            run("scorers: 5 fps, short side 256, BGR", file, reps, threads,
                    DecodeRequest.forScorers(0, Double.POSITIVE_INFINITY, 5, 256, 0),
                    List.of("-map", "0:v:0", "-vf", "fps=5,scale=-2:256:flags=bilinear", "-pix_fmt", "bgr24", "-f", "rawvideo"));
            run("shots: every frame, 96 wide, BGR", file, reps, threads, DecodeRequest.allFrames(96, 0),
                    List.of("-map", "0:v:0", "-vf", "scale=96:-2:flags=bilinear", "-pix_fmt", "bgr24", "-f", "rawvideo"));
            run("audio: 16 kHz mono float", file, reps, threads,
                    new DecodeRequest(0, Double.POSITIVE_INFINITY, 0, 0, 0, 0, false, false, 16_000),
                    List.of("-map", "0:a:0", "-ac", "1", "-ar", "16000", "-f", "f32le"));
        }
    }

    static void run(String name, String file, int reps, int threads, DecodeRequest req, List<String> cliArgs) throws Exception {
        long[] counts = ours(file, threads, req); // warm-up, and the counts
        double[] ourT = new double[reps], cliT = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            ours(file, threads, req);
            ourT[i] = (System.nanoTime() - t0) / 1e9;
            List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                    "-threads", String.valueOf(threads), "-i", file));
            cmd.addAll(cliArgs);
            cmd.addAll(List.of("-threads", String.valueOf(threads), "-filter_threads", "1", "-y", "/dev/null"));
            t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) throw new IllegalStateException("ffmpeg failed: " + cmd);
            cliT[i] = (System.nanoTime() - t0) / 1e9;
        }
        double o = median(ourT), c = median(cliT);
        System.out.printf(Locale.ROOT, "%s\t%s\t%.3f\t%.3f\t%d\t%d\t%.2f%n", name, new File(file).getName(), o, c,
                counts[0], counts[1], c / o);
    }

    static long[] ours(String file, int threads, DecodeRequest req) throws Exception {
        long[] n = new long[2];
        try (MediaReader r = MediaReader.open(file, Long.MAX_VALUE / 4, threads)) {
            DecodeStats st = r.decode(req, new FrameSink() {
                @Override
                public void frame(long index, double ptsS, int width, int height, byte[] pixels) {
                    n[1]++;
                }

                @Override
                public void audio(float[] samples, int count) {
                    n[1] += count; // audio samples
                }
            });
            n[0] = st.framesDecoded();
        }
        return n;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
