package dev.sightline.benchmarks.logs;

import dev.sightline.benchmarks.Bench;
import dev.sightline.benchmarks.PeerProcess;
import dev.sightline.benchmarks.QueryTimer;
import dev.sightline.benchmarks.QueryTimer.Latency;
import dev.sightline.core.FileTrees;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * Issue 14's logs benchmark in one run: the reference (raw Lucene indexing of the lines in one thread,
 * {@link LuceneReference}), then Sightline fed the same lines over Loki's push API (protobuf + snappy, as Promtail
 * sends them), then two LogQL queries over Loki's query_range API, then the log store's bytes on disk after the
 * server's own shutdown. Lines come from {@link LogShape} (50 streams, JSON and logfmt, 150-300 bytes, over the 24 h
 * before the run, each entry's level also sent as structured metadata {@code level}).
 *
 * <p>Pusher p of P sends the streams s with s % P == p, in time order, in requests of about --batch lines (one
 * request per pusher for each chunk of batch x P consecutive lines), each on its own HTTP/1.1 connection; all
 * requests are built before timing. MB/s counts line bytes (UTF-8), as the reference does. Any push answer but 2xx
 * stops the run with the answer and no Sightline figures: a server without {@code /loki/api/v1/push} fails clearly.
 *
 * <p>Queries (sequential, after a warm-up, every answer checked): {@code {service="x"} |= "timeout"} over the last
 * hour of the data (x rotating over the services; the answer must hold min(limit, the generator's count) lines, each
 * with "timeout" and service x), and {@code sum by (level) (count_over_time({service=~".+"}[5m]))} over the 24 h
 * at a 5 m step, which groups by the structured metadata {@code level} (a stream label {@code level} would split the 50
 * streams in 200): the answer must have only {@code level} series of the four levels, and the counts summed over
 * all points must equal the lines pushed (the steps tile the data's whole time range).
 *
 * <pre>
 * --lines N          lines, default 10000000
 * --pushers P        concurrent pushers, default 4; --batch B lines per push, about, default 1000
 * --seed X           generator seed, default 1
 * --searches Q       line-filter queries, default 50; --aggregations Q metric queries, default 10
 * --limit L          the line-filter query's limit, default 100 (Loki's default)
 * --heap H           the server's -Xmx, default 4g
 * --only reference|sightline
 * --sightline-cp CP  the Sightline server's class path (logs.sh passes it)
 * --data-dir D       where the reference index and the server keep data (default a temporary directory, deleted
 *                    unless --keep)
 * </pre>
 */
public final class LogsBenchmark {
    private static final double TARGET_REFERENCE_RATIO = 1.0, LOKI_LOW_MB = 3, LOKI_HIGH_MB = 6, TARGET_LOKI_RATIO = 5;
    private static final double TARGET_COMPRESSION = 6, TARGET_SEARCH_P99_MS = 200, TARGET_AGGREGATION_P99_MS = 2000;
    private static final long HOUR = TimeUnit.HOURS.toNanos(1), STEP = TimeUnit.MINUTES.toNanos(5);
    private static final int WARMUP_SEARCHES = 10, WARMUP_AGGREGATIONS = 2;

    /** Push requests by chunk and pusher, the lines each holds, and what the queries must find. */
    private record Requests(byte[][][] bodies, int[][] lines, long lineBytes, long protobufBytes,
                            long[] timeoutsLastHour) {
        long compressedBytes() {
            return Arrays.stream(bodies).flatMap(Arrays::stream).mapToLong(b -> b.length).sum();
        }
    }

    private record Ingest(long lines, long lineBytes, double seconds, double cpuSeconds, long rssKb, long diskBytes,
                          Latency search, Latency aggregation) {
        double mbPerSecond() {
            return lineBytes / seconds / 1e6;
        }

        double mbPerCpuSecond() {
            return lineBytes / cpuSeconds / 1e6;
        }
    }

    private LogsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int lines = 10_000_000, pushers = 4, batch = 1000, searches = 50, aggregations = 10, limit = 100;
        long seed = 1;
        String heap = "4g", only = null, sightlineCp = null;
        Path dir = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--lines" -> lines = Bench.positive(a, Bench.value(args, ++i, a));
                case "--pushers" -> pushers = Bench.positive(a, Bench.value(args, ++i, a));
                case "--batch" -> batch = Bench.positive(a, Bench.value(args, ++i, a));
                case "--seed" -> seed = Bench.positive(a, Bench.value(args, ++i, a));
                case "--searches" -> searches = Bench.positive(a, Bench.value(args, ++i, a));
                case "--aggregations" -> aggregations = Bench.positive(a, Bench.value(args, ++i, a));
                case "--limit" -> limit = Bench.positive(a, Bench.value(args, ++i, a));
                case "--heap" -> heap = Bench.value(args, ++i, a);
                case "--only" -> only = Bench.value(args, ++i, a);
                case "--sightline-cp" -> sightlineCp = Bench.value(args, ++i, a);
                case "--data-dir" -> dir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        boolean runReference = !"sightline".equals(only), runOurs = !"reference".equals(only);
        if (only != null && runReference == runOurs) {
            throw new IllegalArgumentException("--only must be reference or sightline, got " + only);
        }
        if (runOurs && sightlineCp == null) {
            throw new IllegalArgumentException("--sightline-cp is required (logs.sh passes it)");
        }
        boolean tempDir = dir == null;
        dir = tempDir ? Files.createTempDirectory("sightline-logs-bench") : Files.createDirectories(dir);

        // The data spans the 24 h that end a minute before now: nothing is in the future when it is pushed.
        long dataEnd = System.currentTimeMillis() * 1_000_000L - TimeUnit.MINUTES.toNanos(1);
        long dataStart = dataEnd - TimeUnit.HOURS.toNanos(24);
        LogShape shape = new LogShape(seed, lines, dataStart, dataEnd - dataStart);
        int chunk = batch * pushers;
        System.out.printf(Locale.ROOT, "%,d lines (seed %d) over the 24 h before %s, %d streams, %d pushers x ~%d lines "
                + "per push (load average %s)%n", lines, seed, java.time.Instant.ofEpochSecond(0, dataEnd), LogShape.STREAMS,
                pushers, batch, Bench.loadAverage());
        LuceneReference.Result reference = null;
        Ingest ours = null;
        boolean failed = false;
        try {
            if (runReference) {
                Path index = dir.resolve("lucene-reference");
                reference = LuceneReference.index(shape, chunk, index);
                System.out.printf(Locale.ROOT, "reference  raw Lucene, one thread: %,d lines (%.1f MB, %.1f bytes per line) "
                                + "in %.1f s = %.1f MB/s, %,.0f lines/s; process CPU %.1f s (%.1f MB per CPU-second), the "
                                + "indexing thread's %.1f s; %,d bytes on disk = %.1f bytes per line (load average %s)%n",
                        reference.lines(), reference.lineBytes() / 1e6, (double) reference.lineBytes() / reference.lines(),
                        reference.seconds(), reference.mbPerSecond(), reference.lines() / reference.seconds(),
                        reference.cpuSeconds(), reference.mbPerCpuSecond(), reference.threadCpuSeconds(),
                        reference.diskBytes(), reference.bytesPerLine(), Bench.loadAverage());
                FileTrees.deleteRecursively(index);
            }
            if (runOurs) {
                ours = sightline(sightlineCp, heap, dir.resolve("sightline"), shape, build(shape, chunk, pushers, dataEnd),
                        dataStart, dataEnd, searches, aggregations, limit, seed);
            }
        } catch (BenchmarkFailure e) {
            System.out.println("CHECK FAILED: " + e.getMessage() + "; no Sightline figures");
            failed = true;
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dir);
            } else {
                System.out.println("data and server log kept in " + dir);
            }
        }
        if (failed) {
            System.exit(1);
        }
        report(reference, ours);
    }

    /** Every push request, built in parallel over chunks, with the lines and query expectations they hold. */
    private static Requests build(LogShape shape, int chunk, int pushers, long dataEnd) {
        long t = System.nanoTime();
        int chunks = shape.chunks(chunk);
        byte[][][] bodies = new byte[chunks][pushers][];
        int[][] counts = new int[chunks][pushers];
        AtomicLong lineBytes = new AtomicLong(), protobuf = new AtomicLong();
        AtomicLongArray timeouts = new AtomicLongArray(LogShape.SERVICES.length);
        ThreadLocal<LokiPushEncoder> encoders = ThreadLocal.withInitial(LokiPushEncoder::new);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            List<List<LogShape.Line>> byPusher = new ArrayList<>();
            for (int p = 0; p < pushers; p++) {
                byPusher.add(new ArrayList<>(chunk / pushers + 16));
            }
            long bytes = 0;
            for (LogShape.Line l : shape.chunk(c, chunk)) {
                byPusher.get(l.stream() % pushers).add(l);
                bytes += l.text().getBytes(StandardCharsets.UTF_8).length;
                if (l.timestampNanos() >= dataEnd - HOUR && l.text().contains(LogShape.TIMEOUT)) {
                    timeouts.incrementAndGet(l.stream() / LogShape.ENVS.length);
                }
            }
            lineBytes.addAndGet(bytes);
            for (int p = 0; p < pushers; p++) {
                List<LogShape.Line> mine = byPusher.get(p);
                counts[c][p] = mine.size();
                byte[] raw = LokiPushEncoder.pushRequest(mine);
                protobuf.addAndGet(raw.length);
                bodies[c][p] = encoders.get().compressed(raw);
            }
        });
        long[] expected = new long[LogShape.SERVICES.length];
        for (int s = 0; s < expected.length; s++) {
            expected[s] = timeouts.get(s);
        }
        Requests r = new Requests(bodies, counts, lineBytes.get(), protobuf.get(), expected);
        System.out.printf(Locale.ROOT, "push requests: %,d (%.1f MB of lines, %.1f bytes per line; protobuf %.1f MB, "
                        + "snappy %.1f MB), built in %.1f s%n", chunks * pushers, r.lineBytes() / 1e6,
                (double) r.lineBytes() / shape.lines(), r.protobufBytes() / 1e6, r.compressedBytes() / 1e6,
                (System.nanoTime() - t) / 1e9);
        return r;
    }

    private static Ingest sightline(String cp, String heap, Path dir, LogShape shape, Requests requests, long dataStart,
                                    long dataEnd, int searches, int aggregations, int limit, long seed) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        int http = PeerProcess.freePort();
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, "server:\n  otlp_grpc_port: -1\n  otlp_http_port: -1\n");
        List<String> cmd = PeerProcess.sightlineCommand(cp, List.of("-Xms" + heap, "-Xmx" + heap), "--config",
                config.toString(), "--data-dir", data.toString(), "--http-port", Integer.toString(http),
                "--listen-address", "127.0.0.1");
        PeerProcess p = PeerProcess.start("sightline", cmd, dir.resolve("sightline.log"));
        try {
            URI base = URI.create("http://127.0.0.1:" + http);
            p.awaitReady(base.resolve("/-/ready"));
            double cpuAtStart = p.cpuSeconds();
            double seconds = push(base.resolve("/loki/api/v1/push"), requests);
            double cpu = p.cpuSeconds() - cpuAtStart;
            long pushed = shape.lines();
            System.out.printf(Locale.ROOT, "sightline  pushed %,d lines (%.1f MB) in %.1f s = %.1f MB/s, %,.0f lines/s; "
                            + "server CPU %.1f s = %,.0f lines per CPU-second (load average %s)%n", pushed,
                    requests.lineBytes() / 1e6, seconds, requests.lineBytes() / seconds / 1e6, pushed / seconds, cpu,
                    pushed / cpu, Bench.loadAverage());

            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI range = base.resolve("/loki/api/v1/query_range");
            int[] next = {new java.util.SplittableRandom(seed).nextInt(LogShape.SERVICES.length)};
            Latency search = QueryTimer.run(client, WARMUP_SEARCHES, searches, () -> {
                int s = next[0]++ % LogShape.SERVICES.length;
                String service = LogShape.SERVICES[s];
                long expected = Math.min(limit, requests.timeoutsLastHour()[s]);
                return new QueryTimer.Query(uri(range, "{service=\"" + service + "\"} |= \"" + LogShape.TIMEOUT + "\"",
                        dataEnd - HOUR, dataEnd, "&limit=" + limit + "&direction=backward"),
                        body -> checkStreams(body, service, expected));
            });
            printLatency("{service=\"x\"} |= \"timeout\", last hour", search, searches);
            long queryStart = dataStart + STEP - TimeUnit.MILLISECONDS.toNanos(1);
            URI aggregationUri = uri(range, "sum by (level) (count_over_time({service=~\".+\"}[5m]))", queryStart,
                    queryStart + TimeUnit.HOURS.toNanos(24), "&step=300");
            Latency aggregation = QueryTimer.run(client, WARMUP_AGGREGATIONS, aggregations,
                    () -> new QueryTimer.Query(aggregationUri, body -> checkLevels(body, pushed)));
            printLatency("sum by (level) (count_over_time({service=~\".+\"}[5m])), 24 h at 5 m", aggregation, aggregations);

            long[] mem = p.memoryKb();
            p.close(); // the server's own shutdown flushes what its log store keeps on disk
            long disk = Bench.sizeOnDisk(data.resolve("logs"));
            System.out.printf(Locale.ROOT, "sightline  VmRSS %,d MB (VmHWM %,d MB) at the end; log store (%s) %,d bytes "
                            + "on disk%s; whole data directory %,d bytes%n", mem[0] / 1024, mem[1] / 1024,
                    data.resolve("logs"), disk, disk == 0 ? " (nothing: an in-memory store?)" : String.format(Locale.ROOT,
                            " = %.1f bytes per line", (double) disk / pushed), Bench.sizeOnDisk(data));
            return new Ingest(pushed, requests.lineBytes(), seconds, cpu, mem[0], disk, search, aggregation);
        } finally {
            p.close(); // closing twice does no harm
        }
    }

    /**
     * Sends every request, pusher p the column p in chunk order, and returns the seconds from the first send to the
     * last answer. The first answer that is not 2xx stops all pushers and fails the run with it.
     */
    private static double push(URI push, Requests requests) throws InterruptedException {
        int pushers = requests.bodies()[0].length;
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicReference<String> firstBody = new AtomicReference<>();
        AtomicLong lastAnswer = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < pushers; k++) {
            int p = k;
            threads.add(Thread.ofPlatform().name("pusher-" + p).start(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                for (int c = 0; c < requests.bodies().length && failure.get() == null; c++) {
                    if (requests.lines()[c][p] == 0) {
                        continue;
                    }
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(push).timeout(Duration.ofSeconds(60))
                                .header("Content-Type", "application/x-protobuf")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(requests.bodies()[c][p])).build(),
                                HttpResponse.BodyHandlers.ofString());
                        lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
                        if (r.statusCode() / 100 != 2) {
                            failure.compareAndSet(null, "HTTP " + r.statusCode() + " " + QueryTimer.abbreviate(r.body().strip())
                                    + (r.statusCode() == 404 ? " (the server has no Loki push endpoint)" : ""));
                        } else if (!r.body().isBlank()) {
                            firstBody.compareAndSet(null, QueryTimer.abbreviate(r.body()));
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, e.toString());
                    } catch (InterruptedException e) {
                        failure.compareAndSet(null, "interrupted");
                        Thread.currentThread().interrupt();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new BenchmarkFailure("POST " + push + " answered " + failure.get());
        }
        if (firstBody.get() != null) {
            System.out.println("sightline  push answers have a body (Loki's is empty), the first: " + firstBody.get());
        }
        return (Math.max(lastAnswer.get(), start + 1) - start) / 1e9;
    }

    /** A failed check that ends the run without figures. */
    private static final class BenchmarkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BenchmarkFailure(String message) {
            super(message);
        }
    }

    private static URI uri(URI range, String query, long startNanos, long endNanos, String extra) {
        return URI.create(range + "?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + startNanos
                + "&end=" + endNanos + extra);
    }

    /** Null when a streams answer holds exactly {@code expected} lines, each saying timeout, all of {@code service}. */
    static String checkStreams(String body, String service, long expected) {
        JsonObject data = new JsonObject(body).getJsonObject("data");
        if (data == null || !"streams".equals(data.getString("resultType"))) {
            return "not a streams answer: " + QueryTimer.abbreviate(body);
        }
        long n = 0;
        for (Object o : data.getJsonArray("result")) {
            JsonObject stream = (JsonObject) o;
            if (!service.equals(stream.getJsonObject("stream").getString("service"))) {
                return "a stream of another service: " + stream.getJsonObject("stream");
            }
            for (Object v : stream.getJsonArray("values")) {
                String line = ((JsonArray) v).getString(1);
                if (!line.contains(LogShape.TIMEOUT)) {
                    return "a line without " + LogShape.TIMEOUT + ": " + line;
                }
                n++;
            }
        }
        return n == expected ? null : n + " lines instead of " + expected;
    }

    /** Null when a matrix answer has only {@code level} series of known levels whose points sum to {@code lines}. */
    static String checkLevels(String body, long lines) {
        JsonObject data = new JsonObject(body).getJsonObject("data");
        if (data == null || !"matrix".equals(data.getString("resultType"))) {
            return "not a matrix answer: " + QueryTimer.abbreviate(body);
        }
        Set<String> levels = Set.of(LogShape.LEVELS);
        double sum = 0;
        for (Object o : data.getJsonArray("result")) {
            JsonObject series = (JsonObject) o;
            JsonObject metric = series.getJsonObject("metric");
            if (metric.size() != 1 || !levels.contains(metric.getString(LokiPushEncoder.LEVEL))) {
                return "a series other than one level: " + metric;
            }
            for (Object v : series.getJsonArray("values")) {
                sum += Double.parseDouble(((JsonArray) v).getString(1));
            }
        }
        return sum == lines ? null : String.format(Locale.ROOT, "the counts sum to %.0f, not %d", sum, lines);
    }

    private static void printLatency(String what, Latency l, int n) {
        System.out.printf(Locale.ROOT, "sightline  %s: p50 %.1f ms, p99 %.1f ms (%d queries, %d wrong answers%s)%n", what,
                l.pMs(0.5), l.pMs(0.99), n, l.failures(), l.failures() == 0 ? "" : ", first: " + l.firstFailure());
    }

    private static void report(LuceneReference.Result ref, Ingest ours) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-42s %12s %12s %9s   %s%n", "figure", "sightline", "reference", "ratio", "target");
        String ourRate = ours == null ? "" : String.format(Locale.ROOT, "%.1f", ours.mbPerSecond());
        String refRate = ref == null ? "" : String.format(Locale.ROOT, "%.1f", ref.mbPerSecond());
        double vsRef = ours == null || ref == null ? Double.NaN : ours.mbPerSecond() / ref.mbPerSecond();
        System.out.printf(Locale.ROOT, "%-42s %12s %12s %9s   >= %.1fx raw single-thread Lucene: %s%n",
                "ingest MB/s (line bytes)", ourRate, refRate, Double.isNaN(vsRef) ? "" : String.format(Locale.ROOT, "%.2fx", vsRef),
                TARGET_REFERENCE_RATIO, Double.isNaN(vsRef) ? "n/a" : verdict(vsRef >= TARGET_REFERENCE_RATIO)
                        + (ours.diskBytes() == 0 ? " (but the log store wrote nothing to disk, the reference did)" : ""));
        System.out.printf(Locale.ROOT, "%-42s %12s %12s%n", "ingest lines/s",
                ours == null ? "" : String.format(Locale.ROOT, "%,.0f", ours.lines() / ours.seconds()),
                ref == null ? "" : String.format(Locale.ROOT, "%,.0f", ref.lines() / ref.seconds()));
        double cpuRatio = ours == null || ref == null ? Double.NaN : ours.mbPerCpuSecond() / ref.mbPerCpuSecond();
        System.out.printf(Locale.ROOT, "%-42s %12s %12s %9s   (the server's CPU against the reference process's: what "
                        + "a loaded machine moves least)%n", "MB per CPU-second",
                ours == null ? "" : String.format(Locale.ROOT, "%.1f", ours.mbPerCpuSecond()),
                ref == null ? "" : String.format(Locale.ROOT, "%.1f", ref.mbPerCpuSecond()),
                Double.isNaN(cpuRatio) ? "" : String.format(Locale.ROOT, "%.2fx", cpuRatio));
        if (ours != null) {
            System.out.printf(Locale.ROOT, "%-42s %12.1f %12s %9s   >= %.0fx a Loki ingester's 3-6 MB/s (%.2fx of "
                            + "%.0f MB/s): %s%n", "ingest vs a Loki ingester's share", ours.mbPerSecond(),
                    String.format(Locale.ROOT, "%.0f MB/s", LOKI_HIGH_MB),
                    String.format(Locale.ROOT, "%.2fx", ours.mbPerSecond() / LOKI_HIGH_MB), TARGET_LOKI_RATIO,
                    ours.mbPerSecond() / LOKI_LOW_MB, LOKI_LOW_MB, verdict(ours.mbPerSecond() >= TARGET_LOKI_RATIO * LOKI_HIGH_MB)
                            + " against 6 MB/s");
        }
        String ourDisk = ours == null || ours.diskBytes() == 0 ? ours == null ? "" : "nothing"
                : String.format(Locale.ROOT, "%.1f", (double) ours.diskBytes() / ours.lines());
        System.out.printf(Locale.ROOT, "%-42s %12s %12s%n", "bytes on disk per line", ourDisk,
                ref == null ? "" : String.format(Locale.ROOT, "%.1f", ref.bytesPerLine()));
        String ourCompression = ours == null || ours.diskBytes() == 0 ? "" :
                String.format(Locale.ROOT, "%.2f", (double) ours.lineBytes() / ours.diskBytes());
        System.out.printf(Locale.ROOT, "%-42s %12s %12s %9s   >= %.0fx: %s%n", "compression (raw lines / disk)",
                ourCompression, ref == null ? "" : String.format(Locale.ROOT, "%.2f", (double) ref.lineBytes() / ref.diskBytes()),
                "", TARGET_COMPRESSION, ours == null ? "n/a" : ours.diskBytes() == 0
                        ? "n/a, the log store wrote nothing under data/logs"
                        : verdict((double) ours.lineBytes() / ours.diskBytes() >= TARGET_COMPRESSION));
        if (ours != null) {
            latencyRows("|= \"timeout\", last hour", ours.search(), TARGET_SEARCH_P99_MS);
            latencyRows("sum by (level) count_over_time 24h", ours.aggregation(), TARGET_AGGREGATION_P99_MS);
            if (ours.search().failures() + ours.aggregation().failures() > 0) {
                System.out.println("CHECK FAILED: wrong query answers (see above)");
                System.exit(1);
            }
        }
    }

    private static void latencyRows(String what, Latency l, double targetP99) {
        System.out.printf(Locale.ROOT, "%-42s %12.1f%n", what + " p50 ms", l.pMs(0.5));
        System.out.printf(Locale.ROOT, "%-42s %12.1f %12s %9s   <= %.0f ms: %s%n", what + " p99 ms", l.pMs(0.99), "", "",
                targetP99, l.failures() > 0 ? "n/a, wrong answers" : verdict(l.pMs(0.99) <= targetP99));
    }

    private static String verdict(boolean met) {
        return met ? "met" : "NOT met";
    }
}
