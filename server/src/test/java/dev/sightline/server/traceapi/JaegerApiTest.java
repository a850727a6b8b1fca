package dev.sightline.server.traceapi;

import dev.sightline.server.BuildInfo;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.traces.InMemorySpanStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;

import static dev.sightline.server.traceapi.TraceFixture.MS;
import static dev.sightline.server.traceapi.TraceFixture.T;
import static dev.sightline.server.traceapi.TraceFixture.enc;
import static dev.sightline.server.traceapi.TraceFixture.TRACE_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jaeger's query API against an in-memory store, each answer checked field by field against the shapes of Jaeger's
 * http_handler.go (structuredResponse) and model/json (cmd/query/app/fixture/otlp2jaeger-out.json).
 */
class JaegerApiTest {
    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    @BeforeEach
    void start() throws Exception {
        InMemorySpanStore store = TraceFixture.store();
        new TraceApi(() -> store, () -> null, new TraceQlEngineBackend(), () -> T + 3_600_000 * MS, BuildInfo.current())
                .register(server.api);
        server.listen();
    }

    private JsonObject ok(String path) throws Exception {
        return TraceFixture.okJson(server, path);
    }

    /** A 400 in Jaeger's error shape; returns the message. */
    private String badRequest(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonObject o = new JsonObject(r.body());
        assertThat(o.fieldNames()).containsExactly("data", "total", "limit", "offset", "errors");
        assertThat(o.getValue("data")).isNull();
        JsonObject error = o.getJsonArray("errors").getJsonObject(0);
        assertThat(error.getInteger("code")).isEqualTo(400);
        return error.getString("msg");
    }

    @Test
    void servicesAreSortedInTheEnvelope() throws Exception {
        assertThat(server.get("/api/services").body()).isEqualTo(
                "{\"data\":[\"frontend\",\"inventory\",\"payment\"],\"total\":3,\"limit\":0,\"offset\":0,\"errors\":null}");
        assertThat(ok("/jaeger/api/services").getInteger("total")).isEqualTo(3);
    }

    @Test
    void operationsLegacyListsNamesAndTheNewEndpointNamesAndKinds() throws Exception {
        assertThat(ok("/api/services/frontend/operations").getJsonArray("data"))
                .isEqualTo(new JsonArray().add("GET /checkout").add("POST /charge"));
        assertThat(ok("/api/services/" + enc("inventory") + "/operations").getJsonArray("data"))
                .isEqualTo(new JsonArray().add("réserver 在庫"));
        JsonObject all = ok("/api/operations?service=frontend");
        assertThat(all.getJsonArray("data")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("name", "GET /checkout").put("spanKind", "server"))
                .add(new JsonObject().put("name", "POST /charge").put("spanKind", "client")));
        assertThat(all.getInteger("total")).isEqualTo(2);
        assertThat(ok("/api/operations?service=frontend&spanKind=client").getJsonArray("data"))
                .isEqualTo(new JsonArray().add(new JsonObject().put("name", "POST /charge").put("spanKind", "client")));
        assertThat(ok("/api/operations?service=inventory&spanKind=internal").getJsonArray("data")).hasSize(1);
        assertThat(badRequest("/api/operations")).isEqualTo("parameter 'service' is required");
        assertThat(badRequest("/api/operations?service=frontend&spanKind=sever")).contains("'spanKind'");
    }

    @Test
    void traceByIdIsJaegersUiModel() throws Exception {
        JsonObject body = ok("/api/traces/" + TRACE_A);
        assertThat(body.fieldNames()).containsExactly("data", "total", "limit", "offset", "errors");
        assertThat(body.getValue("errors")).isNull();
        JsonObject trace = body.getJsonArray("data").getJsonObject(0);
        assertThat(trace.fieldNames()).containsExactly("traceID", "spans", "processes", "warnings");
        assertThat(trace.getString("traceID")).isEqualTo(TRACE_A);
        assertThat(trace.getValue("warnings")).isNull();
        assertThat(trace.getJsonObject("processes")).isEqualTo(new JsonObject()
                .put("p1", new JsonObject().put("serviceName", "frontend").put("tags", new JsonArray()
                        .add(tag("host.name", "string", "web-1")).add(tag("process.pid", "int64", 4242))))
                .put("p2", new JsonObject().put("serviceName", "payment").put("tags", new JsonArray()
                        .add(tag("deployment.environment", "string", "prod")))));
        JsonArray spans = trace.getJsonArray("spans");
        assertThat(spans).hasSize(3);

        JsonObject root = spans.getJsonObject(0);
        assertThat(root.fieldNames()).containsExactly("traceID", "spanID", "flags", "operationName", "references",
                "startTime", "duration", "tags", "logs", "processID", "warnings");
        assertThat(root.getString("spanID")).isEqualTo("00f067aa0ba902b7");
        assertThat(root.getInteger("flags")).isEqualTo(1);
        assertThat(root.getString("operationName")).isEqualTo("GET /checkout");
        assertThat(root.getJsonArray("references")).isEmpty();
        // Microseconds, for the start and for the duration.
        assertThat(root.getLong("startTime")).isEqualTo(T / 1000);
        assertThat(root.getLong("duration")).isEqualTo(250_000L);
        assertThat(root.getString("processID")).isEqualTo("p1");
        assertThat(root.getJsonArray("tags")).isEqualTo(new JsonArray()
                .add(tag("http.method", "string", "GET"))
                .add(tag("http.status_code", "int64", 200))
                .add(tag("sample.ratio", "float64", 0.75))
                .add(tag("cache.hit", "bool", false))
                .add(tag("payload", "binary", "AAEC/v8="))
                .add(tag("tags", "string", "[\"a\",2,2.5,true]"))
                .add(tag("labels", "string", "{\"team\":\"checkout\",\"tier\":1}"))
                .add(tag("note", "string", "naïve café ☕"))
                .add(tag("otel.scope.name", "string", "io.opentelemetry.okhttp-3.0"))
                .add(tag("otel.scope.version", "string", "2.1.0"))
                .add(tag("span.kind", "string", "server"))
                .add(tag("w3c.tracestate", "string", "rojo=00f067aa0ba902b7"))
                .add(tag("otel.dropped_attributes_count", "int64", 2)));
        assertThat(root.getJsonArray("logs")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("timestamp", (T + 10 * MS) / 1000)
                .put("fields", new JsonArray().add(tag("event", "string", "cache miss"))
                        .add(tag("cache.key", "string", "cart:7")))));

        JsonObject client = spans.getJsonObject(1);
        assertThat(client.getJsonArray("references")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("refType", "CHILD_OF").put("traceID", TRACE_A).put("spanID", "00f067aa0ba902b7")));

        JsonObject charge = spans.getJsonObject(2);
        assertThat(charge.getString("processID")).isEqualTo("p2");
        // The parent first, then links as FOLLOWS_FROM; trace B's id has a zero high half: 16 digits.
        assertThat(charge.getJsonArray("references")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("refType", "CHILD_OF").put("traceID", TRACE_A).put("spanID", "1111111111111111"))
                .add(new JsonObject().put("refType", "FOLLOWS_FROM").put("traceID", "0000000000abc123")
                        .put("spanID", "0000000000000042")));
        assertThat(charge.getJsonArray("tags")).isEqualTo(new JsonArray()
                .add(tag("card.brand", "string", "visa"))
                .add(tag("span.kind", "string", "server"))
                .add(tag("otel.status_code", "string", "ERROR"))
                .add(tag("error", "bool", true))
                .add(tag("otel.status_description", "string", "card declined"))
                .add(tag("otel.dropped_events_count", "int64", 1)));
        assertThat(charge.getJsonArray("logs").getJsonObject(0).getJsonArray("fields")).isEqualTo(new JsonArray()
                .add(tag("event", "string", "exception"))
                .add(tag("exception.message", "string", "card declined"))
                .add(tag("exception.type", "string", "Declined")));
    }

    private static JsonObject tag(String key, String type, Object value) {
        return new JsonObject().put("key", key).put("type", type).put("value", value);
    }

    @Test
    void shortTraceIdsArePaddedAndWrittenAsJaegerWritesThem() throws Exception {
        JsonObject trace = ok("/api/traces/abc123").getJsonArray("data").getJsonObject(0);
        assertThat(trace.getString("traceID")).isEqualTo("0000000000abc123");
        JsonObject span = trace.getJsonArray("spans").getJsonObject(0);
        assertThat(span.containsKey("flags")).as("flags 0 is omitted").isFalse();
        assertThat(span.getString("operationName")).isEqualTo("réserver 在庫");
        // INTERNAL has no span.kind tag; OK status is otel.status_code only.
        assertThat(span.getJsonArray("tags")).isEqualTo(new JsonArray()
                .add(tag("http.status_code", "string", "200")).add(tag("otel.status_code", "string", "OK")));
        assertThat(ok("/api/traces/" + TraceFixture.TRACE_B.toUpperCase()).getJsonArray("data")).hasSize(1);
    }

    @Test
    void unknownTraceIs404AndABadIdIs400() throws Exception {
        HttpResponse<String> r = server.get("/api/traces/0123456789abcdef0123456789abcdef");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,"
                + "\"errors\":[{\"code\":404,\"msg\":\"trace not found\"}]}");
        assertThat(badRequest("/api/traces/not-hex")).startsWith("unable to parse param 'traceID'");
        assertThat(badRequest("/api/traces/" + "1".repeat(33))).startsWith("unable to parse param 'traceID'");
        assertThat(badRequest("/api/traces/" + TRACE_A + "?start=soon")).startsWith("unable to parse param 'start'");
        // The start/end hints narrow the read: a range before the trace finds nothing.
        assertThat(server.get("/api/traces/" + TRACE_A + "?start=0&end=1000").statusCode()).isEqualTo(404);
        assertThat(ok("/api/traces/" + TRACE_A + "?start=" + T / 1000 + "&end=" + (T / 1000 + 1_000_000))
                .getJsonArray("data").getJsonObject(0).getJsonArray("spans")).hasSize(3);
    }

    @Test
    void searchFindsWholeTracesByServiceOperationAndDuration() throws Exception {
        JsonObject body = ok("/api/traces?service=payment&lookback=2h&limit=20");
        // The client span's parent is outside trace C's stored spans, and still a hit; newest trace first.
        assertThat(body.getJsonArray("data").stream().map(t -> ((JsonObject) t).getString("traceID")))
                .containsExactly(TRACE_A, TraceFixture.TRACE_C);
        JsonObject a = body.getJsonArray("data").getJsonObject(0);
        assertThat(a.getJsonArray("spans")).as("whole trace, every service").hasSize(3);
        assertThat(body.getValue("errors")).isNull();
        assertThat(ids("/api/traces?service=payment&operation=refund")).containsExactly(TraceFixture.TRACE_C);
        assertThat(ids("/api/traces?service=payment&minDuration=100ms")).containsExactly(TRACE_A);
        assertThat(ids("/api/traces?service=payment&maxDuration=0.05s")).containsExactly(TraceFixture.TRACE_C);
        assertThat(ids("/api/traces?service=payment&minDuration=1.2s")).isEmpty();
        assertThat(ids("/api/traces?service=payment&limit=1")).containsExactly(TRACE_A);
        // start/end in microseconds: only trace C started in this window.
        long cStartUs = (T - 120_000 * MS) / 1000;
        assertThat(ids("/api/traces?service=payment&start=" + cStartUs + "&end=" + (cStartUs + 1000)))
                .containsExactly(TraceFixture.TRACE_C);
        // lookback: from now (T + 1h) back; one hour misses trace C, which started at T - 2 min.
        assertThat(ids("/api/traces?service=payment&lookback=1h")).containsExactly(TRACE_A);
        assertThat(ids("/api/traces?service=payment&lookback=2d")).hasSize(2);
        // The default window is two days back from now.
        assertThat(ids("/api/traces?service=inventory")).containsExactly("0000000000abc123");
    }

    @Test
    void searchTagsMatchAnyTypeAndTheMappedTags() throws Exception {
        // http.status_code is an int on frontend spans and a string on inventory's: Jaeger compares the text.
        assertThat(ids("/api/traces?service=frontend&tags=" + enc("{\"http.status_code\":\"200\"}")))
                .containsExactly(TRACE_A);
        assertThat(ids("/api/traces?service=inventory&tag=http.status_code:200")).containsExactly("0000000000abc123");
        assertThat(ids("/api/traces?service=frontend&tag=http.status_code:201")).isEmpty();
        assertThat(ids("/api/traces?service=frontend&tag=sample.ratio:0.75")).containsExactly(TRACE_A);
        assertThat(ids("/api/traces?service=frontend&tag=cache.hit:false")).containsExactly(TRACE_A);
        assertThat(ids("/api/traces?service=frontend&tag=" + enc("note:naïve café ☕"))).containsExactly(TRACE_A);
        // Resource attributes are process tags.
        assertThat(ids("/api/traces?service=payment&tag=deployment.environment:prod"))
                .containsExactly(TRACE_A, TraceFixture.TRACE_C);
        // Tags the OTLP mapping makes: error, span.kind, otel.status_code.
        assertThat(ids("/api/traces?service=payment&tag=error:true")).containsExactly(TRACE_A);
        assertThat(ids("/api/traces?service=payment&tag=span.kind:client")).containsExactly(TraceFixture.TRACE_C);
        assertThat(ids("/api/traces?service=inventory&tag=otel.status_code:OK")).containsExactly("0000000000abc123");
        // One span must meet every tag: the client span has 402, not GET.
        assertThat(ids("/api/traces?service=frontend&tag=http.method:POST&tag=http.status_code:200")).isEmpty();
        assertThat(ids("/api/traces?service=frontend&tag=http.method:POST&tag=http.status_code:402"))
                .containsExactly(TRACE_A);
        assertThat(ids("/api/traces?service=frontend&tags=")).containsExactly(TRACE_A);
        // A value holding colons keeps them, as Jaeger splits at the first.
        assertThat(ids("/api/traces?service=frontend&tag=" + enc("url.full:http://payment:8080/charge")))
                .containsExactly(TRACE_A);
        // Event attributes (Jaeger's log fields) are not searched: the store's conditions test span and resource.
        assertThat(ids("/api/traces?service=frontend&tag=cache.key:cart:7")).isEmpty();
    }

    @Test
    void searchByTraceIdsListsTheMissingOnesAsErrors() throws Exception {
        JsonObject body = ok("/api/traces?traceID=" + TRACE_A + "&traceID=ffffffffffffffff&start=0&end="
                + (T / 1000 + 10_000_000));
        assertThat(body.getJsonArray("data")).hasSize(1);
        assertThat(body.getJsonArray("errors")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("msg", "trace not found").put("traceID", "ffffffffffffffff")));
        assertThat(ok("/api/traces?traceID=" + TRACE_A + "&start=0&end=1").getJsonArray("errors")).hasSize(1);
    }

    @Test
    void badSearchParametersAre400NamingTheParameter() throws Exception {
        assertThat(badRequest("/api/traces")).isEqualTo("parameter 'service' is required");
        assertThat(badRequest("/api/traces?service=payment&minDuration=1x"))
                .isEqualTo("unable to parse param 'minDuration': time: unknown unit \"x\" in duration \"1x\"");
        assertThat(badRequest("/api/traces?service=payment&maxDuration=100"))
                .isEqualTo("unable to parse param 'maxDuration': time: missing unit in duration \"100\"");
        assertThat(badRequest("/api/traces?service=payment&minDuration=2s&maxDuration=1s"))
                .isEqualTo("'maxDuration' should be greater than 'minDuration'");
        assertThat(badRequest("/api/traces?service=payment&start=2000&end=1000")).startsWith("unable to parse param 'end'");
        assertThat(badRequest("/api/traces?service=payment&limit=ten")).startsWith("unable to parse param 'limit'");
        assertThat(badRequest("/api/traces?service=payment&limit=0")).startsWith("unable to parse param 'limit'");
        assertThat(badRequest("/api/traces?service=payment&lookback=soon")).startsWith("unable to parse param 'lookback'");
        assertThat(badRequest("/api/traces?service=payment&tag=nocolon"))
                .isEqualTo("malformed 'tag' parameter, expecting key:value, received: nocolon");
        assertThat(badRequest("/api/traces?service=payment&tags=" + enc("{\"a\":1}"))).startsWith("malformed 'tags'");
        assertThat(badRequest("/api/traces?service=payment&tags=" + enc("[1"))).startsWith("malformed 'tags'");
        assertThat(badRequest("/api/traces?traceID=zz")).startsWith("unable to parse param 'traceID'");
    }

    @Test
    void dependenciesCountCallsAcrossServices() throws Exception {
        long endMs = T / MS + 3_600_000;
        JsonObject body = ok("/api/dependencies?endTs=" + endMs + "&lookback=86400000");
        // frontend's client span is the parent of payment's server span; frontend to frontend is not a dependency.
        assertThat(body.getJsonArray("data")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("parent", "frontend").put("child", "payment").put("callCount", 1)));
        assertThat(ok("/api/dependencies").getJsonArray("data")).hasSize(1);
        assertThat(ok("/api/dependencies?endTs=" + (T / MS - 1)).getJsonArray("data")).isEmpty();
        assertThat(ok("/api/dependencies?service=inventory").getJsonArray("data")).isEmpty();
        assertThat(badRequest("/api/dependencies?endTs=yesterday")).startsWith("unable to parse param 'endTs'");
        assertThat(badRequest("/api/dependencies?lookback=-1")).startsWith("unable to parse param 'lookback'");
    }

    @Test
    void idsAreLookedUpOverEverythingKeptUnlessTimesAreGiven() throws Exception {
        InMemorySpanStore store = TraceFixture.store();
        try (ApiTestServer monthLater = new ApiTestServer()) {
            new TraceApi(() -> store, () -> null, new TraceQlEngineBackend(), () -> T + 30L * 86_400_000 * MS, BuildInfo.current())
                    .register(monthLater.api);
            monthLater.listen();
            // The search's default window (two days back from now) no longer holds trace A...
            assertThat(TraceFixture.okJson(monthLater, "/api/traces?service=frontend").getJsonArray("data")).isEmpty();
            // ...but a lookup by id without start and end reads everything kept.
            assertThat(TraceFixture.okJson(monthLater, "/api/traces?traceID=" + TRACE_A).getJsonArray("data")).hasSize(1);
        }
    }

    @Test
    void aStoreNotOpenYetIs503() throws Exception {
        try (ApiTestServer notReady = new ApiTestServer()) {
            new TraceApi(() -> null, () -> null, new TraceQlEngineBackend(), () -> T, BuildInfo.current()).register(notReady.api);
            notReady.listen();
            HttpResponse<String> r = notReady.get("/api/services");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(r.body()).getJsonArray("errors").getJsonObject(0).getInteger("code")).isEqualTo(503);
        }
    }

    private java.util.List<String> ids(String path) throws Exception {
        return ok(path).getJsonArray("data").stream().map(t -> ((JsonObject) t).getString("traceID")).toList();
    }
}
