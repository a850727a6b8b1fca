package dev.sightline.traces;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;

import java.util.Comparator;
import java.util.Objects;

/** A span as a store returns it: with its resource and instrumentation scope, everything that was appended. */
public record StoredSpan(SpanResource resource, InstrumentationScope scope, Span span) {
    /** The order of a trace's spans: by start time, then by span id (unsigned). */
    public static final Comparator<StoredSpan> BY_START = Comparator
            .comparingLong((StoredSpan s) -> s.span().startUnixNano())
            .thenComparing(s -> s.span().spanId(), Long::compareUnsigned);

    public StoredSpan {
        Objects.requireNonNull(resource);
        Objects.requireNonNull(scope);
        Objects.requireNonNull(span);
    }

    public TraceId traceId() {
        return new TraceId(span.traceIdHi(), span.traceIdLo());
    }

    public String serviceName() {
        return resource.serviceName();
    }
}
