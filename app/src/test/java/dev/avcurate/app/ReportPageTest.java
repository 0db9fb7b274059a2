package dev.avcurate.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avcurate.app.report.QualityReport;
import dev.avcurate.app.report.SyntheticRun;
import dev.avcurate.captioning.CaptionTables;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.filters.FilterStage;
import dev.avcurate.ingest.IngestTables;
import dev.avcurate.ingest.samples.SyntheticVideo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The report page in a real browser: Debian's chromium and chromium-driver, headless. The page
 * must load without a console error, make no request, show hostile captions as text, and its
 * what-if control must give the count the filter stage keeps for the same threshold.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ReportPageTest {
    static final String HOSTILE = "</script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> a person talks";
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path html;
    static ChromeDriver browser;

    @BeforeAll
    static void makeReportAndOpenBrowser() throws Exception {
        spark = CurateCli.spark();
        String out = tmp.resolve("run").toString();
        Path video = new SyntheticVideo().seconds(4).write(tmp.resolve("talk.mp4"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SyntheticRun.write(spark, out, 600, 11, video.toUri().toString(), 600, new PrintStream(log, true, StandardCharsets.UTF_8));
        // every kept clip's caption tries to run script (the gallery shows some of them); subtitle texts carry markup
        List<String> kept = spark.read().format("delta").load(IngestTables.path(out, IngestTables.CLIPS)).where("keep").select("clip_id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        List<Row> caps = new java.util.ArrayList<>();
        for (String id : kept) {
            caps.add(RowFactory.create(java.util.Arrays.stream(CaptionTables.SCHEMA.fields()).map(f -> switch (f.name()) {
                case "caption_key" -> "k-" + id;
                case "clip_id" -> id;
                case "model", "prompt_version", "estimator" -> "test";
                case "status" -> "ok";
                case "caption" -> HOSTILE;
                default -> f.nullable() ? null : defaultFor(f);
            }).toArray()));
        }
        spark.createDataFrame(caps, CaptionTables.SCHEMA).write().format("delta").mode("overwrite").save(CaptionTables.path(out));
        html = tmp.resolve("report.html");
        QualityReport.Result r = new QualityReport(spark, new PrintStream(log, true, StandardCharsets.UTF_8), 6).write(out, html);
        assertEquals(600, r.clips());
        assertTrue(r.thumbnails() > 0, "thumbnails of the clips whose video exists");

        String driver = "/usr/bin/chromedriver";
        assertTrue(Files.isExecutable(Path.of(driver)), "the browser tests need Debian's chromium and chromium-driver (.ci/run installs them)");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000");
        LoggingPreferences prefs = new LoggingPreferences();
        prefs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", prefs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(Path.of(driver).toFile()).build(), o);
        browser.get(html.toUri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    }

    static Object defaultFor(org.apache.spark.sql.types.StructField f) {
        return f.dataType() instanceof org.apache.spark.sql.types.TimestampType ? new java.sql.Timestamp(0)
                : f.dataType() instanceof org.apache.spark.sql.types.StringType ? "" : null;
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.quit();
    }

    Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void thePageLoadsWithoutAConsoleErrorAndRequestsNothing() {
        List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertEquals(List.of(), severe.stream().map(LogEntry::getMessage).toList(), "console errors");
        assertEquals(0L, js("return performance.getEntriesByType('resource').length"), "no request leaves the page");
        assertTrue(Files.isRegularFile(html));
        assertEquals("600", browser.findElement(By.id("clip-count")).getText());
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void captionsAndSubtitlesAreShownAsTextAndRunNothing() {
        assertNull(js("return window.__pwned === undefined ? null : window.__pwned"), "a caption's script ran");
        String text = browser.findElement(By.id("galleries-body")).getText();
        assertTrue(text.contains("<script>window.__pwned = 1</script>") && text.contains("onerror="), "the caption is shown as text");
        assertTrue(text.contains("SUBSCRIBE <b>now</b>"), "subtitle text shown as text");
        assertEquals(0L, js("return document.querySelectorAll('#galleries-body script, #galleries-body b, img[src=\"x\"]').length"));
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void movingAThresholdGivesWhatTheFilterStageKeeps() throws Exception {
        int initial = ((Number) js("return window.__report.keptCount()")).intValue();
        long table = spark.read().format("delta").load(IngestTables.path(tmp.resolve("run").toString(), IngestTables.CLIPS)).where("keep").count();
        assertEquals(table, initial, "with the run's own rules the page keeps what the table keeps");

        WebElement input = browser.findElement(By.id("rule-0")); // face_frames_ratio >= 0.5
        input.clear();
        input.sendKeys("0.8");
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> ((Number) js("return window.__report.keptCount()")).intValue() != initial);
        int page = ((Number) js("return window.__report.keptCount()")).intValue();
        String setLine = browser.findElement(By.id("set-line")).getText();
        assertTrue(setLine.contains("{score: face_frames_ratio, op: \">=\", value: 0.8, reason: no_face}"), setLine);

        // the filter stage on a copy of the table, with the line the page shows
        Path copy = tmp.resolve("copy");
        spark.read().format("delta").load(IngestTables.path(tmp.resolve("run").toString(), IngestTables.CLIPS)).write().format("delta").save(copy.toString());
        assertTrue(setLine.startsWith("bin/curate run --stages filter --output '" + tmp.resolve("run") + "' --set 'filter.rules=["), setLine);
        String rules = browser.findElement(By.id("set-line")).getAttribute("data-rules");
        CurateConfig cfg = CurateConfig.defaults().withOverrides(List.of("filter.rules=" + rules));
        FilterStage.Report r = new FilterStage(spark, cfg, new PrintStream(new ByteArrayOutputStream())).run(copy.toString());
        assertEquals(r.kept(), page, "the page's kept count for face_frames_ratio >= 0.8");
        assertTrue(page < initial);
        Number ms = (Number) js("return window.__report.lastUpdateMs");
        assertTrue(ms.doubleValue() >= 0);
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void aRunWithoutClipsGivesAPageWithoutErrors() throws Exception {
        String out = tmp.resolve("empty").toString();
        SyntheticRun.write(spark, out, 0, 3, null, 0, new PrintStream(new ByteArrayOutputStream()));
        Path page = tmp.resolve("empty.html");
        assertEquals(0, new QualityReport(spark, new PrintStream(new ByteArrayOutputStream()), 6).write(out, page).clips());
        browser.manage().logs().get(LogType.BROWSER); // drop what earlier tests logged
        browser.get(page.toUri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
        assertEquals(List.of(), browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList());
        assertEquals("0", browser.findElement(By.id("kept-count")).getText());
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void theContentSecurityPolicyBlocksRemoteLoads() {
        // what an injected remote image would do: blocked by the page's policy, reported on the console
        js("var i = document.createElement('img'); i.id = 'injected'; i.src = 'http://127.0.0.1:9/x.png'; document.body.appendChild(i);");
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> d.manage().logs().get(LogType.BROWSER).getAll().stream()
                .anyMatch(e -> e.getMessage().contains("Content Security Policy")));
        assertEquals(0L, js("return document.getElementById('injected').naturalWidth"));
    }
}
