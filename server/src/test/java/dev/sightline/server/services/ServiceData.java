package dev.sightline.server.services;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;

/**
 * Ten minutes of golden-signal data at 15 s ending at a given time, as the metrics generator and an OpenTelemetry
 * HTTP server would write it:
 * <ul>
 * <li>{@code checkout}: span metrics, SERVER spans with native latency histograms (schema 0): 200 spans per 15 s in
 * (0.03125, 0.0625] s and 1 in (0.25, 0.5] s, the seed's 10x outlier (0.5% of requests: p99 does not see it);
 * no errors, plus CLIENT spans that are not requests.</li>
 * <li>{@code payments}: span metrics, SERVER spans, 10% with status ERROR: bad.</li>
 * <li>{@code batch}: INTERNAL spans only (measured on all of them), classic buckets, p99 above 1 s: warn.</li>
 * <li>{@code web}: http_server_request_duration_seconds classic buckets in job web, 2% 5xx: warn. It also exports
 * process_cpu_seconds_total.</li>
 * <li>{@code archive}: span metrics last written 30 minutes ago: seen, without traffic now.</li>
 * </ul>
 */
final class ServiceData {
    static final int STEPS = 40;
    static final long STEP_MS = 15_000;
    private static final double[] LE = {0.05, 0.1, 0.5, 1, 2.5, 5, Double.POSITIVE_INFINITY};

    private ServiceData() {
    }

    static void write(Appender app, long nowMs) throws java.io.IOException {
        for (int i = 0; i <= STEPS; i++) {
            long t = nowMs - (STEPS - i) * STEP_MS;
            int n = i + 1;
            spans(app, t, "checkout", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET", "GET /cart", 200.0 * n, n);
            spans(app, t, "checkout", "SPAN_KIND_CLIENT", "STATUS_CODE_UNSET", "redis GET", 400.0 * n, 0);
            spans(app, t, "payments", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET", "POST /pay", 90.0 * n, 0);
            spans(app, t, "payments", "SPAN_KIND_SERVER", "STATUS_CODE_ERROR", "POST /pay", 10.0 * n, 0);
            classic(app, t, Labels.of("__name__", "traces_spanmetrics_latency", "service", "batch", "span_kind",
                    "SPAN_KIND_INTERNAL", "status_code", "STATUS_CODE_UNSET", "span_name", "nightly"), new double[]{0, 0, 0, 0, 5 * n, 5 * n, 5 * n});
            classic(app, t, Labels.of("__name__", "http_server_request_duration_seconds", "job", "web",
                    "http_response_status_code", "200", "http_route", "/"), new double[]{98 * n, 98 * n, 98 * n, 98 * n, 98 * n, 98 * n, 98 * n});
            classic(app, t, Labels.of("__name__", "http_server_request_duration_seconds", "job", "web",
                    "http_response_status_code", "503", "http_route", "/"), new double[]{0, 2 * n, 2 * n, 2 * n, 2 * n, 2 * n, 2 * n});
            app.append(0, Labels.of("__name__", "process_cpu_seconds_total", "job", "web", "instance", "web-1"), t, 0.2 * n * 15);
        }
        spans(app, nowMs - 1_815_000, "archive", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET", "GET /old", 10, 0);
        spans(app, nowMs - 1_800_000, "archive", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET", "GET /old", 20, 0);
        app.commit();
    }

    /** Span metrics of one series: the calls counter and a native histogram with {@code fast} spans in (2^-5, 2^-4] s and {@code slow} in (2^-2, 2^-1] s. */
    private static void spans(Appender app, long t, String service, String kind, String status, String name, double fast, double slow) {
        Labels labels = Labels.of("service", service, "span_kind", kind, "status_code", status, "span_name", name);
        app.append(0, with(labels, "traces_spanmetrics_calls_total"), t, fast + slow);
        double[] buckets = slow > 0 ? new double[]{fast, slow} : new double[]{fast};
        int[] offsets = slow > 0 ? new int[]{-4, 2} : new int[]{-4};
        int[] lengths = slow > 0 ? new int[]{1, 1} : new int[]{1};
        app.appendHistogram(0, with(labels, "traces_spanmetrics_latency"), t, new Histogram(
                Histogram.CounterResetHint.UNKNOWN, 0, 0, 0, fast + slow, fast * 0.05 + slow * 0.4,
                offsets, lengths, buckets, null, null, null, null));
    }

    /** A classic histogram: cumulative bucket counts for {@link #LE}, with its _count and _sum. */
    private static void classic(Appender app, long t, Labels labels, double[] cumulative) {
        String name = labels.metricName();
        for (int b = 0; b < LE.length; b++) {
            String le = Double.isInfinite(LE[b]) ? "+Inf" : Double.toString(LE[b]);
            app.append(0, labels.toBuilder().set("__name__", name + "_bucket").set("le", le).build(), t, cumulative[b]);
        }
        double count = cumulative[LE.length - 1];
        app.append(0, labels.toBuilder().set("__name__", name + "_count").build(), t, count);
        app.append(0, labels.toBuilder().set("__name__", name + "_sum").build(), t, count * 0.3);
    }

    private static Labels with(Labels labels, String name) {
        return labels.toBuilder().set("__name__", name).build();
    }
}
