package dev.sightline.demo;

import com.sun.net.httpserver.HttpServer;
import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.IncidentSchedule;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackfillTest {
    private static final long FROM = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();

    /** A server that keeps the requests and answers {@code status} with the given body. */
    private static HttpServer server(List<ExportMetricsServiceRequest> got, int status, byte[] body) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        s.createContext("/v1/metrics", ex -> {
            assertThat(ex.getRequestHeaders().getFirst("Content-Type")).isEqualTo("application/x-protobuf");
            got.add(ExportMetricsServiceRequest.parseFrom(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    @Test
    void sendsOldCumulativeCountersAndGaugesAsTheLiveServicesResources() throws Exception {
        List<ExportMetricsServiceRequest> got = new CopyOnWriteArrayList<>();
        byte[] partial = ExportMetricsServiceResponse.newBuilder().setPartialSuccess(
                io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(2)).build().toByteArray();
        HttpServer s = server(got, 200, partial);
        try {
            long to = FROM + 3 * 3_600_000 + 30 * 60_000;
            Backfill.Result r = Backfill.run(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/"),
                    new Company(1, IncidentSchedule.NONE), FROM, to);
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
        } finally {
            s.stop(0);
        }
    }

    @Test
    void aRefusedRequestStopsTheBackfillWithTheServersAnswer() throws Exception {
        HttpServer s = server(new CopyOnWriteArrayList<>(), 400, "bad things".getBytes());
        try {
            assertThatThrownBy(() -> Backfill.run(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + s.getAddress().getPort()),
                    new Company(1, IncidentSchedule.NONE), FROM, FROM + 10 * 60_000))
                    .isInstanceOf(IOException.class).hasMessageContaining("answered 400: bad things");
        } finally {
            s.stop(0);
        }
    }
}
