package dev.sightline.server.fuzz;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import dev.sightline.ingest.fuzz.IngestFuzzTargets;
import dev.sightline.ingest.remotewrite.RemoteWriteFuzzTargets;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP-level run: a real server on free ports (a temporary data folder) takes the ingest targets' mutated bodies
 * on every ingest endpoint and mutated queries on the query endpoints. Whatever the input, the answer is never a 5xx
 * (a seed must reach its decoder: not 404, 405 or 415), the server keeps answering /-/ready, and a series and a log
 * line stored before the run are still found after each target. The one 5xx of the contract: the Prometheus API's
 * 503 {@code timeout} for a query past the time its own {@code timeout} parameter gave it (see {@link #givenTime}).
 */
class HttpFuzzTargetsTest {
    /** Removed when the class is done, after the server's close (an extension's after-all). */
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer();

    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";
    private static final long NOW_S = System.currentTimeMillis() / 1000;

    /** Where a decoder target's inputs go: path, content type, content encoding (or null), how the body is made. */
    private record Endpoint(String path, String contentType, String encoding, UnaryOperator<byte[]> body) {
        Endpoint(String path, String contentType) {
            this(path, contentType, null, UnaryOperator.identity());
        }
    }

    private static final Map<String, Endpoint> INGEST = Map.ofEntries(
            Map.entry("remote-write-1.0", new Endpoint("/api/v1/write", PROTOBUF, "snappy", RemoteWriteFuzzTargets::snappy)),
            Map.entry("remote-write-2.0", new Endpoint("/api/v1/write", PROTOBUF + ";proto=io.prometheus.write.v2.Request",
                    "snappy", RemoteWriteFuzzTargets::snappy)),
            Map.entry("snappy-block", new Endpoint("/api/v1/write", PROTOBUF, "snappy", UnaryOperator.identity())),
            Map.entry("otlp-metrics-protobuf", new Endpoint("/v1/metrics", PROTOBUF)),
            Map.entry("otlp-metrics-json", new Endpoint("/v1/metrics", JSON)),
            Map.entry("gzip", new Endpoint("/v1/metrics", JSON, "gzip", UnaryOperator.identity())),
            Map.entry("otlp-traces-protobuf", new Endpoint("/v1/traces", PROTOBUF)),
            Map.entry("otlp-traces-json", new Endpoint("/v1/traces", JSON)),
            Map.entry("otlp-logs-protobuf", new Endpoint("/v1/logs", PROTOBUF)),
            Map.entry("otlp-logs-json", new Endpoint("/v1/logs", JSON)),
            Map.entry("loki-push-protobuf", new Endpoint("/loki/api/v1/push", PROTOBUF, null, RemoteWriteFuzzTargets::snappy)),
            Map.entry("loki-push-json", new Endpoint("/loki/api/v1/push", JSON)),
            Map.entry("ndjson", new Endpoint("/api/v1/logs/ndjson", "application/x-ndjson")),
            Map.entry("zipkin-json", new Endpoint("/api/v2/spans", JSON)),
            Map.entry("zipkin-proto3", new Endpoint("/api/v2/spans", PROTOBUF)));

    /** The query APIs: the inputs are whole query strings (parameters and all), sent as the URL's query. */
    private static List<FuzzTarget> queries() {
        String[] tokens = {"(", ")", "{", "}", "[", "]", "[5m]", "=", "&", "%", "%00", "%ff", "\"", "|", "|=", "&&", ">>",
                "sum(", "rate(", "-1", "1e309", "9223372036854775807", "0.001", "NaN", "&step=", "&start=", "&end=",
                "&limit=", "&time=", "&match[]=", "&q="};
        long start = NOW_S - 3600;
        return List.of(
                query("http-promql", "/api/v1/query", tokens, PROMQL_SEEDS),
                query("http-promql-range", "/api/v1/query_range", tokens,
                        "query=max_over_time(fuzz_marker[10m:1m]) offset 1m&start=" + start + "&end=" + NOW_S + "&step=60",
                        "query=topk(2, fuzz_marker @ end())&start=" + start + "&end=" + NOW_S + "&step=15s"),
                query("http-series", "/api/v1/series", tokens, "match[]={__name__=~\"fuzz.*\"}&start=" + start + "&end=" + NOW_S,
                        "match[]=fuzz_marker&match[]=up{job!=\"x\"}"),
                query("http-logql", "/loki/api/v1/query_range", tokens,
                        "query={fuzz=\"marker\"} |= \"here\" | logfmt&start=" + start + "000000000&end=" + NOW_S + "000000000&limit=10",
                        "query=sum by (fuzz) (count_over_time({fuzz=~\".+\"}[5m]))&start=" + start + "&end=" + NOW_S + "&step=60"),
                query("http-traceql", "/api/search", tokens,
                        "q={ resource.service.name = \"cart\" && duration > 1ms } | count() > 0&start=" + start + "&end=" + NOW_S,
                        "q={ span.http.status_code >= 500 }&limit=5&spss=2"));
    }

    private static FuzzTarget query(String name, String path, String[] tokens, String... seeds) {
        return query(SERVER, name, path, tokens, seeds);
    }

    /** A query target of {@code server}: the input is the URL's query. */
    static FuzzTarget query(RunningServer server, String name, String path, String[] tokens, String... seeds) {
        return http(server, FuzzTarget.named(name).seeds(seeds).tokens(tokens).maxSize(8192), in -> {
            HttpResponse<String> r = get(server, path + "?" + urlQuery(in));
            return path.startsWith("/api/v1/") && isTimeout(r) ? givenTime(server, path, in) : r;
        });
    }

    /** http-promql's seeds (input 4350 of seed 20261206 is the second, its {@code timeout=5s} turned to {@code 0s}). */
    static final String[] PROMQL_SEEDS = {"query=sum by (job) (rate(fuzz_marker[5m]))&time=" + NOW_S,
            "query=histogram_quantile(0.9, rate(x_bucket[1m])) > bool 1&time=" + NOW_S + ".5&timeout=5s"};

    /** Seconds a query timed out on its own timeout parameter is given when re-sent. */
    static final int GIVEN_TIME_S = 20;

    /** Prometheus's answer for a query out of time: 503, errorType timeout. */
    private static boolean isTimeout(HttpResponse<String> r) {
        if (r.statusCode() != 503) {
            return false;
        }
        try {
            return RunningServer.JSON.readTree(r.body()).path("errorType").asText().equals("timeout");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The same query given {@value #GIVEN_TIME_S} s: {@code timeout} in a form body, which the API reads before the
     * URL's (as Go's ParseForm). A query past the time its own {@code timeout} gave it (0s, 1ms: known only once it
     * runs) gets Prometheus's 503 timeout, as Debian's Prometheus 2.42 answers {@code timeout=0s}; that is the
     * documented answer, not a failure, when the query itself is sound. So the property is asked of this answer: a
     * query that is slow because of a bug, or a limit not applied before evaluation, still fails here (a 503 again,
     * or no answer within the HTTP client's 30 s).
     */
    private static HttpResponse<String> givenTime(RunningServer server, String path, byte[] in) throws Exception {
        return server.send(HttpRequest.newBuilder(URI.create(base(server) + path + "?" + urlQuery(in)))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("timeout=" + GIVEN_TIME_S + "s")));
    }

    /** The Alertmanager API's bodies (POST /api/v2/alerts and /api/v2/silences). */
    private static List<FuzzTarget> alertmanager() {
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"", "null", "true", "\"0001-01-01T00:00:00Z\"", "\"isRegex\":true"};
        return List.of(
                http(FuzzTarget.named("http-alertmanager-alerts").tokens(tokens).seeds("""
                        [{"labels":{"alertname":"Down","instance":"h:9100"},"annotations":{"summary":"down"},
                          "startsAt":"2026-12-06T10:00:00Z","generatorURL":"http://x/graph"},
                         {"labels":{"alertname":"Slow"},"endsAt":"2099-01-01T00:00:00.5+01:00"}]
                        """), in -> post(new Endpoint("/api/v2/alerts", JSON), in)),
                http(FuzzTarget.named("http-alertmanager-silences").tokens(tokens).seeds("""
                        {"matchers":[{"name":"alertname","value":"Down|Slow","isRegex":true,"isEqual":true}],
                         "startsAt":"2026-12-06T10:00:00.000Z","endsAt":"2099-12-06T12:00:00Z","createdBy":"fuzz","comment":"x"}
                        """), in -> post(new Endpoint("/api/v2/silences", JSON), in)));
    }

    @FunctionalInterface
    private interface Call {
        HttpResponse<String> send(byte[] input) throws Exception;
    }

    private static final AtomicLong SENT = new AtomicLong();

    private static FuzzTarget http(FuzzTarget.Builder target, Call call) {
        return http(SERVER, target, call);
    }

    /** The HTTP property for one target: below 500, a seed reaches its handler, and the server stays ready. */
    private static FuzzTarget http(RunningServer server, FuzzTarget.Builder target, Call call) {
        List<byte[]> seeds = new ArrayList<>();
        FuzzTarget built = target.timeLimit(Duration.ofSeconds(40)).maxAllocatedBytes(Long.MAX_VALUE).run(in -> {
            HttpResponse<String> r = call.send(in);
            assertThat(r.statusCode()).as("%s answered %d: %s", r.uri().getPath(), r.statusCode(), r.body()).isLessThan(500);
            if (seeds.stream().anyMatch(s -> s == in)) {
                assertThat(r.statusCode()).as("a seed reaches its handler: %s", r.body()).isNotIn(404, 405, 415);
            }
            if (SENT.incrementAndGet() % 100 == 0) {
                assertThat(server.get("/-/ready").statusCode()).as("ready").isEqualTo(200);
            }
        }).build();
        seeds.addAll(built.seeds());
        return built;
    }

    private static HttpResponse<String> post(Endpoint e, byte[] input) throws Exception {
        HttpRequest.Builder b = SERVER.request(e.path()).header("Content-Type", e.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(e.body().apply(input)));
        if (e.encoding() != null) {
            b.header("Content-Encoding", e.encoding());
        }
        return SERVER.send(b);
    }

    static HttpResponse<String> get(RunningServer server, String pathAndQuery) throws Exception {
        return server.send(HttpRequest.newBuilder(URI.create(base(server) + pathAndQuery)).timeout(Duration.ofSeconds(30)));
    }

    /** The server's address without a path, so that a path and raw query are appended as they are. */
    private static String base(RunningServer server) {
        return server.uri("/").toString().replaceAll("/$", "");
    }

    /**
     * The input as a URL query: its bytes kept where a query allows them (a '%' only where it starts an escape: the
     * JDK's client refuses to send a malformed one), every other byte percent-encoded.
     */
    static String urlQuery(byte[] in) {
        StringBuilder sb = new StringBuilder(in.length * 2);
        for (int i = 0; i < in.length; i++) {
            char c = (char) (in[i] & 0xff);
            boolean escape = c == '%' && i + 2 < in.length && HexFormat.isHexDigit(in[i + 1]) && HexFormat.isHexDigit(in[i + 2]);
            if (c < 128 && (Character.isLetterOrDigit(c) || "-._~&=+".indexOf(c) >= 0) || escape) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    @TestFactory
    Stream<DynamicTest> fuzz() throws Exception {
        SERVER.start(dir, null);
        // Stored before the run, looked for after each target: a body or query must not damage what was accepted.
        assertThat(SERVER.post("/loki/api/v1/push", JSON, "{\"streams\":[{\"stream\":{\"fuzz\":\"marker\"},\"values\":[[\""
                + NOW_S + "000000000\",\"marker line here\"]]}]}").statusCode()).isEqualTo(204);
        String marker = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"fuzz_marker\",\"gauge\":{\"dataPoints\":"
                + "[{\"asDouble\":42,\"timeUnixNano\":\"" + NOW_S + "000000000\"}]}}]}]}]}";
        assertThat(SERVER.post("/v1/metrics", JSON, marker).statusCode()).isEqualTo(200);

        List<FuzzTarget> targets = new ArrayList<>();
        for (FuzzTarget t : IngestFuzzTargets.all()) {
            Endpoint e = INGEST.get(t.name());
            if (e != null) {
                targets.add(http(FuzzTarget.named("http-" + t.name()).like(t), in -> post(e, in)));
            }
        }
        targets.addAll(queries());
        targets.addAll(alertmanager());
        return Stream.concat(FuzzTests.dynamicTests(targets, 300),
                Stream.of(DynamicTest.dynamicTest("what was stored before is still found", HttpFuzzTargetsTest::markersFound)));
    }

    private static void markersFound() throws Exception {
        assertThat(SERVER.get("/-/ready").statusCode()).isEqualTo(200);
        assertThat(SERVER.query("fuzz_marker").path(0).path("value").path(1).asText()).isEqualTo("42");
        HttpResponse<String> logs = get(SERVER, "/loki/api/v1/query_range?query=" + urlQuery("{fuzz=\"marker\"}".getBytes(StandardCharsets.UTF_8))
                + "&start=" + (NOW_S - 60) + "&end=" + (NOW_S + 60));
        assertThat(logs.statusCode()).isEqualTo(200);
        assertThat(logs.body()).contains("marker line here");
    }
}
