package dev.avcurate.shards;

import static dev.avcurate.core.config.CurateKeys.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.shards.write.Bucket;
import dev.avcurate.shards.write.ClipInput;
import dev.avcurate.shards.write.ClipShardEncoder;
import dev.avcurate.shards.write.ShardFileWriter;
import dev.avcurate.trainerbridge.ShardFormat;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One Spark task of the shard stage: the clips of one (split, bucket) slice, encoded one by one
 * and streamed into shard files. A clip that cannot be encoded is reported, not fatal; if the
 * task itself fails, its temporary files are removed and nothing reaches the index.
 */
final class ShardWorker {
    private ShardWorker() {}

    /** A clip to write, with what its row carries. */
    record Item(String clipId, String videoId, String uri, double startS, double endS, String split, String bucket, double audioShiftS,
                String caption, String captionEstimator, float[] captionEmbedding, Map<String, Double> scores) implements Serializable {}

    record Written(ShardFormat.IndexEntry entry, List<String> clipIds) implements Serializable {}

    record Failure(String clipId, String videoId, String uri, double startS, double endS, String message) implements Serializable {}

    record Result(List<Written> files, List<Failure> failures) implements Serializable {}

    record Settings(String shardsDir, double fps, int jpegQuality, int audioRate, double timeoutS, long targetBytes) implements Serializable {
        static Settings of(CurateConfig cfg, String shardsDir) {
            return new Settings(shardsDir, cfg.get(SHARDS_FPS), cfg.get(SHARDS_JPEG_QUALITY), 16_000, cfg.get(INGEST_TIMEOUT_S),
                    cfg.get(SHARDS_TARGET_MB) * 1_000_000L);
        }
    }

    /** Streams the slice's items (all of one split and bucket) into shard files; only ids are held, never the clips. */
    static Result run(java.util.Iterator<Item> slice, Settings s, Configuration conf) throws java.io.IOException {
        List<Failure> failures = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        if (!slice.hasNext()) return new Result(List.of(), failures);
        ClipShardEncoder encoder = new ClipShardEncoder(s.fps(), s.jpegQuality(), s.audioRate(), s.timeoutS());
        Item first = slice.next();
        Bucket bucket = Bucket.parse(first.bucket());
        List<ShardFormat.IndexEntry> entries;
        ShardFileWriter writer = new ShardFileWriter(new Path(s.shardsDir()), first.split(), first.bucket(),
                ShardFileWriter.Settings.defaults().withTargetFileBytes(s.targetBytes()), conf);
        try {
            for (Item it = first; it != null; it = slice.hasNext() ? slice.next() : null) {
                try {
                    writer.write(encoder.encode(new ClipInput(it.clipId(), it.videoId(), it.uri(), it.startS(), it.endS(), it.split(),
                            it.audioShiftS(), it.caption(), it.captionEstimator(), it.captionEmbedding(), it.scores()), bucket, conf));
                    ids.add(it.clipId());
                } catch (Exception | LinkageError e) {
                    // One bad clip never fails the shard: it is reported with its reason and asked for again next run.
                    failures.add(new Failure(it.clipId(), it.videoId(), it.uri(), it.startS(), it.endS(),
                            e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            }
            entries = writer.finish();
        } catch (java.io.IOException | RuntimeException e) {
            writer.abort();
            throw e;
        } finally {
            writer.close();
        }
        // Files hold the rows in write order: the i-th file has the next entry.rows() clips.
        List<Written> files = new ArrayList<>();
        int k = 0;
        for (ShardFormat.IndexEntry e : entries) {
            files.add(new Written(e, List.copyOf(ids.subList(k, k + (int) e.rows()))));
            k += (int) e.rows();
        }
        return new Result(files, failures);
    }
}
