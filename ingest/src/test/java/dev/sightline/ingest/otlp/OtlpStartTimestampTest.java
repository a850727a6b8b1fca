package dev.sightline.ingest.otlp;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.SeriesRefCache;
import dev.sightline.ingest.TestAppender;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.sightline.ingest.otlp.OtlpMetricsTranslatorTest.gauge;
import static dev.sightline.ingest.otlp.OtlpMetricsTranslatorTest.kv;
import static dev.sightline.ingest.otlp.OtlpMetricsTranslatorTest.request;
import static dev.sightline.ingest.otlp.OtlpMetricsTranslatorTest.sum;
import static org.assertj.core.api.Assertions.assertThat;

/** OTLP start_time_unix_nano as the start timestamp of every sample a point produces. */
class OtlpStartTimestampTest {
    private static final long T = 1_700_000_100_000_000_000L;
    private static final long SEC = 1_000_000_000L;
    /** A start not on a millisecond: truncated like the timestamp. */
    private static final long START = T - 60 * SEC + 123_456;
    private static final long START_MS = (T - 60 * SEC) / 1_000_000;
    private static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
    private static final AggregationTemporality DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;

    private final OtlpMetricsTranslator translator = new OtlpMetricsTranslator(IngestLimits.DEFAULT);

    /**
     * Records "series st" per sample, with series names stripped of the labels every series here has. With a ref
     * cache it hands out a ref per label set and takes appends by ref alone, as storage does.
     */
    private static final class StSink extends TestAppender {
        final List<String> samples = new ArrayList<>();
        final SeriesRefCache cache;
        final Map<Long, Labels> byRef = new HashMap<>();
        final Map<Labels, Long> refs = new HashMap<>();
        int byRefAlone;

        StSink(SeriesRefCache cache) {
            this.cache = cache;
        }

        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            return record(ref, labels, startTimestampMs);
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
            return record(ref, labels, startTimestampMs);
        }

        private long record(long ref, Labels labels, long st) {
            if (labels == null) {
                labels = byRef.get(ref);
                byRefAlone++;
            }
            Labels l = labels;
            long r = refs.computeIfAbsent(l, k -> {
                byRef.put(byRef.size() + 1L, k);
                return (long) byRef.size();
            });
            String name = l.without("job", "otel_scope_name", "otel_scope_version").toString();
            samples.add(name + " " + st);
            return r;
        }

        @Override
        public SeriesRefCache seriesRefs() {
            return cache;
        }
    }

    private List<String> translate(StSink sink, Metric... metrics) {
        sink.samples.clear();
        OtlpResult r = translator.translate(request(metrics), sink, sink.context());
        assertThat(r.rejectedPoints()).as(r.errorMessage()).isZero();
        return sink.samples;
    }

    private static NumberDataPoint number(long start, long time, double v) {
        return NumberDataPoint.newBuilder().setStartTimeUnixNano(start).setTimeUnixNano(time).setAsDouble(v).build();
    }

    private static Metric histogram(AggregationTemporality temporality, long start, long time, double... bounds) {
        HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().setStartTimeUnixNano(start).setTimeUnixNano(time)
                .setCount(bounds.length + 1).setSum(2.5);
        for (double b : bounds) {
            p.addExplicitBounds(b).addBucketCounts(1);
        }
        p.addBucketCounts(1);
        return Metric.newBuilder().setName("h").setHistogram(io.opentelemetry.proto.metrics.v1.Histogram.newBuilder()
                .setAggregationTemporality(temporality).addDataPoints(p)).build();
    }

    private static Metric exponential(AggregationTemporality temporality, long start, long time) {
        return Metric.newBuilder().setName("e").setExponentialHistogram(ExponentialHistogram.newBuilder()
                .setAggregationTemporality(temporality).addDataPoints(ExponentialHistogramDataPoint.newBuilder()
                        .setStartTimeUnixNano(start).setTimeUnixNano(time).setScale(0).setCount(1).setSum(1)
                        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().addBucketCounts(1)))).build();
    }

    private static Metric summary(long start, long time) {
        return Metric.newBuilder().setName("s").setSummary(Summary.newBuilder().addDataPoints(SummaryDataPoint.newBuilder()
                .setStartTimeUnixNano(start).setTimeUnixNano(time).setCount(4).setSum(10)
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(2)))).build();
    }

    private static Metric[] everyKind(long start, long time) {
        return new Metric[]{
                sum("c", "", true, CUMULATIVE, number(start, time, 5)),
                sum("updown", "", false, CUMULATIVE, number(start, time, -2)),
                gauge("g", "", number(start, time, 1)),
                histogram(CUMULATIVE, start, time, 1.0),
                exponential(CUMULATIVE, start, time),
                summary(start, time)};
    }

    private static List<String> everyKindStarting(long stMs) {
        return List.of("c_total{} " + stMs, "updown{} " + stMs, "g{} 0",
                "h_sum{} " + stMs, "h_count{} " + stMs, "h_bucket{le=\"1\"} " + stMs, "h_bucket{le=\"+Inf\"} " + stMs,
                "e{} " + stMs,
                "s_sum{} " + stMs, "s_count{} " + stMs, "s{quantile=\"0.5\"} " + stMs);
    }

    @Test
    void everySampleOfACumulativePointStartsAtItsStartTimeAndGaugesHaveNone() {
        StSink sink = new StSink(null);
        assertThat(translate(sink, everyKind(START, T))).containsExactlyElementsOf(everyKindStarting(START_MS));
    }

    @Test
    void targetInfoHasNoStart() {
        StSink sink = new StSink(null);
        sink.samples.clear();
        translator.translate(request(Resource.newBuilder().addAttributes(kv("service.name", "svc"))
                .addAttributes(kv("host.name", "h1")).build(), sum("c", "", true, CUMULATIVE, number(START, T, 1))), sink, sink.context());
        assertThat(sink.samples).containsExactly("c_total{} " + START_MS, "target_info{host_name=\"h1\"} 0");
    }

    @Test
    void knownSeriesAppendedByRefKeepTheirStartAndSeeAReset() {
        StSink sink = new StSink(new SeriesRefCache(1024));
        translate(sink, everyKind(START, T));
        assertThat(translate(sink, everyKind(START, T + 10 * SEC))).containsExactlyElementsOf(everyKindStarting(START_MS));
        // Exponential histograms always go by labels; the other 10 series went by ref.
        assertThat(sink.byRefAlone).isEqualTo(10);
        // The counters restarted: a later start on the same refs.
        long restart = T + 15 * SEC;
        assertThat(translate(sink, everyKind(restart, T + 20 * SEC)))
                .containsExactlyElementsOf(everyKindStarting(restart / 1_000_000));
    }

    @Test
    void anUnknownStartGivesNone() {
        StSink sink = new StSink(null);
        assertThat(translate(sink, everyKind(0, T))).as("0: not set").containsExactlyElementsOf(everyKindStarting(0));
        assertThat(translate(sink, everyKind(T + SEC + 1, T + SEC))).as("after the point's time: unknown, as OTel marks it")
                .containsExactlyElementsOf(everyKindStarting(0));
        assertThat(translate(sink, everyKind(-1, T))).as("fixed64 is unsigned: after the point's time")
                .containsExactlyElementsOf(everyKindStarting(0));
        assertThat(translate(sink, everyKind(T + 3 * SEC, T + 3 * SEC))).as("at the point's time: a start")
                .containsExactlyElementsOf(everyKindStarting((T + 3 * SEC) / 1_000_000));
    }

    @Test
    void staleMarkersHaveNoStart() {
        StSink sink = new StSink(null);
        NumberDataPoint stale = number(START, T, 0).toBuilder()
                .setFlags(DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE).build();
        assertThat(translate(sink, sum("c", "", true, CUMULATIVE, stale))).containsExactly("c_total{} 0");
    }

    @Test
    void deltaTotalsStartWhenTheDeltaThatBeganThemStarted() {
        StSink sink = new StSink(null);
        long s0 = T;
        for (int i = 0; i < 3; i++) {
            // Back to back, then with a gap: one running total all along.
            long start = s0 + i * 10 * SEC + (i == 2 ? 5 * SEC : 0);
            long end = s0 + (i + 1) * 10 * SEC;
            assertThat(translate(sink, sum("c", "", true, DELTA, number(start, end, 1)), histogram(DELTA, start, end, 1.0),
                    exponential(DELTA, start, end))).as("delta %d", i)
                    .containsExactly("c_total{} " + s0 / 1_000_000, "h_sum{} " + s0 / 1_000_000, "h_count{} " + s0 / 1_000_000,
                            "h_bucket{le=\"1\"} " + s0 / 1_000_000, "h_bucket{le=\"+Inf\"} " + s0 / 1_000_000,
                            "e{} " + s0 / 1_000_000);
        }
        // A new bucket layout begins a new total (a counter reset): it starts with the delta that began it.
        long start = T + 30 * SEC;
        assertThat(translate(sink, histogram(DELTA, start, T + 40 * SEC, 1.0, 2.0)))
                .contains("h_count{} " + start / 1_000_000);
    }

    @Test
    void aDeltaTotalBegunWithoutAKnownStartHasNone() {
        StSink sink = new StSink(null);
        assertThat(translate(sink, sum("c", "", true, DELTA, number(0, T, 1)))).containsExactly("c_total{} 0");
        assertThat(translate(sink, sum("c", "", true, DELTA, number(T, T + SEC, 1)))).containsExactly("c_total{} 0");
        assertThat(translate(sink, sum("n", "", true, DELTA, number(T + 2 * SEC, T + SEC, 1)))).as("start after end")
                .containsExactly("n_total{} 0");
    }
}
