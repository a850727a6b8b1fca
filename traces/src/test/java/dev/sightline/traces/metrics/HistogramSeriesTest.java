package dev.sightline.traces.metrics;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistogramSeriesTest {
    private static final Labels BASE = Labels.of("service", "a");

    @Test
    void classicBucketsIncludeTheirUpperBound() {
        HistogramFamily f = new HistogramFamily("lat", List.of(0.1, 0.2, 0.4), HistogramMode.CLASSIC, 0, 100);
        assertThat(f.bucket(0)).isZero();
        assertThat(f.bucket(0.1)).isZero();
        assertThat(f.bucket(Math.nextUp(0.1))).isEqualTo(1);
        assertThat(f.bucket(0.2)).isEqualTo(1);
        assertThat(f.bucket(0.4)).isEqualTo(2);
        assertThat(f.bucket(0.41)).isEqualTo(3);
        assertThat(f.bucket(Double.POSITIVE_INFINITY)).isEqualTo(3);
        assertThat(f.le).containsExactly("0.1", "0.2", "0.4", "+Inf");
    }

    @Test
    void writesCumulativeBucketsSumAndCount() {
        HistogramFamily f = new HistogramFamily("lat", List.of(0.1, 0.2), HistogramMode.CLASSIC, 0, 100);
        HistogramSeries s = f.newSeries(BASE);
        s.observe(0.1, 0, 1, 1000);
        s.observe(0.15, 0, 2, 1001);
        s.observe(0.2, 0, 3, 1002);
        s.observe(3, 0, 4, 1003);
        s.observe(-1, 0, 5, 1004); // a span that ended before it started counts as 0
        TestSpans.Recorder r = new TestSpans.Recorder();
        SampleWriter w = new SampleWriter(r, "trace_id");
        s.write(w, 5000);
        assertThat(r.value(5000, "__name__", "lat_bucket", "service", "a", "le", "0.1")).isEqualTo(2);
        assertThat(r.value(5000, "__name__", "lat_bucket", "service", "a", "le", "0.2")).isEqualTo(4);
        assertThat(r.value(5000, "__name__", "lat_bucket", "service", "a", "le", "+Inf")).isEqualTo(5);
        assertThat(r.value(5000, "__name__", "lat_count", "service", "a")).isEqualTo(5);
        assertThat(r.value(5000, "__name__", "lat_sum", "service", "a")).isEqualTo(3.45);
        assertThat(r.samples).hasSize(5); // no native histogram in classic mode
        // One exemplar per bucket, the newest: bucket 0.1 saw trace 1 then 5, bucket 0.2 traces 2 and 3.
        assertThat(r.exemplars).extracting(e -> e.series().get("le") + "=" + e.labels().get("trace_id") + "@" + e.timestampMs())
                .containsExactlyInAnyOrder("0.1=00000000000000000000000000000005@1004",
                        "0.2=00000000000000000000000000000003@1002", "+Inf=00000000000000000000000000000004@1003");
        // Exemplars are written once: the next collection has none unless new spans came.
        r.exemplars.clear();
        s.write(w, 6000);
        assertThat(r.exemplars).isEmpty();
        assertThat(r.value(6000, "__name__", "lat_count", "service", "a")).isEqualTo(5);
    }

    @Test
    void nativeModeWritesOneHistogramWithItsExemplarsOldestFirst() {
        HistogramFamily f = new HistogramFamily("lat", List.of(1.0), HistogramMode.NATIVE, 0, 100);
        HistogramSeries s = f.newSeries(BASE);
        s.observe(2, 0, 7, 2000); // +Inf bucket
        s.observe(0.5, 0, 8, 1000); // bucket 1.0, older
        TestSpans.Recorder r = new TestSpans.Recorder();
        s.write(new SampleWriter(r, "traceID"), 5000);
        assertThat(r.samples).hasSize(1);
        Histogram h = r.histogram(5000, "__name__", "lat", "service", "a");
        assertThat(h.count).isEqualTo(2);
        assertThat(h.sum).isEqualTo(2.5);
        assertThat(h.schema).isZero();
        // 0.5 in bucket -1, 2 in bucket 1: two spans, the second one bucket (0) after the first.
        assertThat(h.positiveSpanOffsets).containsExactly(-1, 1);
        assertThat(h.positiveSpanLengths).containsExactly(1, 1);
        assertThat(h.positiveBuckets).containsExactly(1, 1);
        assertThat(r.exemplars).extracting(e -> e.labels().get("traceID") + "@" + e.timestampMs())
                .containsExactly("00000000000000000000000000000008@1000", "00000000000000000000000000000007@2000");
        assertThat(r.exemplars).allMatch(e -> e.series().equals(Labels.of("__name__", "lat", "service", "a")));
    }

    @Test
    void bothModeStartsFromZeroInEveryForm() {
        HistogramFamily f = new HistogramFamily("lat", List.of(1.0), HistogramMode.BOTH, 3, 100);
        HistogramSeries s = f.newSeries(BASE);
        TestSpans.Recorder r = new TestSpans.Recorder();
        s.writeStart(new SampleWriter(r, "trace_id"), 999);
        assertThat(r.histogram(999, "__name__", "lat", "service", "a").count).isZero();
        assertThat(r.histogram(999, "__name__", "lat", "service", "a").schema).isEqualTo(3);
        assertThat(r.value(999, "__name__", "lat_bucket", "service", "a", "le", "+Inf")).isZero();
        assertThat(r.samples).hasSize(5);
    }
}
