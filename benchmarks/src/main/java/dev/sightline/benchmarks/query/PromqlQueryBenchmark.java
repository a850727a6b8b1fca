package dev.sightline.benchmarks.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.benchmarks.Bench;
import dev.sightline.benchmarks.PeerProcess;
import dev.sightline.benchmarks.HttpPeer;
import dev.sightline.benchmarks.remotewrite.TimeOrderedWriter;
import dev.sightline.core.FileTrees;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Range-query latency of Sightline against the real Prometheus and VictoriaMetrics on the same data, each a server
 * process answering {@code /api/v1/query_range} over HTTP with its JSON, timed the same way client-side (request,
 * evaluation, encoding, transfer, reading the whole body). The data: N series x H hours at 15 s (half counters, a
 * tenth classic-histogram buckets, the rest gauges). Sightline's is appended through the Tsdb API and persisted to
 * blocks, which are then compacted; Prometheus and VictoriaMetrics get it through their remote-write receivers in time
 * order (Prometheus cuts and compacts blocks as it does live, and then serves a snapshot taken with its head;
 * VictoriaMetrics is flushed and force-merged), so every side reads persisted, compacted data only. Each query runs over the whole span at a 60 s step;
 * after warm-ups each repetition asks every server in turn (the order rotating), and the median, minimum and
 * maximum per server are printed with the ratios Sightline / Prometheus (target at most 0.5) and Sightline /
 * VictoriaMetrics.
 *
 * <p>Answers are compared numerically with Prometheus's (same series, same timestamps, values within a relative
 * 1e-9): VictoriaMetrics' MetricsQL changes some semantics (rate and increase do not extrapolate, its
 * histogram_quantile interpolates differently), so a query where its answer differs from Prometheus's is reported
 * and left out of the Sightline / VictoriaMetrics ratio.
 *
 * <pre>
 * --series N       series (default 10000)
 * --hours H        data span in hours (default 24)
 * --reps R         measured repetitions per query after 2 warm-ups (default 9)
 * --peers P,...    servers to measure besides Sightline: prometheus, victoria-metrics (default both)
 * --prometheus P   Prometheus binary (default /usr/bin/prometheus)
 * --victoria-metrics V   VictoriaMetrics binary (default /usr/bin/victoria-metrics)
 * --sightline-cp CP      the Sightline server's class path (promql-query.sh passes it)
 * --data-dir D     work directory (default: a temporary one, deleted afterwards); a server whose data for the same
 *                  shape is already there (from a --keep run) is not loaded again
 * --keep           keep the work directory
 * --start-timestamps  give Sightline's counters and histogram buckets a start timestamp, as OTLP counters have (one
 *                  hour before the data, so results stay those of Prometheus, which stores none): the cost of
 *                  reading chunks with a start-timestamp column
 * </pre>
 */
public final class PromqlQueryBenchmark {
    private static final long INTERVAL_MS = 15_000;
    /**
     * Samples sit 250 ms past whole seconds and queries use whole seconds, so no sample lies on a range boundary
     * (Prometheus 2.x ranges are closed, 3.x's and ours left-open): both sides then compute the same results.
     */
    private static final long PHASE_MS = 250;
    /** A whole day (UTC), aligned to 2h block boundaries. */
    private static final long T0_MS = 1_699_920_000_000L;
    private static final int JOBS = 10;
    private static final String[] LE = {"0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"};
    private static final double[] LE_VALUES = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, Double.POSITIVE_INFINITY};
    private static final double TARGET_RATIO = 0.5;
    private static final int WARMUPS = 2;
    private static final double TOLERANCE = 1e-9;
    private static final String SIGHTLINE = "sightline";
    private static final String PROMETHEUS = "prometheus";
    private static final String VICTORIA = "victoria-metrics";
    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> QUERIES = List.of(
            "sum by (job) (rate(bench_requests_total[5m]))",
            "histogram_quantile(0.99, sum by (le) (rate(bench_latency_seconds_bucket[5m])))",
            "topk(5, rate(bench_requests_total[5m]))",
            "bench_memory_bytes{job=\"job-1\"}",
            "max by (job) (avg_over_time(bench_memory_bytes[10m]))");
    /** The query whose answer is large (400 series x 1,440 points at 10k series): timed again with gzip asked for. */
    private static final String LARGE_ANSWER = "bench_memory_bytes{job=\"job-1\"}";

    private PromqlQueryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int numSeries = 10_000;
        int hours = 24;
        int reps = 9;
        Path prometheus = Path.of("/usr/bin/prometheus");
        Path victoria = Path.of("/usr/bin/victoria-metrics");
        List<String> peers = List.of(PROMETHEUS, VICTORIA);
        String sightlineCp = null;
        Path dir = null;
        boolean keep = false;
        boolean startTimestamps = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--series" -> numSeries = Bench.positive(a, Bench.value(args, ++i, a));
                case "--hours" -> hours = Bench.positive(a, Bench.value(args, ++i, a));
                case "--reps" -> reps = Bench.positive(a, Bench.value(args, ++i, a));
                case "--peers" -> peers = List.of(Bench.value(args, ++i, a).split(","));
                case "--prometheus" -> prometheus = Path.of(Bench.value(args, ++i, a));
                case "--victoria-metrics" -> victoria = Path.of(Bench.value(args, ++i, a));
                case "--sightline-cp" -> sightlineCp = Bench.value(args, ++i, a);
                case "--data-dir" -> dir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                case "--start-timestamps" -> startTimestamps = true;
                default -> throw new IllegalArgumentException("unknown flag " + a + " (see the class comment for flags)");
            }
        }
        if (numSeries < 100) {
            throw new IllegalArgumentException("need --series >= 100");
        }
        if (sightlineCp == null) {
            throw new IllegalArgumentException("--sightline-cp is required (promql-query.sh passes it)");
        }
        PeerProcess.requirePeers(peers, prometheus, victoria);
        boolean tempDir = dir == null;
        dir = tempDir ? Files.createTempDirectory("sightline-query-bench") : Files.createDirectories(dir);
        try {
            new PromqlQueryBenchmark.Run(new DataShape(numSeries, hours), reps, sightlineCp, peers.contains(PROMETHEUS) ? prometheus : null,
                    peers.contains(VICTORIA) ? victoria : null, dir, startTimestamps).run();
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dir);
            } else {
                System.out.println("data and server logs kept in " + dir);
            }
        }
    }

    /** Which series exist and how their values evolve; every series draws from its own seeded stream. */
    record DataShape(int series, int hours) {
        int histograms() {
            return Math.max(1, series / 100);
        }

        int counters() {
            return series / 2;
        }

        int gauges() {
            return series - counters() - histograms() * LE.length;
        }

        int samplesPerSeries() {
            return (int) (hours * 3_600_000L / INTERVAL_MS);
        }

        long endMs() {
            return T0_MS + hours * 3_600_000L;
        }

        /** All series' labels; histogram buckets are consecutive, le ascending, so one generator feeds them. */
        Labels[] labels() {
            Labels[] out = new Labels[series];
            int n = 0;
            for (int i = 0; i < counters(); i++) {
                out[n++] = Labels.of("__name__", "bench_requests_total", "job", "job-" + i % JOBS,
                        "instance", "host-" + i / 5, "path", "/api/v" + i % 5);
            }
            for (int i = 0; i < gauges(); i++) {
                out[n++] = Labels.of("__name__", "bench_memory_bytes", "job", "job-" + i % JOBS, "instance", "host-" + i);
            }
            for (int h = 0; h < histograms(); h++) {
                for (String le : LE) {
                    out[n++] = Labels.of("__name__", "bench_latency_seconds_bucket", "job", "job-" + h % JOBS,
                            "instance", "host-" + h, "le", le);
                }
            }
            return out;
        }
    }

    /**
     * Produces sample k of every series in order. Counters and gauges keep one value each; a histogram keeps its
     * cumulative bucket counts. Each series (or histogram) has its own random stream, so both loads, which walk
     * time-major, produce the same values.
     */
    static final class Generator {
        private final DataShape shape;
        private final SplittableRandom[] rnd;
        private final double[] value;

        Generator(DataShape shape) {
            this.shape = shape;
            int streams = shape.counters() + shape.gauges() + shape.histograms();
            rnd = new SplittableRandom[streams];
            for (int i = 0; i < streams; i++) {
                rnd[i] = new SplittableRandom(0x5157L * 1_000_003L + i);
            }
            value = new double[shape.series()];
            for (int i = 0; i < shape.counters(); i++) {
                value[i] = 1000 + rnd[i].nextInt(100_000);
            }
            for (int i = shape.counters(); i < shape.counters() + shape.gauges(); i++) {
                value[i] = 1e8 + rnd[i].nextDouble() * 1e9;
            }
        }

        /** Advances series {@code s} (a histogram's first bucket advances the whole histogram) by one sample. */
        double next(int s) {
            int c = shape.counters();
            int g = shape.gauges();
            if (s < c) {
                SplittableRandom r = rnd[s];
                value[s] = r.nextInt(2000) == 0 ? 0 : value[s] + r.nextDouble() * 40;
                return value[s];
            }
            if (s < c + g) {
                value[s] += (rnd[s].nextDouble() - 0.5) * 4e6;
                return value[s];
            }
            int first = c + g + (s - c - g) / LE.length * LE.length;
            if (s == first) {
                SplittableRandom r = rnd[c + g + (s - c - g) / LE.length];
                int obs = r.nextInt(50);
                for (int o = 0; o < obs; o++) {
                    double d = -Math.log(1 - r.nextDouble()) * 0.2;
                    for (int b = 0; b < LE.length; b++) {
                        if (d <= LE_VALUES[b]) {
                            value[first + b]++;
                        }
                    }
                }
            }
            return value[s];
        }
    }

    /** One benchmark run: loads what is not loaded yet, starts the servers, measures. */
    private record Run(DataShape shape, int reps, String sightlineCp, Path prometheus, Path victoria, Path dir,
                       boolean startTimestamps) {
        void run() throws Exception {
            long total = (long) shape.series() * shape.samplesPerSeries();
            System.out.printf(Locale.ROOT, "data: %d series (%d counters, %d gauges, %d histograms x %d buckets) x %d h at 15 s = %,d samples%n",
                    shape.series(), shape.counters(), shape.gauges(), shape.histograms(), LE.length, shape.hours(), total);
            System.out.printf(Locale.ROOT, "load average at start: %s%n", Bench.loadAverage());
            Labels[] labels = shape.labels();
            loadRemoteWritePeers(labels, total);
            loadSightline(labels);
            compactSightline();

            List<HttpPeer> servers = new ArrayList<>();
            try {
                Path ourData = dir.resolve(SIGHTLINE);
                int port = PeerProcess.freePort();
                servers.add(HttpPeer.start(SIGHTLINE, PeerProcess.sightlineCommand(sightlineCp, List.of(), "--config",
                        PeerProcess.sightlineConfig(dir).toString(), "--data-dir", ourData.toString(), "--http-port",
                        Integer.toString(port), "--listen-address", "127.0.0.1"), port, "/-/ready", dir));
                int settled = Bench.settledBlocks(ourData);
                String blocks = "blocks read at measurement (no head on any side): sightline " + settled;
                if (prometheus != null) {
                    Path snapshot = snapshotDir();
                    port = PeerProcess.freePort();
                    // Blocks only, no head. A 2h max block duration stops background compaction from competing with
                    // the measurement (blocks compacted while loading stay as they are).
                    servers.add(HttpPeer.start(PROMETHEUS, prometheusCommand(snapshot, port, "--storage.tsdb.max-block-duration=2h"),
                            port, "/-/ready", dir));
                    blocks += ", prometheus " + Bench.countBlocks(snapshot);
                }
                if (victoria != null) {
                    port = PeerProcess.freePort();
                    servers.add(HttpPeer.start(VICTORIA, PeerProcess.victoriaMetricsCommand(victoria, dir.resolve(VICTORIA), port),
                            port, "/health", dir));
                    blocks += ", victoria-metrics: force-merged parts";
                }
                System.out.println(blocks);
                measure(servers);
            } finally {
                servers.forEach(HttpPeer::close);
            }
        }

        private String loadedMark() {
            return shape + (startTimestamps ? " start-timestamps" : "");
        }

        private boolean loaded(String peer) throws IOException {
            Path mark = dir.resolve(peer + ".loaded");
            return Files.exists(mark) && Files.readAllLines(mark).getFirst().equals(loadedMark());
        }

        private void markLoaded(String peer, String... more) throws IOException {
            List<String> lines = new ArrayList<>(List.of(loadedMark()));
            lines.addAll(List.of(more));
            Files.write(dir.resolve(peer + ".loaded"), lines);
        }

        private Path snapshotDir() throws IOException {
            return dir.resolve(PROMETHEUS).resolve("snapshots").resolve(Files.readAllLines(dir.resolve(PROMETHEUS + ".loaded")).get(1));
        }

        private List<String> prometheusCommand(Path data, int port, String... flags) throws IOException {
            Path config = Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 15s\n");
            List<String> cmd = new ArrayList<>(List.of(prometheus.toString(), "--config.file=" + config, "--storage.tsdb.path=" + data,
                    "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=100y"));
            cmd.addAll(List.of(flags));
            return cmd;
        }

        /** Remote-writes the data, in one pass, into every remote-write peer that does not hold it yet. */
        private void loadRemoteWritePeers(Labels[] labels, long total) throws Exception {
            boolean prom = prometheus != null && !loaded(PROMETHEUS);
            boolean vm = victoria != null && !loaded(VICTORIA);
            if (!prom && !vm) {
                return;
            }
            List<HttpPeer> live = new ArrayList<>();
            try {
                if (prom) {
                    int port = PeerProcess.freePort();
                    live.add(HttpPeer.start(PROMETHEUS, prometheusCommand(Files.createDirectories(dir.resolve(PROMETHEUS)), port,
                            "--web.enable-remote-write-receiver", "--web.enable-admin-api"), port, "/-/ready", dir));
                }
                if (vm) {
                    int port = PeerProcess.freePort();
                    live.add(HttpPeer.start(VICTORIA, PeerProcess.victoriaMetricsCommand(victoria,
                            Files.createDirectories(dir.resolve(VICTORIA)), port), port, "/health", dir));
                }
                long t = System.nanoTime();
                remoteWrite(shape, labels, live);
                double seconds = (System.nanoTime() - t) / 1e9;
                System.out.printf(Locale.ROOT, "%s: remote-written in time order in %.1f s (%,.0f samples/s to each; load average %s)%n",
                        String.join(" and ", live.stream().map(HttpPeer::name).toList()), seconds, total / seconds, Bench.loadAverage());
                for (HttpPeer s : live) {
                    if (s.name().equals(PROMETHEUS)) {
                        String snapshot = s.snapshot();
                        markLoaded(PROMETHEUS, snapshot);
                        System.out.printf(Locale.ROOT, "prometheus: %d blocks cut and compacted while loading; snapshot with head -> %d blocks%n",
                                Bench.countBlocks(dir.resolve(PROMETHEUS)), Bench.countBlocks(snapshotDir()));
                    } else {
                        t = System.nanoTime();
                        PeerProcess.victoriaMetricsFlushAndMerge(s.base(), dir.resolve(VICTORIA));
                        markLoaded(VICTORIA);
                        System.out.printf(Locale.ROOT, "victoria-metrics: flushed and force-merged in %.1f s%n", (System.nanoTime() - t) / 1e9);
                    }
                }
            } finally {
                live.forEach(HttpPeer::close);
            }
        }

        private void loadSightline(Labels[] labels) throws IOException {
            if (loaded(SIGHTLINE)) {
                return;
            }
            long t = System.nanoTime();
            Path ourData = dir.resolve(SIGHTLINE);
            FileTrees.deleteRecursively(ourData);
            try (Tsdb tsdb = Tsdb.open(Files.createDirectories(ourData), TsdbOptions.defaults().withWalEnabled(false))) {
                load(shape, labels, tsdb, startTimestamps);
                tsdb.flushHead(); // the server then reads blocks only, as the restarted Prometheus does
            }
            markLoaded(SIGHTLINE);
            System.out.printf(Locale.ROOT, "sightline: appended and persisted to blocks in %.1f s%s%n", (System.nanoTime() - t) / 1e9,
                    startTimestamps ? " (counters and buckets with a start timestamp)" : "");
        }

        /**
         * Compacts Sightline's blocks before its server starts, as Prometheus's were compacted while loading and
         * VictoriaMetrics' parts force-merged: otherwise the server compacts them in the background during the
         * measurement (a day of 2 h blocks took minutes under load), competing with the queries it answers.
         */
        private void compactSightline() throws IOException {
            long t = System.nanoTime();
            try (Tsdb tsdb = Tsdb.open(dir.resolve(SIGHTLINE), TsdbOptions.defaults().withWalEnabled(false))) {
                int before = tsdb.blocks().size();
                tsdb.compactBlocks();
                System.out.printf(Locale.ROOT, "sightline: %d blocks compacted to %d in %.1f s (load average %s)%n", before,
                        tsdb.blocks().size(), (System.nanoTime() - t) / 1e9, Bench.loadAverage());
            }
        }

        private void measure(List<HttpPeer> servers) throws Exception {
            long start = T0_MS;
            long end = shape.endMs();
            long step = 60_000;
            System.out.printf(Locale.ROOT, "range queries over %d h at 60 s step over HTTP (JSON, no compression); per server the median"
                    + " [min-max] ms of %d rounds after %d warm-ups, the servers asked in turn%n", shape.hours(), reps, WARMUPS);
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-80s", "query"));
            for (HttpPeer s : servers) {
                head.append(String.format(Locale.ROOT, " %24s", s.name() + " ms"));
            }
            head.append(String.format(Locale.ROOT, " %8s %8s  %s", "S/P", "S/VM", "answers"));
            System.out.println(head);
            double worstProm = 0;
            double worstVm = 0;
            int vmCompared = 0;
            for (String q : QUERIES) {
                double[][] ms = new double[servers.size()][reps];
                byte[][] bodies = time(servers, q, start, end, step, null, ms);
                Map<String, double[]> byName = new LinkedHashMap<>();
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-80s", q));
                for (int i = 0; i < servers.size(); i++) {
                    byName.put(servers.get(i).name(), ms[i]);
                    row.append(String.format(Locale.ROOT, " %24s", spread(ms[i])));
                }
                double ours = Bench.median(byName.get(SIGHTLINE));
                double[] prom = byName.get(PROMETHEUS);
                double[] vm = byName.get(VICTORIA);
                String answers = answers(servers, bodies);
                boolean vmAgrees = vm != null && prom != null && !answers.contains(VICTORIA + " differs");
                row.append(String.format(Locale.ROOT, " %8s %8s  %s", prom == null ? "-" : ratio(ours / Bench.median(prom)),
                        vm == null ? "-" : vmAgrees ? ratio(ours / Bench.median(vm)) : "(differs)", answers));
                System.out.println(row);
                if (prom != null) {
                    worstProm = Math.max(worstProm, ours / Bench.median(prom));
                }
                if (vmAgrees) {
                    worstVm = Math.max(worstVm, ours / Bench.median(vm));
                    vmCompared++;
                }
            }
            if (servers.stream().anyMatch(s -> s.name().equals(PROMETHEUS))) {
                System.out.printf(Locale.ROOT, "worst median ratio sightline/prometheus %.2fx (target <= %.1fx): %s%n", worstProm,
                        TARGET_RATIO, worstProm <= TARGET_RATIO ? "met" : "NOT met");
            }
            if (vmCompared > 0) {
                System.out.printf(Locale.ROOT, "worst median ratio sightline/victoria-metrics %.2fx over the %d queries where its answer"
                        + " agrees with Prometheus's (target <= %.1fx): %s%n", worstVm, vmCompared, TARGET_RATIO,
                        worstVm <= TARGET_RATIO ? "met" : "NOT met");
            }
            encoded(servers, start, end, step);
            System.out.printf(Locale.ROOT, "load average at the end: %s%n", Bench.loadAverage());
        }

        /** The large answer again with Accept-Encoding: gzip: bytes on the wire and time, per server. */
        private void encoded(List<HttpPeer> servers, long start, long end, long step) throws Exception {
            double[][] ms = new double[servers.size()][reps];
            byte[][] gz = time(servers, LARGE_ANSWER, start, end, step, "gzip", ms);
            byte[][] plain = time(servers, LARGE_ANSWER, start, end, step, null, new double[servers.size()][1]);
            System.out.printf(Locale.ROOT, "%s with Accept-Encoding: gzip (median [min-max] ms of %d):%n", LARGE_ANSWER, reps);
            for (int i = 0; i < servers.size(); i++) {
                System.out.printf(Locale.ROOT, "  %-17s %,12d bytes gzip (%,d plain) %24s ms%n", servers.get(i).name(), gz[i].length,
                        plain[i].length, spread(ms[i]));
            }
        }

        /**
         * Runs {@code q} on every server, warm-ups first, then {@code ms[server].length} rounds, each asking the
         * servers in turn starting one further along; fills {@code ms}, returns each server's last body.
         */
        private static byte[][] time(List<HttpPeer> servers, String q, long start, long end, long step, String encoding,
                                     double[][] ms) throws Exception {
            byte[][] bodies = new byte[servers.size()][];
            int rounds = ms[0].length;
            for (int r = -WARMUPS; r < rounds; r++) {
                for (int k = 0; k < servers.size(); k++) {
                    int i = Math.floorMod(r + k, servers.size());
                    long t0 = System.nanoTime();
                    bodies[i] = servers.get(i).queryRange(q, start, end, step, encoding);
                    if (r >= 0) {
                        ms[i][r] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
            return bodies;
        }

        private static String spread(double[] ms) {
            return String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", Bench.median(ms), Arrays.stream(ms).min().orElseThrow(),
                    Arrays.stream(ms).max().orElseThrow());
        }

        private static String ratio(double r) {
            return String.format(Locale.ROOT, "%.2fx", r);
        }
    }

    /**
     * How each server's answer compares with Prometheus's (or, without Prometheus, with Sightline's): "N series" when
     * all agree, else which differs and how.
     */
    static String answers(List<HttpPeer> servers, byte[][] bodies) throws IOException {
        int ref = 0;
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).name().equals(PROMETHEUS)) {
                ref = i;
            }
        }
        Map<String, TreeMap<Long, Double>> expected = matrix(bodies[ref]);
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            if (i == ref) {
                continue;
            }
            String diff = compare(expected, matrix(bodies[i]));
            if (diff != null) {
                notes.add(servers.get(i).name() + " differs: " + diff);
            } else if (Arrays.equals(bodies[i], bodies[ref])) {
                notes.add(servers.get(i).name() + " byte-identical");
            }
        }
        return expected.size() + " series" + (notes.isEmpty() ? ", all agree" : "; " + String.join("; ", notes));
    }

    /** Null when {@code actual} has the same series and timestamps with values within {@value #TOLERANCE} (relative). */
    static String compare(Map<String, TreeMap<Long, Double>> expected, Map<String, TreeMap<Long, Double>> actual) {
        if (!expected.keySet().equals(actual.keySet())) {
            List<String> missing = expected.keySet().stream().filter(k -> !actual.containsKey(k)).limit(2).toList();
            List<String> extra = actual.keySet().stream().filter(k -> !expected.containsKey(k)).limit(2).toList();
            return String.format(Locale.ROOT, "%d series against %d (missing e.g. %s, extra e.g. %s)", actual.size(), expected.size(),
                    missing, extra);
        }
        long points = 0;
        long differ = 0;
        String first = null;
        for (var e : expected.entrySet()) {
            TreeMap<Long, Double> a = actual.get(e.getKey());
            for (var p : e.getValue().entrySet()) {
                points++;
                Double v = a.get(p.getKey());
                if (v == null || !close(p.getValue(), v)) {
                    differ++;
                    if (first == null) {
                        first = e.getKey() + " at " + p.getKey() + ": " + v + " against " + p.getValue();
                    }
                }
            }
            for (Long t : a.keySet()) {
                if (!e.getValue().containsKey(t)) {
                    points++;
                    differ++;
                    if (first == null) {
                        first = e.getKey() + " has an extra point at " + t;
                    }
                }
            }
        }
        return differ == 0 ? null : String.format(Locale.ROOT, "%,d of %,d points, first %s", differ, points, first);
    }

    private static boolean close(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) || Double.isInfinite(y)) {
            return Double.compare(x, y) == 0;
        }
        return Math.abs(x - y) <= TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
    }

    /** A query_range answer as series (labels sorted, as text) to points (ms to value). */
    static Map<String, TreeMap<Long, Double>> matrix(byte[] body) throws IOException {
        JsonNode result = JSON.readTree(body).path("data").path("result");
        Map<String, TreeMap<Long, Double>> out = new TreeMap<>();
        for (JsonNode s : result) {
            TreeMap<String, String> labels = new TreeMap<>();
            s.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            TreeMap<Long, Double> points = new TreeMap<>();
            for (JsonNode p : s.path("values")) {
                String v = p.get(1).asText().replace("Inf", "Infinity");
                points.put(Math.round(p.get(0).asDouble() * 1000), Double.parseDouble(v));
            }
            out.put(labels.toString(), points);
        }
        return out;
    }

    /** Remote-writes the whole span in time order into {@code servers}, the values from the benchmark's generator. */
    private static void remoteWrite(DataShape shape, Labels[] labels, List<HttpPeer> servers) {
        Generator gen = new Generator(shape);
        TimeOrderedWriter.write(servers, labels, shape.samplesPerSeries(), T0_MS + PHASE_MS, INTERVAL_MS, gen::next);
    }

    /** Time-major, one appender and commit per timestamp, refs reused: the way a scraper appends. */
    private static void load(DataShape shape, Labels[] labels, Tsdb tsdb, boolean startTimestamps) throws IOException {
        Generator gen = new Generator(shape);
        long[] refs = new long[labels.length];
        int gaugesFrom = shape.counters();
        int gaugesTo = gaugesFrom + shape.gauges();
        long start = startTimestamps ? T0_MS - 3_600_000 : 0;
        for (int k = 0; k < shape.samplesPerSeries(); k++) {
            long ts = T0_MS + PHASE_MS + k * INTERVAL_MS;
            Appender app = tsdb.appender();
            for (int s = 0; s < labels.length; s++) {
                long st = s >= gaugesFrom && s < gaugesTo ? 0 : start;
                refs[s] = app.append(refs[s], labels[s], st, ts, gen.next(s));
            }
            app.commit();
        }
    }
}
