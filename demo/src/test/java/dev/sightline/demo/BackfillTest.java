package dev.sightline.demo;

import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.IncidentSchedule;
import dev.sightline.demo.sim.SignalSource;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackfillTest {
    private static final long FROM = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();

    @Test
    void sendsOldCumulativeCountersAndGaugesAsTheLiveServicesResources() throws Exception {
        byte[] partial = ExportMetricsServiceResponse.newBuilder().setPartialSuccess(
                io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(2)).build().toByteArray();
        try (OtlpCapture s = new OtlpCapture(200, partial)) {
            long to = FROM + 3 * 3_600_000 + 30 * 60_000;
            Backfill.Result r = Backfill.run(HttpClient.newHttpClient(), URI.create(s.uri() + "/"),
                    new Company(1, IncidentSchedule.NONE), FROM, to);
            List<ExportMetricsServiceRequest> got = new ArrayList<>();
            for (byte[] b : s.metrics) {
                got.add(ExportMetricsServiceRequest.parseFrom(b));
            }
            // 3.5 hours of minutes (the last step stops before `to`), an hour per request.
            assertThat(got).hasSize(4);
            assertThat(r.rejected()).isEqualTo(8);
            Map<String, Long> lastOrders = new HashMap<>();
            long points = 0;
            long maxTime = 0;
            for (ExportMetricsServiceRequest req : got) {
                for (ResourceMetrics rm : req.getResourceMetricsList()) {
                    Map<String, String> resource = new HashMap<>();
                    for (KeyValue kv : rm.getResource().getAttributesList()) {
                        resource.put(kv.getKey(), kv.getValue().getStringValue());
                    }
                    assertThat(resource).isEqualTo(Telemetry.resource(resource.get("service.name")));
                    assertThat(rm.getScopeMetrics(0).getScope().getName()).isEqualTo(Telemetry.SCOPE);
                    for (Metric m : rm.getScopeMetrics(0).getMetricsList()) {
                        List<NumberDataPoint> dps = m.hasSum() ? m.getSum().getDataPointsList() : m.getGauge().getDataPointsList();
                        assertThat(m.hasSum() || m.hasGauge()).isTrue();
                        for (NumberDataPoint p : dps) {
                            points++;
                            assertThat(p.getTimeUnixNano()).isGreaterThan(FROM * 1_000_000).isLessThan(to * 1_000_000);
                            assertThat(p.getTimeUnixNano() % 60_000_000_000L).isZero();
                            maxTime = Math.max(maxTime, p.getTimeUnixNano());
                            if (m.getName().equals("orders_placed")) {
                                assertThat(m.getSum().getIsMonotonic()).isTrue();
                                assertThat(p.getStartTimeUnixNano()).isEqualTo(FROM * 1_000_000);
                                String key = p.getAttributesList().toString();
                                long prev = lastOrders.getOrDefault(key, 0L);
                                assertThat(p.getAsInt()).as("cumulative").isGreaterThanOrEqualTo(prev);
                                lastOrders.put(key, p.getAsInt());
                            }
                        }
                    }
                }
            }
            assertThat(points).isEqualTo(r.points());
            assertThat(maxTime).isEqualTo((to - 60_000) * 1_000_000);
            assertThat(lastOrders).hasSize(Company.STRATEGIES.size() * Company.SYMBOLS.size() * 2);
        }
    }

    @Test
    void aRefusedRequestStopsTheBackfillWithTheServersAnswer() throws Exception {
        try (OtlpCapture s = new OtlpCapture(400, "bad things".getBytes())) {
            assertThatThrownBy(() -> Backfill.run(HttpClient.newHttpClient(), s.uri(),
                    new Company(1, IncidentSchedule.NONE), FROM, FROM + 10 * 60_000))
                    .isInstanceOf(IOException.class).hasMessageContaining("answered 400: bad things");
            assertThat(s.metrics).hasSize(1);
        }
    }

    @Test
    void aReplayWithHistogramsSendsCumulativeExponentialHistogramsOnePointPerStep() throws Exception {
        byte[] ok = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
        try (OtlpCapture s = new OtlpCapture(200, ok)) {
            Backfill b = Backfill.open(HttpClient.newHttpClient(), URI.create(s.uri() + "/"), FROM);
            b.sendUntil(new Company(1, IncidentSchedule.NONE), SignalSource.NONE, FROM + 10 * 60_000 + 1, 15_000, true);
            List<io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint> points = new ArrayList<>();
            for (byte[] body : s.metrics) {
                for (ResourceMetrics rm : ExportMetricsServiceRequest.parseFrom(body).getResourceMetricsList()) {
                    for (Metric m : rm.getScopeMetrics(0).getMetricsList()) {
                        if (m.getName().equals("surge_multiplier")) {
                            assertThat(m.getExponentialHistogram().getAggregationTemporality())
                                    .isEqualTo(io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
                            m.getExponentialHistogram().getDataPointsList().stream()
                                    .filter(p -> p.getAttributesList().stream().anyMatch(a -> a.getValue().getStringValue().equals("downtown")))
                                    .forEach(points::add);
                        }
                    }
                }
            }
            // 40 steps of 15 s; downtown has rides in every one of them at this seed's rates.
            assertThat(points).hasSize(40);
            long prev = 0;
            for (var p : points) {
                assertThat(p.getScale()).isEqualTo(3);
                assertThat(p.getStartTimeUnixNano()).isEqualTo(FROM * 1_000_000);
                long inBuckets = p.getPositive().getBucketCountsList().stream().mapToLong(Long::longValue).sum();
                assertThat(inBuckets + p.getZeroCount()).isEqualTo(p.getCount());
                assertThat(p.getCount()).isGreaterThan(prev);
                prev = p.getCount();
                // Quiet multipliers are 1 to 2.5: buckets (2^((i)/8), 2^((i+1)/8)] from i = -1 (up to 1.0) to 10.
                assertThat(p.getPositive().getOffset()).isGreaterThanOrEqualTo(-1);
                assertThat(p.getPositive().getOffset() + p.getPositive().getBucketCountsCount() - 1).isLessThanOrEqualTo(10);
                assertThat(p.getSum() / p.getCount()).isBetween(1.0, 2.5);
            }
        }
    }
}
