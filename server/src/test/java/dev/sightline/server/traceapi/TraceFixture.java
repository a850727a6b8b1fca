package dev.sightline.server.traceapi;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.traces.SpanAppender;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spans as three services send them, in an in-memory store:
 * <ul>
 *   <li>trace A ({@link #TRACE_A}): frontend's SERVER root "GET /checkout" (250 ms) with attributes of every type,
 *   an event and W3C trace state; its CLIENT child "POST /charge" (150 ms); payment's SERVER span "charge" (120 ms),
 *   child of the client span, status ERROR "card declined", an exception event and a link into trace B.</li>
 *   <li>trace B ({@link #TRACE_B}, high half zero: Jaeger writes it in 16 digits): inventory's INTERNAL root
 *   "réserver 在庫" (5 ms), http.status_code as the string "200".</li>
 *   <li>trace C ({@link #TRACE_C}): payment's CLIENT span "refund" whose parent span is not stored.</li>
 * </ul>
 */
final class TraceFixture {
    /** 2023-11-14T22:13:20Z. */
    static final long T = 1_700_000_000_000_000_000L;
    static final long MS = 1_000_000L;
    static final String TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final long A_HI = 0x4bf92f3577b34da6L;
    static final long A_LO = 0xa3ce929d0e0e4736L;
    static final long ROOT = 0x00f067aa0ba902b7L;
    static final long CLIENT = 0x1111111111111111L;
    static final long CHARGE = 0xa2a2a2a2a2a2a2a2L;
    static final String TRACE_B = "00000000000000000000000000abc123";
    static final long B_LO = 0xabc123L;
    static final long RESERVE = 0x0000000000000042L;
    static final String TRACE_C = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0";
    static final long C_ID = 0xc0c0c0c0c0c0c0c0L;
    static final long REFUND = 0x3333333333333333L;
    static final byte[] PAYLOAD = {0, 1, 2, (byte) 0xfe, (byte) 0xff};

    static final SpanResource FRONTEND = new SpanResource(new Attributes.Builder()
            .addString("service.name", "frontend").addString("host.name", "web-1").addLong("process.pid", 4242)
            .build(), 0, "https://opentelemetry.io/schemas/1.24.0");
    static final SpanResource PAYMENT = new SpanResource(new Attributes.Builder()
            .addString("service.name", "payment").addString("deployment.environment", "prod").build(), 0, "");
    static final SpanResource INVENTORY = new SpanResource(new Attributes.Builder()
            .addString("service.name", "inventory").build(), 0, "");
    static final InstrumentationScope OKHTTP = new InstrumentationScope("io.opentelemetry.okhttp-3.0", "2.1.0",
            Attributes.EMPTY, 0, "");

    private TraceFixture() {
    }

    /** A 200 with a JSON body, parsed. */
    static JsonObject okJson(ApiTestServer server, String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return new JsonObject(r.body());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static InMemorySpanStore store() throws IOException {
        InMemorySpanStore store = new InMemorySpanStore();
        SpanAppender app = store.appender();
        Attributes rootAttrs = new Attributes.Builder()
                .addString("http.method", "GET")
                .addLong("http.status_code", 200)
                .addDouble("sample.ratio", 0.75)
                .addBool("cache.hit", false)
                .addBytes("payload", PAYLOAD.clone())
                .addJson("tags", AttributeType.ARRAY, "[\"a\",2,2.5,true]")
                .addJson("labels", AttributeType.KVLIST, "{\"team\":\"checkout\",\"tier\":1}")
                .addString("note", "naïve café ☕")
                .build();
        app.append(FRONTEND, OKHTTP, new Span(A_HI, A_LO, ROOT, 0, "rojo=00f067aa0ba902b7", 1, "GET /checkout",
                SpanKind.SERVER, T, T + 250 * MS, rootAttrs, 2,
                List.of(new SpanEvent(T + 10 * MS, "cache miss", new Attributes.Builder().addString("cache.key", "cart:7").build(), 0)),
                0, List.of(), 0, StatusCode.UNSET, ""));
        app.append(FRONTEND, OKHTTP, new Span(A_HI, A_LO, CLIENT, ROOT, "", 1, "POST /charge", SpanKind.CLIENT,
                T + 50 * MS, T + 200 * MS, new Attributes.Builder().addString("http.method", "POST")
                .addLong("http.status_code", 402).addString("url.full", "http://payment:8080/charge").build(), 0, List.of(), 0, List.of(), 0, StatusCode.UNSET, ""));
        app.append(PAYMENT, InstrumentationScope.EMPTY, new Span(A_HI, A_LO, CHARGE, CLIENT, "", 1, "charge",
                SpanKind.SERVER, T + 60 * MS, T + 180 * MS, new Attributes.Builder().addString("card.brand", "visa").build(), 0,
                List.of(new SpanEvent(T + 170 * MS, "exception", new Attributes.Builder()
                        .addString("exception.message", "card declined").addString("exception.type", "Declined").build(), 0)),
                1, List.of(new SpanLink(0, B_LO, RESERVE, "", 0, new Attributes.Builder().addString("link.kind", "retry").build(), 0)),
                0, StatusCode.ERROR, "card declined"));
        app.append(INVENTORY, InstrumentationScope.EMPTY, new Span(0, B_LO, RESERVE, 0, "", 0, "réserver 在庫",
                SpanKind.INTERNAL, T - 60_000 * MS, T - 60_000 * MS + 5 * MS,
                new Attributes.Builder().addString("http.status_code", "200").build(), 0, List.of(), 0, List.of(), 0,
                StatusCode.OK, ""));
        app.append(PAYMENT, InstrumentationScope.EMPTY, new Span(C_ID, C_ID, REFUND, 0x7777777777777777L, "", 0,
                "refund", SpanKind.CLIENT, T - 120_000 * MS, T - 120_000 * MS + 30 * MS, Attributes.EMPTY, 0,
                List.of(), 0, List.of(), 0, StatusCode.UNSET, ""));
        app.commit();
        return store;
    }
}
