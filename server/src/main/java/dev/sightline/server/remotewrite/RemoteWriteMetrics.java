package dev.sightline.server.remotewrite;

import dev.sightline.core.ValidationException.Reason;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Locale;
import java.util.Map;

/**
 * Self-metrics of the remote-write endpoint, registered once in the shared registry:
 * {@code sightline_ingest_samples_total{protocol,result}} (result "accepted" or the refusal reason) and
 * {@code sightline_ingest_requests_total{protocol,code}}, with protocol "prometheus_remote_write". Only remote write
 * records here despite the protocol-neutral names: OTLP counts in {@code OtlpIngestMetrics}, scrapes in their own
 * per-target series (up, scrape_samples_scraped, ...).
 */
public final class RemoteWriteMetrics {
    private final Counter samples;
    private final Counter requests;

    public RemoteWriteMetrics(PrometheusRegistry registry) {
        this.samples = Counter.builder()
                .name("sightline_ingest_samples_total")
                .help("Samples (floats and native histograms) received, by protocol and result: accepted, or the reason they were refused.")
                .labelNames("protocol", "result")
                .register(registry);
        this.requests = Counter.builder()
                .name("sightline_ingest_requests_total")
                .help("Ingestion requests by protocol and HTTP status code answered.")
                .labelNames("protocol", "code")
                .register(registry);
    }

    public void record(String protocol, int code, long accepted, Map<Reason, Long> rejected) {
        requests.labelValues(protocol, Integer.toString(code)).inc();
        if (accepted > 0) {
            samples.labelValues(protocol, "accepted").inc(accepted);
        }
        rejected.forEach((reason, n) -> samples.labelValues(protocol, reason.name().toLowerCase(Locale.ROOT)).inc(n));
    }
}
