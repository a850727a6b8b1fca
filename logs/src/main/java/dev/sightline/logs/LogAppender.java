package dev.sightline.logs;

import dev.sightline.core.Labels;

import java.io.IOException;

/**
 * Takes the lines of one request: {@link #append} buffers, {@link #commit} makes them durable and searchable at once.
 * An ingest endpoint acknowledges its request only after commit returns, so an acknowledged line survives kill -9.
 * Validation (age, length, label limits) is the caller's: the store keeps whatever it is given. One appender per
 * request; not thread-safe.
 */
public interface LogAppender {
    /**
     * Buffers a line. {@code stream} and {@code metadata} may be shared by many lines (same instance); lines of one
     * stream with the same time are all kept, in append order.
     */
    void append(Labels stream, long timeNanos, String line, Labels metadata);

    /** Writes every line appended since the last commit durably and makes it visible. */
    void commit() throws IOException;

    /** Forgets the lines appended since the last commit. */
    void rollback();
}
