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
            for (String uri : readManifest(fs, p, lower.endsWith(".csv"))) {
                Path up = new Path(uri);
                FileSystem ufs = up.getFileSystem(conf);
                if (!ufs.exists(up)) {
                    // Keep it: the ingest records it as a read_error instead of losing it silently. Same
                    // URI form as a found file's, so it gets the same id once it appears.
                    String q = ufs.makeQualified(up).toUri().toString();
                    out.putIfAbsent(q, new Input(Ids.videoId(q), q, -1, -1));
                } else {
                    add(out, ufs.getFileStatus(up));
                }
            }
        } else {
            add(out, fs.getFileStatus(p));
        }
        return out.values().stream().sorted(Comparator.comparing(Input::uri)).collect(Collectors.toList());
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
                    Matcher m = JSON_URI.matcher(line);
                    if (!m.find()) throw new IOException(p + ": a JSON line without a \"uri\" field: " + abbreviate(line));
                    uris.add(m.group(1).replace("\\/", "/").replace("\\\"", "\"").replace("\\\\", "\\"));
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
