package dev.sightline.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.request;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.series;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.snappy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code limits:} of sightline.yml and the metadata store through a whole server over HTTP: each limit refused
 * with a 4xx (OTLP: its partial success) naming the setting, counted in /metrics, the rest of the request kept; and
 * /api/v1/metadata fed by remote-write, OTLP and scraping. Each test uses metric names of its own, since the series
 * limit and the store are shared by the server.
 */
class IngestLimitsAndMetadataTest {
    private static final int BODY_LIMIT = 8192;
    private static final String EXPOSITION = """
            # TYPE scraped_duration_seconds gauge
            # UNIT scraped_duration_seconds seconds
            # HELP scraped_duration_seconds How long jobs took.
            scraped_duration_seconds{id="1"} 1
            scraped_duration_seconds{id="2"} 2
            scraped_duration_seconds{id="3"} 3
            # HELP scraped_plain A family without TYPE.
            scraped_plain 1
            # EOF
            """;

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final OpenMetricsExporter exporter = new OpenMetricsExporter(EXPOSITION);
    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, """
                limits:
                  max_series_per_metric: 2
                  max_request_body_bytes: 8KB
                  max_label_names_per_series: 5
                """ + exporter.scrapeConfig("exporter"));
    }

    // ---------------------------------------------------------------- limits

    @Test
    void remoteWriteSeriesLimitRefusesTheThirdSeriesAndKeepsTheRest() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> r = remoteWrite(snappy(request(
                series(List.of("__name__", "rw_limited", "id", "1"), new double[]{1}, new long[]{now}),
                series(List.of("__name__", "rw_limited", "id", "2"), new double[]{2}, new long[]{now}),
                series(List.of("__name__", "rw_limited", "id", "3"), new double[]{3}, new long[]{now}),
                series(List.of("__name__", "rw_other", "id", "1"), new double[]{4}, new long[]{now}))));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("max_series_per_metric").contains("1 of 4 samples refused");
        assertThat(seriesCount("rw_limited")).isEqualTo(2);
        assertThat(seriesCount("rw_other")).isEqualTo(1);
        assertThat(breaches("max_series_per_metric", "prometheus_remote_write")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void remoteWriteBodyOverTheLimitIs413NamingIt() throws Exception {
        double before = breaches("max_request_body_bytes", "prometheus_remote_write");
        // Compressed body over the limit, refused from its Content-Length.
        HttpResponse<String> big = remoteWrite(new byte[BODY_LIMIT * 2]);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).contains("max_request_body_bytes");
        // A body that would decompress over the limit, refused from the snappy header.
        byte[] raw = request(series(List.of("__name__", "rw_big", "pad", "x".repeat(BODY_LIMIT)), new double[]{1},
                new long[]{System.currentTimeMillis()}));
        HttpResponse<String> inflated = remoteWrite(snappy(raw));
        assertThat(inflated.statusCode()).isEqualTo(413);
        assertThat(inflated.body()).contains("max_request_body_bytes");
        assertThat(seriesCount("rw_big")).isZero();
        assertThat(breaches("max_request_body_bytes", "prometheus_remote_write")).isEqualTo(before + 2);
    }

    @Test
    void remoteWriteLabelLimitIsNamedAndTheValidSeriesKept() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> r = remoteWrite(snappy(request(
                series(List.of("__name__", "rw_wide", "a", "1", "b", "1", "c", "1", "d", "1", "e", "1"), new double[]{1}, new long[]{now}),
                series(List.of("__name__", "rw_narrow", "a", "1"), new double[]{1}, new long[]{now}))));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("max_label_names_per_series");
        assertThat(seriesCount("rw_wide")).isZero();
        assertThat(seriesCount("rw_narrow")).isEqualTo(1);
        assertThat(breaches("max_label_names_per_series", "prometheus_remote_write")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void otlpSeriesLimitIsAPartialSuccessNamingItAndKeepsTheRest() throws Exception {
        String points = """
                {"asDouble": 1, "timeUnixNano": "%1$d", "attributes": [{"key": "id", "value": {"stringValue": "1"}}]},
                {"asDouble": 2, "timeUnixNano": "%1$d", "attributes": [{"key": "id", "value": {"stringValue": "2"}}]},
                {"asDouble": 3, "timeUnixNano": "%1$d", "attributes": [{"key": "id", "value": {"stringValue": "3"}}]}
                """.formatted(System.currentTimeMillis() * 1_000_000L);
        HttpResponse<String> r = otlp(otlpGauge("otlp_limited", "Limited.", "", points).getBytes(StandardCharsets.UTF_8), false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode partial = RunningServer.JSON.readTree(r.body()).path("partialSuccess");
        assertThat(partial.path("rejectedDataPoints").asText()).isEqualTo("1");
        assertThat(partial.path("errorMessage").asText()).contains("max_series_per_metric");
        assertThat(seriesCount("otlp_limited")).isEqualTo(2);
        assertThat(breaches("max_series_per_metric", "otlp_http")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void otlpBodyOverTheLimitIs413NamingIt() throws Exception {
        double before = breaches("max_request_body_bytes", "otlp_http");
        HttpResponse<String> big = otlp(new byte[BODY_LIMIT + 1], false);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).contains("max_request_body_bytes");
        // Small on the wire, over the limit once inflated.
        String pad = " ".repeat(BODY_LIMIT * 2);
        String point = "{\"asDouble\": 1, \"timeUnixNano\": \"" + System.currentTimeMillis() * 1_000_000L + "\"}" + pad;
        HttpResponse<String> inflated = otlp(gzip(otlpGauge("otlp_big", "", "", point).getBytes(StandardCharsets.UTF_8)), true);
        assertThat(inflated.statusCode()).isEqualTo(413);
        assertThat(inflated.body()).contains("max_request_body_bytes");
        assertThat(seriesCount("otlp_big")).isZero();
        assertThat(breaches("max_request_body_bytes", "otlp_http")).isEqualTo(before + 2);
    }

    @Test
    void otlpGrpcSeriesLimitBodyLimitAndMetadata() throws Exception {
        double before = breaches("max_request_body_bytes", "otlp_grpc");
        SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(PeriodicMetricReader.builder(
                OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + server.server().otlp().grpcPort())
                        .setTimeout(Duration.ofSeconds(30))
                        .setRetryPolicy(RetryPolicy.builder().setMaxAttempts(2).setInitialBackoff(Duration.ofMillis(10)).build())
                        .build()).setInterval(Duration.ofHours(1)).build()).build();
        try {
            LongCounter limited = provider.get("t").counterBuilder("grpc.limited").setDescription("Limited over gRPC.").build();
            for (String id : List.of("1", "2", "3")) {
                limited.add(1, Attributes.of(AttributeKey.stringKey("id"), id));
            }
            provider.forceFlush().join(60, TimeUnit.SECONDS);
            assertThat(seriesCount("grpc_limited_total")).isEqualTo(2);
            assertThat(breaches("max_series_per_metric", "otlp_grpc")).isGreaterThanOrEqualTo(1);
            assertThat(metadata("?metric=grpc_limited_total").toString()).isEqualTo(
                    "{\"grpc_limited_total\":[{\"type\":\"counter\",\"help\":\"Limited over gRPC.\",\"unit\":\"\"}]}");

            LongCounter big = provider.get("t").counterBuilder("grpc.big").build();
            AttributesBuilder wide = Attributes.builder();
            for (int i = 0; i < 4; i++) {
                wide.put("pad" + i, "x".repeat(BODY_LIMIT / 4));
            }
            big.add(1, wide.build());
            provider.forceFlush().join(60, TimeUnit.SECONDS);
            assertThat(seriesCount("grpc_big_total")).isZero();
            assertThat(breaches("max_request_body_bytes", "otlp_grpc")).isGreaterThan(before);
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void scrapeSeriesLimitStoresTwoOfThreeAndCountsTheRest() throws Exception {
        // Metadata is kept while the scrape is decoded, before its samples are committed: wait for the samples.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (seriesCount("scraped_duration_seconds") < 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(seriesCount("scraped_duration_seconds")).isEqualTo(2);
        assertThat(breaches("max_series_per_metric", "scrape")).isGreaterThanOrEqualTo(1);
    }

    // ---------------------------------------------------------------- metadata

    @Test
    void remoteWriteMetadataIsServed() throws Exception {
        byte[] md1 = message(o -> {
            o.writeEnum(1, 1);
            o.writeString(2, "rw_requests_total");
            o.writeString(4, "Requests handled.");
        });
        byte[] md2 = message(o -> {
            o.writeEnum(1, 2);
            o.writeString(2, "rw_temperature_celsius");
            o.writeString(4, "Temperature.");
            o.writeString(5, "celsius");
        });
        byte[] body = message(o -> {
            o.writeByteArray(3, md1);
            o.writeByteArray(3, md2);
        });
        assertThat(remoteWrite(snappy(body)).statusCode()).isEqualTo(204);
        JsonNode data = metadata("?metric=rw_requests_total");
        assertThat(data.toString()).isEqualTo("{\"rw_requests_total\":[{\"type\":\"counter\",\"help\":\"Requests handled.\",\"unit\":\"\"}]}");
        assertThat(metadata("?metric=rw_temperature_celsius").toString()).isEqualTo(
                "{\"rw_temperature_celsius\":[{\"type\":\"gauge\",\"help\":\"Temperature.\",\"unit\":\"celsius\"}]}");
        assertThat(metadata("?metric=rw_absent").size()).isZero();
        assertThat(metadata("?limit=1").size()).isEqualTo(1);
        assertThat(metadata("?limit=0").size()).isZero();
        assertThat(metadata("").has("rw_requests_total")).isTrue();
    }

    @Test
    void aChangedDescriptionIsListedBesideTheOldOneUpToLimitPerMetric() throws Exception {
        for (String help : List.of("First.", "Second.")) {
            byte[] md = message(o -> {
                o.writeEnum(1, 1);
                o.writeString(2, "rw_changing_total");
                o.writeString(4, help);
            });
            assertThat(remoteWrite(snappy(message(o -> o.writeByteArray(3, md)))).statusCode()).isEqualTo(204);
        }
        assertThat(metadata("?metric=rw_changing_total").path("rw_changing_total")).hasSize(2);
        assertThat(metadata("?metric=rw_changing_total&limit_per_metric=1").path("rw_changing_total")).hasSize(1);
        HttpResponse<String> bad = server.get("/api/v1/metadata?limit=x");
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void otlpDescriptionAndUnitAreServed() throws Exception {
        String point = "{\"asDouble\": 1, \"timeUnixNano\": \"" + System.currentTimeMillis() * 1_000_000L + "\"}";
        HttpResponse<String> r = otlp(otlpGauge("otlp.memory.used", "Memory in use.", "By", point).getBytes(StandardCharsets.UTF_8), false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = metadata("");
        String family = null;
        for (var it = data.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (name.startsWith("otlp_memory_used")) {
                family = name;
            }
        }
        assertThat(family).as(data.toString()).isNotNull();
        JsonNode e = data.path(family).get(0);
        assertThat(e.path("type").asText()).isEqualTo("gauge");
        assertThat(e.path("help").asText()).isEqualTo("Memory in use.");
        assertThat(e.path("unit").asText()).isEqualTo("By");
    }

    @Test
    void scrapeHelpTypeAndUnitAreServedWhateverTheirOrder() throws Exception {
        JsonNode d = awaitMetadata("scraped_duration_seconds");
        assertThat(d.toString()).isEqualTo(
                "{\"scraped_duration_seconds\":[{\"type\":\"gauge\",\"help\":\"How long jobs took.\",\"unit\":\"seconds\"}]}");
        assertThat(metadata("?metric=scraped_plain").toString()).isEqualTo(
                "{\"scraped_plain\":[{\"type\":\"unknown\",\"help\":\"A family without TYPE.\",\"unit\":\"\"}]}");
    }

    // ---------------------------------------------------------------- helpers

    private static HttpResponse<String> remoteWrite(byte[] body) throws Exception {
        return server.send(server.request("/api/v1/write")
                .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static HttpResponse<String> otlp(byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder b = server.request("/v1/metrics").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        return server.send(b);
    }

    private static String otlpGauge(String name, String description, String unit, String points) {
        return """
                {"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "%s", "description": "%s", "unit": "%s",
                  "gauge": {"dataPoints": [%s]}}]}]}]}
                """.formatted(name, description, unit, points);
    }

    private static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        }
        return out.toByteArray();
    }

    private static JsonNode metadata(String query) throws Exception {
        HttpResponse<String> r = server.get("/api/v1/metadata" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode root = RunningServer.JSON.readTree(r.body());
        assertThat(root.path("status").asText()).isEqualTo("success");
        return root.path("data");
    }

    private static JsonNode awaitMetadata(String metric) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode d = metadata("?metric=" + metric);
            if (d.size() > 0 || System.nanoTime() > deadline) {
                return d;
            }
            Thread.sleep(100);
        }
    }

    private static int seriesCount(String metric) throws Exception {
        HttpResponse<String> r = server.get("/api/v1/series?match[]=" + URLEncoder.encode(metric, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body()).path("data").size();
    }

    private static double breaches(String limit, String protocol) throws Exception {
        String text = server.get("/metrics").body();
        Matcher m = Pattern.compile("^sightline_ingest_limit_breaches_total\\{limit=\"" + limit + "\",protocol=\"" + protocol
                + "\"} (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
