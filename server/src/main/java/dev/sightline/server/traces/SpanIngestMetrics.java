package dev.sightline.server.traces;

import dev.sightline.ingest.spans.SpanResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Self-metrics of the span endpoints (OTLP/gRPC, OTLP/HTTP, Zipkin): {@code sightline_ingest_spans_total{protocol,result}}
 * (result "accepted" or "rejected": a span without a valid id) and
 * {@code sightline_ingest_span_requests_total{protocol,code}} (HTTP status, or the gRPC status name).
 */
public final class SpanIngestMetrics {
    private final Counter spans;
    private final Counter requests;

    public SpanIngestMetrics(PrometheusRegistry registry) {
        this.spans = Counter.builder()
                .name("sightline_ingest_spans_total")
                .help("Spans received, by protocol and result: accepted (stored) or rejected (an invalid trace or span id).")
                .labelNames("protocol", "result")
                .register(registry);
        this.requests = Counter.builder()
                .name("sightline_ingest_span_requests_total")
                .help("Span export requests by protocol and the status answered (HTTP code or gRPC status).")
                .labelNames("protocol", "code")
                .register(registry);
    }

    /** One answered request; {@code result} is null when nothing was decoded or stored. */
    public void request(String protocol, String code, SpanResult result) {
        requests.labelValues(protocol, code).inc();
        if (result != null) {
            spans.labelValues(protocol, "accepted").inc(result.acceptedSpans());
            spans.labelValues(protocol, "rejected").inc(result.rejectedSpans());
        }
    }
}
