package dev.sightline.server.traces;

import com.google.protobuf.ByteString;
import dev.sightline.server.RunningServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** OTLP spans built for tests with chosen ids and times, and posted to a running server over OTLP/HTTP protobuf. */
public final class OtlpSpans {
    private static final long MS = 1_000_000L;

    private OtlpSpans() {
    }

    /** The spans of one service (resource attribute service.name), in one scope. */
    public static ResourceSpans service(String name, Span.Builder... spans) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (Span.Builder s : spans) {
            scope.addSpans(s);
        }
        return ResourceSpans.newBuilder().setResource(Resource.newBuilder()
                .addAttributes(attr("service.name", AnyValue.newBuilder().setStringValue(name)))).addScopeSpans(scope).build();
    }

    public static KeyValue attr(String key, AnyValue.Builder value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    /**
     * A span of trace (32 hex digits) with id {@code id} (and parent {@code parent}, 0 for a root) starting
     * {@code startMs} after {@code baseNanos}, lasting {@code durationMs}.
     */
    public static Span.Builder span(String trace, long id, long parent, String name, Span.SpanKind kind, long baseNanos,
                                    long startMs, long durationMs) {
        Span.Builder b = Span.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(trace)))
                .setSpanId(spanId(id)).setName(name).setKind(kind)
                .setStartTimeUnixNano(baseNanos + startMs * MS).setEndTimeUnixNano(baseNanos + (startMs + durationMs) * MS);
        if (parent != 0) {
            b.setParentSpanId(spanId(parent));
        }
        return b;
    }

    private static ByteString spanId(long id) {
        return ByteString.copyFrom(HexFormat.of().parseHex(String.format("%016x", id)));
    }

    /** Posts the request to /v1/traces; the server must answer 200. */
    public static void post(RunningServer server, ExportTraceServiceRequest request) throws Exception {
        HttpResponse<String> r = server.send(server.request("/v1/traces").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
