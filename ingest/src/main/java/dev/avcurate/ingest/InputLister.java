package dev.avcurate.ingest;

import dev.avcurate.core.Ids;
import dev.avcurate.ingest.IngestRecords.Input;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Turns {@code --input} into the list of files to ingest, through Hadoop's file systems so that
 * file://, hdfs:// and s3a:// behave the same: a directory (recursive, by extension), a glob
 * ({@code s3a://bucket/raw/*.mp4}), or a manifest ({@code .csv} with a {@code uri} column or one
 * URI per line; {@code .jsonl} with a {@code "uri"} field per line).
 */
public final class InputLister {
    private static final Pattern JSON_URI = Pattern.compile("\"uri\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private InputLister() {}

    public static List<Input> list(String input, Set<String> extensions, Configuration conf) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(conf);
        Map<String, Input> out = new LinkedHashMap<>();
        String lower = input.toLowerCase(Locale.ROOT);
        boolean glob = input.contains("*") || input.contains("?") || input.contains("[") || input.contains("{");
        if (glob) {
            FileStatus[] matches = fs.globStatus(p);
            if (matches != null) for (FileStatus s : matches) if (s.isFile()) add(out, s);
            // A glob that matches nothing is a typo far more often than an empty dataset: say so, as for a missing path.
            if (out.isEmpty()) throw new IOException("input not found: no file matches " + input);
        } else if (!fs.exists(p)) {
            throw new IOException("input not found: " + input);
        } else if (fs.getFileStatus(p).isDirectory()) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
            while (it.hasNext()) {
                LocatedFileStatus s = it.next();
                String name = s.getPath().getName();
                if (name.startsWith(".") || name.startsWith("_")) continue;
                int dot = name.lastIndexOf('.');
                String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
                if (extensions.contains(ext)) add(out, s);
            }
        } else if (lower.endsWith(".csv") || lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".txt")) {
            String cwd = FileSystem.get(conf).getWorkingDirectory().toString();
            for (String uri : readManifest(fs, p, lower.endsWith(".csv"))) {
                Input in = lookUp(uri, cwd, conf);
                out.putIfAbsent(in.uri(), in);
            }
        } else {
            add(out, fs.getFileStatus(p));
        }
        return out.values().stream().sorted(Comparator.comparing(Input::uri)).collect(Collectors.toList());
    }

    /** Columns of {@link #frame}: one row per input file. */
    public static final org.apache.spark.sql.types.StructType SCHEMA = new org.apache.spark.sql.types.StructType()
            .add("video_id", org.apache.spark.sql.types.DataTypes.StringType, false).add("uri", org.apache.spark.sql.types.DataTypes.StringType, false)
            .add("size_bytes", org.apache.spark.sql.types.DataTypes.LongType, false).add("mtime_ms", org.apache.spark.sql.types.DataTypes.LongType, false);

    /** Whether {@code input} names a manifest (by its extension) rather than a video, a directory or a glob. */
    public static boolean isManifest(String input) {
        String lower = input.toLowerCase(Locale.ROOT);
        boolean glob = input.contains("*") || input.contains("?") || input.contains("[") || input.contains("{");
        return !glob && (lower.endsWith(".csv") || lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".txt"));
    }

    /**
     * The inputs as a DataFrame ({@link #SCHEMA}). A manifest is read and resolved by the executors
     * (its lines split across tasks, one stat per URI where the URI's file system is), so a manifest
     * of millions of URIs never passes through the driver; a directory or a glob is listed on the
     * driver through Hadoop, as Spark lists its own file sources. Duplicate URIs count once.
     */
    public static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame(org.apache.spark.sql.SparkSession spark, String input,
                                                                             Set<String> extensions) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(conf);
        if (!isManifest(input) || !fs.exists(p) || fs.getFileStatus(p).isDirectory()) {
            List<org.apache.spark.sql.Row> rows = new ArrayList<>();
            for (Input in : list(input, extensions, conf)) rows.add(org.apache.spark.sql.RowFactory.create(in.videoId(), in.uri(), in.sizeBytes(), in.mtimeMs()));
            return spark.createDataFrame(rows, SCHEMA);
        }
        boolean csv = input.toLowerCase(Locale.ROOT).endsWith(".csv");
        // The header (a CSV's first line naming a uri column) is the one thing read here; every other line is read by a task.
        String header = null;
        int uriCol = 0;
        if (csv) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    line = line.strip();
                    if (line.isEmpty() || line.startsWith("#")) continue;
                    if (!line.startsWith("{")) {
                        String[] cells = line.split(",", -1);
                        for (int i = 0; i < cells.length; i++) {
                            if (cells[i].strip().replace("\"", "").equalsIgnoreCase("uri")) {
                                uriCol = i;
                                header = line;
                                break;
                            }
                        }
                    }
                    break;
                }
            }
        }
        String manifest = fs.makeQualified(p).toString();
        String cwd = FileSystem.get(conf).getWorkingDirectory().toString(); // relative URIs: against the driver's, as before
        org.apache.spark.util.SerializableConfiguration sconf = new org.apache.spark.util.SerializableConfiguration(conf);
        String head = header;
        int col = uriCol;
        // Lines spread over tasks (a manifest of a million URIs is one small file: one task would stat them all in turn).
        int tasks = (int) Math.max(spark.sparkContext().defaultParallelism(), Math.min(10_000, fs.getFileStatus(p).getLen() / (4 << 20) + 1));
        org.apache.spark.api.java.JavaRDD<org.apache.spark.sql.Row> rows = spark.read().text(manifest).repartition(tasks).javaRDD()
                .mapPartitions(it -> resolve(it, manifest, csv, head, col, cwd, sconf.value()));
        return spark.createDataFrame(rows, SCHEMA).dropDuplicates("uri");
    }

    /** One task's share of a manifest: its lines parsed, each URI looked up on its file system; lazily, line by line. */
    private static java.util.Iterator<org.apache.spark.sql.Row> resolve(java.util.Iterator<org.apache.spark.sql.Row> lines, String manifest,
                                                                       boolean csv, String header, int uriCol, String cwd, Configuration conf) {
        return new java.util.Iterator<>() {
            org.apache.spark.sql.Row next = advance();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public org.apache.spark.sql.Row next() {
                if (next == null) throw new java.util.NoSuchElementException();
                org.apache.spark.sql.Row r = next;
                next = advance();
                return r;
            }

            private org.apache.spark.sql.Row advance() {
                while (lines.hasNext()) {
                    String line = lines.next().getString(0).strip();
                    if (line.isEmpty() || line.startsWith("#") || line.equals(header)) continue;
                    try {
                        Input in = lookUp(uriOf(line, manifest, csv, uriCol), cwd, conf);
                        return org.apache.spark.sql.RowFactory.create(in.videoId(), in.uri(), in.sizeBytes(), in.mtimeMs());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return null;
            }
        };
    }

    private static String uriOf(String line, String manifest, boolean csv, int uriCol) throws IOException {
        if (line.startsWith("{")) {
            Matcher m = JSON_URI.matcher(line);
            if (!m.find()) throw new IOException(manifest + ": a JSON line without a \"uri\" field: " + abbreviate(line));
            return m.group(1).replace("\\/", "/").replace("\\\"", "\"").replace("\\\\", "\\");
        }
        if (csv) {
            String[] cells = line.split(",", -1);
            return cells[Math.min(uriCol, cells.length - 1)].strip().replace("\"", "");
        }
        return line;
    }

    /** One URI's file, or a size of -1 when it is not there (kept: ingest records it as a read_error rather than losing it). */
    private static Input lookUp(String uri, String cwd, Configuration conf) throws IOException {
        Path up = new Path(uri);
        if (!up.isAbsolute() && up.toUri().getScheme() == null) up = new Path(cwd, up);
        FileSystem ufs = up.getFileSystem(conf);
        try {
            FileStatus st = ufs.getFileStatus(up);
            String q = st.getPath().toUri().toString();
            return new Input(Ids.videoId(q), q, st.getLen(), st.getModificationTime());
        } catch (java.io.FileNotFoundException e) {
            // The same URI form as a found file's, so it gets the same id once it appears.
            String q = ufs.makeQualified(up).toUri().toString();
            return new Input(Ids.videoId(q), q, -1, -1);
        }
    }

    private static void add(Map<String, Input> out, FileStatus s) {
        String uri = s.getPath().toUri().toString();
        out.putIfAbsent(uri, new Input(Ids.videoId(uri), uri, s.getLen(), s.getModificationTime()));
    }

    static List<String> readManifest(FileSystem fs, Path p, boolean csv) throws IOException {
        List<String> uris = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
            String line;
            int uriCol = 0;
            boolean first = true;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (line.startsWith("{")) {
                    uris.add(uriOf(line, p.toString(), false, 0));
                    continue;
                }
                if (csv) {
                    String[] cells = line.split(",", -1);
                    if (first) {
                        first = false;
                        for (int i = 0; i < cells.length; i++) {
                            if (cells[i].strip().replace("\"", "").equalsIgnoreCase("uri")) {
                                uriCol = i;
                                line = null;
                                break;
                            }
                        }
                        if (line == null) continue;
                    }
                    uris.add(cells[Math.min(uriCol, cells.length - 1)].strip().replace("\"", ""));
                } else {
                    uris.add(line);
                }
            }
        }
        return uris;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
