package dev.sightline.ingest.logs;

import dev.sightline.core.Labels;

/**
 * Where the log decoders (OTLP, Loki push, NDJSON) hand each decoded line, before validation: the stream labels,
 * the time in unix nanoseconds, the line verbatim and its structured metadata. {@code stream} and {@code metadata}
 * may be shared by many lines (same instance), so a sink can recognise a repeat by identity.
 */
@FunctionalInterface
public interface LogSink {
    void accept(Labels stream, long timeNanos, String line, Labels metadata);

    /**
     * Where the next lines come from in the request, for rejection messages: the 1-based line of an NDJSON body.
     * Decoders whose entries have no line number do not call it.
     */
    default void at(long lineNumber) {
    }
}
