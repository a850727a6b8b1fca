package dev.sightline.server.traceapi;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.server.traceapi.TraceApi.Reply;
import dev.sightline.server.traceapi.TraceParams.BadRequest;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanCondition.Op;
import dev.sightline.traces.SpanCondition.Scope;
import dev.sightline.traces.SpanCondition.Target;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuerier.Operation;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Jaeger's query HTTP API (cmd/query/app/http_handler.go) as the Jaeger UI and Grafana's Jaeger data source call it:
 * services, operations, trace search, trace by id and dependencies, in Jaeger's structuredResponse envelope and its
 * error shape, with its parameters and defaults (query_parser.go, default_params.go).
 */
final class JaegerApi {
    /** defaultQueryLimit in query_parser.go. */
    static final int DEFAULT_LIMIT = 100;
    /** defaultTraceQueryLookbackDuration: a search without start looks back two days. */
    static final long DEFAULT_LOOKBACK_NANOS = 48 * 3_600_000_000_000L;
    /** defaultDependencyLookbackDuration. */
    static final long DEFAULT_DEPENDENCY_LOOKBACK_MS = 24 * 3_600_000L;
    private static final long ALL_FROM = Long.MIN_VALUE;
    private static final long ALL_TO = Long.MAX_VALUE;

    private final LongSupplier nowNanos;

    JaegerApi(LongSupplier nowNanos) {
        this.nowNanos = nowNanos;
    }

    /** {@code GET /api/services}: every service name, sorted. */
    Reply services(SpanQuerier q) {
        List<String> services = q.serviceNames(ALL_FROM, ALL_TO);
        return Reply.json(200, JaegerJson.envelope(new JsonArray(new ArrayList<>(services)), services.size(), null));
    }

    /** {@code GET /api/services/{service}/operations}: the distinct span names of the service, of every kind. */
    Reply operationsLegacy(SpanQuerier q, String service) {
        TreeSet<String> names = new TreeSet<>();
        for (Operation op : q.operations(service, ALL_FROM, ALL_TO)) {
            names.add(op.name());
        }
        return Reply.json(200, JaegerJson.envelope(new JsonArray(new ArrayList<>(names)), names.size(), null));
    }

    /** {@code GET /api/operations?service=&spanKind=}: name and kind pairs, service required. */
    Reply operations(SpanQuerier q, RoutingContext ctx) {
        String service = TraceParams.value(ctx, "service");
        if (service.isEmpty()) {
            throw new BadRequest("parameter 'service' is required");
        }
        String kind = TraceParams.value(ctx, "spanKind");
        if (!kind.isEmpty() && !List.of("server", "client", "producer", "consumer", "internal").contains(kind)) {
            throw BadRequest.param("spanKind", "unknown span kind \"" + kind
                    + "\"; expected server, client, producer, consumer or internal");
        }
        JsonArray data = new JsonArray();
        for (Operation op : q.operations(service, ALL_FROM, ALL_TO)) {
            String name = JaegerJson.kindName(op.kind());
            if (kind.isEmpty() || kind.equals(name)) {
                data.add(new JsonObject().put("name", op.name()).put("spanKind", name));
            }
        }
        return Reply.json(200, JaegerJson.envelope(data, data.size(), null));
    }

    /** {@code GET /api/traces/{traceID}}: 404 in Jaeger's error shape when no span of it is stored. */
    Reply trace(SpanQuerier q, RoutingContext ctx, String idText) {
        TraceId id = TraceParams.traceId("traceID", idText);
        long from = micros(ctx, "start", ALL_FROM);
        long to = micros(ctx, "end", ALL_TO);
        List<StoredSpan> spans = q.trace(id, from, to);
        if (spans.isEmpty()) {
            return Reply.json(404, JaegerJson.error(404, "trace not found"));
        }
        return Reply.json(200, JaegerJson.envelope(new JsonArray().add(JaegerJson.trace(spans)), 0, null));
    }

    /**
     * {@code GET /api/traces}: the traces with a span meeting every criterion (service, operation, tags, span
     * duration range) in the time range, each whole; or, with {@code traceID} parameters, those traces, a missing
     * one listed in errors.
     */
    Reply search(SpanQuerier q, RoutingContext ctx) {
        long now = nowNanos.getAsLong();
        long end = micros(ctx, "end", now);
        long lookback = lookback(ctx);
        long start = micros(ctx, "start", end - lookback);
        if (end < start) {
            throw BadRequest.param("end", "end " + TraceParams.value(ctx, "end") + " is before start " + start / 1000);
        }
        List<String> ids = TraceParams.values(ctx, "traceID");
        JsonArray data = new JsonArray();
        if (!ids.isEmpty()) {
            JsonArray errors = new JsonArray();
            // Only given times narrow a lookup by id: the search defaults would hide a trace older than two days.
            long from = micros(ctx, "start", ALL_FROM);
            long to = micros(ctx, "end", ALL_TO);
            for (String idText : ids) {
                TraceId id = TraceParams.traceId("traceID", idText);
                List<StoredSpan> spans = q.trace(id, from, to);
                if (spans.isEmpty()) {
                    errors.add(new JsonObject().put("msg", "trace not found").put("traceID", idText));
                } else {
                    data.add(JaegerJson.trace(spans));
                }
            }
            return Reply.json(200, JaegerJson.envelope(data, 0, errors.isEmpty() ? null : errors));
        }
        String service = TraceParams.value(ctx, "service");
        if (service.isEmpty()) {
            throw new BadRequest("parameter 'service' is required");
        }
        List<SpanCondition> fixed = new ArrayList<>();
        fixed.add(SpanCondition.service(service));
        String operation = TraceParams.value(ctx, "operation");
        if (!operation.isEmpty()) {
            fixed.add(SpanCondition.intrinsic(Target.NAME, Op.EQ, operation));
        }
        long minDuration = TraceParams.durationParam(ctx, "minDuration", 0);
        long maxDuration = TraceParams.durationParam(ctx, "maxDuration", 0);
        if (minDuration != 0 && maxDuration != 0 && maxDuration < minDuration) {
            throw new BadRequest("'maxDuration' should be greater than 'minDuration'");
        }
        if (minDuration != 0) {
            fixed.add(SpanCondition.intrinsic(Target.DURATION, Op.GTE, minDuration));
        }
        if (maxDuration != 0) {
            fixed.add(SpanCondition.intrinsic(Target.DURATION, Op.LTE, maxDuration));
        }
        int limit = TraceParams.positiveInt(ctx, "limit", DEFAULT_LIMIT);
        List<List<SpanCondition>> tags = new ArrayList<>();
        for (var tag : tags(ctx).entrySet()) {
            tags.add(tagReadings(tag.getKey(), tag.getValue()));
        }
        for (TraceSummary t : TagSearch.search(q, start, end, fixed, tags, limit, 1)) {
            List<StoredSpan> spans = q.trace(t.traceId(), ALL_FROM, ALL_TO);
            if (!spans.isEmpty()) {
                data.add(JaegerJson.trace(spans));
            }
        }
        return Reply.json(200, JaegerJson.envelope(data, 0, null));
    }

    /**
     * The tags of a search, as Jaeger's parseTags reads them: {@code tag=key:value} (repeatable; the value is all
     * after the first colon) and {@code tags=} a JSON object of strings; later ones win.
     */
    static Map<String, String> tags(RoutingContext ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String tag : TraceParams.values(ctx, "tag")) {
            int colon = tag.indexOf(':');
            if (colon < 0) {
                throw new BadRequest("malformed 'tag' parameter, expecting key:value, received: " + tag);
            }
            out.put(tag.substring(0, colon), tag.substring(colon + 1));
        }
        for (String json : TraceParams.values(ctx, "tags")) {
            if (json.isBlank()) {
                continue; // an empty search form field; Jaeger would refuse it, nothing is lost by not
            }
            JsonObject o;
            try {
                o = new JsonObject(json);
            } catch (DecodeException | ClassCastException e) {
                throw new BadRequest("malformed 'tags' parameter, cannot unmarshal JSON: " + e.getMessage());
            }
            for (var e : o) {
                if (!(e.getValue() instanceof String s)) {
                    throw new BadRequest("malformed 'tags' parameter, cannot unmarshal JSON: the value of \""
                            + e.getKey() + "\" is not a string");
                }
                out.put(e.getKey(), s);
            }
        }
        return out;
    }

    /**
     * The span tests a Jaeger tag can mean. Jaeger compares a tag's text with span and process tags of any type, so
     * an attribute in either scope as string, number or boolean; the tags the OTLP-to-Jaeger mapping makes up
     * ({@code error}, {@code span.kind}, {@code otel.status_code}, {@code otel.status_description}) test the span's
     * status and kind they come from.
     */
    static List<SpanCondition> tagReadings(String key, String value) {
        List<SpanCondition> readings = new ArrayList<>(
                TagSearch.readings(key, value, v -> SpanCondition.attribute(Scope.ANY, key, Op.EQ, v)));
        switch (key) {
            case "error" -> {
                if (value.equals("true")) {
                    readings.add(SpanCondition.intrinsic(Target.STATUS, Op.EQ, StatusCode.ERROR));
                }
            }
            case "span.kind" -> {
                for (SpanKind k : SpanKind.values()) {
                    if (k != SpanKind.UNSPECIFIED && JaegerJson.kindName(k).equals(value)) {
                        readings.add(SpanCondition.intrinsic(Target.KIND, Op.EQ, k));
                    }
                }
            }
            case "otel.status_code" -> {
                for (StatusCode c : StatusCode.values()) {
                    if (c != StatusCode.UNSET && c.name().equals(value)) {
                        readings.add(SpanCondition.intrinsic(Target.STATUS, Op.EQ, c));
                    }
                }
            }
            case "otel.status_description" ->
                    readings.add(SpanCondition.intrinsic(Target.STATUS_MESSAGE, Op.EQ, value));
            default -> {
            }
        }
        return readings;
    }

    /**
     * {@code GET /api/dependencies?endTs=&lookback=} (milliseconds; default now and 24h): calls from one service to
     * another, counted over parent and child spans of different services, as Jaeger's in-memory store counts them.
     */
    Reply dependencies(SpanQuerier q, RoutingContext ctx) {
        long endMs = TraceParams.longParam(ctx, "endTs", Math.floorDiv(nowNanos.getAsLong(), 1_000_000L));
        long lookbackMs = TraceParams.longParam(ctx, "lookback", DEFAULT_DEPENDENCY_LOOKBACK_MS);
        if (lookbackMs < 0) {
            throw BadRequest.param("lookback", "must not be negative, got " + lookbackMs);
        }
        long to = millisToNanos("endTs", endMs);
        long from = to - millisToNanos("lookback", lookbackMs);
        // Every span in the window, grouped by trace: the parent of a span is looked up in its own trace.
        List<TraceSummary> traces = q.search(new SpanQuery(from, to, List.of(), Integer.MAX_VALUE, Integer.MAX_VALUE));
        String service = TraceParams.value(ctx, "service");
        Map<List<String>, Long> calls = new TreeMap<>((a, b) -> {
            int c = a.get(0).compareTo(b.get(0));
            return c != 0 ? c : a.get(1).compareTo(b.get(1));
        });
        for (TraceSummary t : traces) {
            Map<Long, String> serviceOf = new HashMap<>();
            for (StoredSpan s : t.matchedSpans()) {
                serviceOf.put(s.span().spanId(), s.serviceName());
            }
            for (StoredSpan s : t.matchedSpans()) {
                String parent = s.span().isRoot() ? null : serviceOf.get(s.span().parentSpanId());
                String child = s.serviceName();
                if (parent != null && !parent.equals(child)
                        && (service.isEmpty() || service.equals(parent) || service.equals(child))) {
                    calls.merge(List.of(parent, child), 1L, Long::sum);
                }
            }
        }
        JsonArray data = new JsonArray();
        calls.forEach((link, count) -> data.add(new JsonObject().put("parent", link.get(0)).put("child", link.get(1))
                .put("callCount", count)));
        return Reply.json(200, JaegerJson.envelope(data, 0, null));
    }

    private static long millisToNanos(String name, long ms) {
        if (ms > Long.MAX_VALUE / 4_000_000L || ms < Long.MIN_VALUE / 4_000_000L) {
            throw BadRequest.param(name, "milliseconds out of range: " + ms);
        }
        return ms * 1_000_000L;
    }

    /** A time parameter in unix microseconds, as nanoseconds; {@code dflt} when absent. */
    private static long micros(RoutingContext ctx, String name, long dflt) {
        String v = TraceParams.value(ctx, name);
        if (v.isEmpty()) {
            return dflt;
        }
        long us = TraceParams.longParam(ctx, name, 0);
        if (us > Long.MAX_VALUE / 1000 || us < Long.MIN_VALUE / 1000) {
            throw BadRequest.param(name, "microseconds out of range: " + v);
        }
        return us * 1000;
    }

    /**
     * The UI's lookback when no start is given: a Go duration, or its own {@code 2d}/{@code 1w} forms; "custom"
     * (the UI's value when start and end are set) means the default.
     */
    private static long lookback(RoutingContext ctx) {
        String v = TraceParams.value(ctx, "lookback").toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("custom")) {
            return DEFAULT_LOOKBACK_NANOS;
        }
        char unit = v.charAt(v.length() - 1);
        if ((unit == 'd' || unit == 'w') && v.length() > 1) {
            try {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return Math.multiplyExact(n, (unit == 'd' ? 24 : 168) * 3_600_000_000_000L);
            } catch (NumberFormatException | ArithmeticException e) {
                throw BadRequest.param("lookback", "time: invalid duration \"" + v + "\"");
            }
        }
        return TraceParams.goDuration("lookback", v);
    }
}
