package dev.sightline.benchmarks.query;

import dev.sightline.benchmarks.Bench;
import dev.sightline.benchmarks.remotewrite.WriteRequestEncoder;
import dev.sightline.core.FileTrees;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.QueryResult;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Range-query latency of Sightline's engine against the real Prometheus on the same data: N series x H hours at
 * 15 s (half counters, a tenth classic-histogram buckets, the rest gauges), loaded into Sightline's Tsdb and
 * persisted to blocks with flushHead, and into Prometheus through its remote-write receiver in time order (it cuts
 * and compacts blocks as it does live; promtool's backfill re-parses its input per 2h block: 65 s at 1k series,
 * at 10k 3 of 12 blocks after 4.5 minutes), then snapshotted with its head and served from that snapshot, so both
 * sides read blocks only. Each query runs over the whole span at a 60 s step; after warm-up, the median of the
 * repetitions is printed per query with the ratio Sightline / Prometheus (target at most 0.5).
 *
 * <p>What is timed: Sightline is the in-process engine (parse + evaluate into a Matrix, no JSON). Prometheus is its
 * HTTP API measured client-side (request, evaluation, JSON encoding, transfer, reading the body), minus nothing.
 * Prometheus's own execTotalTime (from {@code stats=all}, a separate request) is printed alongside for reference.
 *
 * <pre>
 * --series N       series (default 10000)
 * --hours H        data span in hours (default 24)
 * --reps R         measured repetitions per query after 3 warm-ups (default 5)
 * --prometheus P   Prometheus binary (default /usr/bin/prometheus)
 * --data-dir D     work directory (default: a temporary one, deleted afterwards)
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
    private static final int WARMUPS = 3;
    /** Remote-write requests: samples per series (a minute) and series per request. */
    private static final int WRITE_WINDOW = 4;
    private static final int WRITE_BATCH = 2500;

    static final List<String> QUERIES = List.of(
            "sum by (job) (rate(bench_requests_total[5m]))",
            "histogram_quantile(0.99, sum by (le) (rate(bench_latency_seconds_bucket[5m])))",
            "topk(5, rate(bench_requests_total[5m]))",
            "bench_memory_bytes{job=\"job-1\"}",
            "max by (job) (avg_over_time(bench_memory_bytes[10m]))");

    private PromqlQueryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int numSeries = 10_000;
        int hours = 24;
        int reps = 5;
        Path prometheus = Path.of("/usr/bin/prometheus");
        Path dir = null;
        boolean keep = false;
        boolean startTimestamps = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--series" -> numSeries = Integer.parseInt(value(args, ++i, a));
                case "--hours" -> hours = Integer.parseInt(value(args, ++i, a));
                case "--reps" -> reps = Integer.parseInt(value(args, ++i, a));
                case "--prometheus" -> prometheus = Path.of(value(args, ++i, a));
                case "--data-dir" -> dir = Path.of(value(args, ++i, a));
                case "--keep" -> keep = true;
                case "--start-timestamps" -> startTimestamps = true;
                default -> throw new IllegalArgumentException("unknown flag " + a + " (see the class comment for flags)");
            }
        }
        if (numSeries < 100 || hours <= 0 || reps <= 0) {
            throw new IllegalArgumentException("need --series >= 100, --hours > 0, --reps > 0");
        }
        if (!Files.isExecutable(prometheus)) {
            throw new IllegalArgumentException("Prometheus not found at " + prometheus
                    + " (Debian/Ubuntu: apt-get install prometheus)");
        }
        boolean tempDir = dir == null;
        dir = tempDir ? Files.createTempDirectory("sightline-query-bench") : Files.createDirectories(dir);
        try {
            run(new DataShape(numSeries, hours), reps, prometheus, dir, startTimestamps);
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dir);
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

    private static void run(DataShape shape, int reps, Path prometheus, Path dir, boolean startTimestamps) throws Exception {
        int samples = shape.samplesPerSeries();
        long total = (long) shape.series() * samples;
        System.out.printf(Locale.ROOT, "data: %d series (%d counters, %d gauges, %d histograms x %d buckets) x %d h at 15 s = %,d samples%n",
                shape.series(), shape.counters(), shape.gauges(), shape.histograms(), LE.length, shape.hours(), total);
        Labels[] labels = shape.labels();

        long t = System.nanoTime();
        Path promLive = Files.createDirectories(dir.resolve("prometheus"));
        Path snapshot;
        try (Peer live = Peer.start(prometheus, promLive, dir, "--web.enable-remote-write-receiver", "--web.enable-admin-api")) {
            remoteWrite(shape, labels, live);
            double loadSeconds = (System.nanoTime() - t) / 1e9;
            snapshot = promLive.resolve("snapshots").resolve(live.snapshot());
            System.out.printf(Locale.ROOT, "prometheus: remote-written in time order in %.1f s (%,.0f samples/s), %d blocks cut and"
                    + " compacted while loading; snapshot with head -> %d blocks%n", loadSeconds, total / loadSeconds,
                    countBlocks(promLive), countBlocks(snapshot));
        }

        t = System.nanoTime();
        Path ourData = Files.createDirectories(dir.resolve("sightline"));
        try (Tsdb tsdb = Tsdb.open(ourData, TsdbOptions.defaults().withWalEnabled(false))) {
            load(shape, labels, tsdb, startTimestamps);
            tsdb.flushHead(); // queries then read blocks only, as the restarted Prometheus's do
            System.out.printf(Locale.ROOT, "sightline: appended and persisted to blocks in %.1f s%s%n", (System.nanoTime() - t) / 1e9,
                    startTimestamps ? " (counters and buckets with a start timestamp)" : "");
            // Prometheus serves the snapshot: blocks only, no head. A 2h max block duration stops background
            // compaction from competing with the measurement (blocks compacted while loading stay as they are).
            try (Peer peer = Peer.start(prometheus, snapshot, dir, "--storage.tsdb.max-block-duration=2h")) {
                System.out.printf(Locale.ROOT, "blocks read at measurement (no head on either side): sightline %d, prometheus %d%n",
                        countBlocks(ourData), countBlocks(snapshot));
                measure(shape, reps, tsdb, peer);
            }
        }
    }

    /**
     * Sends the whole span in time order through Prometheus's remote-write receiver, one sample per TimeSeries as
     * its queue manager sends them, {@value #WRITE_WINDOW} samples per series and {@value #WRITE_BATCH} series per
     * request. Every append is in order, so Prometheus cuts and compacts head blocks as it does live. The next
     * window's requests are built while the current ones are sent.
     */
    private static void remoteWrite(DataShape shape, Labels[] labels, Peer peer) {
        byte[][] encoded = new byte[labels.length][];
        for (int s = 0; s < labels.length; s++) {
            String[] pairs = new String[labels[s].size() * 2];
            for (int i = 0; i < labels[s].size(); i++) {
                pairs[2 * i] = labels[s].name(i);
                pairs[2 * i + 1] = labels[s].value(i);
            }
            encoded[s] = WriteRequestEncoder.encodeLabels(pairs);
        }
        Generator gen = new Generator(shape);
        WriteRequestEncoder enc = new WriteRequestEncoder();
        double[][] values = new double[WRITE_WINDOW][labels.length];
        CompletableFuture<Void> sending = CompletableFuture.completedFuture(null);
        for (int k0 = 0; k0 < shape.samplesPerSeries(); k0 += WRITE_WINDOW) {
            int window = Math.min(WRITE_WINDOW, shape.samplesPerSeries() - k0);
            // Time-major generation: a histogram's buckets advance together per timestamp.
            for (int k = 0; k < window; k++) {
                for (int s = 0; s < labels.length; s++) {
                    values[k][s] = gen.next(s);
                }
            }
            List<byte[]> requests = new ArrayList<>();
            for (int from = 0; from < labels.length; from += WRITE_BATCH) {
                enc.reset();
                for (int s = from; s < Math.min(labels.length, from + WRITE_BATCH); s++) {
                    for (int k = 0; k < window; k++) {
                        enc.series(encoded[s], values[k][s], T0_MS + PHASE_MS + (k0 + k) * INTERVAL_MS);
                    }
                }
                requests.add(enc.compressed());
            }
            sending.join();
            sending = CompletableFuture.runAsync(() -> requests.forEach(peer::write));
        }
        sending.join();
    }

    private static void measure(DataShape shape, int reps, Tsdb tsdb, Peer peer) throws Exception {
        Engine engine = new Engine(EngineOptions.defaults());
        long start = T0_MS;
        long end = shape.endMs();
        long step = 60_000;
        System.out.printf(Locale.ROOT, "range queries over %d h at 60 s step; median of %d runs after %d warm-ups%n", shape.hours(), reps, WARMUPS);
        System.out.printf(Locale.ROOT, "%-80s %12s %14s %12s %8s %8s%n", "query", "sightline ms", "prometheus ms",
                "(prom exec)", "ratio", "series");
        double worst = 0;
        for (String q : QUERIES) {
            double[] ours = new double[reps];
            double[] theirs = new double[reps];
            double[] exec = new double[reps];
            int ourSeries = 0;
            int theirSeries = 0;
            for (int r = -WARMUPS; r < reps; r++) {
                long t0 = System.nanoTime();
                Expr e = PromQLParser.parseExpr(q);
                QueryResult res = engine.range(tsdb::querier, e, start, end, step, q);
                long t1 = System.nanoTime();
                ourSeries = ((Matrix) res.value()).series().size();
                String body = peer.queryRange(q, start, end, step, false);
                long t2 = System.nanoTime();
                theirSeries = count(body, "\"metric\"");
                double execSeconds = Peer.execTotalTime(peer.queryRange(q, start, end, step, true));
                if (r >= 0) {
                    ours[r] = (t1 - t0) / 1e6;
                    theirs[r] = (t2 - t1) / 1e6;
                    exec[r] = execSeconds * 1000;
                }
            }
            double o = Bench.median(ours);
            double p = Bench.median(theirs);
            worst = Math.max(worst, o / p);
            System.out.printf(Locale.ROOT, "%-80s %12.1f %14.1f %12.1f %7.2fx %s%n", q, o, p, Bench.median(exec), o / p,
                    ourSeries == theirSeries ? Integer.toString(ourSeries) : ourSeries + "/" + theirSeries + " DIFFER");
        }
        System.out.printf(Locale.ROOT, "worst ratio sightline/prometheus %.2fx (target <= %.1fx): %s%n", worst, TARGET_RATIO,
                worst <= TARGET_RATIO ? "met" : "NOT met");
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

    /** A Prometheus server on a free loopback port. */
    private static final class Peer implements AutoCloseable {
        private static final Pattern EXEC_TOTAL = Pattern.compile("\"execTotalTime\":([0-9.eE+-]+)");
        private static final Pattern SNAPSHOT_NAME = Pattern.compile("\"name\":\"([^\"]+)\"");
        private final Process process;
        private final String base;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        private Peer(Process process, int port) {
            this.process = process;
            this.base = "http://127.0.0.1:" + port;
        }

        static Peer start(Path binary, Path data, Path dir, String... flags) throws Exception {
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 15s\n");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path log = dir.resolve("prometheus.log");
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + data,
                    "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=100y"));
            cmd.addAll(List.of(flags));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Peer peer = new Peer(p, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IOException("prometheus exited:\n" + Files.readString(log));
                }
                try {
                    if (peer.http.send(HttpRequest.newBuilder(URI.create(peer.base + "/-/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return peer;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            peer.close();
            throw new IOException("prometheus not ready after 120 s:\n" + Files.readString(log));
        }

        String queryRange(String q, long start, long end, long step, boolean stats) throws Exception {
            String form = "query=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&start=" + start / 1000
                    + "&end=" + end / 1000 + "&step=" + step / 1000 + (stats ? "&stats=all" : "");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query_range"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().startsWith("{\"status\":\"success\"")) {
                throw new IOException("prometheus failed on " + q + ": " + r.body());
            }
            return r.body();
        }

        /** One snappy-compressed remote-write 1.0 request; anything but 204 fails the load. */
        void write(byte[] request) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/write"))
                        .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 204) {
                    throw new IOException("prometheus refused a remote-write request: " + r.statusCode() + " " + r.body());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Snapshots the TSDB including its head (admin API); returns the snapshot's folder name under snapshots/. */
        String snapshot() throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/tsdb/snapshot"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = SNAPSHOT_NAME.matcher(r.body());
            if (r.statusCode() != 200 || !m.find()) {
                throw new IOException("prometheus snapshot failed: " + r.statusCode() + " " + r.body());
            }
            return m.group(1);
        }

        static double execTotalTime(String body) {
            Matcher m = EXEC_TOTAL.matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static int countBlocks(Path dataDir) throws IOException {
        try (Stream<Path> s = Files.list(dataDir)) {
            return (int) s.filter(p -> Files.exists(p.resolve("meta.json"))).count();
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
