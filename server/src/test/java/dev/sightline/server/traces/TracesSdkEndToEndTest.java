package dev.sightline.server.traces;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.ingest.otlp.OtlpTracesDecoder;
import dev.sightline.ingest.spans.SdkSpans;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.server.RunningServer;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenTelemetry Java SDK as the real client of a running server: two in-test HTTP services, "frontend" exporting
 * over OTLP/gRPC and "backend" over OTLP/HTTP protobuf (both gzip-compressed), propagate W3C trace context on the call between them,
 * so one trace spans both. Every span the SDK recorded must be in the span store as recorded: ids, parents, every
 * attribute with its type, events, links, status, resource and scope; and come back out so through Tempo's and
 * Jaeger's query APIs.
 */
class TracesSdkEndToEndTest {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<HttpExchange> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpExchange ex) {
            return ex.getRequestHeaders().keySet();
        }

        @Override
        public String get(HttpExchange ex, String key) {
            return ex == null ? null : ex.getRequestHeaders().getFirst(key);
        }
    };

    private final List<SpanData> recorded = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final SpanExporter recorder = SdkSpans.recorder(recorded);

    private SdkTracerProvider provider(String service, SpanExporter otlp) {
        return SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.builder().put("service.name", service)
                        .put("service.version", "1.0." + service.length()).put("deployment.environment", "test").build()))
                .addSpanProcessor(BatchSpanProcessor.builder(otlp).build())
                .addSpanProcessor(SimpleSpanProcessor.create(recorder))
                .build();
    }

    /** A JDK HTTP service whose handler runs inside a SERVER span continuing the caller's W3C context. */
    private static HttpServer service(Tracer tracer, String route, ServerWork work) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(route, ex -> {
            Context parent = W3C.extract(Context.root(), ex, HEADERS);
            Span span = tracer.spanBuilder("GET " + route).setParent(parent).setSpanKind(SpanKind.SERVER)
                    .setAttribute("http.request.method", "GET").setAttribute("url.path", route).startSpan();
            int status = 200;
            Scope scope = span.makeCurrent(); // the handler's spans are the server span's children
            try {
                work.run(span);
            } catch (Exception e) {
                span.recordException(e, Attributes.of(AttributeKey.booleanKey("exception.escaped"), true));
                span.setStatus(StatusCode.ERROR, e.getMessage());
                status = 500;
            } finally {
                scope.close();
                span.setAttribute("http.response.status_code", status);
                span.end();
            }
            byte[] body = ("status " + status).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server;
    }

    private interface ServerWork {
        void run(Span span) throws Exception;
    }

    @Test
    void oneTraceAcrossTwoServicesArrivesIntactOverGrpcAndHttp(@TempDir Path dir) throws Exception {
        // The exception event's stack trace is longer than the default value length limit (2048): raised here, through the config.
        try (RunningServer running = new RunningServer().start(dir, "limits:\n  max_span_attribute_value_length: 1000000\n")) {
            var otlp = running.server().otlp();
            SdkTracerProvider frontendSdk = provider("frontend", OtlpGrpcSpanExporter.builder()
                    .setEndpoint("http://127.0.0.1:" + otlp.grpcPort()).setCompression("gzip")
                    .setTimeout(Duration.ofSeconds(30)).build());
            SdkTracerProvider backendSdk = provider("backend", OtlpHttpSpanExporter.builder()
                    .setEndpoint("http://127.0.0.1:" + otlp.httpPort() + "/v1/traces").setCompression("gzip")
                    .setTimeout(Duration.ofSeconds(30)).build());
            Tracer backendTracer = backendSdk.get("shop.inventory", "2.0.0");
            HttpServer backend = service(backendTracer, "/inventory", span -> {
                span.addEvent("stock checked", Attributes.of(AttributeKey.longKey("items"), 3L,
                        AttributeKey.stringKey("warehouse"), "north"));
                Span db = backendTracer.spanBuilder("SELECT stock").setSpanKind(SpanKind.CLIENT)
                        .setAttribute("db.system", "postgresql").setAttribute("db.rows", 3L).startSpan();
                db.end();
                throw new IllegalStateException("out of stock");
            });
            Tracer frontendTracer = frontendSdk.get("shop.checkout");
            SpanContext campaign = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                    TraceFlags.getSampled(), TraceState.builder().put("vendor", "v1").build());
            HttpServer frontend = service(frontendTracer, "/checkout", span -> {
                span.setAttribute("cart.total", 42.5).setAttribute("cart.express", true)
                        .setAttribute(AttributeKey.stringArrayKey("cart.skus"), List.of("a-1", "b\"2"))
                        .setAttribute(AttributeKey.longArrayKey("cart.quantities"), List.of(1L, 2L))
                        .setAttribute(AttributeKey.doubleArrayKey("cart.prices"), List.of(9.5, 33.0))
                        .setAttribute(AttributeKey.booleanArrayKey("cart.gifts"), List.of(false, true));
                span.addEvent("cart loaded");
                Span client = frontendTracer.spanBuilder("GET /inventory").setSpanKind(SpanKind.CLIENT)
                        .addLink(campaign, Attributes.of(AttributeKey.stringKey("link.reason"), "campaign"))
                        .startSpan();
                try {
                    HttpRequest.Builder call = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + backend.getAddress().getPort() + "/inventory")).timeout(Duration.ofSeconds(10));
                    W3C.inject(Context.current().with(client), call, HttpRequest.Builder::header);
                    int status = http.send(call.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    client.setAttribute("http.response.status_code", status);
                    client.setStatus(StatusCode.ERROR);
                } finally {
                    client.end();
                }
            });
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + frontend.getAddress().getPort() + "/checkout")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                // A completed flush means the exporter's request was answered, so the spans were committed.
                assertThat(backendSdk.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
                assertThat(frontendSdk.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
            } finally {
                frontend.stop(0);
                backend.stop(0);
                frontendSdk.close();
                backendSdk.close();
            }

            assertThat(recorded).hasSize(4);
            String traceId = recorded.getFirst().getTraceId();
            assertThat(recorded).allSatisfy(s -> assertThat(s.getTraceId()).as("one trace spans both services").isEqualTo(traceId));
            List<StoredSpan> stored = running.server().spans().querier().trace(TraceId.parse(traceId), Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(stored).hasSize(4);
            Map<String, StoredSpan> bySpanId = new HashMap<>();
            stored.forEach(s -> bySpanId.put(s.span().spanIdHex(), s));
            for (SpanData want : recorded) {
                StoredSpan got = bySpanId.get(want.getSpanId());
                assertThat(got).as(want.getName()).isNotNull();
                SdkSpans.assertSame(want, got.resource(), got.scope(), got.span());
            }
            // The shape of the trace: frontend's server span is the root; backend's server span is the child of
            // frontend's client span, across the process boundary.
            StoredSpan root = stored.stream().filter(s -> s.span().isRoot()).findFirst().orElseThrow();
            assertThat(root.serviceName()).isEqualTo("frontend");
            StoredSpan backendServer = stored.stream().filter(s -> s.serviceName().equals("backend")
                    && s.span().kind() == dev.sightline.core.span.SpanKind.SERVER).findFirst().orElseThrow();
            StoredSpan frontendClient = bySpanId.get(dev.sightline.core.span.SpanIds.spanIdHex(backendServer.span().parentSpanId()));
            assertThat(frontendClient.serviceName()).isEqualTo("frontend");
            assertThat(frontendClient.span().links()).singleElement()
                    .satisfies(l -> assertThat(l.traceIdHex()).isEqualTo("0af7651916cd43dd8448eb211c80319c"));
            assertThat(backendServer.span().events()).extracting(dev.sightline.core.span.SpanEvent::name)
                    .containsExactly("stock checked", "exception");

            // Back out through Tempo's API as Grafana's Tempo data source asks (OTLP protobuf), decoded again: every
            // span exactly as the SDK recorded it.
            HttpResponse<byte[]> tempo = http.send(running.request("/tempo/api/traces/" + traceId)
                    .header("Accept", "application/protobuf").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(tempo.statusCode()).isEqualTo(200);
            List<StoredSpan> viaTempo = new ArrayList<>();
            new OtlpTracesDecoder(SpanLimits.DEFAULT, 10).decode(tempo.body(), 0, tempo.body().length,
                    (res, scope, span) -> viaTempo.add(new StoredSpan(res, scope, span)));
            assertThat(viaTempo).hasSize(4);
            for (SpanData want : recorded) {
                StoredSpan got = viaTempo.stream().filter(x -> x.span().spanIdHex().equals(want.getSpanId()))
                        .findFirst().orElseThrow();
                SdkSpans.assertSame(want, got.resource(), got.scope(), got.span());
            }
            // And through Jaeger's API as the Jaeger UI reads it: every span, its events as logs, the link as a
            // FOLLOWS_FROM reference, each service a process.
            JsonNode jaeger = running.getJson("/api/traces/" + traceId).path("data").get(0);
            assertThat(jaeger.path("traceID").asText()).isEqualTo(traceId);
            assertThat(jaeger.path("spans")).hasSize(4);
            Map<String, JsonNode> jaegerSpans = new HashMap<>();
            jaeger.path("spans").forEach(js -> jaegerSpans.put(js.path("spanID").asText(), js));
            for (SpanData want : recorded) {
                JsonNode js = jaegerSpans.get(want.getSpanId());
                assertThat(js).as(want.getName()).isNotNull();
                assertThat(js.path("operationName").asText()).isEqualTo(want.getName());
                assertThat(js.path("logs")).hasSize(want.getEvents().size());
                assertThat(jaeger.path("processes").path(js.path("processID").asText()).path("serviceName").asText())
                        .isEqualTo(want.getResource().getAttribute(AttributeKey.stringKey("service.name")));
                for (var attr : want.getAttributes().asMap().keySet()) {
                    boolean found = false;
                    for (JsonNode tag : js.path("tags")) {
                        found |= tag.path("key").asText().equals(attr.getKey());
                    }
                    assertThat(found).as(want.getName() + " tag " + attr.getKey()).isTrue();
                }
            }
            assertThat(jaegerSpans.values()).anySatisfy(js -> assertThat(js.path("references").toString())
                    .contains("FOLLOWS_FROM", "0af7651916cd43dd8448eb211c80319c"));

            String metrics = running.get("/metrics").body();
            assertThat(metrics).contains("sightline_ingest_spans_total{protocol=\"otlp_grpc\",result=\"accepted\"} 2.0",
                    "sightline_ingest_spans_total{protocol=\"otlp_http\",result=\"accepted\"} 2.0");
        } finally {
            http.close();
        }
    }
}
