package dev.avcurate.captioning;

import dev.avcurate.captioning.checks.CaptionChecks;
import dev.avcurate.captioning.embed.MiniLmEmbedder;
import dev.avcurate.captioning.vlm.VlmClient;
import dev.avcurate.captioning.vlm.VlmException;
import dev.avcurate.captioning.vlm.VlmOutcome;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The executor side of the caption stage, one Spark task: for each clip, frames are decoded and
 * the request sent while earlier requests are still in flight (the client bounds how many), then
 * every answer is checked and embedded in batches. Every clip yields one row: a caption or the
 * reason it has none.
 */
final class CaptionWorker {
    private CaptionWorker() {}

    static Iterator<Row> run(Iterator<CaptionTask> it, CaptionJob job, Configuration hadoopConf) {
        List<CaptionTask> tasks = new ArrayList<>();
        List<CompletableFuture<VlmOutcome>> outcomes = new ArrayList<>();
        List<int[]> frameInfo = new ArrayList<>();
        if (job.useVlm()) {
            CaptionFrames frames = new CaptionFrames(job.fps(), job.minFrames(), job.maxFrames(), job.maxPixels(), job.jpegQuality(),
                    job.decodeTimeoutS(), hadoopConf);
            try (VlmClient client = new VlmClient(job.vlm())) {
                while (it.hasNext()) {
                    CaptionTask t = it.next();
                    tasks.add(t);
                    try {
                        CaptionFrames.Sampled s = frames.sample(t.uri(), t.startS(), t.endS());
                        frameInfo.add(new int[] {s.jpegs().size(), s.width(), s.height()});
                        outcomes.add(client.caption(job.prompt().system(), job.prompt().userText(t.attributes()), s.jpegs()));
                    } catch (VlmException e) {
                        frameInfo.add(null);
                        outcomes.add(CompletableFuture.completedFuture(new VlmOutcome(false, null, null, -1, -1, 0, 0, 0, 0, e.code(),
                                e.getMessage())));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("caption task interrupted", e);
                    }
                }
                // Every outcome completes (failures are values): wait for the last ones before closing the client.
                CompletableFuture.allOf(outcomes.toArray(new CompletableFuture[0])).join();
            }
        } else {
            while (it.hasNext()) {
                CaptionTask t = it.next();
                tasks.add(t);
                frameInfo.add(null);
                outcomes.add(CompletableFuture.completedFuture(new VlmOutcome(true, t.attributes().compose(), "stop", -1, -1, 0, 0, 0, 0,
                        null, null)));
            }
        }
        return rows(tasks, outcomes.stream().map(CompletableFuture::join).toList(), frameInfo, job).iterator();
    }

    static List<Row> rows(List<CaptionTask> tasks, List<VlmOutcome> outcomes, List<int[]> frameInfo, CaptionJob job) {
        CaptionChecks checks = new CaptionChecks(job.checks());
        List<CaptionChecks.Result> results = new ArrayList<>();
        List<String> toEmbed = new ArrayList<>();
        for (VlmOutcome o : outcomes) {
            CaptionChecks.Result r = o.ok() ? checks.check(o.content(), o.finishReason()) : null;
            results.add(r);
            toEmbed.add(r == null || r.caption() == null || r.caption().isBlank() ? null : r.caption());
        }
        float[][] vectors = embed(job, toEmbed);
        Timestamp now = new Timestamp(System.currentTimeMillis());
        String checksVersion = job.checks().version();
        List<Row> rows = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            CaptionTask t = tasks.get(i);
            VlmOutcome o = outcomes.get(i);
            CaptionChecks.Result r = results.get(i);
            ClipAttributes a = t.attributes();
            int[] f = frameInfo.get(i);
            rows.add(RowFactory.create(t.captionKey(), t.clipId(), t.videoId(), job.model(), job.promptVersion(), job.estimator(),
                    o.ok() ? CaptionTables.OK : CaptionTables.FAILED, o.errorCode(), o.errorDetail(),
                    r == null ? null : r.caption(), o.content(), o.finishReason(),
                    r == null ? null : r.codes().toArray(new String[0]), r != null && r.keep(), r == null ? null : checksVersion,
                    r == null ? null : r.language(), r == null ? null : r.wordCount(),
                    a.shotSize(), a.cameraMotion(), a.people(), a.speakerCount(), a.hasText(), a.lighting(),
                    f == null ? null : f[0], f == null ? null : f[1], f == null ? null : f[2],
                    o.promptTokens() < 0 ? null : o.promptTokens(), o.completionTokens() < 0 ? null : o.completionTokens(),
                    o.attempts(), job.useVlm() ? o.latencyS() : null, job.useVlm() ? o.totalS() : null,
                    o.httpStatus() == 0 ? null : o.httpStatus(),
                    vectors == null || vectors[i] == null ? null : boxed(vectors[i]), vectors == null || vectors[i] == null ? null : MiniLmEmbedder.MODEL_NAME,
                    now));
        }
        return rows;
    }

    /** Embeddings of the non-null texts, in place; null when embeddings are off. */
    static float[][] embed(CaptionJob job, List<String> texts) {
        if (!job.embed()) return null;
        List<String> present = new ArrayList<>();
        for (String s : texts) if (s != null) present.add(s);
        float[][] out = new float[texts.size()][];
        if (present.isEmpty()) return out;
        float[][] v = new MiniLmEmbedder(job.onnxDevice(), job.onnxThreads(), job.embedMaxTokens()).embed(present);
        for (int i = 0, k = 0; i < texts.size(); i++) if (texts.get(i) != null) out[i] = v[k++];
        return out;
    }

    static Float[] boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i];
        return b;
    }
}
