package dev.sightline.traces;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;

import java.io.IOException;

/**
 * Takes the spans of one request: {@link #append} buffers, {@link #commit} makes them durable and searchable at
 * once. An ingest endpoint acknowledges its request only after commit returns, so an acknowledged span survives
 * kill -9. One appender per request; not thread-safe. The shape is the ingest decoders' {@code SpanSink}, so an
 * endpoint passes {@code appender::append} to a decoder.
 */
public interface SpanAppender {
    /** Buffers a span. The resource and scope may be shared by many spans (same instance), never copied per span. */
    void append(SpanResource resource, InstrumentationScope scope, Span span);

    /** Writes every span appended since the last commit durably (fsync per the store's policy) and makes it visible. */
    void commit() throws IOException;

    /** Forgets the spans appended since the last commit. */
    void rollback();
}
