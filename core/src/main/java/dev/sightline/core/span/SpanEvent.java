package dev.sightline.core.span;

import java.util.Objects;

/** A time-stamped event of a span (OTLP Span.Event). */
public record SpanEvent(long timeUnixNano, String name, Attributes attributes, int droppedAttributesCount) {
    public SpanEvent {
        Objects.requireNonNull(name);
        Objects.requireNonNull(attributes);
    }
}
