package dev.sightline.benchmarks.traces;

import dev.sightline.benchmarks.Bench;
import dev.sightline.benchmarks.PeerProcess;
import dev.sightline.benchmarks.QueryTimer;
import dev.sightline.benchmarks.QueryTimer.Latency;
import dev.sightline.core.FileTrees;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;

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
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Traces side by side: Sightline (OTLP/gRPC in, Jaeger's query API out) against the Zipkin server (its /api/v2/spans
 * in proto3, its best format, and its in-memory storage, its best case) on the same generated spans (TraceShape), each
 * server started alone on 127.0.0.1 with the same heap. Requests of whole traces (about --batch spans) are encoded
 * before timing and sent by --senders concurrent senders; spans/s counts acknowledged spans only (OTLP partial
 * success rejections subtracted). Then trace-by-id and search latencies (sequential, after a warm-up) with every answer
 * checked (the expected span count; at least one trace found), the server's RSS, and its bytes on disk per span after
 * its own shutdown, against the OTLP protobuf bytes per span. Prints the ratios next to issue 13's targets.
 *
 * <pre>
 * --spans N            spans to generate and send (about; whole traces of 5-30 spans), default 2000000
 * --batch B            spans per request, about (whole traces), default 512
 * --senders S          concurrent senders, default 4
 * --seed X             generator seed, default 1
 * --queries Q          trace-by-id queries, default 1000; --searches Q searches, default 200
 * --heap H             -Xmx of both servers, default 4g
 * --only sightline|zipkin
 * --zipkin-to-sightline  also send the Zipkin proto3 requests to Sightline's /api/v2/spans (a third run)
 * --sightline-cp CP    the Sightline server's class path (traces.sh passes it); --zipkin-jar J the Zipkin exec jar
 * --data-dir D         where the servers keep data and logs (default a temporary directory, deleted unless --keep)
 * </pre>
 */
public final class TracesBenchmark {
    private static final double TARGET_RATE_RATIO = 3.0, TARGET_RATE = 50_000, TARGET_DISK_RATIO = 0.3;
    private static final double TARGET_BY_ID_P99_MS = 20, TARGET_SEARCH_P99_MS = 300;
    private static final int WARMUP = 20;
    private static final ServiceMethod<Buffer, Buffer> EXPORT = ServiceMethod.client(
            ServiceName.create("opentelemetry.proto.collector.trace.v1.TraceService"), "Export",
            GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);

    /** A search known to match: a server span's service, route and half its duration. */
    private record Probe(String service, String route, long minDurationMicros) {
    }

    /** Which traces a run holds: trace i starts at start + i * spacing, request r holds traces [r * perRequest, ...). */
    private record Plan(TraceShape shape, int traces, int perRequest, long startNanos, long spacingNanos) {
        int requests() {
            return (traces + perRequest - 1) / perRequest;
        }

        List<TraceShape.Trace> request(int r) {
            List<TraceShape.Trace> out = new ArrayList<>(perRequest);
            for (int i = r * perRequest; i < Math.min(traces, (r + 1) * perRequest); i++) {
                out.add(shape.trace(i, startNanos + i * spacingNanos));
            }
            return out;
        }
    }

    /** Requests encoded in one format, with the spans each holds. */
    private record Encoded(byte[][] bodies, int[] spans) {
        long totalSpans() {
            return Arrays.stream(spans).asLongStream().sum();
        }

        long totalBytes() {
            return Arrays.stream(bodies).mapToLong(b -> b.length).sum();
        }
    }

    private record Result(String peer, long spans, double seconds, double cpuSeconds, Map<String, Long> errors,
                          Map<String, String> firstError, long rssKb, long diskBytes, String diskNote, Latency byId,
                          Latency search) {
        double rate() {
            return spans / seconds;
        }

        double ratePerCpu() {
            return spans / cpuSeconds;
        }
    }

    /** One request's outcome: spans acknowledged, or an error key and message. */
    private record Outcome(long accepted, String error, String message) {
    }

    private interface Sender {
        Outcome send(byte[] body, int spans) throws InterruptedException;
    }

    private TracesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int spans = 2_000_000, batch = 512, senders = 4, queries = 1000, searches = 200;
        long seed = 1;
        String heap = "4g", only = null, sightlineCp = null;
        Path zipkinJar = null, dir = null;
        boolean keep = false, zipkinToSightline = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--spans" -> spans = Bench.positive(a, Bench.value(args, ++i, a));
                case "--batch" -> batch = Bench.positive(a, Bench.value(args, ++i, a));
                case "--senders" -> senders = Bench.positive(a, Bench.value(args, ++i, a));
                case "--queries" -> queries = Bench.positive(a, Bench.value(args, ++i, a));
                case "--searches" -> searches = Bench.positive(a, Bench.value(args, ++i, a));
                case "--seed" -> seed = Bench.positive(a, Bench.value(args, ++i, a));
                case "--heap" -> heap = Bench.value(args, ++i, a);
                case "--only" -> only = Bench.value(args, ++i, a);
                case "--zipkin-to-sightline" -> zipkinToSightline = true;
                case "--sightline-cp" -> sightlineCp = Bench.value(args, ++i, a);
                case "--zipkin-jar" -> zipkinJar = Path.of(Bench.value(args, ++i, a));
                case "--data-dir" -> dir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        boolean runOurs = !"zipkin".equals(only), runTheirs = !"sightline".equals(only);
        if (only != null && runOurs == runTheirs) {
            throw new IllegalArgumentException("--only must be sightline or zipkin, got " + only);
        }
        if (runOurs && sightlineCp == null) {
            throw new IllegalArgumentException("--sightline-cp is required (traces.sh passes it)");
        }
        if ((runTheirs || zipkinToSightline) && (zipkinJar == null || !Files.isRegularFile(zipkinJar))) {
            throw new IllegalArgumentException("--zipkin-jar: no Zipkin server jar at " + zipkinJar + " (traces.sh fetches it)");
        }
        boolean tempDir = dir == null;
        dir = tempDir ? Files.createTempDirectory("sightline-traces-bench") : Files.createDirectories(dir);

        // 17.5 spans per trace on average (5-30 uniform); trace starts spread over the 50 minutes before now.
        int traces = (int) Math.max(1, Math.round(spans / 17.5));
        int perRequest = (int) Math.max(1, Math.round(batch / 17.5));
        long now = System.currentTimeMillis() * 1_000_000L;
        long window = TimeUnit.MINUTES.toNanos(50);
        Plan plan = new Plan(new TraceShape(seed), traces, perRequest, now - window - TimeUnit.MINUTES.toNanos(2),
                window / traces);
        int[] spansPerTrace = new int[traces];
        Probe[] probes = new Probe[Math.min(traces, 10_000)];
        long t = System.nanoTime();
        Encoded otlp = encode(plan, true, spansPerTrace, probes);
        System.out.printf(Locale.ROOT, "%,d spans in %,d traces (seed %d), %,d requests of ~%d spans; OTLP protobuf "
                        + "%.1f bytes per span (%.1f MB), built in %.1f s; %d senders, heap %s for each server%n",
                otlp.totalSpans(), traces, seed, otlp.bodies().length, batch, (double) otlp.totalBytes() / otlp.totalSpans(),
                otlp.totalBytes() / 1e6, (System.nanoTime() - t) / 1e9, senders, heap);
        double otlpBytesPerSpan = (double) otlp.totalBytes() / otlp.totalSpans();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Result> results = new ArrayList<>();
        try {
            if (runOurs) {
                results.add(sightline(sightlineCp, heap, dir.resolve("sightline"), otlp, null, senders, plan,
                        spansPerTrace, probes, queries, searches, seed));
            }
            otlp = null; // the OTLP requests are no longer needed: let the Zipkin ones take their place
            Encoded zipkin = runTheirs || zipkinToSightline ? encode(plan, false, spansPerTrace, probes) : null;
            if (zipkin != null) {
                System.out.printf(Locale.ROOT, "Zipkin proto3: %.1f bytes per span (%.1f MB)%n",
                        (double) zipkin.totalBytes() / zipkin.totalSpans(), zipkin.totalBytes() / 1e6);
            }
            if (runTheirs) {
                Path data = Files.createDirectories(dir.resolve("zipkin"));
                int port = PeerProcess.freePort();
                List<String> cmd = List.of(java, "-Xms" + heap, "-Xmx" + heap, "-jar", zipkinJar.toString(),
                        "--server.port=" + port);
                // Its in-memory store drops the oldest traces past MEM_MAX_SPANS (default 500000): keep everything.
                try (PeerProcess p = PeerProcess.start("zipkin", cmd, data.resolve("zipkin.log"),
                        "MEM_MAX_SPANS", Long.toString(zipkin.totalSpans() * 2))) {
                    URI base = URI.create("http://127.0.0.1:" + port);
                    p.awaitReady(base.resolve("/health"));
                    results.add(measure("zipkin", p, zipkin, httpSender(base.resolve("/api/v2/spans")), senders, plan,
                            spansPerTrace, probes, queries, searches, seed,
                            id -> base.resolve("/api/v2/trace/" + id), TracesBenchmark::zipkinSpans,
                            pr -> zipkinSearch(base, pr), body -> new JsonArray(body).size(),
                            () -> new long[]{0, 0}, "in memory: nothing on disk"));
                }
            }
            if (zipkinToSightline) {
                results.add(sightline(sightlineCp, heap, dir.resolve("sightline-zipkin"), null, zipkin, senders,
                        plan, spansPerTrace, probes, queries, searches, seed));
            }
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dir);
            } else {
                System.out.println("data and server logs kept in " + dir);
            }
        }
        report(results, otlpBytesPerSpan, spans);
    }

    /**
     * Requests of the plan in OTLP or Zipkin proto3, built in parallel; fills the span count of every trace and the
     * search probes (probe k from trace k * stride).
     */
    private static Encoded encode(Plan plan, boolean otlp, int[] spansPerTrace, Probe[] probes) {
        int n = plan.requests(), stride = Math.max(1, plan.traces() / probes.length);
        byte[][] bodies = new byte[n][];
        int[] spans = new int[n];
        IntStream.range(0, n).parallel().forEach(r -> {
            List<TraceShape.Trace> traces = plan.request(r);
            bodies[r] = otlp ? SpanEncoders.otlp(traces) : SpanEncoders.zipkin(traces);
            for (int k = 0; k < traces.size(); k++) {
                int i = r * plan.perRequest() + k;
                TraceShape.Trace tr = traces.get(k);
                spansPerTrace[i] = tr.spans().size();
                spans[r] += tr.spans().size();
                if (i % stride == 0 && i / stride < probes.length) {
                    probes[i / stride] = probe(tr, i);
                }
            }
        });
        return new Encoded(bodies, spans);
    }

    private static Probe probe(TraceShape.Trace tr, long index) {
        List<TraceShape.Span> servers = tr.spans().stream().filter(s -> s.kind() == 2).toList();
        TraceShape.Span s = servers.get((int) (index % servers.size()));
        String route = s.attrs().stream().filter(a -> a.key().equals("http.route")).findFirst().orElseThrow().value().toString();
        return new Probe(TraceShape.SERVICES[s.service()], route, Math.max(1, s.durationNanos() / 2000));
    }

    /** Sightline with a config of free ports, fed OTLP/gRPC (otlp) or Zipkin proto3 (zipkin, when otlp is null). */
    private static Result sightline(String cp, String heap, Path dir, Encoded otlp, Encoded zipkin,
                                    int senders, Plan plan, int[] spansPerTrace, Probe[] probes, int queries,
                                    int searches, long seed) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        int http = PeerProcess.freePort(), grpc = PeerProcess.freePort();
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, "server:\n  otlp_grpc_port: " + grpc + "\n  otlp_http_port: -1\n");
        List<String> cmd = PeerProcess.sightlineCommand(cp, List.of("-Xms" + heap, "-Xmx" + heap), "--config",
                config.toString(), "--data-dir", data.toString(), "--http-port", Integer.toString(http),
                "--listen-address", "127.0.0.1");
        String peer = otlp != null ? "sightline" : "sightline-zipkin";
        Vertx vertx = Vertx.vertx();
        try (PeerProcess p = PeerProcess.start(peer, cmd, dir.resolve("sightline.log"))) {
            URI base = URI.create("http://127.0.0.1:" + http);
            p.awaitReady(base.resolve("/-/ready"));
            Sender sender = otlp != null ? grpcSender(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(grpc, "127.0.0.1"))
                    : httpSender(base.resolve("/api/v2/spans"));
            return measure(peer, p, otlp != null ? otlp : zipkin, sender, senders, plan, spansPerTrace, probes, queries,
                    searches, seed, id -> base.resolve("/api/traces/" + id), TracesBenchmark::jaegerSpans,
                    pr -> jaegerSearch(base, pr), body -> new JsonObject(body).getJsonArray("data").size(),
                    () -> spanStoreBytes(data), null);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Bytes on disk of the span store under the data directory after the server stopped: the entries whose name says
     * traces or spans (the metric store's WAL and blocks, where span metrics go, are not the span store); [bytes,
     * whole data directory].
     */
    private static long[] spanStoreBytes(Path data) throws IOException {
        long spans = 0;
        try (Stream<Path> entries = Files.list(data)) {
            for (Path e : entries.toList()) {
                String name = e.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.contains("trace") || name.contains("span")) {
                    spans += Bench.sizeOnDisk(e);
                }
            }
        }
        return new long[]{spans, Bench.sizeOnDisk(data)};
    }

    private interface DiskSize {
        long[] get() throws IOException;
    }

    private interface Check {
        int count(String body);
    }

    private static Result measure(String peer, PeerProcess p, Encoded requests, Sender sender, int senders, Plan plan,
                                  int[] spansPerTrace, Probe[] probes, int queries, int searches, long seed,
                                  java.util.function.Function<String, URI> byIdUri, Check spansOf,
                                  java.util.function.Function<Probe, URI> searchUri, Check tracesOf, DiskSize disk,
                                  String diskNote) throws Exception {
        double cpuAtStart = p.cpuSeconds();
        LongAdder accepted = new LongAdder();
        Map<String, Long> errors = new ConcurrentHashMap<>();
        Map<String, String> firstError = new ConcurrentHashMap<>();
        AtomicLong lastResponse = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < senders; k++) {
            int me = k;
            threads.add(Thread.ofPlatform().name("sender-" + k).start(() -> {
                for (int r = me; r < requests.bodies().length; r += senders) {
                    Outcome o;
                    try {
                        o = sender.send(requests.bodies()[r], requests.spans()[r]);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    lastResponse.accumulateAndGet(System.nanoTime(), Math::max);
                    accepted.add(o.accepted());
                    if (o.error() != null) {
                        errors.merge(o.error(), 1L, Long::sum);
                        firstError.putIfAbsent(o.error(), o.message());
                    }
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        double seconds = (Math.max(lastResponse.get(), start + 1) - start) / 1e9;
        double cpu = p.cpuSeconds() - cpuAtStart;
        System.out.printf(Locale.ROOT, "%-16s acknowledged %,d of %,d spans in %.1f s = %,.0f spans/s; server CPU %.1f s "
                        + "= %,.0f spans per CPU-second; errors %s (load average %s)%n", peer, accepted.sum(),
                requests.totalSpans(), seconds, accepted.sum() / seconds, cpu, accepted.sum() / cpu,
                errors.isEmpty() ? "none" : errors + " first " + firstError, Bench.loadAverage());

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        SplittableRandom rnd = new SplittableRandom(seed);
        Latency byId = QueryTimer.run(http, WARMUP, queries, () -> {
            int i = rnd.nextInt(plan.traces());
            int expected = spansPerTrace[i];
            return new QueryTimer.Query(byIdUri.apply(plan.shape().trace(i, 0).idHex()), body -> {
                int c = spansOf.count(body);
                return c == expected ? null : c + " instead of " + expected;
            });
        });
        Latency search = QueryTimer.run(http, WARMUP, searches, () -> new QueryTimer.Query(
                searchUri.apply(probes[rnd.nextInt(probes.length)]),
                body -> tracesOf.count(body) >= 1 ? null : "0 results, expected at least 1"));
        System.out.printf(Locale.ROOT, "%-16s trace by id p50 %.1f ms p99 %.1f ms (%d queries, %d wrong answers%s); "
                        + "search p50 %.1f ms p99 %.1f ms (%d searches, %d found nothing%s)%n", peer, byId.pMs(0.5),
                byId.pMs(0.99), queries, byId.failures(), byId.failures() == 0 ? "" : ", first: " + byId.firstFailure(),
                search.pMs(0.5), search.pMs(0.99), searches, search.failures(),
                search.failures() == 0 ? "" : ", first: " + search.firstFailure());
        long[] mem = p.memoryKb();
        p.close(); // its own shutdown flushes what it keeps on disk
        long[] bytes = disk.get();
        String note = diskNote != null ? diskNote : bytes[0] == 0
                ? "span store: nothing on disk (in-memory store); whole data directory " + String.format(Locale.ROOT, "%,d", bytes[1]) + " bytes (metrics)"
                : String.format(Locale.ROOT, "span store %,d bytes on disk = %.1f bytes per span; whole data directory %,d bytes",
                bytes[0], (double) bytes[0] / Math.max(1, accepted.sum()), bytes[1]);
        System.out.printf(Locale.ROOT, "%-16s VmRSS %,d MB (VmHWM %,d MB) at the end; %s%n", peer, mem[0] / 1024,
                mem[1] / 1024, note);
        return new Result(peer, accepted.sum(), seconds, cpu, new TreeMap<>(errors), new TreeMap<>(firstError), mem[0],
                bytes[0], note, byId, search);
    }

    private static int jaegerSpans(String body) {
        JsonArray data = new JsonObject(body).getJsonArray("data");
        return data.isEmpty() ? 0 : data.getJsonObject(0).getJsonArray("spans").size();
    }

    private static int zipkinSpans(String body) {
        return new JsonArray(body).size();
    }

    private static URI jaegerSearch(URI base, Probe p) {
        long endMicros = System.currentTimeMillis() * 1000, startMicros = endMicros - TimeUnit.HOURS.toMicros(1);
        return base.resolve("/api/traces?service=" + enc(p.service()) + "&tags="
                + enc(new JsonObject().put("http.route", p.route()).encode()) + "&minDuration=" + p.minDurationMicros()
                + "us&start=" + startMicros + "&end=" + endMicros + "&limit=20");
    }

    private static URI zipkinSearch(URI base, Probe p) {
        return base.resolve("/api/v2/traces?serviceName=" + enc(p.service()) + "&annotationQuery="
                + enc("http.route=" + p.route()) + "&minDuration=" + p.minDurationMicros() + "&endTs="
                + System.currentTimeMillis() + "&lookback=" + TimeUnit.HOURS.toMillis(1) + "&limit=20");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** OTLP/gRPC Export calls through Vert.x's gRPC client; accepted = spans less the partial-success rejections. */
    private static Sender grpcSender(GrpcClient client, SocketAddress server) {
        return (body, spans) -> {
            try {
                return client.request(server, EXPORT)
                        .compose(req -> req.send(Buffer.buffer(body)))
                        .compose(resp -> resp.last().map(answer -> {
                            if (resp.status() != GrpcStatus.OK) {
                                return new Outcome(0, "grpc:" + resp.status(), String.valueOf(resp.statusMessage()));
                            }
                            try {
                                long rejected = ExportTraceServiceResponse.parseFrom(answer.getBytes())
                                        .getPartialSuccess().getRejectedSpans();
                                return new Outcome(spans - rejected, rejected == 0 ? null : "rejected", rejected + " spans");
                            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                                return new Outcome(0, "bad-answer", e.getMessage());
                            }
                        }))
                        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                return new Outcome(0, "grpc:" + c.getClass().getSimpleName(), String.valueOf(c.getMessage()));
            }
        };
    }

    /** Zipkin proto3 POSTs over HTTP/1.1, one client per sender thread; any 2xx acknowledges the request's spans. */
    private static Sender httpSender(URI spansUri) {
        ThreadLocal<HttpClient> clients = ThreadLocal.withInitial(() -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
        return (body, spans) -> {
            try {
                HttpResponse<String> r = clients.get().send(HttpRequest.newBuilder(spansUri).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/x-protobuf")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() / 100 == 2 ? new Outcome(spans, null, null)
                        : new Outcome(0, "http:" + r.statusCode(), QueryTimer.abbreviate(r.body()));
            } catch (IOException e) {
                return new Outcome(0, "io:" + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
            }
        };
    }

    private static void report(List<Result> results, double otlpBytesPerSpan, int requestedSpans) {
        Result ours = results.stream().filter(r -> r.peer().equals("sightline")).findFirst().orElse(null);
        Result theirs = results.stream().filter(r -> r.peer().equals("zipkin")).findFirst().orElse(null);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %16s %16s %9s   %s%n", "figure", "sightline", "zipkin", "ratio", "target");
        row("ingest spans/s", ours, theirs, Result::rate, "%,.0f", String.format(Locale.ROOT,
                ">= %.0fx and >= %,.0f spans/s: %s", TARGET_RATE_RATIO, TARGET_RATE, ours == null || theirs == null ? "n/a"
                        : ours.rate() >= TARGET_RATE && ours.rate() / theirs.rate() >= TARGET_RATE_RATIO ? "met" : "NOT met"));
        row("spans per server CPU-second", ours, theirs, Result::ratePerCpu, "%,.0f", "");
        row("VmRSS at the end (MB)", ours, theirs, r -> r.rssKb() / 1024.0, "%,.0f", "");
        if (ours != null) {
            double perSpan = (double) ours.diskBytes() / Math.max(1, ours.spans());
            System.out.printf(Locale.ROOT, "%-34s %16.1f %16s %9.2f   <= %.1fx the OTLP protobuf size (%.1f bytes/span): %s%n",
                    "bytes on disk per span", perSpan, theirs == null ? "" : "in memory", perSpan / otlpBytesPerSpan,
                    TARGET_DISK_RATIO, otlpBytesPerSpan, ours.diskBytes() == 0 ? "n/a, " + ours.diskNote()
                            : perSpan / otlpBytesPerSpan <= TARGET_DISK_RATIO ? "met" : "NOT met");
        }
        String stored = String.format(Locale.ROOT, " (with %,d spans stored; the target is for >= 10M)",
                ours != null ? ours.spans() : requestedSpans);
        row("trace by id p50 (ms)", ours, theirs, r -> r.byId().pMs(0.5), "%.1f", "");
        row("trace by id p99 (ms)", ours, theirs, r -> r.byId().pMs(0.99), "%.1f", String.format(Locale.ROOT,
                "<= %.0f ms: %s%s", TARGET_BY_ID_P99_MS, ours == null ? "n/a" : ours.byId().pMs(0.99) <= TARGET_BY_ID_P99_MS
                        ? "met" : "NOT met", stored));
        row("search p50 (ms)", ours, theirs, r -> r.search().pMs(0.5), "%.1f", "");
        row("search p99 (ms)", ours, theirs, r -> r.search().pMs(0.99), "%.1f", String.format(Locale.ROOT,
                "<= %.0f ms: %s%s", TARGET_SEARCH_P99_MS, ours == null ? "n/a" : ours.search().pMs(0.99) <= TARGET_SEARCH_P99_MS
                        ? "met" : "NOT met", stored));
        for (Result r : results) {
            if (!r.peer().equals("sightline") && !r.peer().equals("zipkin")) {
                System.out.printf(Locale.ROOT, "%s: %,.0f spans/s, %,.0f spans per CPU-second, trace by id p99 %.1f ms, "
                        + "search p99 %.1f ms%n", r.peer(), r.rate(), r.ratePerCpu(), r.byId().pMs(0.99), r.search().pMs(0.99));
            }
        }
        String wrong = results.stream().filter(r -> r.byId().failures() + r.search().failures() > 0 || !r.errors().isEmpty())
                .map(Result::peer).collect(Collectors.joining(", "));
        if (!wrong.isEmpty()) {
            System.out.println("CHECK FAILED: errors or wrong answers from " + wrong + " (see above)");
            System.exit(1);
        }
    }

    private static void row(String what, Result ours, Result theirs, java.util.function.ToDoubleFunction<Result> f,
                            String format, String target) {
        String a = ours == null ? "" : String.format(Locale.ROOT, format, f.applyAsDouble(ours));
        String b = theirs == null ? "" : String.format(Locale.ROOT, format, f.applyAsDouble(theirs));
        String ratio = ours == null || theirs == null ? "" : String.format(Locale.ROOT, "%.2fx",
                f.applyAsDouble(ours) / f.applyAsDouble(theirs));
        System.out.printf(Locale.ROOT, "%-34s %16s %16s %9s   %s%n", what, a, b, ratio, target);
    }
}
