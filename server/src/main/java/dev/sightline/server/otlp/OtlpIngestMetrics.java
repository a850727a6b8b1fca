package dev.sightline.server.otlp;

import dev.sightline.ingest.otlp.OtlpResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Self-metrics of the OTLP metrics-export endpoints (HTTP /v1/metrics and gRPC), counting requests and data points
 * rather than holding OTLP metric data: {@code sightline_ingest_otlp_data_points_total{protocol,result}} (result
 * "accepted" or the refusal reason; a histogram point counts once) and
 * {@code sightline_ingest_otlp_requests_total{protocol,code}} (HTTP status, or the gRPC status name).
 */
final class OtlpIngestMetrics {
    static final String HTTP = "otlp_http";
    static final String GRPC = "otlp_grpc";

    private final Counter points;
    private final Counter requests;

    OtlpIngestMetrics(PrometheusRegistry registry) {
        this.points = Counter.builder()
                .name("sightline_ingest_otlp_data_points_total")
                .help("OTLP metric data points received, by protocol and result: accepted, or the reason they were refused.")
                .labelNames("protocol", "result")
                .register(registry);
        this.requests = Counter.builder()
                .name("sightline_ingest_otlp_requests_total")
                .help("OTLP metrics export requests by protocol and the status answered (HTTP code or gRPC status).")
                .labelNames("protocol", "code")
                .register(registry);
    }

    void request(String protocol, String code, OtlpResult result) {
        requests.labelValues(protocol, code).inc();
        if (result == null) {
            return;
        }
        if (result.acceptedPoints() > 0) {
            points.labelValues(protocol, "accepted").inc(result.acceptedPoints());
        }
        result.rejectedByReason().forEach((reason, n) -> points.labelValues(protocol, reason).inc(n));
    }
}
