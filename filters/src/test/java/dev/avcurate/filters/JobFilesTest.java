package dev.avcurate.filters;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.core.spark.DeltaTables;
import dev.avcurate.filters.onnx.ModelFetcher;
import dev.avcurate.filters.onnx.ModelRegistry;
import dev.avcurate.filters.scoring.Box;
import dev.avcurate.filters.scoring.ScorerSet;
import dev.avcurate.filters.scoring.SubtitleReader;
import dev.avcurate.filters.scoring.VideoFrame;
import dev.avcurate.ingest.samples.Scenes;
import dev.avcurate.ingest.samples.SpeechSignal;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files the scorers open go with the job: where the driver finds them (the key's path, the
 * copy {@code models fetch} made, Debian's), their checks, and executors opening their own copies
 * (SparkFiles), also once the driver's originals are gone, and in a real score run.
 */
@Tag("slow") // a SparkSession, Delta commits and a scored clip
class JobFilesTest {
    static final Path ROOT = Path.of(System.getProperty("avcurate.repo.root", ".."));
    static final Path MODELS = Path.of(System.getProperty("avcurate.models.dir", ROOT.resolve("models").toString()));
    static final ModelRegistry REG = ModelRegistry.load(ROOT.resolve("conf/models.yaml"));
    @TempDir static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("job-files-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static CurateConfig cfg(String... overrides) {
        return CurateConfig.defaults().withOverrides(List.of(overrides));
    }

    /** The registry's data file where this machine has it: the build's fetched copy, else Debian's. */
    static Path registryData(String name) {
        return JobFiles.dataPath(cfg(), REG, MODELS, name);
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else if (!p.getFileName().toString().endsWith(".verified")) Files.copy(p, t);
            }
        }
    }

    static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void aDataFileIsTheKeysPathElseTheFetchedCopyElseDebiansAndTheCopyMustBeTheRegistrysBytes() throws Exception {
        Path debian = Files.writeString(Files.createDirectories(dir.resolve("debian")).resolve("eng.traineddata"), "debian bytes");
        Path models = Files.createDirectories(dir.resolve("resolve-models"));
        String sha = ModelRegistry.sha256(debian);
        ModelRegistry reg = ModelRegistry.parse("models: {}\ndata:\n  tessdata_eng:\n    file: tessdata/eng.traineddata\n    sha256: " + sha
                + "\n    source: npm:x@1:y\n    fallback: " + debian + "\n", "test.yaml");
        CurateConfig auto = cfg("score.scorers=[text]");
        assertEquals(debian, JobFiles.dataPath(auto, reg, models, JobFiles.TESSDATA_ENG), "no fetched copy: Debian's");
        assertEquals(List.of(), JobFiles.checkData(auto, reg, models));

        Path copy = models.resolve("tessdata/eng.traineddata");
        Files.createDirectories(copy.getParent());
        Files.copy(debian, copy);
        assertEquals(copy, JobFiles.dataPath(auto, reg, models, JobFiles.TESSDATA_ENG), "the fetched copy first");
        assertEquals(List.of(), JobFiles.checkData(auto, reg, models));
        Files.writeString(copy, "other bytes");
        String bad = String.join("\n", JobFiles.checkData(auto, reg, models));
        assertTrue(bad.contains("text: Tesseract data: tessdata_eng: " + copy + ": SHA-256 is "), bad);

        CurateConfig set = cfg("score.scorers=[text]", "score.text.tessdata=" + dir.resolve("nowhere"));
        assertEquals(dir.resolve("nowhere/eng.traineddata"), JobFiles.dataPath(set, reg, models, JobFiles.TESSDATA_ENG));
        String missing = String.join("\n", JobFiles.checkData(set, reg, models));
        assertTrue(missing.contains("missing: " + dir.resolve("nowhere/eng.traineddata") + " (set by score.text.tessdata)"), missing);
        assertEquals(List.of(), JobFiles.checkData(cfg("score.scorers=[text]", "score.text.read_subtitles=false"), reg, models),
                "not reading subtitles needs no Tesseract data");

        Files.delete(copy);
        Files.delete(debian);
        String none = String.join("\n", JobFiles.checkData(auto, reg, models));
        assertTrue(none.contains("run `bin/curate models fetch`"), none);
    }

    @Test
    void theScoresVersionDependsOnTheDataFilesBytesNotWhereTheyAre() throws Exception {
        Path tess = registryData(JobFiles.TESSDATA_ENG);
        assumeTrue(Files.isRegularFile(tess), "no eng.traineddata here (models fetch, or Debian's tesseract-ocr-eng)");
        Path elsewhere = Files.createDirectories(dir.resolve("tess-elsewhere"));
        Files.copy(tess, elsewhere.resolve("eng.traineddata"));
        CurateConfig auto = cfg("score.scorers=[text]");
        CurateConfig moved = cfg("score.scorers=[text]", "score.text.tessdata=" + elsewhere);
        assertEquals(ScorerSet.version(auto, REG, JobFiles.of(auto, REG, MODELS)), ScorerSet.version(moved, REG, JobFiles.of(moved, REG, MODELS)));
        Files.writeString(elsewhere.resolve("eng.traineddata"), "another model");
        assertNotEquals(ScorerSet.version(auto, REG, JobFiles.of(auto, REG, MODELS)), ScorerSet.version(moved, REG, JobFiles.of(moved, REG, MODELS)));
    }

    @Test
    void theFetchedDataFilesAreDebiansBytesAndBrisqueComesFromTheOpencvJar() throws Exception {
        // Both sources of each file give the registry's bytes: a machine with either scores alike.
        for (ModelRegistry.DataSpec d : REG.data().values()) {
            if (Files.isRegularFile(Path.of(d.fallback()))) assertEquals(d.sha256(), ModelRegistry.sha256(Path.of(d.fallback())), d.name());
        }
        // The BRISQUE files come off the class path (the bytedeco opencv jar from Maven Central): no network needed.
        String yaml = Files.readString(ROOT.resolve("conf/models.yaml"));
        ModelRegistry brisque = ModelRegistry.parse("models: {}\ndata:\n" + yaml.substring(yaml.indexOf("  brisque_model:")), "brisque.yaml");
        Path into = dir.resolve("fetched");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(List.of(), ModelFetcher.fetch(brisque, into, ROOT, new PrintStream(log, true, StandardCharsets.UTF_8)));
        assertEquals(List.of(), ModelRegistry.checkData(brisque.dataSpec("brisque_model"), into));
        assertEquals(List.of(), ModelRegistry.checkData(brisque.dataSpec("brisque_range"), into));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("brisque_model: fetched " + into.resolve("brisque/brisque_model_live.yml")), log.toString());
    }

    @Test
    void tesseractReadsAShippedCopyUnderANameOfItsOwn() throws Exception {
        // A file shipped under a taken name gets one of its own (eng-HASH.traineddata): Tesseract takes the name as the language.
        Path tess = registryData(JobFiles.TESSDATA_ENG);
        assumeTrue(Files.isRegularFile(tess), "no eng.traineddata here");
        Path renamed = Files.createDirectories(dir.resolve("renamed"));
        Files.copy(tess, renamed.resolve("eng-5f3a9c1.traineddata"));
        var head = Scenes.talkingHead(Scenes.textured(3), new SpeechSignal(1, 120), 0.5, 0.55, 1);
        BufferedImage img = new BufferedImage(456, 256, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        Scenes.subtitles(head, new String[] {"Tell me what happened next."}, 10).paint(g, 0, 0.3, 456, 256);
        g.dispose();
        VideoFrame f = new VideoFrame(0, 456, 256, ((DataBufferByte) img.getRaster().getDataBuffer()).getData().clone());
        try (SubtitleReader r = new SubtitleReader(renamed.toString(), "eng-5f3a9c1")) {
            String text = r.read(f, List.of(new Box(10, 200, 446, 250, 1, null)));
            assertTrue(text.toLowerCase(Locale.ROOT).contains("what happened"), text);
        }
    }

    @Test
    void tasksOpenTheirExecutorsCopiesAlsoWhenTheDriversFilesAreGone() throws Exception {
        Path models = dir.resolve("ship-models");
        copyTree(MODELS.resolve("blazeface"), models.resolve("blazeface"));
        Path brisque = Files.createDirectories(dir.resolve("ship-brisque"));
        for (String d : List.of(JobFiles.BRISQUE_MODEL, JobFiles.BRISQUE_RANGE)) Files.copy(registryData(d), brisque.resolve(registryData(d).getFileName()));
        CurateConfig c = cfg("score.scorers=[faces, quality]", "score.quality.brisque_model=" + brisque.resolve("brisque_model_live.yml"),
                "score.quality.brisque_range=" + brisque.resolve("brisque_range_live.yml"));
        JobFiles here = JobFiles.of(c, REG, models);
        assertEquals(List.of("model:blazeface", "data:brisque_model", "data:brisque_range"), new ArrayList<>(here.paths().keySet()));
        Map<String, String> sha = new java.util.LinkedHashMap<>();
        here.paths().forEach((id, p) -> sha.put(id, ModelRegistry.sha256(Path.of(p))));
        JobFiles shipped = here.ship(spark.sparkContext());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> ids = new ArrayList<>(here.paths().keySet());
        Path root = Path.of(SparkFiles.getRootDirectory()).toRealPath();
        for (int run = 0; run < 2; run++) {
            List<String> seen = jsc.parallelize(ids, ids.size()).map(id -> id + "=" + shipped.local(id) + "=" + ModelRegistry.sha256(shipped.local(id)))
                    .collect();
            for (String s : seen) {
                String[] p = s.split("=");
                assertTrue(Path.of(p[1]).toRealPath().startsWith(root), "a task opens its executor's copy under " + root + ": " + s);
                assertEquals(sha.get(p[0]), p[2], "the copy has the file's bytes: " + s);
            }
            if (run == 0) { // the driver's files go: the tasks never needed them
                deleteTree(models);
                deleteTree(brisque);
            }
        }
        assertEquals(here.paths().get("model:blazeface"), JobFiles.of(c, REG, models).local("model:blazeface").toString(),
                "without shipping, the driver's path");
    }

    @Test
    void aFileUnderANameShippedBeforeForAnotherFileShipsUnderANameOfItsOwn() throws Exception {
        Path a = Files.writeString(Files.createDirectories(dir.resolve("export-a")).resolve("det.onnx"), "export a");
        Path b = Files.writeString(Files.createDirectories(dir.resolve("export-b")).resolve("det.onnx"), "export b");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> names = new ArrayList<>();
        List<String> read = new ArrayList<>();
        for (Path export : List.of(a, b, a, a)) {
            if (read.size() == 3) { // a replaced at its path since it was shipped
                Files.writeString(a, "export a, retrained");
                Files.setLastModifiedTime(a, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 5000));
            }
            CurateConfig c = cfg("score.scorers=[faces]", "score.face.estimator=scrfd", "score.face.scrfd_model=" + export);
            JobFiles f = JobFiles.of(c, REG, MODELS).ship(spark.sparkContext());
            names.add(f.shippedNames().get("user:score.face.scrfd_model"));
            read.add(jsc.parallelize(List.of(1), 1).map(i -> Files.readString(f.user(dev.avcurate.core.config.CurateKeys.SCORE_FACE_SCRFD_MODEL)))
                    .collect().get(0));
        }
        assertEquals(List.of("export a", "export b", "export a", "export a, retrained"), read);
        assertEquals("det.onnx", names.get(0));
        assertTrue(names.get(1).matches("det-[0-9a-f]+\\.onnx"), names.toString());
        assertEquals(names.get(0), names.get(2), "the same file again: the name it went under");
        assertNotEquals(names.get(0), names.get(3), names.toString());
        assertNotEquals(names.get(1), names.get(3), names.toString());
    }

    @Test
    void aScoreRunOpensTheCopiesShippedWithTheJob() throws Exception {
        Path tess = registryData(JobFiles.TESSDATA_ENG);
        assumeTrue(Files.isRegularFile(tess), "no eng.traineddata here");
        // The models and data files in a directory of their own, found the way a fresh machine finds them (models.dir).
        Path models = dir.resolve("run-models");
        for (String m : List.of("blazeface", "ppocr")) copyTree(MODELS.resolve(m), models.resolve(m));
        for (String d : List.of(JobFiles.TESSDATA_ENG, JobFiles.BRISQUE_MODEL, JobFiles.BRISQUE_RANGE)) {
            Path t = models.resolve(REG.dataSpec(d).file());
            Files.createDirectories(t.getParent());
            Files.copy(registryData(d), t);
        }
        Path video = dir.resolve("in/head_subtitled.mp4");
        var s = new SpeechSignal(1, 120);
        new SyntheticVideo().size(456, 256).fps(25).seconds(2)
                .painter(Scenes.subtitles(Scenes.talkingHead(Scenes.textured(1), s, 0.5, 0.55, 1), new String[] {"Tell me what happened next."}, 10))
                .audio(s::sample, 44_100, 2).write(video);
        String clips = dir.resolve("run/tables/clips").toString();
        spark.sql("SELECT 'h' AS clip_id, '" + video.toUri() + "' AS uri, 0.0D AS start_s, 2.0D AS end_s, 25.0D AS fps")
                .write().format("delta").save(clips);
        CurateConfig c = cfg("score.scorers=[faces, quality, text]", "models.dir=" + models);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JobFiles.forgetOpened();
        ScoreStage.Report r = new ScoreStage(spark, c, new PrintStream(log, true, StandardCharsets.UTF_8), ROOT).run(clips);
        assertEquals(1, r.clipsScored());
        assertEquals(0, r.clipsFailed(), log.toString(StandardCharsets.UTF_8));
        Row row = spark.read().format("delta").load(clips).collectAsList().get(0);
        assertTrue(row.<Double>getAs("face_frames_ratio") > 0.9, row.toString());
        assertNotNull(row.getAs("quality_technical"), row.toString());
        assertTrue(row.<String>getAs("subtitle_text").toLowerCase(Locale.ROOT).contains("what happened"), row.toString());

        Path root = Path.of(SparkFiles.getRootDirectory()).toRealPath();
        Map<String, Path> opened = JobFiles.opened();
        for (String id : List.of("model:blazeface", "model:ppocr_det", "data:tessdata_eng", "data:brisque_model", "data:brisque_range")) {
            assertNotNull(opened.get(id), id + " opened through the job's files: " + opened);
            assertTrue(opened.get(id).toRealPath().startsWith(root), id + " is the executor's copy, not " + models + ": " + opened.get(id));
        }
        assertFalse(Files.exists(dir.resolve("run/_work/score")), "the work directory is gone");
        assertTrue(DeltaTables.exists(spark, clips));
    }
}
