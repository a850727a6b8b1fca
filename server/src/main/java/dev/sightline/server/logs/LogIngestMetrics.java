package dev.sightline.server.logs;

import dev.sightline.ingest.logs.LogResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Self-metrics of every log endpoint (OTLP/gRPC, OTLP/HTTP, Loki push JSON and protobuf, NDJSON):
 * {@code sightline_ingest_log_lines_total{protocol,result}} (result "accepted", or the reason an entry was refused,
 * with Loki's names: line_too_long, greater_than_max_sample_age, too_far_in_future, max_label_names_per_series, ...),
 * {@code sightline_ingest_log_bytes_total{protocol,result}} (UTF-8 bytes of the lines, result "accepted" or
 * "rejected") and {@code sightline_ingest_log_requests_total{protocol,code}} (HTTP status, or the gRPC status name).
 */
public final class LogIngestMetrics {
    private final Counter lines;
    private final Counter bytes;
    private final Counter requests;

    public LogIngestMetrics(PrometheusRegistry registry) {
        this.lines = Counter.builder()
                .name("sightline_ingest_log_lines_total")
                .help("Log lines received, by protocol and result: accepted, or the reason the line was refused.")
                .labelNames("protocol", "result")
                .register(registry);
        this.bytes = Counter.builder()
                .name("sightline_ingest_log_bytes_total")
                .help("UTF-8 bytes of log lines received, by protocol and result: accepted or rejected.")
                .labelNames("protocol", "result")
                .register(registry);
        this.requests = Counter.builder()
                .name("sightline_ingest_log_requests_total")
                .help("Log push requests by protocol and the status answered (HTTP code or gRPC status).")
                .labelNames("protocol", "code")
                .register(registry);
    }

    /** One answered request; {@code result} is null when nothing was decoded or stored. */
    public void request(String protocol, String code, LogResult result) {
        requests.labelValues(protocol, code).inc();
        if (result == null) {
            return;
        }
        if (result.accepted() > 0) {
            lines.labelValues(protocol, "accepted").inc(result.accepted());
            bytes.labelValues(protocol, "accepted").inc(result.acceptedBytes());
        }
        result.rejectedBy().forEach((why, n) -> lines.labelValues(protocol, why.reason()).inc(n));
        if (result.rejectedBytes() > 0) {
            bytes.labelValues(protocol, "rejected").inc(result.rejectedBytes());
        }
    }
}
