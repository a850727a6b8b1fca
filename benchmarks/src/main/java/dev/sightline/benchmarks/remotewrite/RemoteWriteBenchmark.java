package dev.sightline.benchmarks.remotewrite;

import dev.sightline.benchmarks.Bench;
import dev.sightline.benchmarks.PeerProcess;
import dev.sightline.core.FileTrees;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Remote-write ingestion benchmark: pre-builds snappy-compressed WriteRequests (one sample per series, batches of
 * --batch samples, --rounds scrapes 15 s apart of --series series) and replays the same requests with --senders
 * concurrent HTTP/1.1 senders against Sightline, then the real Prometheus, then VictoriaMetrics, each started as its
 * own process on 127.0.0.1 with an empty data directory (VictoriaMetrics with Prometheus's flags translated: see
 * PeerProcess.victoriaMetricsCommand). Like Prometheus's queue manager, each sender owns a fixed share of the
 * series (request block b goes to sender b % senders) and sends its blocks round by round, so every series' samples
 * arrive in time order. Prints accepted samples/s (2xx-answered requests only), the server's CPU time while sending
 * (samples per CPU-second hardly depend on other load on the machine, wall-clock rates do), errors by status, and the
 * server's VmRSS (and VmHWM) at the end, where the CPU went while sending (the server's by thread, this load
 * generator's own, the machine's idle time: {@link CpuAccounts}) and, for Sightline, how long its WAL fsyncs took,
 * then the ratios Sightline/Prometheus next to the targets and Sightline/VictoriaMetrics. Senders are
 * {@link HttpSender}s, one keep-alive connection each, one request in flight.
 *
 * <pre>
 * --series N          active series (default 1000000)
 * --rounds R          scrapes per series, 15 s of simulated time apart (default 10)
 * --batch B           samples per request (default 2000)
 * --senders S         concurrent senders (default 4)
 * --max-seconds T     stop sending to a peer after T s (default 300)
 * --repeat K          measure each server K times, in turn (sightline, its peers, sightline again, ...), and
 *                     compare medians: on a shared machine one run of each moves by 10-20% with the time it ran
 * --settle S          after the load, leave each server idle S s and read its VmRSS again (default 0: not read):
 *                     what a server keeps once ingest stops (a JVM's just-in-time compiler frees its working memory
 *                     seconds later, Go's scavenger returns heap); the target is judged on the figure at the end
 * --sightline-cp CP   class path of the Sightline server (jar:lib/*); its JVM flags come from SIGHTLINE_JAVA_OPTS
 * --prometheus P      Prometheus binary (default /usr/bin/prometheus)
 * --victoria-metrics V  VictoriaMetrics binary (default /usr/bin/victoria-metrics)
 * --peers P,...       peers besides Sightline: prometheus, victoria-metrics (default both)
 * --only sightline|prometheus|victoria-metrics   measure one server only
 * --data-dir D        where both servers keep their data (default: a temporary directory, deleted unless --keep)
 * </pre>
 */
public final class RemoteWriteBenchmark {
    private static final double TARGET_RATE_RATIO = 2.0;
    private static final double TARGET_RSS_RATIO = 0.5;
    private static final long INTERVAL_MS = 15_000;
    private static final Pattern FSYNC = Pattern.compile("(?m)^sightline_tsdb_wal_fsync_duration_seconds_(count|sum)(?:\\{[^}]*\\})? ([0-9.eE+-]+)$");
    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.eE+-]+,\"([^\"]*)\"\\]");

    private record Result(String peer, long acceptedSamples, long acceptedRequests, long sentRequests, double seconds,
                          double cpuSeconds, Map<String, Long> errors, Map<String, String> firstError, long rssKb, long hwmKb,
                          long settledRssKb) {
        double rate() {
            return acceptedSamples / seconds;
        }

        /** Samples per second of the server's own CPU time (user + system, all threads): what other load on the machine barely moves. */
        double ratePerCpu() {
            return acceptedSamples / cpuSeconds;
        }
    }

    private RemoteWriteBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int series = 1_000_000, rounds = 10, batch = 2000, senders = 4, maxSeconds = 300, settle = 0, repeat = 1;
        String sightlineCp = null, only = null;
        List<String> peers = List.of("prometheus", "victoria-metrics");
        Path prometheus = Path.of("/usr/bin/prometheus"), victoria = Path.of("/usr/bin/victoria-metrics"), dir = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--series" -> series = Bench.positive(a, Bench.value(args, ++i, a));
                case "--rounds" -> rounds = Bench.positive(a, Bench.value(args, ++i, a));
                case "--batch" -> batch = Bench.positive(a, Bench.value(args, ++i, a));
                case "--senders" -> senders = Bench.positive(a, Bench.value(args, ++i, a));
                case "--max-seconds" -> maxSeconds = Bench.positive(a, Bench.value(args, ++i, a));
                case "--settle" -> settle = Bench.positive(a, Bench.value(args, ++i, a));
                case "--repeat" -> repeat = Bench.positive(a, Bench.value(args, ++i, a));
                case "--sightline-cp" -> sightlineCp = Bench.value(args, ++i, a);
                case "--prometheus" -> prometheus = Path.of(Bench.value(args, ++i, a));
                case "--victoria-metrics" -> victoria = Path.of(Bench.value(args, ++i, a));
                case "--peers" -> peers = List.of(Bench.value(args, ++i, a).split(","));
                case "--only" -> only = Bench.value(args, ++i, a);
                case "--data-dir" -> dir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        List<String> servers = new ArrayList<>(List.of("sightline"));
        servers.addAll(peers);
        if (only != null) {
            if (!List.of("sightline", "prometheus", "victoria-metrics").contains(only)) {
                throw new IllegalArgumentException("--only must be sightline, prometheus or victoria-metrics, got " + only);
            }
            servers = List.of(only);
        }
        if (servers.contains("sightline") && sightlineCp == null) {
            throw new IllegalArgumentException("--sightline-cp is required (remote-write.sh passes it)");
        }
        PeerProcess.requirePeers(servers.stream().filter(s -> !s.equals("sightline")).toList(), prometheus, victoria);
        boolean tempDir = dir == null;
        dir = tempDir ? Files.createTempDirectory("sightline-rw-bench") : Files.createDirectories(dir);

        long t = System.nanoTime();
        byte[][][] requests = build(series, rounds, batch);
        long bytes = 0;
        for (byte[][] round : requests) {
            for (byte[] r : round) {
                bytes += r.length;
            }
        }
        int perRound = requests[0].length;
        System.out.printf(Locale.ROOT, "built %d requests (%d series x %d rounds, %d samples each, %d per node) in %.1f s, "
                        + "%.1f MB snappy; %d senders, at most %d s per peer%n", perRound * rounds, series, rounds, batch,
                SeriesShape.perNode(), (System.nanoTime() - t) / 1e9, bytes / 1e6, senders, maxSeconds);

        List<Result> results = new ArrayList<>();
        try {
            // Servers in turn, repeat after repeat: a machine whose speed drifts over minutes weighs on each alike.
            for (int k = 0; k < repeat * servers.size(); k++) {
                String server = servers.get(k % servers.size());
                String name = repeat == 1 ? server : server + "-" + (k / servers.size() + 1);
                Path data = Files.createDirectories(dir.resolve(name));
                int port = PeerProcess.freePort();
                List<String> cmd = switch (server) {
                    case "sightline" -> PeerProcess.sightlineCommand(sightlineCp, List.of(), "--config",
                            PeerProcess.sightlineConfig(dir).toString(), "--data-dir", data.toString(),
                            "--http-port", Integer.toString(port), "--listen-address", "127.0.0.1");
                    case "prometheus" -> {
                        Path config = Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 15s\n");
                        yield List.of(prometheus.toString(), "--web.enable-remote-write-receiver", "--config.file=" + config,
                                "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port);
                    }
                    default -> PeerProcess.victoriaMetricsCommand(victoria, data, port);
                };
                results.add(measure(server, cmd, port, dir.resolve(name + ".log"), requests, series, batch, senders,
                        maxSeconds, settle));
            }
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dir);
            } else {
                System.out.println("data and server logs kept in " + dir);
            }
        }
        report(results);
    }

    /** Requests[round][block]: block b holds series [b * batch, (b + 1) * batch), all at the round's timestamp. */
    private static byte[][][] build(int series, int rounds, int batch) {
        int blocks = (series + batch - 1) / batch;
        byte[][][] requests = new byte[rounds][blocks][];
        // Recent timestamps: a fresh Prometheus head accepts them, and the last round ends about now.
        long t0 = (System.currentTimeMillis() / INTERVAL_MS - rounds) * INTERVAL_MS;
        IntStream.range(0, blocks).parallel().forEach(b -> {
            int from = b * batch, to = Math.min(series, from + batch);
            byte[][] labels = new byte[to - from][];
            double[] values = new double[to - from];
            SplittableRandom rnd = new SplittableRandom(b);
            for (int s = from; s < to; s++) {
                labels[s - from] = WriteRequestEncoder.encodeLabels(SeriesShape.labels(s));
                values[s - from] = SeriesShape.initial(s, rnd);
            }
            WriteRequestEncoder enc = new WriteRequestEncoder();
            for (int r = 0; r < rounds; r++) {
                enc.reset();
                for (int s = from; s < to; s++) {
                    values[s - from] = SeriesShape.next(s, values[s - from], rnd);
                    enc.series(labels[s - from], values[s - from], t0 + r * INTERVAL_MS);
                }
                requests[r][b] = enc.compressed();
            }
        });
        return requests;
    }

    private static Result measure(String peer, List<String> cmd, int port, Path log, byte[][][] requests, int series,
                                  int batch, int senders, int maxSeconds, int settle) throws Exception {
        int lastBlock = series - (requests[0].length - 1) * batch;
        try (PeerProcess p = PeerProcess.start(peer, cmd, log)) {
            URI base = URI.create("http://127.0.0.1:" + port);
            p.awaitReady(base.resolve(peer.equals("victoria-metrics") ? "/health" : "/-/ready"));
            double cpuAtStart = p.cpuSeconds();
            CpuAccounts accountsAtStart = CpuAccounts.take(p.pid());
            boolean ours = peer.equals("sightline");
            double[] fsyncsAtStart = ours ? walFsyncs(base) : null;
            URI write = base.resolve("/api/v1/write");
            LongAdder acceptedSamples = new LongAdder(), acceptedRequests = new LongAdder(), sent = new LongAdder();
            Map<String, Long> errors = new ConcurrentHashMap<>();
            Map<String, String> firstError = new ConcurrentHashMap<>();
            AtomicLong lastResponse = new AtomicLong();
            long start = System.nanoTime(), deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < senders; k++) {
                int me = k;
                threads.add(Thread.ofPlatform().name("sender-" + k).start(() -> {
                    try (HttpSender http = new HttpSender(write, "Content-Type", "application/x-protobuf",
                            "Content-Encoding", "snappy", "X-Prometheus-Remote-Write-Version", "0.1.0")) {
                        for (byte[][] round : requests) {
                            for (int b = me; b < round.length; b += senders) {
                                if (System.nanoTime() > deadline) {
                                    return;
                                }
                                String status;
                                String body = "";
                                try {
                                    HttpSender.Answer r = http.post(round[b]);
                                    status = Integer.toString(r.status());
                                    body = r.body();
                                } catch (IOException e) {
                                    status = "io:" + e.getClass().getSimpleName();
                                    body = String.valueOf(e.getMessage());
                                }
                                sent.increment();
                                lastResponse.accumulateAndGet(System.nanoTime(), Math::max);
                                if (status.length() == 3 && status.charAt(0) == '2') {
                                    acceptedRequests.increment();
                                    acceptedSamples.add(b < round.length - 1 ? batch : lastBlock);
                                } else {
                                    errors.merge(status, 1L, Long::sum);
                                    firstError.putIfAbsent(status, body.length() > 200 ? body.substring(0, 200) : body);
                                }
                            }
                        }
                    }
                }));
            }
            for (Thread th : threads) {
                th.join();
            }
            double seconds = (Math.max(lastResponse.get(), start + 1) - start) / 1e9;
            long[] mem = p.memoryKb();
            double cpu = p.cpuSeconds() - cpuAtStart;
            String accounts = CpuAccounts.take(p.pid()).since(accountsAtStart, seconds);
            if (ours) {
                // A commit answers only after an fsync covering it: time in fsyncs is time its request waits.
                double[] f = walFsyncs(base);
                accounts += String.format(Locale.ROOT, "; %.0f WAL fsyncs took %.1f s (%.0f%% of the wall time)",
                        f[0] - fsyncsAtStart[0], f[1] - fsyncsAtStart[1], (f[1] - fsyncsAtStart[1]) / seconds * 100);
            }
            if (peer.equals("victoria-metrics")) {
                // It buffers for up to a second before samples are searchable.
                HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/internal/force_flush")).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            // Proof that the samples are queryable, not just acknowledged: one series per node is named node_load1.
            HttpResponse<String> check = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    base.resolve("/api/v1/query?query=count(node_load1)")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.printf(Locale.ROOT, "%-10s count(node_load1) = %s (expected %d if every request was accepted)%n",
                    peer, queryValue(check), SeriesShape.count("node_load1", series));
            long settled = 0;
            if (settle > 0) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(settle));
                settled = p.memoryKb()[0];
            }
            Result r = new Result(peer, acceptedSamples.sum(), acceptedRequests.sum(), sent.sum(), seconds, cpu,
                    new TreeMap<>(errors), new TreeMap<>(firstError), mem[0], mem[1], settled);
            print(r);
            System.out.printf("%-10s %s%n", peer, accounts);
            if (settle > 0) {
                System.out.printf(Locale.ROOT, "%-10s VmRSS %,d MB after %d s idle%n", peer, settled / 1024, settle);
            }
            return r;
        }
    }

    /** Sightline's WAL fsync count and seconds so far, from its /metrics. */
    private static double[] walFsyncs(URI base) throws IOException, InterruptedException {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double[] f = new double[2];
        Matcher m = FSYNC.matcher(metrics);
        while (m.find()) {
            f[m.group(1).equals("count") ? 0 : 1] = Double.parseDouble(m.group(2));
        }
        return f;
    }

    /** The value of a one-sample instant-query vector answer, or the answer itself when it is not one. */
    private static String queryValue(HttpResponse<String> r) {
        Matcher m = VALUE.matcher(r.body());
        return r.statusCode() == 200 && m.find() ? m.group(1) : "HTTP " + r.statusCode() + " " + r.body();
    }

    private static void print(Result r) {
        System.out.printf(Locale.ROOT, "%-10s accepted %,d samples in %,d of %,d requests over %.1f s = %,.0f samples/s; "
                        + "server CPU %.1f s = %,.0f samples per CPU-second; VmRSS %,d MB (VmHWM %,d MB) at end%n", r.peer,
                r.acceptedSamples, r.acceptedRequests, r.sentRequests, r.seconds, r.rate(), r.cpuSeconds, r.ratePerCpu(),
                r.rssKb / 1024, r.hwmKb / 1024);
        if (r.errors.isEmpty()) {
            System.out.printf("%-10s errors: none%n", r.peer);
        }
        r.errors.forEach((status, n) -> System.out.printf(Locale.ROOT, "%-10s errors: status %s x %d, first: %s%n", r.peer,
                status, n, r.firstError.get(status).strip()));
    }

    private static void report(List<Result> results) {
        Map<String, List<Result>> byPeer = new LinkedHashMap<>();
        for (Result r : results) {
            byPeer.computeIfAbsent(r.peer, p -> new ArrayList<>()).add(r);
        }
        if (byPeer.size() < 2 || !results.getFirst().peer.equals("sightline")) {
            return;
        }
        boolean repeated = byPeer.get("sightline").size() > 1;
        Map<String, Result> medians = new LinkedHashMap<>();
        byPeer.forEach((peer, runs) -> {
            Result m = median(runs);
            medians.put(peer, m);
            if (repeated) {
                System.out.printf(Locale.ROOT, "%-10s median of %d runs: %,.0f samples/s [%,.0f-%,.0f], %,.0f per CPU-second,"
                                + " VmRSS %,d MB [%,d-%,d]%n", peer, runs.size(), m.rate(),
                        runs.stream().mapToDouble(Result::rate).min().orElseThrow(),
                        runs.stream().mapToDouble(Result::rate).max().orElseThrow(), m.ratePerCpu(), m.rssKb / 1024,
                        runs.stream().mapToLong(Result::rssKb).min().orElseThrow() / 1024,
                        runs.stream().mapToLong(Result::rssKb).max().orElseThrow() / 1024);
            }
        });
        Result ours = medians.get("sightline");
        String of = repeated ? " (medians)" : "";
        for (Result theirs : medians.values()) {
            if (theirs == ours) {
                continue;
            }
            double rate = ours.rate() / theirs.rate(), rss = (double) ours.rssKb / theirs.rssKb;
            boolean prom = theirs.peer.equals("prometheus");
            System.out.printf(Locale.ROOT, "samples/s sightline/%s %.2fx%s%s%n", theirs.peer, rate, of,
                    prom ? String.format(Locale.ROOT, " (target >= %.1fx): %s", TARGET_RATE_RATIO, rate >= TARGET_RATE_RATIO ? "met" : "NOT met") : "");
            System.out.printf(Locale.ROOT, "VmRSS     sightline/%s %.2fx%s%s%n", theirs.peer, rss, of,
                    prom ? String.format(Locale.ROOT, " (target <= %.1fx): %s", TARGET_RSS_RATIO, rss <= TARGET_RSS_RATIO ? "met" : "NOT met") : "");
            // Wall-clock rates move with whatever else the machine runs; CPU time spent per sample barely does.
            System.out.printf(Locale.ROOT, "samples per server CPU-second sightline/%s %.2fx%s (load average %s)%n", theirs.peer,
                    ours.ratePerCpu() / theirs.ratePerCpu(), of, Bench.loadAverage());
            if (ours.settledRssKb > 0) {
                System.out.printf(Locale.ROOT, "VmRSS after idle sightline/%s %.2fx%s (the target is judged at the end)%n",
                        theirs.peer, (double) ours.settledRssKb / theirs.settledRssKb, of);
            }
        }
    }

    /**
     * One server's runs as one result: each figure (samples/s, samples per CPU-second, VmRSS at the end and after
     * idle) is the median over the runs on its own, so the ratios compare medians.
     */
    private static Result median(List<Result> runs) {
        if (runs.size() == 1) {
            return runs.getFirst();
        }
        double rate = Bench.median(runs.stream().mapToDouble(Result::rate).toArray());
        double perCpu = Bench.median(runs.stream().mapToDouble(Result::ratePerCpu).toArray());
        long samples = runs.getFirst().acceptedSamples;
        return new Result(runs.getFirst().peer, samples, runs.getFirst().acceptedRequests, runs.getFirst().sentRequests,
                samples / rate, samples / perCpu, Map.of(), Map.of(),
                (long) Bench.median(runs.stream().mapToDouble(Result::rssKb).toArray()),
                (long) Bench.median(runs.stream().mapToDouble(Result::hwmKb).toArray()),
                (long) Bench.median(runs.stream().mapToDouble(Result::settledRssKb).toArray()));
    }
}
