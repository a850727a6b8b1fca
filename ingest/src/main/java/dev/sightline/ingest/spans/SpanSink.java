package dev.sightline.ingest.spans;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;

/**
 * Where the span decoders (OTLP, Zipkin) hand each accepted span; the span store's appender implements it. The
 * resource and scope objects are shared by all spans of one resource/scope in a request (same instance), so a sink
 * can recognise a repeat by identity.
 */
@FunctionalInterface
public interface SpanSink {
    void accept(SpanResource resource, InstrumentationScope scope, Span span);
}
