package dev.sightline.server.traceapi;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.server.traceapi.TraceApi.Reply;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/traces/{traceID}/logs}: the log lines written in a trace, found without Grafana. A line belongs to
 * the trace when its structured metadata {@code trace_id} names it (what OTLP log records and Loki pushes with
 * structured metadata carry). The log store has no index by metadata, so the lines read are bounded by time: the
 * trace's span from its first span's start to its last span's end, widened by {@code margin} (a Go duration,
 * default 1m, at most 1h) on both sides for lines logged just before or after a span; at most {@code limit} lines
 * (default 1000), oldest first. The answer has the shape of Loki's streams result, each line's structured metadata
 * as Loki gives it with categorised labels.
 */
final class TraceLogs {
    static final long DEFAULT_MARGIN_NANOS = 60_000_000_000L;
    static final long MAX_MARGIN_NANOS = 3_600_000_000_000L;
    static final int DEFAULT_LIMIT = 1000;

    private TraceLogs() {
    }

    static Reply logs(SpanQuerier spans, LogQuerier logs, RoutingContext ctx, String idText) {
        TraceId id = TraceParams.traceId("traceID", idText);
        long margin = TraceParams.durationParam(ctx, "margin", DEFAULT_MARGIN_NANOS);
        if (margin < 0 || margin > MAX_MARGIN_NANOS) {
            throw TraceParams.BadRequest.param("margin", "must be between 0 and 1h, got " + TraceParams.value(ctx, "margin"));
        }
        int limit = TraceParams.positiveInt(ctx, "limit", DEFAULT_LIMIT);
        List<StoredSpan> trace = spans.trace(id, Long.MIN_VALUE, Long.MAX_VALUE);
        if (trace.isEmpty()) {
            return Reply.json(404, JaegerJson.error(404, "trace not found"));
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (StoredSpan s : trace) {
            first = Math.min(first, s.span().startUnixNano());
            last = Math.max(last, Math.max(s.span().startUnixNano(), s.span().endUnixNano()));
        }
        long from = first - margin;
        long to = last + margin;
        String hex = id.hex();
        Map<Labels, JsonArray> streams = new LinkedHashMap<>();
        int[] found = {0};
        logs.select(LogSelection.streams(from, to, List.of()), e -> {
            if (inTrace(e, id, hex)) {
                streams.computeIfAbsent(e.stream(), k -> new JsonArray()).add(new JsonArray()
                        .add(Long.toString(e.timeNanos())).add(e.line())
                        .add(new JsonObject().put("structuredMetadata", labels(e.metadata()))));
                found[0]++;
            }
            return found[0] < limit;
        });
        JsonArray result = new JsonArray();
        streams.forEach((stream, values) -> result.add(new JsonObject().put("stream", labels(stream))
                .put("values", values)));
        return Reply.json(200, new JsonObject().put("status", "success").put("data", new JsonObject()
                .put("resultType", "streams").put("result", result)
                .put("traceID", hex).put("start", Long.toString(from)).put("end", Long.toString(to))
                .put("limitReached", found[0] >= limit)));
    }

    /** Whether the line's metadata names the trace: the canonical 32 lower-case digits, or any form of the same id. */
    private static boolean inTrace(LogEntry e, TraceId id, String hex) {
        String v = e.metadata().get(LogEntry.TRACE_ID);
        if (v == null) {
            return false;
        }
        if (v.equals(hex)) {
            return true;
        }
        try {
            return TraceId.parse(v).equals(id);
        } catch (IllegalArgumentException notAnId) {
            return false;
        }
    }

    private static JsonObject labels(Labels labels) {
        JsonObject o = new JsonObject();
        labels.forEach((name, value) -> o.put(name, value));
        return o;
    }
}
