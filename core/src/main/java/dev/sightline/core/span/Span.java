package dev.sightline.core.span;

import java.util.List;
import java.util.Objects;

/**
 * One span as OTLP defines it (opentelemetry/proto/trace/v1 Span), without its resource and scope: those are shared
 * objects handed alongside ({@link SpanResource}, {@link InstrumentationScope}), so the spans of one resource do not
 * copy them.
 *
 * <p>Ids are primitive: the 16-byte trace id as two big-endian longs (hi, lo), span ids as one long each; a parent
 * span id of 0 means a root span. Both ids of a span are valid (non-zero): the decoders reject a span otherwise. Times
 * are unix nanoseconds. {@code flags} are OTLP's SpanFlags (W3C trace flags in the low byte). Events and links are
 * immutable lists ({@code List.of()} for none, the common case, which allocates nothing).
 */
public record Span(long traceIdHi, long traceIdLo, long spanId, long parentSpanId, String traceState, int flags,
                   String name, SpanKind kind, long startUnixNano, long endUnixNano, Attributes attributes,
                   int droppedAttributesCount, List<SpanEvent> events, int droppedEventsCount, List<SpanLink> links,
                   int droppedLinksCount, StatusCode statusCode, String statusMessage) {
    public Span {
        if (!SpanIds.validTraceId(traceIdHi, traceIdLo) || !SpanIds.validSpanId(spanId)) {
            throw new IllegalArgumentException("a span needs a non-zero trace id and span id");
        }
        Objects.requireNonNull(traceState);
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(attributes);
        events = List.copyOf(events); // no copy when already immutable, as the decoders hand them
        links = List.copyOf(links);
        Objects.requireNonNull(statusCode);
        Objects.requireNonNull(statusMessage);
    }

    public String traceIdHex() {
        return SpanIds.traceIdHex(traceIdHi, traceIdLo);
    }

    public String spanIdHex() {
        return SpanIds.spanIdHex(spanId);
    }

    public boolean isRoot() {
        return parentSpanId == 0;
    }

    public long durationNanos() {
        return endUnixNano - startUnixNano;
    }
}
