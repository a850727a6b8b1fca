package dev.sightline.server.traceapi;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.traceql.TraceQLEngine.Attribute;
import dev.sightline.traces.traceql.TraceQLEngine.Label;
import dev.sightline.traces.traceql.TraceQLEngine.SearchResult;
import dev.sightline.traces.traceql.TraceQLEngine.Series;
import dev.sightline.traces.traceql.TraceQLEngine.SpanMatch;
import dev.sightline.traces.traceql.TraceQLEngine.SpanSetMatch;
import dev.sightline.traces.traceql.TraceQLEngine.TagValue;
import dev.sightline.traces.traceql.TraceQLEngine.TraceMatch;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static dev.sightline.server.traceapi.TraceFixture.MS;
import static dev.sightline.server.traceapi.TraceFixture.T;
import static dev.sightline.server.traceapi.TraceFixture.enc;
import static dev.sightline.server.traceapi.TraceFixture.TRACE_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tempo's API against an in-memory store: trace by id as Grafana's Tempo data source reads it (protobuf,
 * pkg/tsdb/tempo/trace.go) and as JSON, search, tags and tag values in the shapes of Tempo's api_docs.
 */
class TempoApiTest {
    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    private void start(TraceQlBackend traceQl) throws Exception {
        InMemorySpanStore store = TraceFixture.store();
        new TraceApi(() -> store, () -> null, traceQl, () -> T + 3_600_000 * MS, BuildInfo.current()).register(server.api);
        server.listen();
    }

    private void start() throws Exception {
        start(new TraceQlEngineBackend());
    }

    private JsonObject ok(String path) throws Exception {
        return TraceFixture.okJson(server, path);
    }

    /** A 400 as Tempo writes it: plain text; returns the text. */
    private String badRequest(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        return r.body();
    }

    private byte[] protobuf(String path) throws Exception {
        HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(
                server.request(path).header("Accept", "application/protobuf").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/protobuf");
        return r.body();
    }

    private static AnyValue str(String s) {
        return AnyValue.newBuilder().setStringValue(s).build();
    }

    @Test
    void traceByIdAsProtobufIsOtlpTracesData() throws Exception {
        start();
        TracesData data = TracesData.parseFrom(protobuf("/api/traces/" + TRACE_A + "?start=" + T / 1_000_000_000L
                + "&end=" + (T / 1_000_000_000L + 1)));
        assertThat(data.getResourceSpansCount()).isEqualTo(2);
        ResourceSpans frontend = data.getResourceSpans(0);
        assertThat(frontend.getResource().getAttributesList()).containsExactly(
                KeyValue.newBuilder().setKey("service.name").setValue(str("frontend")).build(),
                KeyValue.newBuilder().setKey("host.name").setValue(str("web-1")).build(),
                KeyValue.newBuilder().setKey("process.pid").setValue(AnyValue.newBuilder().setIntValue(4242)).build());
        assertThat(frontend.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.24.0");
        assertThat(frontend.getScopeSpans(0).getScope().getName()).isEqualTo("io.opentelemetry.okhttp-3.0");
        assertThat(frontend.getScopeSpans(0).getScope().getVersion()).isEqualTo("2.1.0");
        Span root = frontend.getScopeSpans(0).getSpans(0);
        assertThat(root.getTraceId()).isEqualTo(ByteString.fromHex(TRACE_A));
        assertThat(root.getSpanId()).isEqualTo(ByteString.fromHex("00f067aa0ba902b7"));
        assertThat(root.getParentSpanId()).isEmpty();
        assertThat(root.getTraceState()).isEqualTo("rojo=00f067aa0ba902b7");
        assertThat(root.getFlags()).isEqualTo(1);
        assertThat(root.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(root.getStartTimeUnixNano()).isEqualTo(T);
        assertThat(root.getEndTimeUnixNano()).isEqualTo(T + 250 * MS);
        assertThat(root.getDroppedAttributesCount()).isEqualTo(2);
        assertThat(root.getAttributesList().stream().map(KeyValue::getValue).toList()).containsExactly(
                str("GET"),
                AnyValue.newBuilder().setIntValue(200).build(),
                AnyValue.newBuilder().setDoubleValue(0.75).build(),
                AnyValue.newBuilder().setBoolValue(false).build(),
                AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(TraceFixture.PAYLOAD)).build(),
                AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(str("a"))
                        .addValues(AnyValue.newBuilder().setIntValue(2)).addValues(AnyValue.newBuilder().setDoubleValue(2.5))
                        .addValues(AnyValue.newBuilder().setBoolValue(true))).build(),
                AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(KeyValue.newBuilder().setKey("team").setValue(str("checkout")))
                        .addValues(KeyValue.newBuilder().setKey("tier").setValue(AnyValue.newBuilder().setIntValue(1))))
                        .build(),
                str("naïve café ☕"));
        assertThat(root.getEvents(0).getName()).isEqualTo("cache miss");
        assertThat(root.getEvents(0).getTimeUnixNano()).isEqualTo(T + 10 * MS);
        Span charge = data.getResourceSpans(1).getScopeSpans(0).getSpans(0);
        assertThat(charge.getParentSpanId()).isEqualTo(ByteString.fromHex("1111111111111111"));
        assertThat(charge.getStatus()).isEqualTo(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
                .setMessage("card declined").build());
        assertThat(charge.getDroppedEventsCount()).isEqualTo(1);
        assertThat(charge.getLinks(0).getTraceId()).isEqualTo(ByteString.fromHex(TraceFixture.TRACE_B));
        assertThat(charge.getLinks(0).getSpanId()).isEqualTo(ByteString.fromHex("0000000000000042"));
        assertThat(charge.getLinks(0).getAttributes(0).getValue()).isEqualTo(str("retry"));
    }

    @Test
    void traceByIdV2ProtobufWrapsTheTraceInFieldOne() throws Exception {
        start();
        byte[] v1 = protobuf("/api/traces/" + TRACE_A);
        CodedInputStream in = CodedInputStream.newInstance(protobuf("/api/v2/traces/" + TRACE_A));
        // tempopb.TraceByIDResponse: trace = 1; status (3) COMPLETE is the default and absent.
        assertThat(in.readTag()).isEqualTo((1 << 3) | 2);
        assertThat(in.readByteArray()).isEqualTo(v1);
        assertThat(in.isAtEnd()).isTrue();
    }

    @Test
    void traceByIdAsJsonHasHexIds() throws Exception {
        start();
        JsonObject v1 = ok("/tempo/api/traces/" + TRACE_A);
        assertThat(v1.fieldNames()).containsExactly("batches");
        JsonObject v2 = ok("/api/v2/traces/" + TRACE_A);
        assertThat(v2.fieldNames()).containsExactly("trace", "status");
        assertThat(v2.getString("status")).isEqualTo("COMPLETE");
        assertThat(v2.getJsonObject("trace").getJsonArray("resourceSpans")).isEqualTo(v1.getJsonArray("batches"));
        JsonObject frontend = v1.getJsonArray("batches").getJsonObject(0);
        assertThat(frontend.getJsonObject("resource").getJsonArray("attributes").getJsonObject(2)).isEqualTo(
                new JsonObject().put("key", "process.pid").put("value", new JsonObject().put("intValue", "4242")));
        JsonObject root = frontend.getJsonArray("scopeSpans").getJsonObject(0).getJsonArray("spans").getJsonObject(0);
        assertThat(root.getString("traceId")).isEqualTo(TRACE_A);
        assertThat(root.getString("spanId")).isEqualTo("00f067aa0ba902b7");
        assertThat(root.containsKey("parentSpanId")).isFalse();
        assertThat(root.getString("kind")).isEqualTo("SPAN_KIND_SERVER");
        assertThat(root.getString("startTimeUnixNano")).isEqualTo(Long.toString(T));
        assertThat(root.getJsonArray("attributes").getJsonObject(4).getJsonObject("value").getString("bytesValue"))
                .as("attribute bytes stay base64, as OTLP/JSON has them").isEqualTo("AAEC/v8=");
        JsonObject client = frontend.getJsonArray("scopeSpans").getJsonObject(0).getJsonArray("spans").getJsonObject(1);
        assertThat(client.getString("parentSpanId")).isEqualTo("00f067aa0ba902b7");
        JsonObject charge = v1.getJsonArray("batches").getJsonObject(1).getJsonArray("scopeSpans").getJsonObject(0)
                .getJsonArray("spans").getJsonObject(0);
        assertThat(charge.getJsonObject("status")).isEqualTo(new JsonObject().put("message", "card declined")
                .put("code", "STATUS_CODE_ERROR"));
        assertThat(charge.getJsonArray("links").getJsonObject(0).getString("traceId")).isEqualTo(TraceFixture.TRACE_B);
        assertThat(charge.getJsonArray("links").getJsonObject(0).getString("spanId")).isEqualTo("0000000000000042");
    }

    @Test
    void jsonCarriesEverythingTheProtobufDoes() throws Exception {
        start();
        // protobuf's own JSON parser reads ids as base64: turned back, the JSON must parse to the protobuf answer.
        JsonObject v1 = ok("/tempo/api/traces/" + TRACE_A);
        for (Object rs : v1.getJsonArray("batches")) {
            for (Object ss : ((JsonObject) rs).getJsonArray("scopeSpans")) {
                for (Object sp : ((JsonObject) ss).getJsonArray("spans")) {
                    JsonObject span = (JsonObject) sp;
                    toBase64(span, "traceId", "spanId", "parentSpanId");
                    for (Object l : span.getJsonArray("links", new JsonArray())) {
                        toBase64((JsonObject) l, "traceId", "spanId");
                    }
                }
            }
        }
        TracesData.Builder parsed = TracesData.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(
                new JsonObject().put("resourceSpans", v1.getJsonArray("batches")).encode(), parsed);
        assertThat(parsed.build()).isEqualTo(TracesData.parseFrom(protobuf("/api/traces/" + TRACE_A)));
    }

    private static void toBase64(JsonObject o, String... keys) {
        for (String k : keys) {
            if (o.containsKey(k)) {
                o.put(k, java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(o.getString(k))));
            }
        }
    }

    @Test
    void unknownTraceIs404AndBadParametersAre400() throws Exception {
        start();
        HttpResponse<String> r = server.get("/api/v2/traces/0123456789abcdef0123456789abcdef");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("trace not found\n");
        assertThat(server.get("/tempo/api/traces/0123456789abcdef0123456789abcdef").statusCode()).isEqualTo(404);
        assertThat(badRequest("/api/v2/traces/xyz")).startsWith("unable to parse param 'traceID'");
        assertThat(badRequest("/api/v2/traces/" + TRACE_A + "?start=20&end=10")).startsWith("unable to parse param 'end'");
        assertThat(badRequest("/api/v2/traces/" + TRACE_A + "?start=x")).startsWith("unable to parse param 'start'");
        assertThat(badRequest("/api/v2/traces/" + TRACE_A + "?q=" + enc("{ span.a = 1 }")))
                .startsWith("unable to parse param 'q'");
        // A range that misses the trace finds nothing, as Tempo's block selection would.
        assertThat(server.get("/api/v2/traces/" + TRACE_A + "?start=10&end=20").statusCode()).isEqualTo(404);
    }

    @Test
    void legacySearchAnswersTemposSearchJson() throws Exception {
        start();
        JsonObject body = ok("/api/search?tags=" + enc("service.name=frontend"));
        assertThat(body.fieldNames()).containsExactly("traces", "metrics");
        JsonArray traces = body.getJsonArray("traces");
        assertThat(traces).hasSize(1);
        JsonObject t = traces.getJsonObject(0);
        assertThat(t.fieldNames()).containsExactly("traceID", "rootServiceName", "rootTraceName", "startTimeUnixNano",
                "durationMs", "spanSet", "spanSets");
        assertThat(t.getString("traceID")).isEqualTo(TRACE_A);
        assertThat(t.getString("rootServiceName")).isEqualTo("frontend");
        assertThat(t.getString("rootTraceName")).isEqualTo("GET /checkout");
        assertThat(t.getString("startTimeUnixNano")).isEqualTo(Long.toString(T));
        assertThat(t.getInteger("durationMs")).isEqualTo(250);
        JsonObject spanSet = t.getJsonObject("spanSet");
        assertThat(t.getJsonArray("spanSets")).isEqualTo(new JsonArray().add(spanSet));
        assertThat(spanSet.getInteger("matched")).isEqualTo(2);
        assertThat(spanSet.getJsonArray("spans").getJsonObject(0)).isEqualTo(new JsonObject()
                .put("spanID", "00f067aa0ba902b7").put("name", "GET /checkout")
                .put("startTimeUnixNano", Long.toString(T)).put("durationNanos", Long.toString(250 * MS))
                .put("attributes", new JsonArray().add(new JsonObject().put("key", "service.name")
                        .put("value", new JsonObject().put("stringValue", "frontend")))));
    }

    @Test
    void legacySearchTagsDurationsLimitsAndRanges() throws Exception {
        start();
        // Trace ids trimmed of leading zeros, as Tempo's TraceIDToHexString writes them.
        assertThat(searchIds("tags=" + enc("http.status_code=200"))).containsExactly(TRACE_A, "abc123");
        assertThat(searchIds("tags=" + enc("service.name=FRONT"))).as("case-insensitive substring")
                .containsExactly(TRACE_A);
        assertThat(searchIds("tags=" + enc("note=\"café ☕\""))).containsExactly(TRACE_A);
        assertThat(searchIds("tags=" + enc("name=charge"))).containsExactly(TRACE_A);
        assertThat(searchIds("tags=" + enc("status.code=error"))).containsExactly(TRACE_A);
        assertThat(searchIds("tags=" + enc("service.name=payment http.method=GET"))).isEmpty();
        assertThat(searchIds("minDuration=100ms")).containsExactly(TRACE_A);
        assertThat(searchIds("maxDuration=10ms")).containsExactly("abc123");
        // Durations are the trace's (Tempo's rule): payment's span takes 120 ms, its trace 250 ms.
        assertThat(searchIds("minDuration=200ms&tags=" + enc("service.name=payment"))).containsExactly(TRACE_A);
        assertThat(searchIds("maxDuration=40ms")).containsExactly("abc123", TraceFixture.TRACE_C);
        // The newest trace fails the filter: the search asks the store for more until one passes.
        assertThat(searchIds("maxDuration=40ms&limit=1")).containsExactly("abc123");
        assertThat(searchIds("limit=2")).containsExactly(TRACE_A, "abc123");
        long tSec = T / 1_000_000_000L;
        assertThat(searchIds("start=" + (tSec - 130) + "&end=" + (tSec - 100))).containsExactly(TraceFixture.TRACE_C);
        // spss caps the spans per spanset; matched still counts them all.
        JsonObject set = ok("/api/search?spss=1&tags=" + enc("service.name=frontend")).getJsonArray("traces")
                .getJsonObject(0).getJsonObject("spanSet");
        assertThat(set.getJsonArray("spans")).hasSize(1);
        assertThat(set.getInteger("matched")).isEqualTo(2);
        // A trace whose root span is not stored.
        JsonObject c = ok("/api/search?tags=" + enc("name=refund")).getJsonArray("traces").getJsonObject(0);
        assertThat(c.getString("rootServiceName")).isEqualTo("<root span not yet received>");
        assertThat(c.getString("rootTraceName")).isEmpty();
    }

    private List<String> searchIds(String query) throws Exception {
        return ok("/api/search?" + query).getJsonArray("traces").stream()
                .map(t -> ((JsonObject) t).getString("traceID")).toList();
    }

    @Test
    void badSearchParametersAre400NamingTheParameter() throws Exception {
        start();
        assertThat(badRequest("/api/search?minDuration=fast")).startsWith("unable to parse param 'minDuration'");
        assertThat(badRequest("/api/search?minDuration=2s&maxDuration=1s")).startsWith("unable to parse param 'maxDuration'");
        assertThat(badRequest("/api/search?start=100&end=50")).startsWith("unable to parse param 'end'");
        assertThat(badRequest("/api/search?limit=-3")).startsWith("unable to parse param 'limit'");
        assertThat(badRequest("/api/search?spss=x")).startsWith("unable to parse param 'spss'");
        assertThat(badRequest("/api/search?tags=" + enc("note=\"open"))).startsWith("unable to parse param 'tags'")
                .contains("unterminated");
        assertThat(badRequest("/api/search?q=" + enc("{ status = error"))).startsWith("parse error at line 1, col ");
        assertThat(badRequest("/api/search?q=" + enc("{} | rate()"))).contains("metrics query");
        assertThat(searchIds("q=" + enc("{ status = error }"))).containsExactly(TRACE_A);
        // {} keeps every span: every trace, newest first.
        assertThat(searchIds("q=" + enc("{ }"))).containsExactly(TRACE_A, "abc123", TraceFixture.TRACE_C);
        assertThat(searchIds("q=" + enc("{}") + "&limit=1")).containsExactly(TRACE_A);
    }

    @Test
    void tagNamesV1AndV2() throws Exception {
        start();
        assertThat(ok("/api/search/tags").getJsonArray("tagNames")).isEqualTo(new JsonArray(List.of("cache.hit",
                "card.brand", "deployment.environment", "host.name", "http.method", "http.status_code", "labels", "note",
                "payload", "process.pid", "sample.ratio", "service.name", "tags", "url.full")));
        assertThat(ok("/api/search/tags?scope=resource").getJsonArray("tagNames")).isEqualTo(new JsonArray(
                List.of("deployment.environment", "host.name", "process.pid", "service.name")));
        JsonArray scopes = ok("/api/v2/search/tags").getJsonArray("scopes");
        assertThat(scopes.stream().map(s -> ((JsonObject) s).getString("name"))).containsExactly("resource", "span",
                "intrinsic");
        assertThat(scopes.getJsonObject(1).getJsonArray("tags")).contains("http.method", "card.brand")
                .doesNotContain("service.name");
        assertThat(scopes.getJsonObject(2).getJsonArray("tags")).contains("name", "status", "kind", "duration");
        assertThat(ok("/api/v2/search/tags?scope=span&limit=2").getJsonArray("scopes")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("name", "span").put("tags", new JsonArray().add("cache.hit").add("card.brand"))));
        assertThat(badRequest("/api/v2/search/tags?scope=event")).startsWith("unable to parse param 'scope'");
        // Filtered by a query: the keys on payment's spans only.
        assertThat(ok("/api/v2/search/tags?scope=span&q=" + enc("{ resource.service.name = \"payment\" }"))
                .getJsonArray("scopes")).isEqualTo(new JsonArray().add(new JsonObject().put("name", "span")
                .put("tags", new JsonArray().add("card.brand"))));
        assertThat(ok("/api/v2/search/tags?scope=resource&q=" + enc("{ resource.service.name = \"payment\" }"))
                .getJsonArray("scopes").getJsonObject(0).getJsonArray("tags"))
                .isEqualTo(new JsonArray().add("deployment.environment").add("service.name"));
        assertThat(badRequest("/api/v2/search/tags?q=" + enc("{ span.a = }"))).startsWith("parse error at line 1");
    }

    @Test
    void tagValuesV1AreTextAndV2AreTyped() throws Exception {
        start();
        assertThat(ok("/api/search/tag/http.method/values")).isEqualTo(new JsonObject()
                .put("tagValues", new JsonArray().add("GET").add("POST")));
        assertThat(ok("/api/search/tag/note/values").getJsonArray("tagValues"))
                .isEqualTo(new JsonArray().add("naïve café ☕"));
        assertThat(ok("/api/v2/search/tag/" + enc("resource.process.pid") + "/values").getJsonArray("tagValues"))
                .isEqualTo(new JsonArray().add(typed("int", "4242")));
        assertThat(ok("/api/search/tag/service.name/values").getJsonArray("tagValues"))
                .isEqualTo(new JsonArray().add("frontend").add("inventory").add("payment"));
        assertThat(ok("/api/v2/search/tag/.http.status_code/values").getJsonArray("tagValues")).isEqualTo(new JsonArray()
                .add(typed("string", "200")).add(typed("int", "200")).add(typed("int", "402")));
        assertThat(ok("/api/v2/search/tag/span.sample.ratio/values").getJsonArray("tagValues"))
                .isEqualTo(new JsonArray().add(typed("float", "0.75")));
        assertThat(ok("/api/v2/search/tag/span.cache.hit/values").getJsonArray("tagValues"))
                .isEqualTo(new JsonArray().add(typed("bool", "false")));
        assertThat(ok("/api/v2/search/tag/resource.service.name/values").getJsonArray("tagValues")).hasSize(3);
        assertThat(ok("/api/v2/search/tag/span.service.name/values").getJsonArray("tagValues")).isEmpty();
        assertThat(ok("/api/v2/search/tag/status/values").getJsonArray("tagValues")).isEqualTo(new JsonArray()
                .add(typed("keyword", "unset")).add(typed("keyword", "ok")).add(typed("keyword", "error")));
        assertThat(ok("/api/v2/search/tag/kind/values").getJsonArray("tagValues")).isEqualTo(new JsonArray()
                .add(typed("keyword", "internal")).add(typed("keyword", "server")).add(typed("keyword", "client")));
        assertThat(ok("/api/v2/search/tag/name/values").getJsonArray("tagValues")).contains(typed("string", "réserver 在庫"));
        // Roots: trace C's root is not stored, so payment is no root service.
        assertThat(ok("/api/v2/search/tag/rootServiceName/values").getJsonArray("tagValues")).isEqualTo(new JsonArray()
                .add(typed("string", "frontend")).add(typed("string", "inventory")));
        assertThat(ok("/api/v2/search/tag/rootName/values").getJsonArray("tagValues")).isEqualTo(new JsonArray()
                .add(typed("string", "GET /checkout")).add(typed("string", "réserver 在庫")));
        assertThat(badRequest("/api/v2/search/tag/bogus/values")).contains("unknown intrinsic \"bogus\"");
        // Filtered by a query, typed by the attribute's type.
        assertThat(ok("/api/v2/search/tag/.note/values?q=" + enc("{ .x = 1 }")).getJsonArray("tagValues")).isEmpty();
        assertThat(ok("/api/v2/search/tag/.http.status_code/values?q=" + enc("{ kind = server || kind = internal }"))
                .getJsonArray("tagValues")).isEqualTo(new JsonArray().add(typed("int", "200")).add(typed("string", "200")));
        assertThat(ok("/api/v2/search/tag/status/values?q=" + enc("{ resource.service.name = \"payment\" }"))
                .getJsonArray("tagValues")).isEqualTo(new JsonArray().add(typed("keyword", "error"))
                .add(typed("keyword", "unset")));
        assertThat(ok("/api/v2/search/tag/duration/values?q=" + enc("{ name = \"charge\" }"))
                .getJsonArray("tagValues")).isEqualTo(new JsonArray().add(typed("duration", "120ms")));
        assertThat(ok("/api/v2/search/tag/span.http.method/values?q=" + enc("{ }")).getJsonArray("tagValues"))
                .isEqualTo(new JsonArray().add(typed("string", "GET")).add(typed("string", "POST")));
    }

    private static JsonObject typed(String type, String value) {
        return new JsonObject().put("type", type).put("value", value);
    }

    @Test
    void echoAndBuildInfo() throws Exception {
        start();
        HttpResponse<String> echo = server.get("/api/echo");
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo("echo");
        JsonObject info = ok("/api/status/buildinfo");
        assertThat(info.fieldNames()).containsExactly("version", "revision", "branch", "buildUser", "buildDate",
                "goVersion");
        assertThat(info.getString("version")).startsWith("2.8.0+sightline.");
        assertThat(server.get("/tempo/api/echo").body()).isEqualTo("echo");
    }

    @Test
    void metricsBadQueriesAndParametersAre400() throws Exception {
        start();
        assertThat(badRequest("/api/metrics/query_range?q=" + enc("{ status = error }")))
                .startsWith("not a metrics query");
        assertThat(badRequest("/api/metrics/query?q=" + enc("{} | rate() by (")))
                .startsWith("parse error at line 1, col ");
        assertThat(badRequest("/api/metrics/query_range")).startsWith("unable to parse param 'q'");
        assertThat(badRequest("/api/metrics/query_range?q=x&step=0s")).startsWith("unable to parse param 'step'");
        assertThat(badRequest("/api/metrics/query_range?q=x&start=tomorrow")).startsWith("unable to parse param 'start'");
        assertThat(badRequest("/api/metrics/query_range?q=x&start=100&end=100")).startsWith("unable to parse param 'end'");
        assertThat(badRequest("/api/metrics/query_range?q=" + enc("{} | rate()") + "&start=0&end=100000&step=1s"))
                .startsWith("unable to parse param 'step'").contains("too many steps");
    }

    @Test
    void metricsByTheEngine() throws Exception {
        start();
        // Trace A's three spans (T to T + 60 ms) fall in the step ending at T + 10 s.
        long t = T / 1_000_000_000L;
        JsonObject range = ok("/api/metrics/query_range?q=" + enc("{ resource.service.name = \"frontend\" } | "
                + "count_over_time() by (span.http.method)") + "&start=" + t + "&end=" + (t + 10) + "&step=10s");
        assertThat(range.getJsonArray("series")).hasSize(2);
        JsonObject get = range.getJsonArray("series").stream().map(JsonObject.class::cast)
                .filter(x -> x.getString("promLabels").contains("GET")).findFirst().orElseThrow();
        assertThat(get.getJsonArray("labels")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("key", "span.http.method").put("value", new JsonObject().put("stringValue", "GET"))));
        assertThat(get.getString("promLabels")).isEqualTo("{span.http.method=\"GET\"}");
        assertThat(get.getJsonArray("samples")).contains(new JsonObject()
                .put("timestampMs", Long.toString((t + 10) * 1000)).put("value", 1.0));
        JsonObject instant = ok("/api/metrics/query?q=" + enc("{ } | count_over_time() by (status)") + "&start="
                + (t - 200) + "&end=" + (t + 10));
        assertThat(instant.getJsonArray("series").stream().map(JsonObject.class::cast)
                .map(x -> x.getString("promLabels") + "=" + x.getValue("value")))
                .containsExactlyInAnyOrder("{status=\"unset\"}=3.0", "{status=\"ok\"}=1.0", "{status=\"error\"}=1.0");
    }

    /** An engine answering fixed values, to check how the endpoints pass parameters and write the answer. */
    private static final class RecordingBackend implements TraceQlBackend {
        String lastCall;

        @Override
        public SearchResult search(SpanQuerier store, String q, long fromNanos, long toNanos, int limit, int spss) {
            lastCall = "search " + q + " " + fromNanos + " " + toNanos + " " + limit + " " + spss;
            StoredSpan charge = store.trace(TraceId.parse(TRACE_A), Long.MIN_VALUE, Long.MAX_VALUE).stream()
                    .filter(s -> s.span().name().equals("charge")).findFirst().orElseThrow();
            TraceMatch trace = new TraceMatch(TraceId.parse(TRACE_A), "frontend", "GET /checkout", T, 250 * MS, List.of(
                    new SpanSetMatch(List.of(new SpanMatch(charge, List.of(new Attribute("duration", Duration.ofMillis(120)),
                            new Attribute("span.card.brand", "visa"), new Attribute("status", "error")))), 4,
                            List.of(new Attribute("by(resource.service.name)", "payment"),
                                    new Attribute("count()", 4L), new Attribute("avg(duration)", Duration.ofNanos(1500)),
                                    new Attribute("by(.missing)", null), new Attribute("ratio", 0.5),
                                    new Attribute("flag", true))),
                    new SpanSetMatch(List.of(), 0, List.of())));
            return new SearchResult(List.of(trace), true, 17);
        }

        @Override
        public List<String> tagNames(SpanQuerier store, String scope, String q, long fromNanos, long toNanos,
                                     int limit) {
            lastCall = "tagNames " + scope + " " + q;
            return List.of("x." + scope);
        }

        @Override
        public List<TagValue> tagValues(SpanQuerier store, String tag, String q, long fromNanos, long toNanos,
                                        int limit) {
            lastCall = "tagValues " + tag + " " + q + " " + limit;
            return List.of(new TagValue("int", "7"));
        }

        @Override
        public List<Series> metricsQueryRange(SpanQuerier store, String q, long fromNanos, long toNanos,
                                              long stepNanos) {
            lastCall = "range " + q + " " + fromNanos + " " + toNanos + " " + stepNanos;
            return List.of(new Series(List.of(new Label("resource.service.name", "front\"end"),
                    new Label("span.http.status_code", 200L), new Label("span.gone", null)),
                    new long[]{1000 * MS, 2000 * MS}, new double[]{0.5, Double.NaN}));
        }

        @Override
        public List<Series> metricsQuery(SpanQuerier store, String q, long fromNanos, long toNanos) {
            lastCall = "instant " + q + " " + fromNanos + " " + toNanos;
            return List.of(new Series(List.of(new Label("status", "error")), new long[]{toNanos}, new double[]{3}));
        }
    }

    @Test
    void traceQlSearchWritesEverySpansetWithItsAttributes() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        start(backend);
        JsonObject found = ok("/api/search?q=" + enc("{ status = error } | by(resource.service.name) | count() > 1")
                + "&start=10&end=20&limit=5&spss=2");
        assertThat(backend.lastCall).isEqualTo("search { status = error } | by(resource.service.name) | count() > 1 "
                + "10000000000 20999999999 5 2");
        JsonObject spanSet = new JsonObject()
                .put("spans", new JsonArray().add(new JsonObject().put("spanID", "a2a2a2a2a2a2a2a2").put("name", "charge")
                        .put("startTimeUnixNano", Long.toString(T + 60 * MS)).put("durationNanos", Long.toString(120 * MS))
                        .put("attributes", new JsonArray()
                                .add(kv("span.card.brand", "stringValue", "visa"))
                                .add(kv("status", "stringValue", "error")))))
                .put("matched", 4)
                .put("attributes", new JsonArray()
                        .add(kv("by(resource.service.name)", "stringValue", "payment"))
                        .add(kv("count()", "intValue", "4"))
                        .add(kv("avg(duration)", "stringValue", "1.5\u00b5s"))
                        .add(kv("by(.missing)", "stringValue", "nil"))
                        .add(kv("ratio", "doubleValue", 0.5))
                        .add(kv("flag", "boolValue", true)));
        JsonObject empty = new JsonObject().put("spans", new JsonArray()).put("matched", 0);
        assertThat(found).isEqualTo(new JsonObject()
                .put("traces", new JsonArray().add(new JsonObject().put("traceID", TRACE_A)
                        .put("rootServiceName", "frontend").put("rootTraceName", "GET /checkout")
                        .put("startTimeUnixNano", Long.toString(T)).put("durationMs", 250)
                        .put("spanSet", spanSet).put("spanSets", new JsonArray().add(spanSet).add(empty))))
                // Cut at the engine's bound: a job left incomplete, as Grafana reads a partial answer.
                .put("metrics", new JsonObject().put("inspectedTraces", 17).put("completedJobs", 0).put("totalJobs", 1)));
    }

    private static JsonObject kv(String key, String type, Object value) {
        return new JsonObject().put("key", key).put("value", new JsonObject().put(type, value));
    }

    @Test
    void traceQlRequestsReachTheBackendAndAnswerTemposShapes() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        start(backend);
        assertThat(ok("/api/v2/search/tags?scope=span&q=" + enc("{ .a = 1 }")).getJsonArray("scopes")).isEqualTo(
                new JsonArray().add(new JsonObject().put("name", "span").put("tags", new JsonArray().add("x.span"))));
        assertThat(ok("/api/v2/search/tag/.a/values?q=" + enc("{ .b = 2 }")).getJsonArray("tagValues"))
                .isEqualTo(new JsonArray().add(typed("int", "7")));
        assertThat(backend.lastCall).isEqualTo("tagValues .a { .b = 2 } 10000");

        JsonObject range = ok("/api/metrics/query_range?q=" + enc("{} | rate()") + "&start=100&end=200&step=10s");
        assertThat(backend.lastCall).isEqualTo("range {} | rate() 100000000000 200000000000 10000000000");
        assertThat(range).isEqualTo(new JsonObject().put("series", new JsonArray().add(new JsonObject()
                .put("labels", new JsonArray()
                        .add(kv("resource.service.name", "stringValue", "front\"end"))
                        .add(kv("span.http.status_code", "intValue", "200"))
                        .add(kv("span.gone", "stringValue", "nil")))
                .put("samples", new JsonArray()
                        .add(new JsonObject().put("timestampMs", "1000").put("value", 0.5))
                        .add(new JsonObject().put("timestampMs", "2000").put("value", "NaN")))
                .put("promLabels", "{resource.service.name=\"front\\\"end\", span.http.status_code=\"200\", "
                        + "span.gone=\"<nil>\"}"))));
        // since back from now; start in nanoseconds and RFC 3339 accepted.
        ok("/api/metrics/query?q=x&since=15m");
        long now = T + 3_600_000 * MS;
        assertThat(backend.lastCall).isEqualTo("instant x " + (now - 900_000 * MS) + " " + now);
        JsonObject instant = ok("/api/metrics/query?q=x&start=1700000000000000000&end=2023-11-14T22:13:21Z");
        assertThat(backend.lastCall).isEqualTo("instant x 1700000000000000000 1700000001000000000");
        assertThat(instant).isEqualTo(new JsonObject().put("series", new JsonArray().add(new JsonObject()
                .put("labels", new JsonArray().add(kv("status", "stringValue", "error"))).put("value", 3.0)
                .put("promLabels", "{status=\"error\"}"))));
    }

    @Test
    void theSharedTracePathIsJaegersForJsonClients() throws Exception {
        start();
        JsonObject jaeger = new JsonObject(server.send(server.request("/api/traces/" + TRACE_A)
                .header("Accept", "application/json")).body());
        assertThat(jaeger.getJsonArray("data")).hasSize(1);
        HttpRequest.Builder grafana = server.request("/api/traces/" + TRACE_A).header("Accept", "application/protobuf");
        HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient().send(grafana.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(TracesData.parseFrom(r.body()).getResourceSpansCount()).isEqualTo(2);
    }
}
