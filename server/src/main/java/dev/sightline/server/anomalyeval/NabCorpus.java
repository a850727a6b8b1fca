package dev.sightline.server.anomalyeval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.promql.anomaly.Detectors;
import dev.sightline.server.DetectStream;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A labelled corpus in NAB's layout: {@code data/**}{@code /*.csv} files of {@code timestamp,value} rows and
 * {@code labels/combined_windows.json} mapping each file's path relative to {@code data} (with {@code /}) to its list
 * of {@code [start, end]} windows (timestamps in any form {@code detect} reads; without a zone, UTC). Every data file
 * needs an entry (an empty list for a file without anomaly) and every entry a file.
 */
public final class NabCorpus {
    public static final String LABELS = "labels/combined_windows.json";

    /** A data file: its name (path relative to {@code data}), where it is, and its windows in time order. */
    public record File(String name, Path path, List<NabScorer.Window> windows) {
    }

    private final List<File> files;

    private NabCorpus(List<File> files) {
        this.files = files;
    }

    public List<File> files() {
        return files;
    }

    /** Reads the layout and labels of {@code dir}; a missing piece or a bad label is an error naming it. */
    public static NabCorpus load(Path dir) throws IOException {
        Path data = dir.resolve("data");
        Path labels = dir.resolve(LABELS);
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException(dir + ": no data directory (expected NAB's layout: data/**/*.csv and "
                    + LABELS + ")");
        }
        if (!Files.isRegularFile(labels)) {
            throw new IllegalArgumentException(dir + ": no " + LABELS);
        }
        Map<String, Path> csv = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(data)) {
            walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".csv"))
                    .forEach(p -> csv.put(data.relativize(p).toString().replace('\\', '/'), p));
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(labels.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(labels + ": not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(labels + ": expected an object mapping file paths to lists of windows");
        }
        Map<String, List<NabScorer.Window>> windows = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!csv.containsKey(e.getKey())) {
                throw new IllegalArgumentException(labels + ": \"" + e.getKey() + "\" names no file under data/");
            }
            windows.put(e.getKey(), windows(labels, e.getKey(), e.getValue()));
        }
        List<File> files = new ArrayList<>();
        for (var e : csv.entrySet()) {
            List<NabScorer.Window> w = windows.get(e.getKey());
            if (w == null) {
                throw new IllegalArgumentException(labels + ": no entry for data/" + e.getKey()
                        + " (a file without anomalies needs an empty list)");
            }
            files.add(new File(e.getKey(), e.getValue(), w));
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(data + ": no .csv files");
        }
        return new NabCorpus(List.copyOf(files));
    }

    private static List<NabScorer.Window> windows(Path labels, String key, JsonNode list) {
        String where = labels + ": \"" + key + "\"";
        if (!list.isArray()) {
            throw new IllegalArgumentException(where + ": expected a list of [start, end] windows");
        }
        List<NabScorer.Window> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode w = list.get(i);
            if (!w.isArray() || w.size() != 2) {
                throw new IllegalArgumentException(where + " window " + (i + 1) + ": expected [start, end]");
            }
            long start = time(w.get(0), where + " window " + (i + 1) + " start");
            long end = time(w.get(1), where + " window " + (i + 1) + " end");
            if (end < start) {
                throw new IllegalArgumentException(where + " window " + (i + 1) + ": end before start");
            }
            if (!out.isEmpty() && start <= out.getLast().end()) {
                throw new IllegalArgumentException(where + " window " + (i + 1)
                        + ": starts before the window before it ends; windows must be in time order");
            }
            out.add(new NabScorer.Window(start, end));
        }
        return List.copyOf(out);
    }

    private static long time(JsonNode n, String where) {
        try {
            return DetectStream.parseTimestamp(n.asText(), ZoneOffset.UTC);
        } catch (DetectStream.BadInputException e) {
            throw new IllegalArgumentException(where + ": " + e.detail);
        }
    }

    /**
     * Streams every file through a detector exactly as {@code detect} does ({@link DetectStream}), a fresh one from
     * {@code detector} per file, and returns each file's times and scores. A bad row is an error naming file and line.
     */
    public List<NabScorer.Series> score(Function<File, Detectors.Configured> detector) throws IOException {
        List<NabScorer.Series> out = new ArrayList<>(files.size());
        for (File f : files) {
            Detectors.Configured c = detector.apply(f);
            DetectStream stream = new DetectStream(c, ZoneOffset.UTC);
            Rows rows = new Rows();
            try (Reader in = Files.newBufferedReader(f.path())) {
                stream.read(in, rows);
            } catch (DetectStream.BadInputException e) {
                throw new IllegalArgumentException("data/" + f.name() + ":" + e.line + ": " + e.detail);
            }
            out.add(new NabScorer.Series(f.name(), rows.ts, rows.scores, rows.n, f.windows()));
        }
        return out;
    }

    /** Collects times and scores into growing arrays. */
    private static final class Rows implements DetectStream.RowSink {
        long[] ts = new long[1024];
        double[] scores = new double[1024];
        int n;

        @Override
        public void row(String timestamp, String value, long t, double score) {
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                scores = Arrays.copyOf(scores, n * 2);
            }
            ts[n] = t;
            scores[n] = score;
            n++;
        }
    }
}
