package dev.sightline.server.traces;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.server.traces.OtlpSpans.attr;
import static dev.sightline.server.traces.OtlpSpans.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * TraceQL through Tempo's HTTP API on a running server: spans posted over OTLP/HTTP come back from {@code /api/search}
 * (filters, structure, by()/count() pipelines with their spanset attributes), tag names and typed values filtered by a
 * query, and {@code /api/metrics/query_range} with known counts; a bad query answers 400 naming line and column.
 *
 * <p>Three traces, all in one minute: T1 (x: "GET /a" 50 ms, http.status_code 200; its child y: "db" 20 ms, db.system
 * pg, error), T2 (x: "GET /b" 5 ms; its child x: "cache" 2 ms), T3 (y: "job" 30 ms). So x has 3 spans, y 2.
 */
class TraceQlEndToEndTest {
    private static final String T1 = "11111111111111111111111111111111";
    private static final String T2 = "22222222222222222222222222222222";
    private static final String T3 = "33333333333333333333333333333333";
    private static final long MS = 1_000_000L;
    /** A whole minute ten minutes back: every span starts in the minute after it. */
    private static final long BASE_S = System.currentTimeMillis() / 60_000 * 60 - 600;
    private static final long BASE = BASE_S * 1_000_000_000L;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer();

    @BeforeAll
    static void postSpans() throws Exception {
        SERVER.start(dir, null);
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(service("x",
                        span(T1, 1, 0, "GET /a", Span.SpanKind.SPAN_KIND_SERVER, 5_000, 50)
                                .addAttributes(attr("http.status_code", AnyValue.newBuilder().setIntValue(200))),
                        span(T2, 3, 0, "GET /b", Span.SpanKind.SPAN_KIND_SERVER, 10_000, 5),
                        span(T2, 4, 3, "cache", Span.SpanKind.SPAN_KIND_INTERNAL, 10_001, 2)))
                .addResourceSpans(service("y",
                        span(T1, 2, 1, "db", Span.SpanKind.SPAN_KIND_CLIENT, 5_010, 20)
                                .addAttributes(attr("db.system", AnyValue.newBuilder().setStringValue("pg")))
                                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
                        span(T3, 5, 0, "job", Span.SpanKind.SPAN_KIND_SERVER, 30_000, 30)))
                .build();
        OtlpSpans.post(SERVER, request);
    }



    /** A span starting {@code startMs} after BASE, lasting {@code durationMs}. */
    private static Span.Builder span(String trace, long id, long parent, String name, Span.SpanKind kind, long startMs,
                                     long durationMs) {
        return OtlpSpans.span(trace, id, parent, name, kind, BASE, startMs, durationMs);
    }


    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode search(String q) throws Exception {
        return SERVER.getJson("/api/search?q=" + enc(q));
    }

    private static List<String> traceIds(JsonNode found) {
        List<String> ids = new ArrayList<>();
        found.path("traces").forEach(t -> ids.add(t.path("traceID").asText()));
        return ids;
    }

    /** key=value of a KeyValue list, the value's one field as text. */
    private static List<String> keyValues(JsonNode attributes) {
        List<String> out = new ArrayList<>();
        attributes.forEach(a -> out.add(a.path("key").asText() + "=" + a.path("value").elements().next().asText()));
        return out;
    }

    @Test
    void filterByServiceAndDuration() throws Exception {
        JsonNode found = search("{ resource.service.name = \"x\" && duration > 10ms }");
        assertThat(traceIds(found)).containsExactly(T1);
        JsonNode t = found.path("traces").get(0);
        assertThat(t.path("rootServiceName").asText()).isEqualTo("x");
        assertThat(t.path("rootTraceName").asText()).isEqualTo("GET /a");
        assertThat(t.path("durationMs").asLong()).isEqualTo(50);
        assertThat(t.path("spanSets")).hasSize(1);
        JsonNode set = t.path("spanSets").get(0);
        assertThat(set.path("matched").asInt()).isEqualTo(1);
        JsonNode span = set.path("spans").get(0);
        assertThat(span.path("spanID").asText()).isEqualTo("0000000000000001");
        assertThat(span.path("name").asText()).isEqualTo("GET /a");
        assertThat(span.path("durationNanos").asText()).isEqualTo(Long.toString(50 * MS));
        // The attributes the query named, by name without scope as Tempo keys them; duration is durationNanos.
        assertThat(keyValues(span.path("attributes"))).containsExactly("service.name=x");
        assertThat(found.path("metrics").path("completedJobs").asInt()).isEqualTo(1);
        assertThat(found.path("metrics").has("inspectedTraces")).isTrue();
    }

    @Test
    void structuralQuery() throws Exception {
        JsonNode found = search("{ resource.service.name = \"x\" } > { resource.service.name = \"y\" }");
        assertThat(traceIds(found)).containsExactly(T1);
        JsonNode set = found.path("traces").get(0).path("spanSets").get(0);
        assertThat(set.path("spans")).hasSize(1);
        assertThat(set.path("spans").get(0).path("name").asText()).isEqualTo("db");
        // Nothing where y is the parent of x.
        assertThat(traceIds(search("{ resource.service.name = \"y\" } > { resource.service.name = \"x\" }"))).isEmpty();
    }

    @Test
    void pipelinesAnswerSpansetsWithTheirAttributes() throws Exception {
        JsonNode counted = search("{ } | by(resource.service.name) | count() > 1");
        assertThat(traceIds(counted)).containsExactly(T2);
        JsonNode set = counted.path("traces").get(0).path("spanSets").get(0);
        assertThat(set.path("matched").asInt()).isEqualTo(2);
        assertThat(keyValues(set.path("attributes"))).containsExactlyInAnyOrder("by(resource.service.name)=x",
                "count()=2");
        assertThat(set.path("attributes").findValues("intValue")).extracting(JsonNode::asText).containsExactly("2");

        // One trace, a spanset per service.
        JsonNode grouped = search("{ trace:rootName = \"GET /a\" } | by(resource.service.name)");
        assertThat(traceIds(grouped)).containsExactly(T1);
        List<String> sets = new ArrayList<>();
        grouped.path("traces").get(0).path("spanSets").forEach(s -> sets.add(keyValues(s.path("attributes"))
                + " " + s.path("spans").get(0).path("name").asText() + " " + s.path("matched").asInt()));
        assertThat(sets).containsExactlyInAnyOrder("[by(resource.service.name)=x] GET /a 1",
                "[by(resource.service.name)=y] db 1");

        JsonNode selected = search("{ name = \"db\" } | select(span.db.system, status)");
        assertThat(keyValues(selected.path("traces").get(0).path("spanSets").get(0).path("spans").get(0)
                .path("attributes"))).contains("db.system=pg", "status=error");
    }

    @Test
    void tagsAndValuesFilteredByAQuery() throws Exception {
        assertThat(SERVER.getJson("/api/v2/search/tag/resource.service.name/values?q=" + enc("{ status = error }"))
                .path("tagValues").toString()).isEqualTo("[{\"type\":\"string\",\"value\":\"y\"}]");
        assertThat(SERVER.getJson("/api/v2/search/tag/span.http.status_code/values?q="
                + enc("{ resource.service.name = \"x\" }")).path("tagValues").toString())
                .isEqualTo("[{\"type\":\"int\",\"value\":\"200\"}]");
        assertThat(SERVER.getJson("/api/v2/search/tag/name/values?q=" + enc("{ resource.service.name = \"y\" }"))
                .path("tagValues").toString())
                .isEqualTo("[{\"type\":\"string\",\"value\":\"db\"},{\"type\":\"string\",\"value\":\"job\"}]");
        assertThat(SERVER.getJson("/api/v2/search/tag/status/values?q=" + enc("{ resource.service.name = \"y\" }"))
                .path("tagValues").toString())
                .isEqualTo("[{\"type\":\"keyword\",\"value\":\"error\"},{\"type\":\"keyword\",\"value\":\"unset\"}]");
        assertThat(SERVER.getJson("/api/v2/search/tags?scope=span&q=" + enc("{ resource.service.name = \"y\" }"))
                .path("scopes").toString()).isEqualTo("[{\"name\":\"span\",\"tags\":[\"db.system\"]}]");
    }

    @Test
    void rateByServiceHasTheKnownCounts() throws Exception {
        JsonNode series = SERVER.getJson("/api/metrics/query_range?q=" + enc("{} | rate() by (resource.service.name)")
                + "&start=" + BASE_S + "&end=" + (BASE_S + 120) + "&step=60s").path("series");
        assertThat(series).hasSize(2);
        long stepEndMs = (BASE_S + 60) * 1000;
        for (JsonNode s : series) {
            String service = s.path("labels").get(0).path("value").path("stringValue").asText();
            assertThat(s.path("labels").get(0).path("key").asText()).isEqualTo("resource.service.name");
            assertThat(s.path("promLabels").asText()).isEqualTo("{resource.service.name=\"" + service + "\"}");
            double expected = service.equals("x") ? 3 / 60.0 : 2 / 60.0;
            for (JsonNode sample : s.path("samples")) {
                double v = sample.path("value").asDouble();
                if (sample.path("timestampMs").asLong() == stepEndMs) {
                    assertThat(v).as(service).isCloseTo(expected, within(1e-12));
                } else {
                    assertThat(v).as(service + " at " + sample.path("timestampMs")).isZero();
                }
            }
            assertThat(s.path("samples").findValues("timestampMs")).extracting(JsonNode::asText)
                    .contains(Long.toString(stepEndMs));
        }
        JsonNode instant = SERVER.getJson("/api/metrics/query?q=" + enc("{} | count_over_time() by (resource.service.name)")
                + "&start=" + BASE_S + "&end=" + (BASE_S + 60)).path("series");
        List<String> counts = new ArrayList<>();
        instant.forEach(s -> counts.add(s.path("promLabels").asText() + "=" + s.path("value").asDouble()));
        assertThat(counts).containsExactlyInAnyOrder("{resource.service.name=\"x\"}=3.0",
                "{resource.service.name=\"y\"}=2.0");
    }

    @Test
    void badQueriesAre400NamingLineAndColumn() throws Exception {
        HttpResponse<String> r = SERVER.get("/api/search?q=" + enc("{ resource.service.name = }"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("parse error at line 1, col 27: ");
        r = SERVER.get("/api/search?q=" + enc("{\n  .a = 1 &&\n  foo = 2\n}"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("parse error at line 3, col 3: ").contains("foo");
        r = SERVER.get("/api/metrics/query_range?q=" + enc("{} | rate() by (") + "&start=" + BASE_S + "&end="
                + (BASE_S + 60));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("parse error at line 1, col ");
        r = SERVER.get("/api/v2/search/tag/.x/values?q=" + enc("{ .a = }"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("parse error at line 1, col ");
    }
}
