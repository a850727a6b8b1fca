package dev.sightline.benchmarks.traces;

import com.google.protobuf.ByteString;
import dev.sightline.core.FileTrees;
import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.store.LuceneSpanStore;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope.Builder;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The span store on its own: N realistic spans (20 services with 15 resource attributes, 12-18 span attributes,
 * traces of 10 spans over the last hour, an exception event on 1 span in 10) appended by T threads in commits of B
 * spans to a {@link LuceneSpanStore} on disk, then trace-by-id and search latencies. Prints spans/s (persisted: each
 * commit returns after its WAL fsync), bytes on disk per span against the same spans' OTLP protobuf size, and
 * p50/p99 of trace by id and of a search (service + attribute + minimum duration over the last hour, 20 traces).
 *
 * <p>Span contents come from 64 pre-built batches (so generation does not count as ingest); every ingested span gets
 * its own trace id, span id and times, while attribute values repeat every 64 batches.
 *
 * <pre>
 * --spans N     spans to store (default 1000000)
 * --threads T   appending threads (default 2)
 * --batch B     spans per commit (default 500)
 * --queries Q   trace-by-id and search queries each (default 300)
 * --dir D       store folder (default: a new temporary folder, deleted after)
 * </pre>
 */
public final class TracesStoreBenchmark {
    private static final int TEMPLATES = 64;
    private static final int TRACE_SPANS = 10;
    private static final long HOUR = 3_600_000_000_000L;
    private static final String[] OPERATIONS = {"GET /api/orders/{id}", "POST /api/orders", "GET /api/users/{id}",
            "PUT /api/cart", "GET /health", "SELECT orders", "INSERT orders", "redis GET", "kafka publish orders",
            "GET /api/catalog", "POST /api/payments", "GET /api/inventory/{sku}"};

    private TracesStoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long spans = 1_000_000;
        int threads = 2;
        int batch = 500;
        int queries = 300;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--spans" -> spans = Long.parseLong(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--queries" -> queries = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        boolean temporary = dir == null;
        if (temporary) {
            dir = Files.createTempDirectory("traces-store-bench");
        }
        SplittableRandom r = new SplittableRandom(42);
        List<SpanResource> resources = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
            resources.add(resource(s, r));
        }
        InstrumentationScope scope = new InstrumentationScope("io.opentelemetry.spring-webmvc-6.0", "2.10.0-alpha",
                Attributes.EMPTY, 0, "https://opentelemetry.io/schemas/1.24.0");
        List<Template> templates = new ArrayList<>();
        for (int t = 0; t < TEMPLATES; t++) {
            templates.add(template(batch, resources, r));
        }
        double otlpPerSpan = otlpBytesPerSpan(templates, scope);

        long now = System.currentTimeMillis() * 1_000_000L;
        long batches = (spans + batch - 1) / batch;
        long stored = batches * batch;
        AtomicLong next = new AtomicLong();
        List<TraceId> sample = new ArrayList<>();
        System.out.printf(Locale.ROOT, "storing %,d spans (%d threads, %d spans per commit) in %s%n", stored, threads,
                batch, dir);
        LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions());
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        final int perCommit = batch;
        for (int w = 0; w < threads; w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                SpanAppender a = store.appender();
                try {
                    for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                        Template t = templates.get((int) (b % TEMPLATES));
                        // Batch b's spans start over the hour before now, in order of b.
                        long base = now - HOUR + (HOUR / batches) * b;
                        for (int i = 0; i < perCommit; i++) {
                            long id = b * perCommit + i;
                            long traceLo = id / TRACE_SPANS + 1;
                            Span s = t.spans[i];
                            long start = base + s.startUnixNano();
                            List<SpanEvent> events = s.events().isEmpty() ? List.of() : List.of(new SpanEvent(
                                    start + s.events().get(0).timeUnixNano(), s.events().get(0).name(),
                                    s.events().get(0).attributes(), 0));
                            a.append(t.resources[i], scope, new Span(0x5157L, traceLo, id + 1,
                                    id % TRACE_SPANS == 0 ? 0 : id, "", 1, s.name(), s.kind(), start,
                                    start + s.durationNanos(), s.attributes(), 0, events, 0, List.of(), 0,
                                    s.statusCode(), s.statusMessage()));
                        }
                        a.commit();
                        if (b % 97 == 0) {
                            synchronized (sample) {
                                sample.add(new TraceId(0x5157L, b * perCommit / TRACE_SPANS + 1));
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        double ingestSeconds = (System.nanoTime() - t0) / 1e9;
        // CPU time too: on a shared machine the wall clock says as much about the neighbours as about the store.
        double ingestCpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
        if (!errors.isEmpty()) {
            throw new IllegalStateException("ingest failed", errors.get(0));
        }
        store.close(); // commits the indexes and empties the WAL: what stays on disk
        long bytes = FileTrees.sizeOf(dir);
        double perSpan = (double) bytes / stored;
        System.out.printf(Locale.ROOT, "ingest: %,.0f spans/s persisted (%.1f s); CPU %.1f us/span (%,.0f spans per CPU"
                + " second; load average %.1f on %d cores)%n", stored / ingestSeconds, ingestSeconds,
                ingestCpuSeconds * 1e6 / stored, stored / ingestCpuSeconds, os.getSystemLoadAverage(),
                os.getAvailableProcessors());
        System.out.printf(Locale.ROOT, "disk: %.1f bytes/span (%,d bytes); OTLP protobuf %.1f bytes/span; ratio %.2f%n",
                perSpan, bytes, otlpPerSpan, perSpan / otlpPerSpan);

        try (LuceneSpanStore reopened = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions())) {
            SpanQuerier q = reopened.querier();
            long[] byId = new long[queries];
            SplittableRandom qr = new SplittableRandom(7);
            long cpuById = os.getProcessCpuTime();
            for (int i = 0; i < queries + 20; i++) { // the first 20 warm up
                TraceId id = sample.get(qr.nextInt(sample.size()));
                long s = System.nanoTime();
                int n = q.trace(id, Long.MIN_VALUE, Long.MAX_VALUE).size();
                if (n != TRACE_SPANS) {
                    throw new IllegalStateException("trace " + id + " has " + n + " spans");
                }
                if (i >= 20) {
                    byId[i - 20] = System.nanoTime() - s;
                }
            }
            System.out.printf(Locale.ROOT, "trace by id CPU: %.2f ms per query%n",
                    (os.getProcessCpuTime() - cpuById) / 1e6 / (queries + 20));
            report("trace by id", byId, "");
            long cpuQueries = os.getProcessCpuTime();
            long[] search = new long[queries];
            long found = 0;
            for (int i = 0; i < queries + 20; i++) {
                String service = "service-" + qr.nextInt(20);
                SpanQuery query = new SpanQuery(now - HOUR, now, List.of(SpanCondition.service(service),
                        SpanCondition.attribute(SpanCondition.Scope.SPAN, "http.request.method", SpanCondition.Op.EQ,
                                "POST"),
                        SpanCondition.intrinsic(SpanCondition.Target.DURATION, SpanCondition.Op.GTE, 100_000_000L)),
                        20, 3);
                long s = System.nanoTime();
                found += q.search(query).size();
                if (i >= 20) {
                    search[i - 20] = System.nanoTime() - s;
                }
            }
            System.out.printf(Locale.ROOT, "search CPU: %.2f ms per query%n",
                    (os.getProcessCpuTime() - cpuQueries) / 1e6 / (queries + 20));
            report("search (service + http.request.method=POST + duration>=100ms, last hour, 20 traces)", search,
                    String.format(Locale.ROOT, ", %.1f traces per answer", (double) found / (queries + 20)));
        }
        if (temporary) {
            FileTrees.deleteRecursively(dir);
        }
    }

    private static void report(String what, long[] nanos, String extra) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s: p50 %.2f ms, p99 %.2f ms over %d queries%s%n", what,
                sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
                sorted.length, extra);
    }

    /** One pre-built batch: span contents (start relative to the batch) and their resources. */
    private record Template(Span[] spans, SpanResource[] resources) {
    }

    private static SpanResource resource(int s, SplittableRandom r) {
        Attributes a = new Attributes.Builder()
                .addString("service.name", "service-" + s)
                .addString("service.version", "1." + r.nextInt(20) + "." + r.nextInt(10))
                .addString("service.instance.id", java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) s}).toString())
                .addString("service.namespace", "shop")
                .addString("deployment.environment.name", "production")
                .addString("host.name", "ip-10-0-" + s + "-" + r.nextInt(255) + ".eu-west-1.compute.internal")
                .addString("host.arch", "amd64")
                .addString("os.type", "linux")
                .addLong("process.pid", 1000 + r.nextInt(30000))
                .addString("process.runtime.name", "OpenJDK Runtime Environment")
                .addString("process.runtime.version", "21.0.5+11-LTS")
                .addString("telemetry.sdk.name", "opentelemetry")
                .addString("telemetry.sdk.language", "java")
                .addString("telemetry.sdk.version", "1.44.1")
                .addString("k8s.pod.name", "service-" + s + "-7d9f8b6c5-" + Long.toString(r.nextLong(1L << 30), 36))
                .build();
        return new SpanResource(a, 0, "https://opentelemetry.io/schemas/1.24.0");
    }

    private static Template template(int size, List<SpanResource> resources, SplittableRandom r) {
        Span[] spans = new Span[size];
        SpanResource[] res = new SpanResource[size];
        for (int i = 0; i < size; i++) {
            res[i] = resources.get(r.nextInt(resources.size()));
            String op = OPERATIONS[r.nextInt(OPERATIONS.length)];
            SpanKind kind = op.startsWith("SELECT") || op.startsWith("INSERT") || op.startsWith("redis")
                    ? SpanKind.CLIENT : op.startsWith("kafka") ? SpanKind.PRODUCER : SpanKind.SERVER;
            boolean error = r.nextInt(50) == 0;
            Attributes.Builder b = new Attributes.Builder()
                    .addString("http.request.method", r.nextInt(4) == 0 ? "POST" : "GET")
                    .addString("url.path", op.replace("{id}", Long.toString(r.nextLong(1_000_000)))
                            .replace("{sku}", "SKU-" + r.nextInt(100_000)).replaceAll("^[A-Z]+ ", ""))
                    .addString("url.scheme", "http")
                    .addLong("http.response.status_code", error ? 500 : r.nextInt(20) == 0 ? 404 : 200)
                    .addString("http.route", op.replaceAll("^[A-Z]+ ", ""))
                    .addString("server.address", "service-" + r.nextInt(20))
                    .addLong("server.port", 8080)
                    .addString("network.protocol.version", "1.1")
                    .addString("client.address", "10.0." + r.nextInt(255) + "." + r.nextInt(255))
                    .addString("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like"
                            + " Gecko) Chrome/" + (100 + r.nextInt(30)) + ".0.0.0 Safari/537.36")
                    .addLong("thread.id", r.nextInt(200))
                    .addString("thread.name", "http-nio-8080-exec-" + r.nextInt(200));
            int extra = r.nextInt(7);
            for (int e = 0; e < extra; e++) {
                switch (e) {
                    case 0 -> b.addString("customer.id", "c-" + r.nextInt(100_000));
                    case 1 -> b.addDouble("order.amount", r.nextInt(100_000) / 100.0);
                    case 2 -> b.addBool("feature.new_checkout", r.nextBoolean());
                    case 3 -> b.addString("db.system", "postgresql");
                    case 4 -> b.addString("db.statement", "SELECT * FROM orders WHERE customer_id = $1 LIMIT 50");
                    case 5 -> b.addJson("tags", AttributeType.ARRAY, "[\"a\",\"b\"]");
                    default -> b.addString("session.id", Long.toHexString(r.nextLong()));
                }
            }
            long duration = (long) (Math.exp(r.nextGaussian() * 1.5 + 17)); // median ~24 ms, a long tail
            List<SpanEvent> events = r.nextInt(10) == 0 ? List.of(new SpanEvent(1000, "exception", new Attributes.Builder()
                    .addString("exception.type", "java.net.SocketTimeoutException")
                    .addString("exception.message", "Read timed out").build(), 0)) : List.of();
            long start = r.nextLong(1_000_000L);
            spans[i] = new Span(1, 1, 1, 0, "", 1, op, kind, start, start + duration, b.build(), 0, events, 0,
                    List.of(), 0, error ? StatusCode.ERROR : StatusCode.UNSET, error ? "internal error" : "");
        }
        return new Template(spans, res);
    }

    /** The OTLP/protobuf size per span of the templates, as SDKs batch them: one ResourceSpans per resource. */
    private static double otlpBytesPerSpan(List<Template> templates, InstrumentationScope scope) {
        long bytes = 0;
        long count = 0;
        SplittableRandom r = new SplittableRandom(1);
        for (Template t : templates) {
            Map<SpanResource, List<Span>> byResource = new IdentityHashMap<>();
            for (int i = 0; i < t.spans.length; i++) {
                byResource.computeIfAbsent(t.resources[i], k -> new ArrayList<>()).add(t.spans[i]);
            }
            ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
            for (var e : byResource.entrySet()) {
                Builder sc = io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                        .setName(scope.name()).setVersion(scope.version());
                ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(sc).setSchemaUrl(scope.schemaUrl());
                for (Span s : e.getValue()) {
                    var span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                            .setTraceId(ByteString.copyFrom(bytes(r, 16))).setSpanId(ByteString.copyFrom(bytes(r, 8)))
                            .setParentSpanId(ByteString.copyFrom(bytes(r, 8))).setFlags(s.flags())
                            .setName(s.name()).setKindValue(s.kind().number())
                            .setStartTimeUnixNano(1_796_515_200_000_000_000L + s.startUnixNano())
                            .setEndTimeUnixNano(1_796_515_200_000_000_000L + s.endUnixNano())
                            .addAllAttributes(keyValues(s.attributes()));
                    for (SpanEvent ev : s.events()) {
                        span.addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                                .setTimeUnixNano(1_796_515_200_000_000_000L + ev.timeUnixNano()).setName(ev.name())
                                .addAllAttributes(keyValues(ev.attributes())));
                    }
                    if (s.statusCode() != StatusCode.UNSET) {
                        span.setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
                                .setCodeValue(s.statusCode().number()).setMessage(s.statusMessage()));
                    }
                    ss.addSpans(span);
                    count++;
                }
                req.addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(Resource.newBuilder().addAllAttributes(keyValues(e.getKey().attributes())))
                        .setSchemaUrl(e.getKey().schemaUrl()).addScopeSpans(ss));
            }
            bytes += req.build().getSerializedSize();
        }
        return (double) bytes / count;
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static List<KeyValue> keyValues(Attributes a) {
        List<KeyValue> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            AnyValue.Builder v = AnyValue.newBuilder();
            switch (a.type(i)) {
                case STRING -> v.setStringValue(a.stringValue(i));
                case BOOL -> v.setBoolValue(a.boolValue(i));
                case LONG -> v.setIntValue(a.longValue(i));
                case DOUBLE -> v.setDoubleValue(a.doubleValue(i));
                case BYTES -> v.setBytesValue(ByteString.copyFrom(a.bytesValue(i)));
                // A two-element array of short strings, as the templates hold: its JSON text is close in size.
                case ARRAY, KVLIST -> v.setStringValue(a.jsonValue(i));
            }
            out.add(KeyValue.newBuilder().setKey(a.key(i)).setValue(v).build());
        }
        return out;
    }
}
