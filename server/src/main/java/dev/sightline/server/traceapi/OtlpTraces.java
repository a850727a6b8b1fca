package dev.sightline.server.traceapi;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.traces.StoredSpan;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stored spans back as OTLP: {@link TracesData} (Tempo's trace-by-id protobuf, whose {@code tempopb.Trace} has the
 * same wire form) and its JSON. Spans are grouped by resource, then by scope, in the order first seen.
 */
final class OtlpTraces {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private OtlpTraces() {
    }

    static TracesData tracesData(List<StoredSpan> spans) {
        Map<SpanResource, Map<InstrumentationScope, List<Span>>> grouped = new LinkedHashMap<>();
        for (StoredSpan s : spans) {
            grouped.computeIfAbsent(s.resource(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.scope(), k -> new ArrayList<>()).add(s.span());
        }
        TracesData.Builder data = TracesData.newBuilder();
        for (var r : grouped.entrySet()) {
            SpanResource res = r.getKey();
            ResourceSpans.Builder rs = data.addResourceSpansBuilder()
                    .setResource(Resource.newBuilder().addAllAttributes(keyValues(res.attributes()))
                            .setDroppedAttributesCount(res.droppedAttributesCount()))
                    .setSchemaUrl(res.schemaUrl());
            for (var sc : r.getValue().entrySet()) {
                InstrumentationScope scope = sc.getKey();
                ScopeSpans.Builder ss = rs.addScopeSpansBuilder()
                        .setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                                .setName(scope.name()).setVersion(scope.version())
                                .addAllAttributes(keyValues(scope.attributes()))
                                .setDroppedAttributesCount(scope.droppedAttributesCount()))
                        .setSchemaUrl(scope.schemaUrl());
                for (Span span : sc.getValue()) {
                    ss.addSpans(span(span));
                }
            }
        }
        return data.build();
    }

    private static io.opentelemetry.proto.trace.v1.Span span(Span s) {
        var b = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(traceId(s.traceIdHi(), s.traceIdLo()))
                .setSpanId(spanId(s.spanId()))
                .setTraceState(s.traceState())
                .setFlags(s.flags())
                .setName(s.name())
                .setKindValue(s.kind().number())
                .setStartTimeUnixNano(s.startUnixNano())
                .setEndTimeUnixNano(s.endUnixNano())
                .addAllAttributes(keyValues(s.attributes()))
                .setDroppedAttributesCount(s.droppedAttributesCount())
                .setDroppedEventsCount(s.droppedEventsCount())
                .setDroppedLinksCount(s.droppedLinksCount())
                .setStatus(Status.newBuilder().setCodeValue(s.statusCode().number()).setMessage(s.statusMessage()));
        if (!s.isRoot()) {
            b.setParentSpanId(spanId(s.parentSpanId()));
        }
        for (SpanEvent e : s.events()) {
            b.addEventsBuilder().setTimeUnixNano(e.timeUnixNano()).setName(e.name())
                    .addAllAttributes(keyValues(e.attributes())).setDroppedAttributesCount(e.droppedAttributesCount());
        }
        for (SpanLink l : s.links()) {
            var lb = b.addLinksBuilder().setTraceState(l.traceState()).setFlags(l.flags())
                    .addAllAttributes(keyValues(l.attributes())).setDroppedAttributesCount(l.droppedAttributesCount());
            // OTLP leaves an absent id empty, never all-zero bytes.
            if (SpanIds.validTraceId(l.traceIdHi(), l.traceIdLo())) {
                lb.setTraceId(traceId(l.traceIdHi(), l.traceIdLo()));
            }
            if (SpanIds.validSpanId(l.spanId())) {
                lb.setSpanId(spanId(l.spanId()));
            }
        }
        return b.build();
    }

    private static ByteString traceId(long hi, long lo) {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array());
    }

    private static ByteString spanId(long id) {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(id).array());
    }

    static List<KeyValue> keyValues(Attributes a) {
        List<KeyValue> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(KeyValue.newBuilder().setKey(a.key(i)).setValue(anyValue(a, i)).build());
        }
        return out;
    }

    /** One attribute as an AnyValue; arrays and maps come back from the JSON text the store keeps them as. */
    static AnyValue anyValue(Attributes a, int i) {
        return switch (a.type(i)) {
            case STRING -> AnyValue.newBuilder().setStringValue(a.stringValue(i)).build();
            case BOOL -> AnyValue.newBuilder().setBoolValue(a.boolValue(i)).build();
            case LONG -> AnyValue.newBuilder().setIntValue(a.longValue(i)).build();
            case DOUBLE -> AnyValue.newBuilder().setDoubleValue(a.doubleValue(i)).build();
            case BYTES -> AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(a.bytesValue(i))).build();
            case ARRAY, KVLIST -> fromJson(io.vertx.core.json.Json.decodeValue(a.jsonValue(i)));
        };
    }

    /**
     * A JSON value as an AnyValue. The store keeps compound values as JSON, so a nested integer and a nested double
     * with an integral value read back alike (as an integer), and nested bytes (base64) as a string.
     */
    private static AnyValue fromJson(Object v) {
        AnyValue.Builder b = AnyValue.newBuilder();
        if (v instanceof JsonArray arr) {
            ArrayValue.Builder av = ArrayValue.newBuilder();
            arr.forEach(e -> av.addValues(fromJson(e)));
            b.setArrayValue(av);
        } else if (v instanceof JsonObject obj) {
            KeyValueList.Builder kv = KeyValueList.newBuilder();
            obj.forEach(e -> kv.addValues(KeyValue.newBuilder().setKey(e.getKey()).setValue(fromJson(e.getValue()))));
            b.setKvlistValue(kv);
        } else if (v instanceof String s) {
            b.setStringValue(s);
        } else if (v instanceof Boolean bool) {
            b.setBoolValue(bool);
        } else if (v instanceof Integer || v instanceof Long) {
            b.setIntValue(((Number) v).longValue());
        } else if (v instanceof Number n) {
            b.setDoubleValue(n.doubleValue());
        }
        return b.build();
    }

    /**
     * The OTLP/JSON encoding of the spans under {@code key} ("resourceSpans" as OTLP names it, "batches" for Tempo's
     * v1 answer). Trace and span ids are hex as OTLP/JSON requires (protobuf's JsonFormat would write base64; Tempo
     * itself still does, grafana/tempo#5437); 64-bit integers are strings and enums names, as JsonFormat writes them.
     */
    static JsonObject json(TracesData data, String key) {
        JsonObject o;
        try {
            o = new JsonObject(PRINTER.print(data));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("OTLP traces cannot be printed as JSON", e);
        }
        JsonArray resourceSpans = o.getJsonArray("resourceSpans", new JsonArray());
        for (Object rs : resourceSpans) {
            for (Object ss : ((JsonObject) rs).getJsonArray("scopeSpans", new JsonArray())) {
                for (Object sp : ((JsonObject) ss).getJsonArray("spans", new JsonArray())) {
                    JsonObject span = (JsonObject) sp;
                    hexIds(span, "traceId", "spanId", "parentSpanId");
                    for (Object l : span.getJsonArray("links", new JsonArray())) {
                        hexIds((JsonObject) l, "traceId", "spanId");
                    }
                }
            }
        }
        return new JsonObject().put(key, resourceSpans);
    }

    private static void hexIds(JsonObject o, String... keys) {
        for (String k : keys) {
            String b64 = o.getString(k);
            if (b64 != null) {
                o.put(k, HexFormat.of().formatHex(Base64.getDecoder().decode(b64)));
            }
        }
    }

    /** One attribute value in OTLP/JSON: {"stringValue":".."}, {"intValue":"12"} (int64 as a string), ... */
    static JsonObject anyValueJson(Attributes a, int i) {
        try {
            return new JsonObject(PRINTER.print(anyValue(a, i)));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an attribute value cannot be printed as JSON", e);
        }
    }
}
