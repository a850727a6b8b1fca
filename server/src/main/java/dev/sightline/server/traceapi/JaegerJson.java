package dev.sightline.server.traceapi;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.StoredSpan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Stored spans as the Jaeger UI's JSON model (jaeger model/json, written by its uiconv.FromDomain), with OTLP mapped
 * to Jaeger as the OpenTelemetry collector's jaeger translator does: resource to process, parent to the first
 * CHILD_OF reference, links to FOLLOWS_FROM, events to logs, kind/status/scope/trace state to tags.
 */
final class JaegerJson {
    private JaegerJson() {
    }

    /** The response envelope (structuredResponse): data, total, limit, offset, errors. */
    static JsonObject envelope(Object data, int total, JsonArray errors) {
        return new JsonObject().put("data", data).put("total", total).put("limit", 0).put("offset", 0)
                .put("errors", errors);
    }

    /** The error answer: {@code {"data":null,...,"errors":[{"code":400,"msg":"..."}]}}. */
    static JsonObject error(int code, String msg) {
        return envelope(null, 0, new JsonArray().add(new JsonObject().put("code", code).put("msg", msg)));
    }

    /**
     * Jaeger's TraceID.String(): the low 64 bits alone (16 digits) when the high half is zero, else 32 digits.
     */
    static String traceId(long hi, long lo) {
        return hi == 0 ? SpanIds.spanIdHex(lo) : SpanIds.traceIdHex(hi, lo);
    }

    /**
     * One trace: spans (sorted as stored), processes p1, p2, ... in order of first use; the field order and nulls of
     * Jaeger's own answer (cmd/query/app/fixture/otlp2jaeger-out.json).
     */
    static JsonObject trace(List<StoredSpan> spans) {
        Map<SpanResource, String> processIds = new LinkedHashMap<>();
        JsonObject processes = new JsonObject();
        JsonArray out = new JsonArray();
        for (StoredSpan s : spans) {
            String pid = processIds.get(s.resource());
            if (pid == null) {
                pid = "p" + (processIds.size() + 1);
                processIds.put(s.resource(), pid);
                processes.put(pid, process(s.resource()));
            }
            out.add(span(s, pid));
        }
        Span first = spans.get(0).span();
        return new JsonObject().put("traceID", traceId(first.traceIdHi(), first.traceIdLo())).put("spans", out)
                .put("processes", processes).put("warnings", null);
    }

    private static JsonObject process(SpanResource r) {
        JsonArray tags = new JsonArray();
        Attributes a = r.attributes();
        for (int i = 0; i < a.size(); i++) {
            if (!a.key(i).equals("service.name")) {
                tags.add(tag(a, i));
            }
        }
        return new JsonObject().put("serviceName", r.serviceName()).put("tags", tags);
    }

    private static JsonObject span(StoredSpan stored, String processId) {
        Span s = stored.span();
        String traceId = traceId(s.traceIdHi(), s.traceIdLo());
        JsonArray refs = new JsonArray();
        if (!s.isRoot()) {
            refs.add(ref("CHILD_OF", traceId, s.parentSpanId()));
        }
        for (SpanLink l : s.links()) {
            if (SpanIds.validTraceId(l.traceIdHi(), l.traceIdLo()) && SpanIds.validSpanId(l.spanId())) {
                refs.add(ref("FOLLOWS_FROM", traceId(l.traceIdHi(), l.traceIdLo()), l.spanId()));
            }
        }
        JsonObject o = new JsonObject().put("traceID", traceId).put("spanID", SpanIds.spanIdHex(s.spanId()));
        if (s.flags() != 0) {
            o.put("flags", s.flags()); // omitempty in Jaeger's model
        }
        return o.put("operationName", s.name())
                .put("references", refs)
                .put("startTime", Math.floorDiv(s.startUnixNano(), 1000))
                .put("duration", Math.floorDiv(s.durationNanos(), 1000))
                .put("tags", tags(stored))
                .put("logs", logs(s))
                .put("processID", processId)
                .put("warnings", null);
    }

    private static JsonObject ref(String type, String traceId, long spanId) {
        return new JsonObject().put("refType", type).put("traceID", traceId).put("spanID", SpanIds.spanIdHex(spanId));
    }

    /** Span attributes, then what Jaeger has no field for, named as the OpenTelemetry-to-Jaeger mapping names it. */
    private static JsonArray tags(StoredSpan stored) {
        Span s = stored.span();
        JsonArray tags = new JsonArray();
        Attributes a = s.attributes();
        for (int i = 0; i < a.size(); i++) {
            tags.add(tag(a, i));
        }
        InstrumentationScope scope = stored.scope();
        if (!scope.name().isEmpty()) {
            tags.add(stringTag("otel.scope.name", scope.name()));
        }
        if (!scope.version().isEmpty()) {
            tags.add(stringTag("otel.scope.version", scope.version()));
        }
        // INTERNAL gets no span.kind tag (the translator's rule); UNSPECIFIED has no Jaeger name either.
        if (s.kind() != SpanKind.INTERNAL && s.kind() != SpanKind.UNSPECIFIED) {
            tags.add(stringTag("span.kind", kindName(s.kind())));
        }
        if (s.statusCode() != StatusCode.UNSET) {
            tags.add(stringTag("otel.status_code", s.statusCode().name()));
        }
        if (s.statusCode() == StatusCode.ERROR) {
            tags.add(new JsonObject().put("key", "error").put("type", "bool").put("value", true));
        }
        if (!s.statusMessage().isEmpty()) {
            tags.add(stringTag("otel.status_description", s.statusMessage()));
        }
        if (!s.traceState().isEmpty()) {
            tags.add(stringTag("w3c.tracestate", s.traceState()));
        }
        countTag(tags, "otel.dropped_attributes_count", s.droppedAttributesCount());
        countTag(tags, "otel.dropped_events_count", s.droppedEventsCount());
        countTag(tags, "otel.dropped_links_count", s.droppedLinksCount());
        return tags;
    }

    /** The lowercase kind as Jaeger's span.kind tag and operations' spanKind have it; "" for UNSPECIFIED. */
    static String kindName(SpanKind k) {
        return k == SpanKind.UNSPECIFIED ? "" : k.name().toLowerCase(Locale.ROOT);
    }

    private static void countTag(JsonArray tags, String key, int count) {
        if (count != 0) {
            tags.add(new JsonObject().put("key", key).put("type", "int64").put("value", count));
        }
    }

    /** Events as logs: the name as the "event" field unless an attribute is named "event" (it wins). */
    private static JsonArray logs(Span s) {
        JsonArray logs = new JsonArray();
        for (SpanEvent e : s.events()) {
            JsonArray fields = new JsonArray();
            if (e.attributes().indexOf("event") < 0) {
                fields.add(stringTag("event", e.name()));
            }
            for (int i = 0; i < e.attributes().size(); i++) {
                fields.add(tag(e.attributes(), i));
            }
            logs.add(new JsonObject().put("timestamp", Math.floorDiv(e.timeUnixNano(), 1000)).put("fields", fields));
        }
        return logs;
    }

    private static JsonObject stringTag(String key, String value) {
        return new JsonObject().put("key", key).put("type", "string").put("value", value);
    }

    /**
     * A typed Jaeger tag: string, bool, int64, float64, binary (base64, as Go marshals []byte); arrays and maps are
     * strings of JSON as the translator writes them. A NaN or infinite double, which JSON cannot carry as a number,
     * is its text.
     */
    static JsonObject tag(Attributes a, int i) {
        JsonObject t = new JsonObject().put("key", a.key(i));
        return switch (a.type(i)) {
            case STRING -> t.put("type", "string").put("value", a.stringValue(i));
            case BOOL -> t.put("type", "bool").put("value", a.boolValue(i));
            case LONG -> t.put("type", "int64").put("value", a.longValue(i));
            case DOUBLE -> {
                double d = a.doubleValue(i);
                yield t.put("type", "float64").put("value", Double.isFinite(d) ? (Object) d : a.valueText(i));
            }
            case BYTES -> t.put("type", "binary").put("value", Base64.getEncoder().encodeToString(a.bytesValue(i)));
            case ARRAY, KVLIST -> t.put("type", "string").put("value", a.jsonValue(i));
        };
    }
}
