package dev.avcurate.shards.write;

import dev.avcurate.trainerbridge.ShardFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.io.api.Binary;

/**
 * One row of {@link ShardFormat#SCHEMA}: a clip ready for training. Field names follow the
 * schema's columns; arrays are owned by the row (not copied).
 *
 * @param frames         {@code numFrames} JPEGs of {@code width x height}
 * @param referenceFrame JPEG of the clip's middle frame, the identity image the trainer conditions on
 * @param audio          int16 little-endian mono at {@code audioRate}, {@code numFrames / fps} seconds
 * @param framesStartS   source time of the first frame (the window is centred in the clip)
 */
public record ShardRow(String clipId, String split, String bucket, int width, int height, int numFrames, double fps,
                       List<byte[]> frames, byte[] referenceFrame, byte[] audio, int audioRate, double audioShiftS,
                       String caption, String captionEstimator, float[] captionEmbedding, Map<String, Double> scores,
                       String videoId, String uri, double startS, double endS, double framesStartS) {

    public Group toGroup() {
        Group g = new SimpleGroup(ShardFormat.SCHEMA);
        g.append("clip_id", clipId).append("split", split).append("bucket", bucket)
                .append("width", width).append("height", height).append("num_frames", numFrames).append("fps", fps);
        Group fl = g.addGroup("frames");
        for (byte[] f : frames) fl.addGroup("list").append("element", Binary.fromConstantByteArray(f));
        g.append("reference_frame", Binary.fromConstantByteArray(referenceFrame));
        g.append("audio", Binary.fromConstantByteArray(audio));
        g.append("audio_rate", audioRate).append("audio_shift_s", audioShiftS);
        if (caption != null) g.append("caption", caption);
        if (captionEstimator != null) g.append("caption_estimator", captionEstimator);
        if (captionEmbedding != null) {
            Group el = g.addGroup("caption_embedding");
            for (float v : captionEmbedding) el.addGroup("list").append("element", v);
        }
        Group sm = g.addGroup("scores");
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            Group kv = sm.addGroup("key_value").append("key", e.getKey());
            if (e.getValue() != null) kv.append("value", e.getValue());
        }
        g.append("video_id", videoId).append("uri", uri).append("start_s", startS).append("end_s", endS)
                .append("frames_start_s", framesStartS);
        return g;
    }

    /** The row a reader gets back from a Group of {@link ShardFormat#SCHEMA}. */
    public static ShardRow fromGroup(Group g) {
        Group fl = g.getGroup("frames", 0);
        int n = fl.getFieldRepetitionCount("list");
        List<byte[]> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) frames.add(fl.getGroup("list", i).getBinary("element", 0).getBytes());
        float[] emb = null;
        if (g.getFieldRepetitionCount("caption_embedding") > 0) {
            Group el = g.getGroup("caption_embedding", 0);
            emb = new float[el.getFieldRepetitionCount("list")];
            for (int i = 0; i < emb.length; i++) emb[i] = el.getGroup("list", i).getFloat("element", 0);
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        Group sm = g.getGroup("scores", 0);
        for (int i = 0; i < sm.getFieldRepetitionCount("key_value"); i++) {
            Group kv = sm.getGroup("key_value", i);
            scores.put(kv.getString("key", 0), kv.getFieldRepetitionCount("value") > 0 ? kv.getDouble("value", 0) : null);
        }
        return new ShardRow(g.getString("clip_id", 0), g.getString("split", 0), g.getString("bucket", 0),
                g.getInteger("width", 0), g.getInteger("height", 0), g.getInteger("num_frames", 0), g.getDouble("fps", 0),
                Collections.unmodifiableList(frames), g.getBinary("reference_frame", 0).getBytes(),
                g.getBinary("audio", 0).getBytes(), g.getInteger("audio_rate", 0), g.getDouble("audio_shift_s", 0),
                optionalString(g, "caption"), optionalString(g, "caption_estimator"), emb, scores,
                g.getString("video_id", 0), g.getString("uri", 0), g.getDouble("start_s", 0), g.getDouble("end_s", 0),
                g.getDouble("frames_start_s", 0));
    }

    private static String optionalString(Group g, String field) {
        return g.getFieldRepetitionCount(field) > 0 ? g.getString(field, 0) : null;
    }
}
