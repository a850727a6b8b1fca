package dev.sightline.ingest;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the number of distinct series per metric name, so one exporter that puts a request id in a label cannot
 * flood the index. Series are remembered by their label hash (a collision lets one extra series in, which is
 * harmless) for the life of the process; series that stop being written are not forgotten yet. One limiter fronts
 * the storage for every protocol (the server's ingest guards admit each new series of a batch through it), so a
 * metric's series count the same whichever way they arrive; decoders only report its refusals.
 */
public final class SeriesLimiter {
    private final int maxSeriesPerMetric;
    private final ConcurrentHashMap<String, Set<Integer>> seriesByMetric = new ConcurrentHashMap<>();

    /** {@code maxSeriesPerMetric} 0 means no limit. */
    public SeriesLimiter(int maxSeriesPerMetric) {
        this.maxSeriesPerMetric = maxSeriesPerMetric;
    }

    /** Lets a known series through, admits a new one while its metric is under the limit, else throws. */
    public void admit(Labels labels) {
        if (maxSeriesPerMetric == 0) {
            return;
        }
        String metric = labels.metricName();
        Set<Integer> seen = seriesByMetric.computeIfAbsent(metric, m -> ConcurrentHashMap.newKeySet());
        Integer hash = labels.hashCode();
        if (seen.contains(hash)) {
            return;
        }
        // Check-then-add may let a few concurrent new series past the limit; the bound stays approximate by that few.
        if (seen.size() >= maxSeriesPerMetric) {
            throw new ValidationException(ValidationException.Reason.SERIES_LIMIT_EXCEEDED, Labels.METRIC_NAME,
                    "metric \"" + metric + "\" already has " + seen.size() + " series, the limit (max_series_per_metric) is "
                            + maxSeriesPerMetric);
        }
        seen.add(hash);
    }

    /** Distinct series admitted so far for a metric name. */
    public int seriesOf(String metricName) {
        Set<Integer> s = seriesByMetric.get(metricName);
        return s == null ? 0 : s.size();
    }
}
