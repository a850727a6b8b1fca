package dev.sightline.benchmarks.traces;

import com.google.protobuf.ByteString;
import dev.sightline.benchmarks.traces.TraceShape.Attr;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import zipkin2.Endpoint;
import zipkin2.codec.SpanBytesEncoder;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One batch of generated traces as the two wire formats: an OTLP ExportTraceServiceRequest (spans grouped by service
 * instance under its resource, as an SDK's batch processor sends them) and a Zipkin v2 proto3 ListOfSpans mapped as
 * OpenTelemetry's Zipkin exporter maps spans (attributes as string tags, events as annotations, status as
 * otel.status_code and error, the resource reduced to the endpoint's service name and address).
 */
final class SpanEncoders {
    private static final int GROUPS = TraceShape.SERVICES.length * TraceShape.INSTANCES;
    private static final zipkin2.Span.Kind[] ZIPKIN_KIND = {null, null, zipkin2.Span.Kind.SERVER, zipkin2.Span.Kind.CLIENT};

    private SpanEncoders() {
    }

    static byte[] otlp(List<TraceShape.Trace> traces) {
        List<List<Span>> groups = new ArrayList<>(GROUPS);
        for (int g = 0; g < GROUPS; g++) {
            groups.add(new ArrayList<>());
        }
        for (TraceShape.Trace t : traces) {
            ByteString traceId = ByteString.copyFrom(ByteBuffer.allocate(16).putLong(t.idHigh()).putLong(t.idLow()).array());
            for (TraceShape.Span s : t.spans()) {
                Span.Builder b = Span.newBuilder().setTraceId(traceId).setSpanId(id(s.spanId())).setName(s.name())
                        .setKindValue(s.kind()).setStartTimeUnixNano(s.startNanos()).setEndTimeUnixNano(s.endNanos());
                if (s.parentId() != 0) {
                    b.setParentSpanId(id(s.parentId()));
                }
                for (Attr a : s.attrs()) {
                    b.addAttributes(keyValue(a));
                }
                for (TraceShape.Event e : s.events()) {
                    Span.Event.Builder eb = Span.Event.newBuilder().setTimeUnixNano(e.timeNanos()).setName(e.name());
                    for (Attr a : e.attrs()) {
                        eb.addAttributes(keyValue(a));
                    }
                    b.addEvents(eb);
                }
                if (s.error()) {
                    b.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("Read timed out"));
                }
                groups.get(s.service() * TraceShape.INSTANCES + s.instance()).add(b.build());
            }
        }
        ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
        for (int g = 0; g < GROUPS; g++) {
            if (groups.get(g).isEmpty()) {
                continue;
            }
            Resource.Builder r = Resource.newBuilder();
            for (Attr a : TraceShape.resource(g / TraceShape.INSTANCES, g % TraceShape.INSTANCES)) {
                r.addAttributes(keyValue(a));
            }
            req.addResourceSpans(ResourceSpans.newBuilder().setResource(r)
                    .setSchemaUrl("https://opentelemetry.io/schemas/1.27.0")
                    .addScopeSpans(ScopeSpans.newBuilder()
                            .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.tomcat-10.0").setVersion("2.10.0-alpha"))
                            .addAllSpans(groups.get(g))));
        }
        return req.build().toByteArray();
    }

    static byte[] zipkin(List<TraceShape.Trace> traces) {
        List<zipkin2.Span> out = new ArrayList<>();
        for (TraceShape.Trace t : traces) {
            String traceId = t.idHex();
            for (TraceShape.Span s : t.spans()) {
                zipkin2.Span.Builder b = zipkin2.Span.newBuilder().traceId(traceId).id(s.spanId()).name(s.name())
                        .kind(ZIPKIN_KIND[s.kind()]).timestamp(s.startNanos() / 1000).duration(Math.max(1, s.durationNanos() / 1000))
                        .localEndpoint(Endpoint.newBuilder().serviceName(TraceShape.SERVICES[s.service()])
                                .ip(TraceShape.ip(s.service(), s.instance())).build())
                        .putTag("otel.scope.name", "io.opentelemetry.tomcat-10.0")
                        .putTag("otel.scope.version", "2.10.0-alpha");
                if (s.parentId() != 0) {
                    b.parentId(s.parentId());
                }
                for (Attr a : s.attrs()) {
                    b.putTag(a.key(), String.valueOf(a.value()));
                }
                for (TraceShape.Event e : s.events()) {
                    StringBuilder v = new StringBuilder("\"").append(e.name()).append("\":{");
                    for (int i = 0; i < e.attrs().size(); i++) {
                        Attr a = e.attrs().get(i);
                        v.append(i == 0 ? "" : ",").append('"').append(a.key()).append("\":");
                        v.append(a.value() instanceof String str ? '"' + str + '"' : String.valueOf(a.value()));
                    }
                    b.addAnnotation(e.timeNanos() / 1000, v.append('}').toString());
                }
                if (s.error()) {
                    b.putTag("otel.status_code", "ERROR").putTag("error", "Read timed out");
                }
                out.add(b.build());
            }
        }
        return SpanBytesEncoder.PROTO3.encodeList(out);
    }

    private static ByteString id(long spanId) {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(spanId).array());
    }

    private static KeyValue keyValue(Attr a) {
        AnyValue.Builder v = AnyValue.newBuilder();
        switch (a.value()) {
            case String s -> v.setStringValue(s);
            case Long l -> v.setIntValue(l);
            case Double d -> v.setDoubleValue(d);
            case Boolean b -> v.setBoolValue(b);
            default -> throw new IllegalArgumentException("attribute " + a.key() + " has a " + a.value().getClass());
        }
        return KeyValue.newBuilder().setKey(a.key()).setValue(v).build();
    }
}
