package dev.sightline.server.services;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.logs.LogAppender;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A server state with a service at every maturity level, on top of {@link ServiceData}:
 * <ul>
 *   <li>1 frontend: log lines only, without trace ids;</li>
 *   <li>2 node (a bare node_exporter scrape) and web (HTTP golden signals, but no rule selects them);</li>
 *   <li>3 batch and archive: span metrics and a rule on every service's span latency (classic buckets: batch)
 *   or span errors (the calls counter: the others);</li>
 *   <li>4 payments: also spans under checkout's spans and log lines with trace ids;</li>
 *   <li>4 checkout, 5 once a passed drill is recorded ({@link #recordDrill}): also an anomaly rule on its
 *   orders_total and a canary reading its metrics.</li>
 * </ul>
 */
final class MaturityData {
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    private MaturityData() {
    }

    /** The configuration: the rule file and the canary (its targets unreachable: configured is what counts). */
    static String config(Path dir) throws Exception {
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: golden
                    rules:
                      - alert: SpanLatencyHigh
                        expr: histogram_quantile(0.99, sum by (service, le) (rate(traces_spanmetrics_latency_bucket[5m]))) > 2
                      - alert: SpanErrors
                        expr: sum by (service) (rate(traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR"}[5m])) > 0
                      - alert: ElsewhereErrors
                        expr: rate(http_server_request_duration_seconds_count{job="elsewhere"}[5m]) > 0
                      - record: web:requests:rate5m
                        expr: rate(http_server_request_duration_seconds_count{job="web"}[5m])
                  - name: business
                    rules:
                      - alert: CheckoutOrdersAnomalous
                        expr: abs(seasonal_zscore(orders_total{job="checkout"}[1h], 3600)) > 3
                      - alert: PaymentsOrdersStopped
                        expr: rate(orders_total{job="payments"}[5m]) == 0
                """);
        return """
                rule_files: [rules.yml]
                canaries:
                  - name: checkout-db
                    interval: 1h
                    timeout: 1s
                    write: {http: {url: "http://127.0.0.1:1/canary"}}
                    readers:
                      - {name: replica, labels: {service: checkout}, http: {url: "http://127.0.0.1:1/canary"}}
                journeys:
                  inline:
                    - name: node-status
                      services: [node]
                      interval: 1h
                      steps: [{name: status, request: {url: "http://127.0.0.1:1/status"}, assert: [{status: 200}]}]
                """;
    }

    static void write(RunningServer server, long nowMs) throws Exception {
        ServiceData.write(server.storage().appender(), nowMs);
        Appender app = server.storage().appender();
        for (int i = 0; i < 4; i++) {
            long t = nowMs - (3 - i) * 15_000L;
            app.append(0, Labels.of("__name__", "up", "job", "node", "instance", "host:9100"), t, 1);
            app.append(0, Labels.of("__name__", "node_cpu_seconds_total", "job", "node", "instance", "host:9100",
                    "cpu", "0", "mode", "idle"), t, 1000 + i);
            app.append(0, Labels.of("__name__", "orders_total", "job", "checkout"), t, 50 + i);
            app.append(0, Labels.of("__name__", "orders_total", "job", "payments"), t, 40 + i);
        }
        app.commit();

        long ns = nowMs * 1_000_000L;
        var spans = server.server().spans().appender();
        long hi = Long.parseUnsignedLong(TRACE_ID.substring(0, 16), 16), lo = Long.parseUnsignedLong(TRACE_ID.substring(16), 16);
        spans.append(resource("checkout"), InstrumentationScope.EMPTY, span(hi, lo, 0x11, 0, "POST /checkout", SpanKind.SERVER, ns - 2_000_000_000L));
        spans.append(resource("checkout"), InstrumentationScope.EMPTY, span(hi, lo, 0x12, 0x11, "charge", SpanKind.CLIENT, ns - 1_900_000_000L));
        spans.append(resource("payments"), InstrumentationScope.EMPTY, span(hi, lo, 0x13, 0x12, "POST /pay", SpanKind.SERVER, ns - 1_800_000_000L));
        // batch's trace stays inside batch: no context crosses.
        spans.append(resource("batch"), InstrumentationScope.EMPTY, span(7, 7, 0x21, 0, "nightly", SpanKind.INTERNAL, ns - 1_000_000_000L));
        spans.append(resource("batch"), InstrumentationScope.EMPTY, span(7, 7, 0x22, 0x21, "load", SpanKind.INTERNAL, ns - 900_000_000L));
        spans.commit();

        LogAppender logs = server.server().logs().appender();
        Labels traced = Labels.of("trace_id", TRACE_ID, "span_id", "0000000000000011");
        logs.append(Labels.of("service_name", "checkout"), ns - 1_500_000_000L, "order placed", traced);
        logs.append(Labels.of("service_name", "payments"), ns - 1_400_000_000L, "card charged", traced);
        logs.append(Labels.of("service_name", "payments", "env", "batch"), ns - 1_300_000_000L, "settlement run", Labels.EMPTY);
        logs.append(Labels.of("service_name", "batch"), ns - 1_200_000_000L, "nightly done", Labels.EMPTY);
        logs.append(Labels.of("service_name", "frontend"), ns - 1_100_000_000L, "GET / 200", Labels.EMPTY);
        logs.commit();
    }

    /** Writes the drill record: one passed drill per service given, finished at {@code finished}. */
    static void recordDrill(Path dataDir, String finished, String... services) throws Exception {
        StringBuilder b = new StringBuilder("{\"results\": [");
        for (int i = 0; i < services.length; i++) {
            b.append(i == 0 ? "" : ", ").append("""
                    {"drill": "%s-latency", "service": "%s", "passed": true, "finished": "%s"}""".formatted(services[i], services[i], finished));
        }
        Path file = dataDir.resolve(Drills.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, b.append("]}").toString());
    }

    private static SpanResource resource(String service) {
        return new SpanResource(new Attributes.Builder().addString("service.name", service).build(), 0, "");
    }

    private static Span span(long hi, long lo, long id, long parent, String name, SpanKind kind, long start) {
        return new Span(hi, lo, id, parent, "", 1, name, kind, start, start + 50_000_000L, Attributes.EMPTY, 0,
                List.of(), 0, List.of(), 0, StatusCode.UNSET, "");
    }
}
