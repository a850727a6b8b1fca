package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.snappy;
import static dev.sightline.server.tenants.RemoteWrites.label;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants write through every metrics write path (remote-write 1.0 and 2.0, OTLP/HTTP) into one multitenant
 * server, then each reads through every Prometheus read API: each sees its own series, exemplars and metadata and
 * nothing of the other's, whatever selector, regex on the reserved label, subquery or label lookup it tries.
 */
class TenantIsolationTest {
    /** A whole minute, so subquery steps and second-resolution times land on the samples. */
    private static final long T = (System.currentTimeMillis() - 120_000) / 60_000 * 60_000;
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dir, """
                storage:
                  exemplars:
                    max_exemplars: 1000
                tenants:
                  multitenancy_enabled: true
                """);
        // Tenant a: remote-write 1.0, with an exemplar and metadata.
        byte[] a = message(o -> {
            o.writeByteArray(1, series("shared_metric", "a-job", "a_only", 1, "trace-a"));
            o.writeByteArray(3, message(m -> {
                m.writeEnum(1, 1);
                m.writeString(2, "shared_metric");
                m.writeString(4, "help of a");
            }));
        });
        assertThat(write("a", a, "prometheus.WriteRequest").statusCode()).isEqualTo(204);
        // Tenant b: remote-write 1.0 for the same metric name, 2.0 for another, and OTLP.
        byte[] b = message(o -> o.writeByteArray(1, series("shared_metric", "b-job", "b_only", 2, "trace-b")));
        assertThat(write("b", b, "prometheus.WriteRequest").statusCode()).isEqualTo(204);
        HttpResponse<String> v2 = write("b", v2("b_rw2_total", 5), "io.prometheus.write.v2.Request");
        assertThat(v2.statusCode()).as(v2.body()).isEqualTo(204);
        HttpResponse<String> otlp = send(server.request("/v1/metrics").header(Tenants.HEADER, "b")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"resourceMetrics": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc-b"}}]},
                          "scopeMetrics": [{"metrics": [{"name": "b_otlp_gauge", "description": "help of b", "gauge": {"dataPoints": [
                            {"timeUnixNano": "%d000000", "asDouble": 7}]}}]}]}]}
                        """.formatted(T))));
        assertThat(otlp.statusCode()).as(otlp.body()).isEqualTo(200);
        // Log lines: Loki push for both, OTLP logs for b.
        for (String t : List.of("a", "b")) {
            HttpResponse<String> push = send(server.request("/loki/api/v1/push").header(Tenants.HEADER, t)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"streams": [{"stream": {"job": "%s-job", "%s_only": "x"}, "values": [["%d000000", "line of %s"]]}]}
                            """.formatted(t, t, T, t))));
            assertThat(push.statusCode()).as(push.body()).isEqualTo(204);
        }
        HttpResponse<String> otlpLogs = send(server.request("/v1/logs").header(Tenants.HEADER, "b")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc-b"}}]},
                          "scopeLogs": [{"logRecords": [{"timeUnixNano": "%d000000", "body": {"stringValue": "otlp line of b"}}]}]}]}
                        """.formatted(T))));
        assertThat(otlpLogs.statusCode()).as(otlpLogs.body()).isEqualTo(200);
        // Spans: OTLP for both, in the same trace id (b cannot add to a's trace), and Zipkin for a.
        for (String t : List.of("a", "b")) {
            HttpResponse<String> spans = send(server.request("/v1/traces").header(Tenants.HEADER, t)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"resourceSpans": [{"resource": {"attributes": [
                                {"key": "service.name", "value": {"stringValue": "svc-%s"}},
                                {"key": "%s.only", "value": {"stringValue": "x"}}]},
                              "scopeSpans": [{"spans": [{"traceId": "%s", "spanId": "%s", "name": "op-%s", "kind": 2,
                                "startTimeUnixNano": "%d000000", "endTimeUnixNano": "%d000000"}]}]}]}
                            """.formatted(t, t, TRACE, t.equals("a") ? "00000000000000a1" : "00000000000000b1", t, T, T + 5))));
            assertThat(spans.statusCode()).as(spans.body()).isEqualTo(200);
        }
        HttpResponse<String> zipkin = send(server.request("/api/v2/spans").header(Tenants.HEADER, "a")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        [{"traceId": "%s", "id": "00000000000000a2", "parentId": "00000000000000a1", "name": "zipkin-op-a",
                          "timestamp": %d, "duration": 1000, "localEndpoint": {"serviceName": "zipkin-a"}}]
                        """.formatted(TRACE, T * 1000 + 1))));
        assertThat(zipkin.statusCode()).as(zipkin.body()).isEqualTo(202);
    }

    @Test
    void traceQueriesAndListingsSeeOnlyTheirTenant() throws Exception {
        assertThat(query("a", "/api/services").path("data").toString()).isEqualTo("[\"svc-a\",\"zipkin-a\"]");
        assertThat(query("b", "/api/services").path("data").toString()).isEqualTo("[\"svc-b\"]");
        // The same trace id: each tenant gets its own spans of it.
        JsonNode ta = query("a", "/api/traces/" + TRACE).path("data").get(0).path("spans");
        TreeSet<String> names = new TreeSet<>();
        ta.forEach(sp -> names.add(sp.path("operationName").asText()));
        assertThat(names).containsExactly("op-a", "zipkin-op-a");
        JsonNode tb = query("b", "/api/traces/" + TRACE).path("data").get(0).path("spans");
        assertThat(tb.size()).isEqualTo(1);
        assertThat(tb.get(0).path("operationName").asText()).isEqualTo("op-b");
        String range = "&start=" + (T / 1000 - 60) + "&end=" + (T / 1000 + 60);
        assertThat(query("a", "/api/search?tags=" + enc("service.name=svc-b") + range).path("traces").size()).isZero();
        assertThat(query("a", "/api/search?q=" + enc("{resource.service.name=\"svc-a\"}") + range).path("traces").size())
                .isEqualTo(1);
        assertThat(query("a", "/api/search?q=" + enc("{resource.__tenant__=\"b\"}") + range).path("traces").size()).isZero();
        assertThat(query("a", "/api/search?q=" + enc("{resource.__tenant__!=\"a\"}") + range).path("traces").size()).isZero();
        assertThat(query("a", "/api/search/tag/service.name/values").path("tagValues").toString())
                .isEqualTo("[\"svc-a\",\"zipkin-a\"]");
        String tags = query("a", "/api/search/tags").path("tagNames").toString();
        assertThat(tags).contains("a.only").doesNotContain("b.only").doesNotContain("__tenant__");
        assertThat(query("b", "/api/operations?service=svc-a").path("data").size()).isZero();
        assertThat(query("a", "/api/services/svc-a/operations").path("data").toString()).isEqualTo("[\"op-a\"]");
        HttpResponse<String> none = server.get("/api/services");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("no org id");
    }

    @Test
    void logQueriesAndListingsSeeOnlyTheirTenant() throws Exception {
        String range = "&start=" + (T - 60_000) * 1_000_000 + "&end=" + (T + 60_000) * 1_000_000;
        assertThat(lines("a", "{job=~\".+\"}", range)).containsExactly("line of a");
        assertThat(lines("b", "{job=~\".+\"}", range)).containsExactly("line of b");
        assertThat(lines("b", "{service_name=\"svc-b\"}", range)).containsExactly("otlp line of b");
        assertThat(lines("a", "{__tenant__=\"b\", job=~\".+\"}", range)).isEmpty();
        assertThat(lines("a", "{job=~\".+\", __tenant__=~\".*\"}", range)).containsExactly("line of a");
        JsonNode count = query("a", "/loki/api/v1/query_range?query=" + enc("sum(count_over_time({job=~\".+\"}[10m]))")
                + range + "&step=60");
        for (JsonNode v : count.path("data").path("result").get(0).path("values")) {
            assertThat(v.get(1).asText()).isEqualTo("1");
        }
        assertThat(query("a", "/loki/api/v1/labels?" + range.substring(1)).path("data").toString())
                .isEqualTo("[\"a_only\",\"job\",\"service_name\"]");
        // Loki's discover_service_name took it from job: b's OTLP service is not among a's.
        assertThat(query("a", "/loki/api/v1/label/service_name/values?" + range.substring(1)).path("data").toString())
                .isEqualTo("[\"a-job\"]");
        assertThat(query("a", "/loki/api/v1/label/job/values?" + range.substring(1)).path("data").toString())
                .isEqualTo("[\"a-job\"]");
        assertThat(query("a", "/loki/api/v1/label/__tenant__/values?" + range.substring(1)).path("data").toString())
                .isEqualTo("[]");
        assertThat(query("a", "/loki/api/v1/series?match[]=" + enc("{job=~\".+\"}") + range).path("data").toString())
                .isEqualTo("[{\"a_only\":\"x\",\"job\":\"a-job\",\"service_name\":\"a-job\"}]");
        assertThat(query("a", "/loki/api/v1/index/stats?query=" + enc("{job=~\".+\"}") + range).path("entries").asInt())
                .isEqualTo(1);
        HttpResponse<String> none = server.get("/loki/api/v1/labels");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).isEqualTo("no org id\n");
    }

    @Test
    void instantAndRangeQueriesSeeOnlyTheirTenant() throws Exception {
        assertThat(values("a", "shared_metric")).containsExactly("1");
        assertThat(values("b", "shared_metric")).containsExactly("2");
        assertThat(names("a", "{__name__=~\".+\"}")).containsExactly("shared_metric");
        assertThat(names("b", "{__name__=~\".+\"}")).containsExactly("b_otlp_gauge", "b_rw2_total", "shared_metric");
        assertThat(values("a", "sum(shared_metric)")).containsExactly("1");
        assertThat(values("a", "count({__name__=~\".+\"})")).containsExactly("1");
        // Subqueries and functions over range selectors read through the same view.
        assertThat(values("a", "max_over_time(shared_metric[10m:1m])")).containsExactly("1");
        assertThat(values("b", "sum(count_over_time({__name__=~\".+\"}[10m]))")).containsExactly("3");
        JsonNode range = query("a", "/api/v1/query_range?query=" + enc("sum({__name__=~\".+\"})") + "&start="
                + (T / 1000 - 60) + "&end=" + (T / 1000 + 60) + "&step=30");
        for (JsonNode point : range.path("data").path("result").get(0).path("values")) {
            assertThat(point.get(1).asText()).isEqualTo("1");
        }
    }

    @Test
    void theReservedLabelReachesNothingOfAnother() throws Exception {
        // To a tenant the label does not exist: it neither shows nor selects.
        JsonNode own = query("a", "/api/v1/query?query=" + enc("shared_metric") + "&time=" + T / 1000);
        assertThat(own.path("data").path("result").get(0).path("metric").has("__tenant__")).isFalse();
        assertThat(values("a", "{__tenant__=\"b\", __name__=~\".+\"}")).isEmpty();
        assertThat(values("a", "{__tenant__=~\".+\"}")).isEmpty();
        assertThat(values("a", "{__tenant__=~\"b|a\", job=~\".+\"}")).isEmpty();
        assertThat(values("a", "{__name__=\"shared_metric\", __tenant__!=\"a\"}")).containsExactly("1");
        assertThat(values("a", "{__name__=\"shared_metric\", __tenant__=~\".*\"}")).containsExactly("1");
        assertThat(values("a", "label_replace(shared_metric, \"__tenant__\", \"b\", \"\", \"\")")).containsExactly("1");
        // A selector on the reserved label alone is one without a restricting matcher, as Prometheus says.
        HttpResponse<String> r = server.send(server.request("/api/v1/query?query=" + enc("{__tenant__=\"\"}"))
                .header(Tenants.HEADER, "a"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("at least one non-empty matcher");
    }

    @Test
    void seriesLabelsAndValuesSeeOnlyTheirTenant() throws Exception {
        String all = "match[]=" + enc("{__name__=~\".+\"}");
        assertThat(query("a", "/api/v1/series?" + all).path("data").toString())
                .isEqualTo("[{\"__name__\":\"shared_metric\",\"a_only\":\"x\",\"job\":\"a-job\"}]");
        assertThat(query("b", "/api/v1/series?" + all).path("data").size()).isEqualTo(3);
        assertThat(query("a", "/api/v1/labels").path("data").toString()).isEqualTo("[\"__name__\",\"a_only\",\"job\"]");
        assertThat(query("a", "/api/v1/labels?" + all).path("data").toString()).isEqualTo("[\"__name__\",\"a_only\",\"job\"]");
        assertThat(query("a", "/api/v1/label/job/values").path("data").toString()).isEqualTo("[\"a-job\"]");
        assertThat(query("b", "/api/v1/label/__name__/values").path("data").toString())
                .isEqualTo("[\"b_otlp_gauge\",\"b_rw2_total\",\"shared_metric\"]");
        assertThat(query("a", "/api/v1/label/__tenant__/values").path("data").toString()).isEqualTo("[]");
        assertThat(query("a", "/api/v1/label/job/values?match[]=" + enc("{__tenant__=\"b\"}")).path("data").toString())
                .isEqualTo("[]");
    }

    @Test
    void exemplarsAndMetadataSeeOnlyTheirTenant() throws Exception {
        JsonNode ea = query("a", "/api/v1/query_exemplars?query=" + enc("{__name__=~\".+\"}")).path("data");
        assertThat(ea.size()).isEqualTo(1);
        assertThat(ea.get(0).path("exemplars").get(0).path("labels").path("trace_id").asText()).isEqualTo("trace-a");
        assertThat(ea.get(0).path("seriesLabels").has("__tenant__")).isFalse();
        JsonNode eb = query("b", "/api/v1/query_exemplars?query=" + enc("shared_metric")).path("data");
        assertThat(eb.get(0).path("exemplars").get(0).path("labels").path("trace_id").asText()).isEqualTo("trace-b");
        assertThat(query("a", "/api/v1/query_exemplars?query=" + enc("{__tenant__=\"b\", __name__=~\".+\"}"))
                .path("data").toString()).isEqualTo("[]");

        assertThat(query("a", "/api/v1/metadata").path("data").toString())
                .isEqualTo("{\"shared_metric\":[{\"type\":\"counter\",\"help\":\"help of a\",\"unit\":\"\"}]}");
        JsonNode mb = query("b", "/api/v1/metadata").path("data");
        assertThat(mb.has("shared_metric")).isFalse();
        assertThat(mb.path("b_otlp_gauge").get(0).path("help").asText()).isEqualTo("help of b");
    }

    @Test
    void aRequestWithoutAnOrgIdIsRefusedAndABadOneNamed() throws Exception {
        HttpResponse<String> q = server.get("/api/v1/query?query=up");
        assertThat(q.statusCode()).isEqualTo(401);
        assertThat(q.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"no org id\"}");
        HttpResponse<String> w = send(server.request("/api/v1/write").header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy").POST(HttpRequest.BodyPublishers.ofByteArray(snappy(new byte[0]))));
        assertThat(w.statusCode()).isEqualTo(401);
        assertThat(w.body()).isEqualTo("no org id\n");
        HttpResponse<String> o = send(server.request("/v1/metrics").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(o.statusCode()).isEqualTo(401);
        assertThat(o.body()).contains("no org id");
        HttpResponse<String> bad = server.send(server.request("/api/v1/labels").header(Tenants.HEADER, "a|b"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid X-Scope-OrgID header: tenant ID 'a|b' contains unsupported characters");
        HttpResponse<String> tooLong = server.send(server.request("/api/v1/labels").header(Tenants.HEADER, "x".repeat(151)));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("tenant ID is too long: max 150 characters");
    }

    @Test
    void usageIsExposedPerTenant() throws Exception {
        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("sightline_tenant_samples_received_total{tenant=\"a\"} 1.0");
        assertThat(metrics).contains("sightline_tenant_samples_received_total{tenant=\"b\"} 3.0");
        assertThat(metrics).contains("sightline_tenant_series{tenant=\"b\"} 3.0");
    }

    // ---------------------------------------------------------------- helpers

    /** A 1.0 TimeSeries: name, job and a label only this tenant has, one sample at T with an exemplar. */
    private static byte[] series(String name, String job, String only, double v, String traceId) throws IOException {
        return message(o -> {
            label(o, "__name__", name);
            label(o, only, "x");
            label(o, "job", job);
            o.writeByteArray(2, message(s -> {
                s.writeDouble(1, v);
                s.writeInt64(2, T);
            }));
            o.writeByteArray(3, message(e -> {
                label(e, "trace_id", traceId);
                e.writeDouble(2, v);
                e.writeInt64(3, T);
            }));
        });
    }

    /** A 2.0 request of one series {__name__=name} with one sample at T. */
    private static byte[] v2(String name, double v) throws IOException {
        return message(o -> {
            for (String s : List.of("", "__name__", name)) {
                o.writeString(4, s);
            }
            o.writeByteArray(5, message(ts -> {
                ts.writeByteArray(1, message(p -> {
                    p.writeUInt32NoTag(1);
                    p.writeUInt32NoTag(2);
                }));
                ts.writeByteArray(2, message(s -> {
                    s.writeDouble(1, v);
                    s.writeInt64(2, T);
                }));
            }));
        });
    }

    private static HttpResponse<String> write(String tenant, byte[] raw, String proto) throws Exception {
        return RemoteWrites.write(server, tenant, raw, proto);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return server.send(b);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The parsed answer to a GET as {@code tenant}, which must be 200. */
    private static JsonNode query(String tenant, String path) throws Exception {
        HttpResponse<String> r = server.send(server.request(path).header(Tenants.HEADER, tenant));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body());
    }

    /** The lines a Loki range query of {@code selector} returns, as tenant. */
    private static List<String> lines(String tenant, String selector, String range) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode s : query(tenant, "/loki/api/v1/query_range?query=" + enc(selector) + range).path("data").path("result")) {
            for (JsonNode v : s.path("values")) {
                out.add(v.get(1).asText());
            }
        }
        return out;
    }

    /** The values of an instant query at T, as tenant. */
    private static List<String> values(String tenant, String promql) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode s : query(tenant, "/api/v1/query?query=" + enc(promql) + "&time=" + T / 1000.0)
                .path("data").path("result")) {
            out.add(s.path("value").get(1).asText());
        }
        return out;
    }

    /** The distinct metric names an instant query at T returns, as tenant. */
    private static List<String> names(String tenant, String promql) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode s : query(tenant, "/api/v1/query?query=" + enc(promql) + "&time=" + T / 1000.0)
                .path("data").path("result")) {
            out.add(s.path("metric").path("__name__").asText());
        }
        return new ArrayList<>(out);
    }
}
