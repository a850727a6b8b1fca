package dev.sightline.server.services;

import java.util.regex.Pattern;

/**
 * Where a service's golden signals come from: one latency histogram per request (native, or classic
 * {@code _bucket}/{@code _count}), the label naming the service, which requests failed, and which series are the
 * service's entry points. Requests are the histogram's count, so one histogram gives rate, errors and duration.
 *
 * @param id            name of the source in the API
 * @param serviceLabel  the label whose value is the service name
 * @param histogram     the latency histogram (seconds)
 * @param errors        matchers selecting the failed requests
 * @param entryLabel    label telling entry points from internal calls, or null when every series is an entry point
 * @param entryMatcher  matcher selecting the entry points (null with {@code entryLabel})
 * @param entryValues   the entry points' values of {@code entryLabel}, the same set as {@code entryMatcher}
 * @param operation     label naming the operation (span name, route), for the per-operation panels
 * @param metricPrefix  what the name of every metric of the source starts with (what alert rules on it select)
 */
record SignalSource(String id, String serviceLabel, String histogram, String errors, String entryLabel,
                    String entryMatcher, Pattern entryValues, String operation, String metricPrefix) {
    private static final String ENTRY_KINDS = "SPAN_KIND_SERVER|SPAN_KIND_CONSUMER";

    /**
     * Span metrics as the metrics generator writes them (docs/span-metrics.md). A request is a SERVER or CONSUMER
     * span; a service without such spans (a batch job) is measured on all of its spans, as examples/rules/golden-signals.yml does.
     */
    static final SignalSource SPANS = new SignalSource("spanmetrics", "service", "traces_spanmetrics_latency",
            "status_code=\"STATUS_CODE_ERROR\"", "span_kind", "span_kind=~\"" + ENTRY_KINDS + "\"",
            Pattern.compile(ENTRY_KINDS), "span_name", "traces_spanmetrics_");

    /**
     * OpenTelemetry's HTTP server semantic conventions: http.server.request.duration as the OTLP receiver names it,
     * the service in {@code job} (service.namespace/service.name), a 5xx status a failure.
     */
    static final SignalSource HTTP = new SignalSource("http", "job", "http_server_request_duration_seconds",
            "http_response_status_code=~\"5..\"", null, null, null, "http_route", "http_server_request_duration_seconds");

    boolean isEntry(String entryValue) {
        return entryLabel == null || (entryValue != null && entryValues.matcher(entryValue).matches());
    }

    /** Requests per second by {@code by} over {@code [window]}, from the classic {@code _count} or the native count. */
    String rate(String selector, String by, String window) {
        String grouping = by.isEmpty() ? "sum" : "sum by (" + by + ")";
        return grouping + " (rate(" + histogram + "_count{" + selector + "}[" + window + "])) or "
                + grouping + " (histogram_count(rate(" + histogram + "{" + selector + "}[" + window + "])))";
    }

    /** The q-quantile of the duration by {@code by}, from the native histogram where written, else the classic buckets. */
    String quantile(double q, String selector, String by, String window) {
        String nativeBy = by.isEmpty() ? "sum" : "sum by (" + by + ")";
        String classicBy = by.isEmpty() ? "sum by (le)" : "sum by (" + by + ", le)";
        return "histogram_quantile(" + q + ", " + nativeBy + " (rate(" + histogram + "{" + selector + "}[" + window + "])))"
                + " or histogram_quantile(" + q + ", " + classicBy + " (rate(" + histogram + "_bucket{" + selector + "}[" + window + "])))";
    }

    /** Every bucket's rate: one native histogram, or the classic buckets by {@code le} (what the heatmap panel draws). */
    String buckets(String selector, String window) {
        return "sum(rate(" + histogram + "{" + selector + "}[" + window + "])) or sum by (le) (rate(" + histogram
                + "_bucket{" + selector + "}[" + window + "]))";
    }

    /** One series per {@code by} seen over {@code [window]} in either form of the histogram. */
    String seen(String by, String window) {
        return "group by (" + by + ") (last_over_time(" + histogram + "_count[" + window + "])) or group by (" + by
                + ") (last_over_time(" + histogram + "[" + window + "]))";
    }

    /** The label names a per-service breakdown keeps: the service and, where there is one, the entry label. */
    String serviceAndEntry() {
        return entryLabel == null ? serviceLabel : serviceLabel + ", " + entryLabel;
    }
}
