package dev.sightline.synthetics.canary;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes each round's results as samples through the metric store's Appender, at the round's end time:
 * <ul>
 * <li>{@code sightline_canary_staleness_seconds{canary,reader}}: the age of the newest value the reader returned
 * when it was read. A reader that cannot be read this round keeps the age of the last value it was seen with,
 * growing, so an alert on staleness does not resolve because a reader went down (errors_total says why).</li>
 * <li>{@code sightline_canary_lag_seconds{canary,reader}}: write to first visible, in the rounds that saw it.</li>
 * <li>{@code sightline_canary_missing_total{canary,reader}}: rounds whose value the reader did not show in time.</li>
 * <li>{@code sightline_canary_errors_total{canary,reader,reason}}: rounds that ended with a failed read, by reason
 * (timeout, unreachable, bad_status, no_value, error); a failed write counts with no reader label.</li>
 * <li>{@code sightline_canary_last_success_timestamp_seconds{canary,reader}}: when the reader last showed a round's
 * value.</li>
 * </ul>
 * Reader labels from the configuration (a region) are added to every series of the reader. Counters live here,
 * not in a canary, so they stay monotonic across rounds and across reloads that restart a canary.
 */
final class CanaryMetrics {
    static final String STALENESS = "sightline_canary_staleness_seconds";
    static final String LAG = "sightline_canary_lag_seconds";
    static final String MISSING = "sightline_canary_missing_total";
    static final String ERRORS = "sightline_canary_errors_total";
    static final String LAST_SUCCESS = "sightline_canary_last_success_timestamp_seconds";

    private final Map<Labels, double[]> counters = new ConcurrentHashMap<>();

    /** Counts the round, then appends and commits its samples. */
    void record(Canary canary, Canary.RoundResult round, Appender appender) throws IOException {
        long t = round.endMs();
        Canary.WriteOutcome w = round.write();
        if (w.error() != null) {
            Labels l = Labels.of(Labels.METRIC_NAME, ERRORS, "canary", round.canary(), "reason", w.error().label());
            add(l, 1);
        }
        for (Canary.Outcome o : round.outcomes()) {
            Canary.Reader r = o.reader();
            Labels.Builder base = readerLabels(round.canary(), r.config);
            if (w.error() == null && !o.seen()) {
                add(series(base, MISSING), 1);
            } else {
                add(series(base, MISSING), 0);
            }
            if (o.error() != null) {
                add(series(base, ERRORS).toBuilder().set("reason", o.error().label()).build(), 1);
            }
            if (!Double.isNaN(r.stalenessSeconds)) {
                appender.append(0, series(base, STALENESS), t, r.stalenessSeconds);
            }
            if (o.seen()) {
                appender.append(0, series(base, LAG), t, r.lagSeconds);
            }
            if (r.lastSuccessMs > 0) {
                appender.append(0, series(base, LAST_SUCCESS), t, r.lastSuccessMs / 1000.0);
            }
        }
        // Every counter of this canary and its readers, also those not moved this round (a reader dropped by a
        // reload is not written any more; its counts come back if it does).
        for (Map.Entry<Labels, double[]> e : counters.entrySet()) {
            String reader = e.getKey().get("reader");
            if (round.canary().equals(e.getKey().get("canary")) && (reader == null || canary.hasReader(reader))) {
                appender.append(0, e.getKey(), t, e.getValue()[0]);
            }
        }
        appender.commit();
    }

    /** The labels of a reader's series, the metric name left to set. */
    static Labels.Builder readerLabels(String canary, CanaryConfig.Reader reader) {
        Labels.Builder b = Labels.builder();
        reader.labels().forEach(b::set);
        return b.set("canary", canary).set("reader", reader.name());
    }

    private static Labels series(Labels.Builder base, String name) {
        return base.set(Labels.METRIC_NAME, name).build();
    }

    private void add(Labels series, double delta) {
        counters.computeIfAbsent(series, k -> new double[1])[0] += delta;
    }

    /** A reader's rounds without its value in time. */
    double missing(String canary, CanaryConfig.Reader reader) {
        double[] v = counters.get(series(readerLabels(canary, reader), MISSING));
        return v == null ? 0 : v[0];
    }

    /** A reader's failed rounds, all reasons. */
    double errors(String canary, CanaryConfig.Reader reader) {
        double sum = 0;
        for (Map.Entry<Labels, double[]> e : counters.entrySet()) {
            Labels l = e.getKey();
            if (ERRORS.equals(l.get(Labels.METRIC_NAME)) && canary.equals(l.get("canary")) && reader.name().equals(l.get("reader"))) {
                sum += e.getValue()[0];
            }
        }
        return sum;
    }
}
