package dev.sightline.server.traces;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.server.RunningServer;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.reporter.AsyncReporter;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.SpanBytesEncoder;
import zipkin2.reporter.urlconnection.URLConnectionSender;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Zipkin's own Java reporter (AsyncReporter over its URLConnection sender, gzip on as by default) sends to
 * /api/v2/spans in both encodings it offers for v2, JSON and proto3; the spans arrive mapped as the collector maps them.
 */
class ZipkinReporterTest {
    private static final long NOW_MICROS = System.currentTimeMillis() * 1000;

    /** A server and a client span of one trace; {@code traceId} differs per encoding so each is checked alone. */
    private static List<Span> spans(String traceId) {
        Span client = Span.newBuilder().traceId(traceId).id("6b221d5bc9e6496c").name("get")
                .kind(Span.Kind.CLIENT).timestamp(NOW_MICROS).duration(2000)
                .localEndpoint(Endpoint.newBuilder().serviceName("frontend").build())
                .remoteEndpoint(Endpoint.newBuilder().serviceName("backend").ip("2001:db8::c001").port(8080).build())
                .addAnnotation(NOW_MICROS + 100, "ws").addAnnotation(NOW_MICROS + 1900, "wr")
                .putTag("error", "connection reset").putTag("otel.scope.name", "okhttp").build();
        Span server = Span.newBuilder().traceId(traceId).parentId("6b221d5bc9e6496c").id("352bff9a74ca9ad2")
                .name("get /api").kind(Span.Kind.SERVER).shared(true).timestamp(NOW_MICROS + 300).duration(1431)
                .localEndpoint(Endpoint.newBuilder().serviceName("backend").ip("192.168.99.1").port(3306).build())
                .remoteEndpoint(Endpoint.newBuilder().ip("172.19.0.2").port(58648).build())
                .putTag("http.method", "GET").putTag("http.path", "/api").putTag("host.name", "node-7").build();
        return List.of(client, server);
    }

    @Test
    void jsonAndProto3ReportsArrive(@TempDir Path dir) throws Exception {
        try (RunningServer running = new RunningServer().start(dir, null)) {
            String endpoint = "http://127.0.0.1:" + running.server().httpPort() + "/api/v2/spans";
            report(URLConnectionSender.newBuilder().endpoint(endpoint).encoding(Encoding.JSON).build(),
                    SpanBytesEncoder.JSON_V2, "463ac35c9f6413ad48485a3953bb6124");
            report(URLConnectionSender.newBuilder().endpoint(endpoint).encoding(Encoding.PROTO3).build(),
                    SpanBytesEncoder.PROTO3, "5af7183fb1d4cf5f");
            for (String traceId : new String[]{"463ac35c9f6413ad48485a3953bb6124", "00000000000000005af7183fb1d4cf5f"}) {
                List<StoredSpan> stored = running.server().spans().querier().trace(TraceId.parse(traceId),
                        Long.MIN_VALUE, Long.MAX_VALUE);
                assertThat(stored).as(traceId).hasSize(2);
                check(stored.get(0), stored.get(1));
            }
            String metrics = running.get("/metrics").body();
            assertThat(metrics).contains("sightline_ingest_spans_total{protocol=\"zipkin_json\",result=\"accepted\"} 2.0",
                    "sightline_ingest_spans_total{protocol=\"zipkin_proto3\",result=\"accepted\"} 2.0",
                    "sightline_ingest_span_requests_total{code=\"202\",protocol=\"zipkin_proto3\"}");
        }
    }

    private static void report(URLConnectionSender sender, SpanBytesEncoder encoder, String traceId) {
        try (AsyncReporter<Span> reporter = AsyncReporter.builder((BytesMessageSender) sender).build(encoder)) {
            spans(traceId).forEach(reporter::report);
            reporter.flush(); // sends now, on this thread
        } finally {
            sender.close();
        }
    }

    private static void check(StoredSpan client, StoredSpan server) {
        assertThat(client.span().name()).isEqualTo("get");
        assertThat(client.span().isRoot()).isTrue();
        assertThat(client.span().kind()).isEqualTo(SpanKind.CLIENT);
        assertThat(client.span().startUnixNano()).isEqualTo(NOW_MICROS * 1000);
        assertThat(client.span().durationNanos()).isEqualTo(2_000_000);
        assertThat(client.serviceName()).isEqualTo("frontend");
        assertThat(client.scope().name()).isEqualTo("okhttp");
        assertThat(client.span().statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(texts(client.span().attributes())).containsEntry("error", "connection reset")
                .containsEntry("peer.service", "backend").containsEntry("net.peer.port", "8080")
                .containsEntry("net.peer.ip", "2001:db8::c001").hasSize(4);
        assertThat(client.span().events()).extracting(e -> e.name() + "@" + e.timeUnixNano())
                .containsExactly("ws@" + (NOW_MICROS + 100) * 1000, "wr@" + (NOW_MICROS + 1900) * 1000);

        assertThat(server.span().spanIdHex()).isEqualTo("352bff9a74ca9ad2");
        assertThat(server.span().parentSpanId()).isEqualTo(client.span().spanId());
        assertThat(server.span().kind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.serviceName()).isEqualTo("backend");
        assertThat(texts(server.resource().attributes())).isEqualTo(Map.of("service.name", "backend", "host.name", "node-7"));
        assertThat(texts(server.span().attributes())).isEqualTo(Map.of("http.method", "GET", "http.path", "/api",
                "net.host.ip", "192.168.99.1", "net.host.port", "3306", "net.peer.ip", "172.19.0.2", "net.peer.port", "58648"));
    }

    private static Map<String, String> texts(dev.sightline.core.span.Attributes a) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < a.size(); i++) {
            m.put(a.key(i), a.valueText(i));
        }
        return m;
    }
}
