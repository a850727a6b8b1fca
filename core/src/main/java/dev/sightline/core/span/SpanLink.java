package dev.sightline.core.span;

import java.util.Objects;

/** A link from a span to another span (OTLP Span.Link); ids as in {@link Span}, 0 where the sender left them empty. */
public record SpanLink(long traceIdHi, long traceIdLo, long spanId, String traceState, int flags, Attributes attributes,
                       int droppedAttributesCount) {
    public SpanLink {
        Objects.requireNonNull(traceState);
        Objects.requireNonNull(attributes);
    }

    public String traceIdHex() {
        return SpanIds.traceIdHex(traceIdHi, traceIdLo);
    }

    public String spanIdHex() {
        return SpanIds.spanIdHex(spanId);
    }
}
