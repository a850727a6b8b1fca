package dev.sightline.ingest.otlp;

import com.sun.net.httpserver.HttpServer;
import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.text.GoFloats;
import dev.sightline.ingest.spans.SdkSpans;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenTelemetry Java SDK as the real client: its OTLP/HTTP exporter posts to an in-test HTTP server, whose
 * captured bytes are decoded; every span, attribute, event and link must come back as the SDK recorded it (SpanData).
 */
class OtlpTracesSdkTest {
    private HttpServer http;
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final List<SpanData> recorded = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/v1/traces", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                bodies.add(in.readAllBytes());
            }
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: full success
            ex.close();
        });
        http.start();
    }

    @AfterEach
    void stopServer() {
        http.stop(0);
    }

    /** Records spans with the SDK, then exports them all in one OTLP/HTTP request; returns the captured body. */
    private byte[] recordAndExport() {
        OtlpHttpSpanExporter otlp = OtlpHttpSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + http.getAddress().getPort() + "/v1/traces").build();
        SpanExporter recorder = SdkSpans.recorder(recorded);
        Resource resource = Resource.getDefault().merge(Resource.builder().put("service.name", "checkout")
                .put("deployment.environment", "test").put("host.cpus", 2L).build());
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource)
                .setSpanLimits(io.opentelemetry.sdk.trace.SpanLimits.builder().setMaxNumberOfAttributes(20).build())
                .addSpanProcessor(SimpleSpanProcessor.create(recorder)).build()) {
            Tracer tracer = provider.get("dev.sightline.test", "1.2.3");
            Tracer other = provider.get("other.lib");
            SpanContext remote = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736",
                    "00f067aa0ba902b7", TraceFlags.getSampled(), TraceState.builder().put("vendor", "v1").build());
            io.opentelemetry.api.trace.Span server = tracer.spanBuilder("GET /cart").setSpanKind(SpanKind.SERVER)
                    .setParent(Context.root().with(io.opentelemetry.api.trace.Span.wrap(remote)))
                    .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 500L)
                    .setAttribute("ratio", 0.25).setAttribute("cached", false)
                    .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b\"q"))
                    .setAttribute(AttributeKey.longArrayKey("ports"), List.of(80L, 443L))
                    .setAttribute(AttributeKey.doubleArrayKey("weights"), List.of(1.5, -2.0))
                    .setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false))
                    .startSpan();
            server.addEvent("cache miss", io.opentelemetry.api.common.Attributes.of(AttributeKey.stringKey("key"), "cart:7"));
            server.recordException(new IllegalStateException("boom"));
            server.setStatus(StatusCode.ERROR, "upstream failed");
            {
                SpanContext linked = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                        TraceFlags.getDefault(), TraceState.getDefault());
                io.opentelemetry.api.trace.Span client = other.spanBuilder("SELECT cart").setSpanKind(SpanKind.CLIENT)
                        .setParent(Context.root().with(server))
                        .addLink(linked, io.opentelemetry.api.common.Attributes.of(AttributeKey.longKey("batch"), 3L))
                        .startSpan();
                for (int i = 0; i < 22; i++) { // two beyond the SDK's limit of 20: dropped_attributes_count 2
                    client.setAttribute("db.attr." + i, i);
                }
                client.setStatus(StatusCode.OK);
                client.end();
            }
            server.end();
            tracer.spanBuilder("internal").startSpan().end();
        }
        assertThat(recorded).hasSize(3);
        CompletableResultCode done = otlp.export(recorded).join(30, TimeUnit.SECONDS);
        otlp.shutdown();
        assertThat(done.isSuccess()).as("the exporter's request was answered").isTrue();
        assertThat(bodies).hasSize(1);
        return bodies.get(0);
    }

    private record Decoded(SpanResource resource, InstrumentationScope scope, Span span) {
    }

    @Test
    void everySdkSpanComesBackAsRecorded() throws Exception {
        byte[] body = recordAndExport();
        List<Decoded> out = new ArrayList<>();
        // No value length limit here: the exception's stack trace is longer than the default 2048 (see below).
        SpanResult r = new OtlpTracesDecoder(new SpanLimits(1024, Integer.MAX_VALUE, 1024, 1024), 10)
                .decode(body, 0, body.length, (res, sc, s) -> out.add(new Decoded(res, sc, s)));
        assertThat(r).isEqualTo(new SpanResult(3, 0, ""));
        assertThat(out).hasSize(3);
        Map<Long, Decoded> bySpanId = new HashMap<>();
        out.forEach(d -> bySpanId.put(d.span.spanId(), d));
        for (SpanData want : recorded) {
            Decoded got = bySpanId.get(SpanIds.spanId(want.getSpanId()));
            assertThat(got).as(want.getName()).isNotNull();
            SdkSpans.assertSame(want, got.resource, got.scope, got.span);
        }
        // The spans of one resource share its object; those of one scope share theirs.
        assertThat(out.stream().map(Decoded::resource).distinct()).hasSize(1);
        assertThat(out.stream().map(d -> System.identityHashCode(d.resource)).distinct()).hasSize(1);
        assertThat(out.stream().map(d -> System.identityHashCode(d.scope)).distinct()).hasSize(2);
        assertThat(out.get(0).resource.serviceName()).isEqualTo("checkout");
        // What the comparison above covers, spelled out: the SDK's limit dropped two, the remote parent's state.
        Span client = out.stream().map(Decoded::span).filter(s -> s.name().equals("SELECT cart")).findFirst().orElseThrow();
        assertThat(client.attributes().size()).isEqualTo(20);
        assertThat(client.droppedAttributesCount()).isEqualTo(2);
        assertThat(client.traceState()).isEqualTo("vendor=v1");
        assertThat(client.traceIdHex()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(client.links()).singleElement().satisfies(l -> assertThat(l.spanIdHex()).isEqualTo("b7ad6b7169203331"));
    }

    @Test
    void theDefaultLimitTruncatesTheStackTrace() throws Exception {
        byte[] body = recordAndExport();
        List<Span> out = new ArrayList<>();
        new OtlpTracesDecoder(SpanLimits.DEFAULT, 10).decode(body, 0, body.length, (r, s, sp) -> out.add(sp));
        Span server = out.stream().filter(s -> s.name().equals("GET /cart")).findFirst().orElseThrow();
        Attributes ex = server.events().get(1).attributes();
        String full = recorded.stream().filter(s -> s.getName().equals("GET /cart")).findFirst().orElseThrow()
                .getEvents().get(1).getAttributes().get(AttributeKey.stringKey("exception.stacktrace"));
        assertThat(full).hasSizeGreaterThan(2048);
        assertThat(ex.stringValue(ex.indexOf("exception.stacktrace"))).isEqualTo(full.substring(0, 2048));
        assertThat(server.events().get(1).droppedAttributesCount()).isZero();
    }

    @Test
    void truncatedAndGarbageBodiesNameTheOffset() throws Exception {
        byte[] body = recordAndExport();
        OtlpTracesDecoder d = new OtlpTracesDecoder(SpanLimits.DEFAULT, 10);
        List<Span> out = new ArrayList<>();
        for (int cut : new int[]{body.length - 1, body.length / 2, 3}) {
            byte[] part = Arrays.copyOf(body, cut);
            assertThatThrownBy(() -> d.decode(part, 0, part.length, (r, s, sp) -> out.add(sp)))
                    .isInstanceOf(MalformedOtlpException.class)
                    .hasMessageContaining("invalid protobuf ExportTraceServiceRequest at byte offset");
        }
        byte[] garbage = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2};
        assertThatThrownBy(() -> d.decode(garbage, 0, garbage.length, (r, s, sp) -> out.add(sp)))
                .isInstanceOf(MalformedOtlpException.class).hasMessageContaining("at byte offset 6: length -1 runs past the end");
        assertThat(out).as("a malformed body hands nothing on").isEmpty();
    }
}
