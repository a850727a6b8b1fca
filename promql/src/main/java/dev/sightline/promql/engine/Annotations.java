package dev.sightline.promql.engine;
import dev.sightline.core.text.GoFloats;

import dev.sightline.core.text.GoQuote;
import dev.sightline.promql.ast.PositionRange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Warnings and infos collected while evaluating a query, deduplicated by text as Prometheus does. Each keeps the
 * position of the expression it is about; {@link #warnings(String)} renders them as the API does, with
 * {@code (line:column)} of that expression in the query appended.
 */
public final class Annotations {
    public static final String WARNING = "PromQL warning";
    public static final String INFO = "PromQL info";

    private record Entry(boolean warning, String text, PositionRange pos) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public void warn(String textAfterPrefix, PositionRange pos) {
        add(true, WARNING + ": " + textAfterPrefix, pos);
    }

    public void info(String textAfterPrefix, PositionRange pos) {
        add(false, INFO + ": " + textAfterPrefix, pos);
    }

    private void add(boolean warning, String text, PositionRange pos) {
        String key = text + "@" + (pos == null ? -1 : pos.start());
        entries.putIfAbsent(key, new Entry(warning, text, pos));
    }

    public void merge(Annotations other) {
        other.entries.forEach(entries::putIfAbsent);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public List<String> warnings(String query) {
        return render(true, query);
    }

    public List<String> infos(String query) {
        return render(false, query);
    }

    private List<String> render(boolean warning, String query) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.warning != warning) {
                continue;
            }
            String s = e.text;
            if (query != null && e.pos != null && e.pos.start() >= 0) {
                s = s + " (" + position(query, e.pos.start()) + ")";
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Prometheus's "line:column" of a character offset, both 1-based. */
    static String position(String query, int pos) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < Math.min(pos, query.length()); i++) {
            if (query.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return line + ":" + (pos - lineStart + 1);
    }

    // The texts below are Prometheus's (util/annotations), so clients and test scripts can match them.

    public void invalidQuantile(double q, PositionRange pos) {
        warn("quantile value should be between 0 and 1, got " + GoFloats.formatG(q), pos);
    }

    public void invalidRatio(double q, double to, PositionRange pos) {
        warn("ratio value should be between -1 and 1, got " + GoFloats.formatG(q) + ", capping to " + GoFloats.formatG(to), pos);
    }

    public void badBucketLabel(String metricName, String label, PositionRange pos) {
        warn(withMetric("bucket label \"le\" is missing or has a malformed value of " + GoQuote.quote(label), metricName), pos);
    }

    public void mixedFloatsHistograms(String metricName, PositionRange pos) {
        warn("encountered a mix of histograms and floats for metric name " + GoQuote.quote(metricName), pos);
    }

    public void mixedFloatsHistogramsAgg(PositionRange pos) {
        warn("encountered a mix of histograms and floats for aggregation", pos);
    }

    public void mixedClassicNative(String metricName, PositionRange pos) {
        warn(withMetric("vector contains a mix of classic and native histograms", metricName), pos);
    }

    public void startTimeOverlap(String metricName, PositionRange pos) {
        warn("sample has start time that overlaps with previous sample timestamp for metric " + GoQuote.quote(metricName), pos);
    }

    public void nativeHistogramNotCounter(String metricName, PositionRange pos) {
        warn("this native histogram metric is not a counter: " + GoQuote.quote(metricName), pos);
    }

    public void nativeHistogramNotGauge(String metricName, PositionRange pos) {
        warn("this native histogram metric is not a gauge: " + GoQuote.quote(metricName), pos);
    }

    public void mixedExponentialCustom(String metricName, PositionRange pos) {
        warn("vector contains a mix of histograms with exponential and custom buckets schemas for metric name " + GoQuote.quote(metricName), pos);
    }

    public void incompatibleBucketLayoutInBinOp(String op, PositionRange pos) {
        warn("incompatible bucket layout encountered for binary operator " + op, pos);
    }

    public void possibleNonCounter(String metricName, PositionRange pos) {
        info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: " + GoQuote.quote(metricName), pos);
    }

    public void forcedMonotonicity(String metricName, PositionRange pos) {
        info(withMetric("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)", metricName), pos);
    }

    public void incompatibleTypesInBinOp(String lhsType, String op, String rhsType, PositionRange pos) {
        info("incompatible sample types encountered for binary operator " + GoQuote.quote(op) + ": " + lhsType + " " + op + " " + rhsType, pos);
    }

    public void histogramIgnoredInAggregation(String aggregation, PositionRange pos) {
        info("ignored histogram in " + aggregation + " aggregation", pos);
    }

    public void histogramIgnoredInMixedRange(String metricName, PositionRange pos) {
        info("ignored histograms in a range containing both floats and histograms for metric name " + GoQuote.quote(metricName), pos);
    }

    public void quantileNaNResult(String metricName, PositionRange pos) {
        info(withMetric("input to histogram_quantile has NaN observations, result is NaN", metricName), pos);
    }

    public void quantileNaNSkew(String metricName, PositionRange pos) {
        info(withMetric("input to histogram_quantile has NaN observations, result is skewed higher", metricName), pos);
    }

    public void fractionNaNs(String metricName, PositionRange pos) {
        info(withMetric("input to histogram_fraction has NaN observations, which are excluded from all fractions", metricName), pos);
    }

    /** op is Prometheus's HistogramOperation word: "addition", "subtraction" or "aggregation". */
    public void counterResetCollision(String op, PositionRange pos) {
        warn("conflicting counter resets during histogram " + op, pos);
    }

    public void mismatchedCustomBuckets(String op, PositionRange pos) {
        info("mismatched custom buckets were reconciled during " + op, pos);
    }

    public void sortIneffectiveInRange(PositionRange pos) {
        warn("sort is ineffective for range queries since results are always ordered by labels", pos);
    }

    private static String withMetric(String text, String metricName) {
        return metricName == null || metricName.isEmpty() ? text : text + " for metric name " + GoQuote.quote(metricName);
    }
}
