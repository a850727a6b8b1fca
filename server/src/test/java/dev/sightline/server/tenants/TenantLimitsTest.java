package dev.sightline.server.tenants;

import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.tenants.RemoteWrites.label;
import static org.assertj.core.api.Assertions.assertThat;

/** Each per-tenant limit refuses what is over it, naming the limit and the tenant, and leaves other tenants alone. */
class TenantLimitsTest {
    private static final long T = (System.currentTimeMillis() - 120_000) / 60_000 * 60_000;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dir, """
                tenants:
                  multitenancy_enabled: true
                  defaults:
                    max_global_series_per_user: 100
                  overrides:
                    slow: {ingestion_rate: 0.001, ingestion_burst_size: 3}
                    small: {max_global_series_per_user: 2}
                    narrow: {max_global_series_per_metric: 1}
                    short: {max_total_query_length: 1h, max_query_samples: 2}
                """);
    }

    @Test
    void aRequestOverTheIngestionRateIsRefusedWholeWith429() throws Exception {
        assertThat(write("slow", "m", 2).statusCode()).isEqualTo(204);
        HttpResponse<String> over = write("slow", "n", 2);
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).contains("ingestion rate limit (ingestion_rate) of 0.001 samples/s with a burst"
                + " (ingestion_burst_size) of 3 reached: the request's 2 samples were refused for tenant slow");
        // Nothing of the refused request was stored; the one within the burst was.
        assertThat(count("slow", "{__name__=~\"m|n\"}")).isEqualTo("2");
        // OTLP is held to the same bucket, and answers 429 with the OTLP status shape and Retry-After.
        HttpResponse<String> otlp = server.send(server.request("/v1/metrics").header(Tenants.HEADER, "slow")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "g", "gauge": {"dataPoints": [
                          {"timeUnixNano": "%d000000", "asDouble": 1}, {"timeUnixNano": "%d000000", "asDouble": 2}]}}]}]}]}
                        """.formatted(T, T + 1000))));
        assertThat(otlp.statusCode()).isEqualTo(429);
        assertThat(otlp.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(otlp.body()).contains("ingestion rate limit (ingestion_rate)");
        // Another tenant has no such limit.
        assertThat(write("other", "m", 5).statusCode()).isEqualTo(204);
        assertThat(server.get("/metrics").body())
                .contains("sightline_tenant_limit_breaches_total{limit=\"ingestion_rate\",tenant=\"slow\"} 2.0");
    }

    @Test
    void seriesOverTheTenantsSeriesLimitsAreRefusedAloneNamingTheLimit() throws Exception {
        HttpResponse<String> r = write("small", "m", 3);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("the tenant already has 2 series, the limit (max_global_series_per_user) is 2"
                + " for tenant small");
        assertThat(count("small", "m")).isEqualTo("2");

        HttpResponse<String> n = write("narrow", "m", 2);
        assertThat(n.statusCode()).isEqualTo(400);
        assertThat(n.body()).contains("metric \"m\" already has 1 series, the limit (max_global_series_per_metric) is 1"
                + " for tenant narrow");
        assertThat(write("narrow", "other_metric", 1).statusCode()).isEqualTo(204);
        assertThat(server.get("/metrics").body())
                .contains("sightline_tenant_limit_breaches_total{limit=\"max_global_series_per_user\",tenant=\"small\"} 1.0")
                .contains("sightline_tenant_series{tenant=\"small\"} 2.0");
    }

    @Test
    void queriesOverTheTenantsQueryLimitsAnswer429NamingTheLimit() throws Exception {
        assertThat(write("short", "m", 3).statusCode()).isEqualTo(204);
        HttpResponse<String> longRange = get("short", "/api/v1/query_range?query=m&start=" + (T / 1000 - 7200)
                + "&end=" + T / 1000 + "&step=60");
        assertThat(longRange.statusCode()).isEqualTo(429);
        assertThat(longRange.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"too_many_requests\",\"error\":"
                + "\"the query time range of 7200s exceeds the limit (max_total_query_length) of 3600s for tenant short\"}");
        HttpResponse<String> samples = get("short", "/api/v1/query?query=sum(m)&time=" + T / 1000);
        assertThat(samples.statusCode()).isEqualTo(429);
        assertThat(samples.body()).contains("more samples into memory than the limit (max_query_samples) of 2 for tenant short");
        // Within the limits the same tenant is answered.
        assertThat(get("short", "/api/v1/query?query=" + enc("sum(m{i=\"0\"})") + "&time=" + T / 1000).statusCode())
                .isEqualTo(200);
        // The limits are that tenant's: another runs the same queries.
        assertThat(write("roomy", "m", 3).statusCode()).isEqualTo(204);
        assertThat(count("roomy", "m")).isEqualTo("3");
    }

    // ---------------------------------------------------------------- helpers

    /** Remote-writes {@code n} series {@code name{i="0".."n-1"}}, one sample each at T. */
    private static HttpResponse<String> write(String tenant, String name, int n) throws Exception {
        byte[] raw = message(o -> {
            for (int i = 0; i < n; i++) {
                int k = i;
                o.writeByteArray(1, message(s -> {
                    label(s, "__name__", name);
                    label(s, "i", Integer.toString(k));
                    s.writeByteArray(2, message(x -> {
                        x.writeDouble(1, 1);
                        x.writeInt64(2, T);
                    }));
                }));
            }
        });
        return RemoteWrites.write(server, tenant, raw, "prometheus.WriteRequest");
    }

    private static HttpResponse<String> get(String tenant, String path) throws Exception {
        return server.send(server.request(path).header(Tenants.HEADER, tenant));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** count() of a selector at T as the tenant. */
    private static String count(String tenant, String selector) throws Exception {
        HttpResponse<String> r = get(tenant, "/api/v1/query?query=" + enc("count(" + selector + ")") + "&time=" + T / 1000);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body()).path("data").path("result").get(0).path("value").get(1).asText();
    }
}
