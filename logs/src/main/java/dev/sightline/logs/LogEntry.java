package dev.sightline.logs;

import dev.sightline.core.Labels;

/**
 * One log line as stored: its time (unix nanoseconds), the labels of its stream (indexed, few, low cardinality:
 * {@code service}, {@code env}), its structured metadata (per line, possibly high cardinality: {@code trace_id},
 * {@code span_id}, the severity, OTLP attributes; Loki's "structured metadata") and the line verbatim.
 */
public record LogEntry(long timeNanos, Labels stream, Labels metadata, String line) {
    /** Metadata naming the trace the line was written in (lower-case hex, 32 digits), as Loki's OTLP mapping. */
    public static final String TRACE_ID = "trace_id";
    /** Metadata naming the span the line was written in (lower-case hex, 16 digits). */
    public static final String SPAN_ID = "span_id";
    /** Metadata with the severity as written (OTLP severity_text, a logback level). */
    public static final String SEVERITY_TEXT = "severity_text";
    /**
     * Metadata with the normalised severity ({@code trace debug info warn error fatal unknown}), as Loki's
     * {@code detected_level}: what {@code sum by (detected_level)} and the log-volume histogram group by.
     */
    public static final String LEVEL = "detected_level";

    public LogEntry {
        if (stream == null || metadata == null || line == null) {
            throw new NullPointerException("log entry needs stream labels, metadata and a line (empty ones allowed)");
        }
    }

    /** The value of a stream label or, when the stream has none of that name, of a metadata label; null if neither. */
    public String label(String name) {
        String v = stream.get(name);
        return v != null ? v : metadata.get(name);
    }
}
