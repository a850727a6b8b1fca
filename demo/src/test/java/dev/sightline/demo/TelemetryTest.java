package dev.sightline.demo;

import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.IncidentSchedule;
import dev.sightline.demo.sim.SimClock;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TelemetryTest {
    /** A simulated time two days back: the SDKs must stamp what they send with it, not with the wall clock. */
    private static final long T = Instant.parse("2026-12-04T14:00:00Z").toEpochMilli();

    private static final SimClock FIXED = new SimClock() {
        @Override
        public long millis() {
            return T;
        }

        @Override
        public void sleepUntil(long deadline) {
        }
    };

    @Test
    void sendsMetricsTracesAndLogsOfEachServiceOnTheSimulationsClock() throws Exception {
        Map<String, Metric> metrics = new HashMap<>();
        List<Span> spans = new ArrayList<>();
        List<io.opentelemetry.proto.logs.v1.LogRecord> logs = new ArrayList<>();
        try (OtlpCapture server = new OtlpCapture(200, new byte[0])) {
            Telemetry telemetry = new Telemetry(server.uri(), List.of(Company.TRADING, Company.ORDERS, Company.PAYMENTS,
                    Company.CACHE, Company.PRICER, Company.RIDER_APP, Company.DRIVER_APP), Duration.ofHours(1), FIXED);
            Company company = new Company(1, IncidentSchedule.NONE);
            Traffic traffic = new Traffic(telemetry, company, 1);
            for (long t = T - 20_000; t <= T; t += 1_000) {
                company.step(t, 1_000, telemetry, true);
                traffic.tick(t, 1_000);
            }
            telemetry.close();
            for (byte[] b : server.metrics) {
                ExportMetricsServiceRequest.parseFrom(b).getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList()
                        .forEach(sm -> sm.getMetricsList().forEach(m -> metrics.put(m.getName(), m))));
            }
            for (byte[] b : server.traces) {
                ExportTraceServiceRequest.parseFrom(b).getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                        .forEach(ss -> spans.addAll(ss.getSpansList())));
            }
            for (byte[] b : server.logs) {
                ExportLogsServiceRequest.parseFrom(b).getResourceLogsList().forEach(rl -> rl.getScopeLogsList()
                        .forEach(sl -> logs.addAll(sl.getLogRecordsList())));
            }
        }
        assertThat(metrics.get("orders_placed").getSum().getDataPoints(0).getTimeUnixNano()).isEqualTo(T * 1_000_000);
        assertThat(metrics.get("pnl_unrealized_dollars").hasGauge()).isTrue();
        // The surge multiplier is an exponential histogram (a native histogram on the server).
        assertThat(metrics.get("surge_multiplier").hasExponentialHistogram()).isTrue();

        // Calls cross services: a SERVER span in the callee has the caller's CLIENT span as parent, same trace.
        Set<String> crossings = new HashSet<>();
        for (Span s : spans) {
            if (s.getKind() == Span.SpanKind.SPAN_KIND_SERVER && !s.getParentSpanId().isEmpty()) {
                Span parent = spans.stream().filter(p -> p.getSpanId().equals(s.getParentSpanId())).findFirst().orElseThrow();
                assertThat(parent.getTraceId()).isEqualTo(s.getTraceId());
                assertThat(parent.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
                crossings.add(parent.getName());
            }
        }
        assertThat(crossings).contains("POST /payments", "GET /products/{id}", "GET /quote");
        assertThat(spans).allMatch(s -> s.getStartTimeUnixNano() >= (T - 21_000) * 1_000_000L && s.getEndTimeUnixNano() <= (T + 10_000) * 1_000_000L);

        // Logs are JSON lines carrying their span's trace id, both as the record's context and in the body.
        assertThat(logs).isNotEmpty().allSatisfy(l -> {
            assertThat(l.getTraceId().isEmpty()).isFalse();
            String hex = java.util.HexFormat.of().formatHex(l.getTraceId().toByteArray());
            assertThat(l.getBody().getStringValue()).startsWith("{\"event\":").contains("\"trace_id\":\"" + hex + "\"");
        });
    }
}
