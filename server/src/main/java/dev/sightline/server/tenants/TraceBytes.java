package dev.sightline.server.tenants;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanLink;
import dev.sightline.traces.TraceId;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Tempo's {@code max_bytes_per_trace} for one tenant: the estimated bytes each trace has received lately. Tempo counts
 * a trace's bytes while it is live in an ingester; here a trace's bytes are those of the last one to two windows of
 * {@link #WINDOW_NANOS} (two generations of counts, the older dropped at each turn), so the memory held is that of
 * the traces written in the last half hour at most. Requests of one trace running at once may pass the limit by
 * one request each. Thread-safe; a {@link Request} is not.
 */
final class TraceBytes {
    static final long WINDOW_NANOS = 15L * 60 * 1_000_000_000L;
    /** What a span costs besides its strings and attributes: ids, times, kind, flags, status (about OTLP's proto size). */
    private static final int SPAN_FIXED_BYTES = 64;
    private static final int EVENT_FIXED_BYTES = 12;
    private static final int LINK_FIXED_BYTES = 32;

    /** The trace that would pass the limit: the bytes the request adds and those already counted. */
    record Over(String traceId, long adding, long stored) {
    }

    private final long max;
    private final LongSupplier nanoClock;
    private volatile ConcurrentHashMap<TraceId, Long> current = new ConcurrentHashMap<>();
    private volatile ConcurrentHashMap<TraceId, Long> previous = new ConcurrentHashMap<>();
    private long turnedAt;

    TraceBytes(long max, LongSupplier nanoClock) {
        this.max = max;
        this.nanoClock = nanoClock;
        this.turnedAt = nanoClock.getAsLong();
    }

    Request request() {
        return new Request();
    }

    private synchronized void turn() {
        long now = nanoClock.getAsLong();
        if (now - turnedAt >= WINDOW_NANOS) {
            previous = now - turnedAt >= 2 * WINDOW_NANOS ? new ConcurrentHashMap<>() : current;
            current = new ConcurrentHashMap<>();
            turnedAt = now;
        }
    }

    private long stored(TraceId id) {
        return current.getOrDefault(id, 0L) + previous.getOrDefault(id, 0L);
    }

    /** The spans of one request, by trace. */
    final class Request {
        private final Map<TraceId, long[]> added = new HashMap<>();
        // Spans of one trace mostly come together: look the trace up once per run of them.
        private long lastHi;
        private long lastLo;
        private long[] last;

        void add(Span span) {
            if (last == null || span.traceIdHi() != lastHi || span.traceIdLo() != lastLo) {
                lastHi = span.traceIdHi();
                lastLo = span.traceIdLo();
                last = added.computeIfAbsent(new TraceId(lastHi, lastLo), k -> new long[1]);
            }
            last[0] += estimate(span);
        }

        /** The first trace the request would take over the limit, or null. */
        Over over() {
            turn();
            for (Map.Entry<TraceId, long[]> e : added.entrySet()) {
                long stored = stored(e.getKey());
                if (stored + e.getValue()[0] > max) {
                    return new Over(e.getKey().hex(), e.getValue()[0], stored);
                }
            }
            return null;
        }

        /** Counts the request's bytes to its traces (once admitted). */
        void commit() {
            ConcurrentHashMap<TraceId, Long> into = current;
            added.forEach((id, bytes) -> into.merge(id, bytes[0], Long::sum));
        }
    }

    /** A span's size, about what OTLP's protobuf encoding of it takes. */
    static long estimate(Span s) {
        long n = SPAN_FIXED_BYTES + s.name().length() + s.traceState().length() + s.statusMessage().length()
                + attributes(s.attributes());
        for (SpanEvent e : s.events()) {
            n += EVENT_FIXED_BYTES + e.name().length() + attributes(e.attributes());
        }
        for (SpanLink l : s.links()) {
            n += LINK_FIXED_BYTES + l.traceState().length() + attributes(l.attributes());
        }
        return n;
    }

    private static long attributes(Attributes a) {
        long n = 0;
        for (int i = 0; i < a.size(); i++) {
            AttributeType type = a.type(i);
            n += 4 + a.key(i).length() + switch (type) {
                case STRING -> a.stringValue(i).length();
                case ARRAY, KVLIST -> a.jsonValue(i).length();
                case BYTES -> a.bytesValue(i).length;
                case BOOL -> 1;
                case LONG, DOUBLE -> 8;
            };
        }
        return n;
    }
}
