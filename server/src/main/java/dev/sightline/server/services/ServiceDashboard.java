package dev.sightline.server.services;

import dev.sightline.metricstore.Queryable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The golden-signal dashboard of one service, generated from what the metrics hold (no file): rate, errors,
 * duration distribution (heatmap of every bucket, and p50/p90/p99) and saturation from the process, runtime and
 * connection-pool metrics the service exports, in the dashboard model of the UI (docs/services.md).
 */
final class ServiceDashboard {
    /**
     * Saturation metrics a service may export (Prometheus client libraries, OpenTelemetry semantic conventions,
     * HikariCP), each drawn only when present. {@code %s} is the service's selector.
     */
    private record Saturation(String metric, String title, String expr, String legend, String unit) {
    }

    private static final List<Saturation> SATURATION = List.of(
            new Saturation("process_cpu_seconds_total", "Process CPU", "sum by (instance) (rate(process_cpu_seconds_total{%s}[5m]))", "{{instance}}", "cores"),
            new Saturation("process_cpu_time_seconds_total", "Process CPU", "sum by (instance) (rate(process_cpu_time_seconds_total{%s}[5m]))", "{{instance}}", "cores"),
            new Saturation("jvm_cpu_recent_utilization_ratio", "JVM CPU utilization", "jvm_cpu_recent_utilization_ratio{%s}", "{{instance}}", "percentunit"),
            new Saturation("process_resident_memory_bytes", "Resident memory", "process_resident_memory_bytes{%s}", "{{instance}}", "bytes"),
            new Saturation("jvm_memory_used_bytes", "JVM memory used", "sum by (instance, jvm_memory_type) (jvm_memory_used_bytes{%s})", "{{instance}} {{jvm_memory_type}}", "bytes"),
            new Saturation("db_client_connection_count", "Connection pool", "sum by (db_client_connection_pool_name, db_client_connection_state) (db_client_connection_count{%s})", "{{db_client_connection_pool_name}} {{db_client_connection_state}}", ""),
            new Saturation("db_client_connections_usage", "Connection pool", "sum by (pool_name, state) (db_client_connections_usage{%s})", "{{pool_name}} {{state}}", ""),
            new Saturation("hikaricp_connections_active", "HikariCP active connections", "sum by (pool) (hikaricp_connections_active{%s})", "{{pool}}", ""));

    private ServiceDashboard() {
    }

    static JsonObject model(GoldenSignals signals, Queryable storage, long nowMs, GoldenSignals.Service service) {
        SignalSource src = service.source();
        String sel = service.selector();
        String failed = sel + ", " + src.errors();
        String w = GoldenSignals.WINDOW;
        String requests = src.rate(sel, "", w);
        // 0 rather than nothing while requests succeed: an empty error panel would look like missing data.
        String errorRatio = "((" + src.rate(failed, "", w) + ") / (" + requests + ")) or (0 * (" + requests + "))";

        JsonArray now = new JsonArray()
                .add(stat("Requests/s", requests, "reqps", null))
                .add(stat("Error ratio", errorRatio, "percentunit",
                        thresholds(GoldenSignals.WARN_ERROR_RATIO, GoldenSignals.BAD_ERROR_RATIO)))
                .add(stat("p99 duration", src.quantile(0.99, sel, "", w), "s",
                        thresholds(GoldenSignals.WARN_P99_SECONDS, GoldenSignals.BAD_P99_SECONDS)));
        JsonArray traffic = new JsonArray()
                .add(panel("Requests/s by " + src.operation(), "timeseries", 6,
                        targets(src.rate(sel, src.operation(), w), "{{" + src.operation() + "}}"), new JsonObject().put("unit", "reqps")))
                .add(panel("Error ratio", "timeseries", 6, targets(errorRatio, "errors"), new JsonObject().put("unit", "percentunit")));
        JsonArray duration = new JsonArray()
                .add(panel("Duration distribution (every bucket)", "heatmap", 8, targets(src.buckets(sel, w), ""),
                        new JsonObject().put("unit", "s"))
                        .put("description", "Requests per second in each duration bucket: outliers a percentile hides stay visible."))
                .add(panel("Duration percentiles", "timeseries", 4, new JsonArray()
                        .add(target(src.quantile(0.5, sel, "", w), "p50"))
                        .add(target(src.quantile(0.9, sel, "", w), "p90"))
                        .add(target(src.quantile(0.99, sel, "", w), "p99")), new JsonObject().put("unit", "s")));
        JsonArray rows = new JsonArray()
                .add(row("Now", now))
                .add(row("Traffic and errors", traffic))
                .add(row("Duration", duration));
        JsonArray saturation = saturation(signals, storage, nowMs, service);
        if (!saturation.isEmpty()) {
            rows.add(row("Saturation", saturation));
        }
        return new JsonObject()
                .put("uid", "service-" + service.name())
                .put("title", service.name() + " · golden signals")
                .put("tags", new JsonArray().add("service").add("generated").add(src.id()))
                .put("refresh", "30s")
                .put("time", new JsonObject().put("range", "1h"))
                .put("variables", new JsonArray())
                .put("rows", rows);
    }

    /** A panel for each saturation metric the service exports now (by job: the service name, maybe with a namespace). */
    private static JsonArray saturation(GoldenSignals signals, Queryable storage, long nowMs, GoldenSignals.Service service) {
        String job = "job=~" + PromQl.string("(.+/)?" + PromQl.literalRegex(service.name()));
        String names = SATURATION.stream().map(Saturation::metric).collect(Collectors.joining("|"));
        Set<String> present = new HashSet<>();
        signals.each(storage, nowMs, "count by (__name__) ({__name__=~\"" + names + "\", " + job + "})",
                (s, v) -> present.add(s.labels().metricName()));
        JsonArray panels = new JsonArray();
        Set<String> titles = new HashSet<>();
        for (Saturation s : SATURATION) {
            // Two sources of one signal (e.g. both CPU metrics): the first listed is enough.
            if (present.contains(s.metric()) && titles.add(s.title())) {
                panels.add(panel(s.title(), "timeseries", 6, targets(s.expr().formatted(job), s.legend()),
                        new JsonObject().put("unit", s.unit())));
            }
        }
        return panels;
    }

    private static JsonObject row(String title, JsonArray panels) {
        return new JsonObject().put("title", title).put("collapsed", false).putNull("repeat").put("panels", panels);
    }

    private static JsonObject panel(String title, String type, int span, JsonArray targets, JsonObject options) {
        return new JsonObject().put("title", title).put("type", type).put("span", span).put("height", 240)
                .putNull("time_shift").put("description", "").put("targets", targets).put("options", options);
    }

    private static JsonObject stat(String title, String expr, String unit, JsonArray thresholds) {
        JsonObject options = new JsonObject().put("unit", unit).put("reduce", "last").put("sparkline", true);
        if (thresholds != null) {
            options.put("thresholds", thresholds);
        }
        return panel(title, "stat", 4, targets(expr, ""), options).put("height", 120);
    }

    /** green below {@code warn}, yellow from it, red from {@code bad}: the health verdict's thresholds. */
    private static JsonArray thresholds(double warn, double bad) {
        return new JsonArray()
                .add(new JsonObject().put("value", 0).put("color", "green"))
                .add(new JsonObject().put("value", warn).put("color", "yellow"))
                .add(new JsonObject().put("value", bad).put("color", "red"));
    }

    private static JsonArray targets(String expr, String legend) {
        return new JsonArray().add(target(expr, legend));
    }

    private static JsonObject target(String expr, String legend) {
        return new JsonObject().put("expr", expr).put("legend", legend);
    }
}
