package dev.sightline.ingest.spans;

/**
 * The outcome of one span request: spans handed to the sink and spans rejected, and the message for OTLP's
 * ExportTracePartialSuccess.error_message (empty when nothing was rejected); rejectedSpans is its rejected_spans.
 */
public record SpanResult(long acceptedSpans, long rejectedSpans, String errorMessage) {
}
