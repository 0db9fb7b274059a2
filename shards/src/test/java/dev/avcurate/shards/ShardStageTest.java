package dev.avcurate.shards;

import static org.junit.jupiter.api.Assertions.*;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.scoring.ClipContext;
import dev.avcurate.filters.scoring.ClipDecoder;
import dev.avcurate.filters.scoring.DecodedClip;
import dev.avcurate.filters.scoring.PerceptualHashScorer;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SyntheticVideo;
import dev.avcurate.trainerbridge.ShardFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shard stage end to end on generated videos with known answers: a re-encoded copy is removed
 * as a duplicate of the better original, too-small and too-short clips are left out with their
 * reasons, every other kept clip is in exactly one shard row with frames of its bucket's size and
 * audio of its frame count, SFT follows the criteria and quota, a rerun adds nothing, and files of
 * an interrupted run are deleted.
 */
@Tag("slow")
class ShardStageTest {
    @TempDir static Path dir;
    static SparkSession spark;
    static String out;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("shards-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").config("spark.sql.debug.maxToStringFields", "500")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
        SyntheticVideo.AudioFn tone = t -> (float) (0.3 * Math.sin(2 * Math.PI * 220 * t));
        Path original = new SyntheticVideo().size(640, 360).fps(25).seconds(4).quality(2).painter(Scenes.pan(11, 30)).audio(tone, 44_100, 1)
                .write(dir.resolve("original.mp4"));
        // The same footage, smaller, at another frame rate and a worse quality: drawn at 640x360 and scaled down.
        SyntheticVideo.Painter pan = Scenes.pan(11, 30);
        Path copy = new SyntheticVideo().size(480, 270).fps(30).seconds(4).quality(12).painter((g, i, t, w, h) -> {
            g.scale(w / 640.0, h / 360.0);
            pan.paint(g, i, t, 640, 360);
        }).audio(tone, 44_100, 1).write(dir.resolve("reencoded_copy.mp4"));
        Path shortSource = new SyntheticVideo().size(640, 360).fps(25).seconds(2).painter(Scenes.textured(21)).audio(tone, 44_100, 1)
                .write(dir.resolve("short.mp4"));
        Path other = new SyntheticVideo().size(640, 360).fps(25).seconds(4).painter(Scenes.textured(99)).audio(tone, 44_100, 1)
                .write(dir.resolve("other.mp4"));
        Path portrait = new SyntheticVideo().size(360, 640).fps(25).seconds(4).painter(Scenes.textured(5)).audio(tone, 44_100, 1)
                .write(dir.resolve("portrait.mp4"));
        Path tiny = new SyntheticVideo().size(160, 90).fps(25).seconds(4).painter(Scenes.textured(7)).audio(tone, 44_100, 1)
                .write(dir.resolve("tiny.mp4"));
        StructType schema = new StructType().add("clip_id", DataTypes.StringType).add("video_id", DataTypes.StringType)
                .add("uri", DataTypes.StringType).add("start_s", DataTypes.DoubleType).add("end_s", DataTypes.DoubleType)
                .add("duration_s", DataTypes.DoubleType).add("width", DataTypes.IntegerType).add("height", DataTypes.IntegerType)
                .add("keep", DataTypes.BooleanType).add("audio_shift_s", DataTypes.DoubleType)
                .add("key_frame_phash", DataTypes.StringType).add("quality_technical", DataTypes.DoubleType)
                .add("max_faces", DataTypes.DoubleType).add("camera_motion", DataTypes.StringType)
                .add("motion_mean", DataTypes.DoubleType).add("face_sharpness", DataTypes.DoubleType).add("speaker_count", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        // id, video, file, start, end, w, h, keep, shift, quality, faces, camera
        rows.add(clip("orig", "v_orig", original, 0, 4, 640, 360, true, 0.08, 70, 2, "pan_left"));
        rows.add(clip("copy", "v_copy", copy, 0, 4, 480, 270, true, 0, 40, 2, "pan_left"));
        rows.add(clip("other", "v_other", other, 0, 4, 640, 360, true, 0, 60, 1, "static"));
        rows.add(clip("portrait", "v_portrait", portrait, 0, 4, 360, 640, true, 0, 60, 2, "zoom_in"));
        rows.add(clip("tiny", "v_tiny", tiny, 0, 4, 160, 90, true, 0, 60, 1, "static"));
        rows.add(clip("short", "v_short", shortSource, 0, 0.8, 640, 360, true, 0, 60, 1, "static"));
        rows.add(clip("dropped", "v_other", other, 1, 3, 640, 360, false, 0, 60, 1, "static"));
        out = dir.resolve("out").toString();
        spark.createDataFrame(rows, schema).write().format("delta").save(out + "/tables/clips");
    }

    /** A clips row whose key-frame hashes come from the real decode and scorer. */
    static Row clip(String id, String video, Path file, double start, double end, int w, int h, boolean keep, double shift, double quality,
                    double faces, String camera) throws Exception {
        DecodedClip d = new ClipDecoder(5, 0, 256, 16_000, 60, null).decode(id, file.toString(), start, end, 25);
        Map<String, Object> scores = new HashMap<>();
        new PerceptualHashScorer().score(d, new ClipContext(), scores);
        return RowFactory.create(id, video, file.toString(), start, end, end - start, w, h, keep, shift, scores.get("key_frame_phash"),
                quality, faces, camera, 5.0, 90.0, faces);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static CurateConfig config() {
        return CurateConfig.parse("""
                shards:
                  buckets: [256x256, 192x336, 336x192]
                  frame_buckets: [25, 49, 81]
                  max_upscale: 1.25
                  sft:
                    criteria:
                      - "multi_person: max_faces >= 2"
                      - "dynamic_camera: camera_motion <> 'static'"
                      - "several_identities: identity_count >= 2"
                    min_criteria: 2
                    max_share_per_video: 1.0
                """, "test.yaml");
    }

    static List<Group> readAll(Path file) throws Exception {
        List<Group> rows = new ArrayList<>();
        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toString()))
                .withConf(new Configuration()).build()) {
            for (Group g; (g = r.read()) != null; ) rows.add(g);
        }
        return rows;
    }

    @Test
    void keptClipsBecomeShardRowsOnceWithDuplicatesAndUnfitClipsLeftOutWithReasons() throws Exception {
        ShardStage.Report r = new ShardStage(spark, config(), System.err).run(out);
        assertEquals(6, r.keptClips());
        assertEquals(1, r.duplicates(), "the re-encoded copy");
        assertEquals(Map.of(Buckets.TOO_SMALL, 1L, Buckets.TOO_SHORT, 1L), r.leftOut());
        assertEquals(3, r.written());
        assertEquals(Map.of("sft", 2L, "pretrain", 1L), r.clipsBySplit());

        List<ShardFormat.IndexEntry> index = ShardFormat.readIndex(new org.apache.hadoop.fs.Path(out + "/shards"), new Configuration());
        Map<String, Group> byClip = new HashMap<>();
        for (ShardFormat.IndexEntry e : index) {
            Path f = Path.of(out, "shards", e.path());
            assertTrue(Files.isRegularFile(f), e.path());
            assertEquals(Files.size(f), e.bytes());
            assertTrue(e.path().startsWith(e.split() + "/" + e.bucket() + "/"), e.path());
            for (Group g : readAll(f)) assertNull(byClip.put(g.getString("clip_id", 0), g), "each clip once");
        }
        assertEquals(java.util.Set.of("orig", "other", "portrait"), byClip.keySet());

        Group orig = byClip.get("orig");
        assertEquals("sft", orig.getString("split", 0), "two people and a pan");
        assertEquals("336x192x81", orig.getString("bucket", 0), "landscape, 4 s holds 81 frames at 25 fps");
        assertEquals("pretrain", byClip.get("other").getString("split", 0), "one face, static camera");
        assertEquals("192x336x81", byClip.get("portrait").getString("bucket", 0));
        for (Group g : byClip.values()) {
            int[] dims = ShardFormat.bucketDims(g.getString("bucket", 0));
            Group frames = g.getGroup("frames", 0);
            assertEquals(dims[2], frames.getFieldRepetitionCount("list"));
            BufferedImage first = ImageIO.read(new ByteArrayInputStream(frames.getGroup("list", 0).getBinary("element", 0).getBytes()));
            assertEquals(dims[0], first.getWidth());
            assertEquals(dims[1], first.getHeight());
            assertEquals(dims[2] * 16_000 / 25 * 2, g.getBinary("audio", 0).length(), "int16 audio of exactly the frames' duration");
        }
        assertEquals(0.08, orig.getDouble("audio_shift_s", 0), 1e-9);

        Map<String, String> reasons = new HashMap<>();
        for (Row x : spark.read().format("delta").load(out + "/tables/rejects").filter("stage = 'shard'").collectAsList()) {
            reasons.put(x.getString(x.fieldIndex("clip_id")), x.getString(x.fieldIndex("reason")) + " " + x.getString(x.fieldIndex("message")));
        }
        assertTrue(reasons.get("copy").startsWith("duplicate duplicate of orig"), reasons.toString());
        assertTrue(reasons.get("tiny").startsWith(Buckets.TOO_SMALL), reasons.toString());
        assertTrue(reasons.get("short").startsWith(Buckets.TOO_SHORT), reasons.toString());
        Row copyRow = spark.read().format("delta").load(out + "/tables/clips").filter("clip_id = 'copy'").first();
        assertEquals("orig", copyRow.getString(copyRow.fieldIndex("duplicate_of")));
        assertTrue(Files.isRegularFile(Path.of(out, "shards", "dataset_card.md")));
        assertTrue(Files.readString(Path.of(out, "shards", "dataset_card.json")).contains("\"clips\" : 3"));

        // The trainer-bridge reader over what the stage wrote: two ranks see every clip once, in bucket-pure batches.
        java.util.List<String> seen = new ArrayList<>();
        for (int rank = 0; rank < 2; rank++) {
            dev.avcurate.trainerbridge.ReaderOptions o = dev.avcurate.trainerbridge.ReaderOptions.builder().shardsDir(out + "/shards")
                    .seed(3).epoch(0).rank(rank).worldSize(2).batchSize(2).shuffle(true).verifyChecksum(true).build();
            try (dev.avcurate.trainerbridge.ShardReader reader = dev.avcurate.trainerbridge.ShardReader.open(o)) {
                while (reader.hasNext()) {
                    dev.avcurate.trainerbridge.Batch b = reader.next();
                    for (dev.avcurate.trainerbridge.Sample x : b.samples()) {
                        assertEquals(b.bucket(), x.bucket());
                        assertEquals(x.numFrames() * 16_000 / 25, x.audio().length);
                        seen.add(x.clipId());
                    }
                }
            }
        }
        seen.sort(null);
        assertEquals(List.of("orig", "other", "portrait"), seen);

        // A rerun adds nothing; a file left by an interrupted run (never indexed) is deleted.
        Path orphan = Path.of(out, "shards", "pretrain", "336x192x81", "part-orphan.parquet");
        Files.createDirectories(orphan.getParent());
        Files.write(orphan, new byte[] {1, 2, 3});
        ShardStage.Report again = new ShardStage(spark, config(), System.err).run(out);
        assertEquals(0, again.written());
        assertEquals(3, again.alreadySharded());
        assertEquals(1, again.orphansDeleted());
        assertFalse(Files.exists(orphan));
        assertEquals(index, ShardFormat.readIndex(new org.apache.hadoop.fs.Path(out + "/shards"), new Configuration()));
    }
}
