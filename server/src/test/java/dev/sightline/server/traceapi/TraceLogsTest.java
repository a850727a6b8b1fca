package dev.sightline.server.traceapi;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.logs.LogAppender;
import dev.sightline.server.RunningServer;
import dev.sightline.traces.SpanAppender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A trace's log lines through a running server: spans in server.spans(), lines in server.logs(). */
class TraceLogsTest {
    private static final long T = 1_700_000_000_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String OTHER = "00000000000000000000000000abc123";
    private static final Labels PAYMENT = Labels.of("service_name", "payment");
    private static final Labels CHECKOUT = Labels.of("service_name", "checkout");

    @TempDir
    Path dir;
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @BeforeEach
    void start() throws Exception {
        server.start(dir, null);
        SpanAppender spans = server.server().spans().appender();
        SpanResource checkout = new SpanResource(new Attributes.Builder().addString("service.name", "checkout").build(),
                0, "");
        // The trace runs from T to T+250ms; the other trace a minute earlier.
        spans.append(checkout, InstrumentationScope.EMPTY, span(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 1, T, T + 250 * MS));
        spans.append(checkout, InstrumentationScope.EMPTY, span(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 2, T + 50 * MS,
                T + 200 * MS));
        spans.append(checkout, InstrumentationScope.EMPTY, span(0, 0xabc123L, 3, T - 60_000 * MS, T - 59_000 * MS));
        spans.commit();
        LogAppender logs = server.server().logs().appender();
        logs.append(CHECKOUT, T + 10 * MS, "checkout started", meta(TRACE, "0000000000000001"));
        logs.append(PAYMENT, T + 60 * MS, "{\"msg\":\"card declined\"}", meta(TRACE, "0000000000000002"));
        // The same id as an SDK may write it: upper case.
        logs.append(PAYMENT, T + 70 * MS, "retrying", meta(TRACE.toUpperCase(), "0000000000000002"));
        logs.append(CHECKOUT, T + 240 * MS, "checkout failed", meta(TRACE, "0000000000000001"));
        logs.append(CHECKOUT, T + 100 * MS, "a line of another trace", meta(OTHER, "0000000000000003"));
        logs.append(CHECKOUT, T + 100 * MS, "a line without a trace", Labels.EMPTY);
        // The trace's id, but five minutes after it ended: outside the default 1m margin.
        logs.append(CHECKOUT, T + 300_000 * MS, "late retry", meta(TRACE, "0000000000000001"));
        logs.commit();
    }

    private static Span span(long hi, long lo, long id, long start, long end) {
        return new Span(hi, lo, id, 0, "", 1, "op" + id, SpanKind.SERVER, start, end, Attributes.EMPTY, 0, List.of(), 0,
                List.of(), 0, StatusCode.UNSET, "");
    }

    private static Labels meta(String traceId, String spanId) {
        return Labels.of("trace_id", traceId, "span_id", spanId);
    }

    private JsonObject ok(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private static List<String> lines(JsonObject body) {
        return body.getJsonObject("data").getJsonArray("result").stream()
                .flatMap(s -> ((JsonObject) s).getJsonArray("values").stream())
                .map(v -> ((JsonArray) v).getString(1)).toList();
    }

    @Test
    void theTracesLinesByStreamOldestFirstInLokisShape() throws Exception {
        JsonObject body = ok("/api/traces/" + TRACE + "/logs");
        assertThat(body.getString("status")).isEqualTo("success");
        JsonObject data = body.getJsonObject("data");
        assertThat(data.getString("resultType")).isEqualTo("streams");
        assertThat(data.getString("start")).isEqualTo(Long.toString(T - 60_000 * MS));
        assertThat(data.getString("end")).isEqualTo(Long.toString(T + 250 * MS + 60_000 * MS));
        assertThat(data.getBoolean("limitReached")).isFalse();
        JsonArray result = data.getJsonArray("result");
        assertThat(result).hasSize(2);
        JsonObject checkout = result.getJsonObject(0);
        assertThat(checkout.getJsonObject("stream")).isEqualTo(new JsonObject().put("service_name", "checkout"));
        assertThat(checkout.getJsonArray("values")).isEqualTo(new JsonArray()
                .add(new JsonArray().add(Long.toString(T + 10 * MS)).add("checkout started").add(new JsonObject()
                        .put("structuredMetadata", new JsonObject().put("span_id", "0000000000000001")
                                .put("trace_id", TRACE))))
                .add(new JsonArray().add(Long.toString(T + 240 * MS)).add("checkout failed").add(new JsonObject()
                        .put("structuredMetadata", new JsonObject().put("span_id", "0000000000000001")
                                .put("trace_id", TRACE)))));
        assertThat(result.getJsonObject(1).getJsonObject("stream")).isEqualTo(new JsonObject().put("service_name", "payment"));
        assertThat(lines(body)).containsExactly("checkout started", "checkout failed", "{\"msg\":\"card declined\"}",
                "retrying");
    }

    @Test
    void marginWidensTheWindowAndLimitCuts() throws Exception {
        assertThat(lines(ok("/api/traces/" + TRACE + "/logs?margin=10m"))).contains("late retry").hasSize(5);
        JsonObject one = ok("/api/traces/" + TRACE + "/logs?limit=1");
        assertThat(lines(one)).containsExactly("checkout started");
        assertThat(one.getJsonObject("data").getBoolean("limitReached")).isTrue();
        // A 64-bit id, as Jaeger writes trace ids with a zero high half.
        assertThat(lines(ok("/api/traces/abc123/logs"))).containsExactly("a line of another trace");
    }

    @Test
    void unknownTraceAndBadParametersAreRefusedInJaegersShape() throws Exception {
        HttpResponse<String> missing = server.get("/api/traces/0123456789abcdef0123456789abcdef/logs");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(missing.body()).getJsonArray("errors").getJsonObject(0).getString("msg"))
                .isEqualTo("trace not found");
        assertThat(badRequest("/api/traces/xyz/logs")).startsWith("unable to parse param 'traceID': ");
        assertThat(badRequest("/api/traces/" + TRACE + "/logs?margin=2h"))
                .isEqualTo("unable to parse param 'margin': must be between 0 and 1h, got 2h");
        assertThat(badRequest("/api/traces/" + TRACE + "/logs?margin=soon")).startsWith("unable to parse param 'margin'");
        assertThat(badRequest("/api/traces/" + TRACE + "/logs?limit=0")).startsWith("unable to parse param 'limit'");
    }

    private String badRequest(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        return new JsonObject(r.body()).getJsonArray("errors").getJsonObject(0).getString("msg");
    }
}
