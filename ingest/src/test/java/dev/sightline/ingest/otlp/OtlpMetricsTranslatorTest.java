package dev.sightline.ingest.otlp;

import com.google.protobuf.ByteString;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.MetricType;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OtlpMetricsTranslatorTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long SEC = 1_000_000_000L;
    private final OtlpMetricsTranslator translator = new OtlpMetricsTranslator(IngestLimits.DEFAULT);

    static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    static ExportMetricsServiceRequest request(Resource resource, Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource)
                .addScopeMetrics(ScopeMetrics.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("io.test.lib").setVersion("1.2.3"))
                        .addAllMetrics(List.of(metrics)))).build();
    }

    static ExportMetricsServiceRequest request(Metric... metrics) {
        return request(Resource.newBuilder().addAttributes(kv("service.name", "checkout")).build(), metrics);
    }

    static NumberDataPoint point(long t, double v, KeyValue... attrs) {
        return NumberDataPoint.newBuilder().setTimeUnixNano(t).setStartTimeUnixNano(T0).setAsDouble(v).addAllAttributes(List.of(attrs)).build();
    }

    static Metric sum(String name, String unit, boolean monotonic, AggregationTemporality temp, NumberDataPoint... points) {
        return Metric.newBuilder().setName(name).setUnit(unit).setSum(Sum.newBuilder().setIsMonotonic(monotonic)
                .setAggregationTemporality(temp).addAllDataPoints(List.of(points))).build();
    }

    static Metric gauge(String name, String unit, NumberDataPoint... points) {
        return Metric.newBuilder().setName(name).setUnit(unit).setGauge(Gauge.newBuilder().addAllDataPoints(List.of(points))).build();
    }

    private OtlpResult translate(CapturingSink sink, ExportMetricsServiceRequest req) {
        return translator.translate(req, sink, sink.context());
    }

    @Test
    void counterWithResourceScopeAndTargetInfo() {
        CapturingSink sink = new CapturingSink();
        Resource res = Resource.newBuilder().addAttributes(kv("service.name", "checkout")).addAttributes(kv("service.namespace", "shop"))
                .addAttributes(kv("service.instance.id", "pod-1")).addAttributes(kv("host.name", "node-7"))
                .addAttributes(kv("deployment.environment", "prod")).build();
        OtlpResult r = translate(sink, request(res, sum("http.server.requests", "{request}", true,
                AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point(T0 + 10 * SEC + 123_456, 42, kv("http.method", "GET")))));

        assertThat(r.acceptedPoints()).isEqualTo(1);
        assertThat(r.rejectedPoints()).isZero();
        assertThat(r.samplesAppended()).as("the counter and target_info").isEqualTo(2);
        assertThat(r.errorMessage()).isEmpty();
        CapturingSink.Sample s = sink.last("http_server_requests_total{http_method=\"GET\", instance=\"pod-1\", job=\"shop/checkout\", "
                + "otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}");
        assertThat(s.v()).isEqualTo(42);
        assertThat(s.t()).isEqualTo((T0 + 10 * SEC) / 1_000_000);
        CapturingSink.Sample info = sink.last("target_info{deployment_environment=\"prod\", host_name=\"node-7\", instance=\"pod-1\", job=\"shop/checkout\"}");
        assertThat(info.v()).isEqualTo(1);
        assertThat(info.t()).isEqualTo(s.t());
        assertThat(sink.types).containsEntry("http_server_requests_total", MetricType.COUNTER).containsEntry("target_info", MetricType.INFO);
    }

    @Test
    void noTargetInfoWithoutOtherResourceAttributes() {
        CapturingSink sink = new CapturingSink();
        translate(sink, request(gauge("queue.size", "{item}", point(T0, 3))));
        assertThat(sink.seriesNames()).containsExactly(
                "queue_size{job=\"checkout\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}");
    }

    @Test
    void gaugesAndNonMonotonicSumsAreGauges() {
        CapturingSink sink = new CapturingSink();
        translate(sink, request(gauge("cpu.utilization", "1", point(T0, 0.25)),
                sum("pool.connections", "{connection}", false, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point(T0, 7))));
        assertThat(sink.types).containsEntry("cpu_utilization_ratio", MetricType.GAUGE).containsEntry("pool_connections", MetricType.GAUGE);
        assertThat(sink.samples).extracting(s -> s.labels().metricName()).containsExactly("cpu_utilization_ratio", "pool_connections");
    }

    @Test
    void collidingAttributeNamesJoinValuesInKeyOrder() {
        CapturingSink sink = new CapturingSink();
        translate(sink, request(gauge("g", "", point(T0, 1, kv("a.b", "2"), kv("a_b", "1")))));
        assertThat(sink.samples.getFirst().labels().get("a_b")).isEqualTo("2;1");
    }

    @Test
    void deltaSumsAccumulateAndOverlapsAreRejected() {
        CapturingSink sink = new CapturingSink();
        AggregationTemporality delta = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
        String series = "jobs_total{job=\"checkout\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}";
        translate(sink, request(sum("jobs", "", true, delta, deltaPoint(T0, T0 + SEC, 5))));
        translate(sink, request(sum("jobs", "", true, delta, deltaPoint(T0 + SEC, T0 + 2 * SEC, 3))));
        assertThat(sink.value(series)).isEqualTo(8);

        OtlpResult overlap = translate(sink, request(sum("jobs", "", true, delta, deltaPoint(T0 + SEC, T0 + 3 * SEC, 100))));
        assertThat(overlap.rejectedPoints()).isEqualTo(1);
        assertThat(overlap.rejectedByReason()).containsEntry("out_of_order_sample", 1L);
        assertThat(overlap.errorMessage()).contains("jobs", "overlapping");

        OtlpResult duplicate = translate(sink, request(sum("jobs", "", true, delta, deltaPoint(T0 + SEC, T0 + 2 * SEC, 3))));
        assertThat(duplicate.rejectedPoints()).isEqualTo(1);

        translate(sink, request(sum("jobs", "", true, delta, deltaPoint(T0 + 2 * SEC, T0 + 3 * SEC, 2))));
        assertThat(sink.value(series)).isEqualTo(10);
        assertThat(translator.deltaSeries()).isEqualTo(1);
    }

    private static NumberDataPoint deltaPoint(long start, long end, double v) {
        return NumberDataPoint.newBuilder().setStartTimeUnixNano(start).setTimeUnixNano(end).setAsInt((long) v).build();
    }

    @Test
    void explicitHistogramBecomesClassicSeries() {
        CapturingSink sink = new CapturingSink();
        HistogramDataPoint p = HistogramDataPoint.newBuilder().setTimeUnixNano(T0).setCount(10).setSum(3.5)
                .addAllExplicitBounds(List.of(0.1, 1.0, 5.0)).addAllBucketCounts(List.of(2L, 5L, 0L, 3L))
                .addExemplars(Exemplar.newBuilder().setAsDouble(0.7).setTimeUnixNano(T0)
                        .setTraceId(ByteString.fromHex("0102030405060708090a0b0c0d0e0f10")).setSpanId(ByteString.fromHex("1112131415161718")))
                .build();
        Metric m = Metric.newBuilder().setName("rpc.duration").setUnit("s").setHistogram(io.opentelemetry.proto.metrics.v1.Histogram.newBuilder()
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE).addDataPoints(p)).build();
        OtlpResult r = translate(sink, request(m));
        assertThat(r.acceptedPoints()).isEqualTo(1);
        String common = "job=\"checkout\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"";
        assertThat(sink.value("rpc_duration_seconds_bucket{job=\"checkout\", le=\"0.1\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}")).isEqualTo(2);
        assertThat(sink.value("rpc_duration_seconds_bucket{job=\"checkout\", le=\"1\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}")).isEqualTo(7);
        assertThat(sink.value("rpc_duration_seconds_bucket{job=\"checkout\", le=\"5\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}")).isEqualTo(7);
        assertThat(sink.value("rpc_duration_seconds_bucket{job=\"checkout\", le=\"+Inf\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}")).isEqualTo(10);
        assertThat(sink.value("rpc_duration_seconds_sum{" + common + "}")).isEqualTo(3.5);
        assertThat(sink.value("rpc_duration_seconds_count{" + common + "}")).isEqualTo(10);
        assertThat(sink.exemplars).hasSize(1);
        CapturingSink.Ex ex = sink.exemplars.getFirst();
        assertThat(ex.series().get("le")).isEqualTo("1");
        assertThat(ex.labels()).isEqualTo(Labels.of("trace_id", "0102030405060708090a0b0c0d0e0f10", "span_id", "1112131415161718"));
        assertThat(ex.v()).isEqualTo(0.7);
    }

    @Test
    void deltaHistogramsAccumulate() {
        CapturingSink sink = new CapturingSink();
        for (int i = 0; i < 2; i++) {
            HistogramDataPoint p = HistogramDataPoint.newBuilder().setStartTimeUnixNano(T0 + i * SEC).setTimeUnixNano(T0 + (i + 1) * SEC)
                    .setCount(3).setSum(1.5).addExplicitBounds(1.0).addAllBucketCounts(List.of(1L, 2L)).build();
            translate(sink, request(Metric.newBuilder().setName("h").setHistogram(io.opentelemetry.proto.metrics.v1.Histogram.newBuilder()
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA).addDataPoints(p)).build()));
        }
        String common = "job=\"checkout\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"";
        assertThat(sink.value("h_bucket{job=\"checkout\", le=\"1\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}")).isEqualTo(2);
        assertThat(sink.value("h_bucket{job=\"checkout\", le=\"+Inf\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"}")).isEqualTo(6);
        assertThat(sink.value("h_count{" + common + "}")).isEqualTo(6);
        assertThat(sink.value("h_sum{" + common + "}")).isEqualTo(3.0);
    }

    @Test
    void exponentialHistogramBecomesNative() {
        CapturingSink sink = new CapturingSink();
        ExponentialHistogramDataPoint p = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T0).setScale(3).setCount(12).setSum(40)
                .setZeroCount(2).setZeroThreshold(1e-9)
                .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-2).addAllBucketCounts(List.of(1L, 0L, 0L, 4L, 3L)))
                .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(5).addAllBucketCounts(List.of(2L)))
                .build();
        translate(sink, request(exp("latency", "ms", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, p)));
        Histogram h = sink.samples.getFirst().h();
        assertThat(sink.samples.getFirst().labels().metricName()).isEqualTo("latency_milliseconds");
        assertThat(h.schema).isEqualTo(3);
        assertThat(h.count).isEqualTo(12);
        assertThat(h.sum).isEqualTo(40);
        assertThat(h.zeroCount).isEqualTo(2);
        assertThat(h.zeroThreshold).isEqualTo(1e-9);
        // OTLP index -2 is Prometheus index -1; the zero run of two buckets becomes a gap of 2.
        assertThat(h.positiveSpanOffsets).containsExactly(-1, 2);
        assertThat(h.positiveSpanLengths).containsExactly(1, 2);
        assertThat(h.positiveBuckets).containsExactly(1, 4, 3);
        assertThat(h.negativeSpanOffsets).containsExactly(6);
        assertThat(h.negativeBuckets).containsExactly(2);
        h.validate();
    }

    @Test
    void scalesAboveEightAreDownscaled() {
        CapturingSink sink = new CapturingSink();
        // Scale 10 -> 8 merges groups of 4 OTLP buckets: indexes 3..6 -> 0 and 1 (3>>2=0, 4..6>>2=1), -1 -> -1.
        ExponentialHistogramDataPoint p = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T0).setScale(10).setCount(15).setSum(1)
                .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(3).addAllBucketCounts(List.of(1L, 2L, 3L, 4L)))
                .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-1).addAllBucketCounts(List.of(5L)))
                .build();
        translate(sink, request(exp("x", "", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, p)));
        Histogram h = sink.samples.getFirst().h();
        assertThat(h.schema).isEqualTo(8);
        assertThat(h.positiveSpanOffsets).containsExactly(1);
        assertThat(h.positiveSpanLengths).containsExactly(2);
        assertThat(h.positiveBuckets).containsExactly(1, 9);
        assertThat(h.negativeSpanOffsets).containsExactly(0);
        assertThat(h.negativeBuckets).containsExactly(5);
    }

    @Test
    void scaleBelowMinusFourIsRejectedAndTheRestKept() {
        CapturingSink sink = new CapturingSink();
        ExponentialHistogramDataPoint bad = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T0).setScale(-5).setCount(1).build();
        OtlpResult r = translate(sink, request(exp("x", "", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, bad),
                gauge("ok", "", point(T0, 1))));
        assertThat(r.rejectedPoints()).isEqualTo(1);
        assertThat(r.acceptedPoints()).isEqualTo(1);
        assertThat(r.rejectedByReason()).containsEntry("invalid_histogram", 1L);
        assertThat(r.errorMessage()).startsWith("1 data point rejected: metric \"x\": exponential histogram scale -5");
        assertThat(sink.samples).extracting(s -> s.labels().metricName()).containsExactly("ok");
    }

    @Test
    void deltaExponentialHistogramsMergeAtTheCoarserScale() {
        CapturingSink sink = new CapturingSink();
        ExponentialHistogramDataPoint first = ExponentialHistogramDataPoint.newBuilder().setStartTimeUnixNano(T0).setTimeUnixNano(T0 + SEC)
                .setScale(2).setCount(2).setSum(3)
                .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(4).addAllBucketCounts(List.of(1L, 1L))).build();
        ExponentialHistogramDataPoint second = ExponentialHistogramDataPoint.newBuilder().setStartTimeUnixNano(T0 + SEC).setTimeUnixNano(T0 + 2 * SEC)
                .setScale(1).setCount(1).setSum(2)
                .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(2).addBucketCounts(1L)).build();
        AggregationTemporality delta = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
        translate(sink, request(exp("d", "", delta, first)));
        translate(sink, request(exp("d", "", delta, second)));
        Histogram h = sink.samples.getLast().h();
        // Scale 2 indexes 4 and 5 are scale 1 index 2: all three observations in one bucket (Prometheus index 3).
        assertThat(h.schema).isEqualTo(1);
        assertThat(h.count).isEqualTo(3);
        assertThat(h.sum).isEqualTo(5);
        assertThat(h.positiveSpanOffsets).containsExactly(3);
        assertThat(h.positiveBuckets).containsExactly(3);
    }

    private static Metric exp(String name, String unit, AggregationTemporality t, ExponentialHistogramDataPoint p) {
        return Metric.newBuilder().setName(name).setUnit(unit).setExponentialHistogram(ExponentialHistogram.newBuilder()
                .setAggregationTemporality(t).addDataPoints(p)).build();
    }

    @Test
    void summaryBecomesQuantileSeries() {
        CapturingSink sink = new CapturingSink();
        SummaryDataPoint p = SummaryDataPoint.newBuilder().setTimeUnixNano(T0).setCount(4).setSum(10)
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(2))
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(4)).build();
        translate(sink, request(Metric.newBuilder().setName("gc.pause").setUnit("s").setSummary(Summary.newBuilder().addDataPoints(p)).build()));
        String common = "job=\"checkout\", otel_scope_name=\"io.test.lib\", otel_scope_version=\"1.2.3\"";
        assertThat(sink.value("gc_pause_seconds{" + common + ", quantile=\"0.5\"}")).isEqualTo(2);
        assertThat(sink.value("gc_pause_seconds{" + common + ", quantile=\"0.99\"}")).isEqualTo(4);
        assertThat(sink.value("gc_pause_seconds_sum{" + common + "}")).isEqualTo(10);
        assertThat(sink.value("gc_pause_seconds_count{" + common + "}")).isEqualTo(4);
        assertThat(sink.types).containsEntry("gc_pause_seconds", MetricType.SUMMARY);
    }

    @Test
    void noRecordedValueIsAStalenessMarker() {
        CapturingSink sink = new CapturingSink();
        NumberDataPoint p = NumberDataPoint.newBuilder().setTimeUnixNano(T0)
                .setFlags(DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE).build();
        OtlpResult r = translate(sink, request(gauge("g", "", p)));
        assertThat(r.acceptedPoints()).isEqualTo(1);
        assertThat(Staleness.isStaleMarker(sink.samples.getFirst().v())).isTrue();
    }

    @Test
    void sinkRefusalsArePartialSuccessWithReasons() {
        CapturingSink sink = new CapturingSink() {
            @Override
            public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
                if (value < 0) {
                    throw new ValidationException(ValidationException.Reason.OUT_OF_ORDER_SAMPLE, "timestamp", "out of order sample");
                }
                return super.append(ref, labels, startTimestampMs, timestampMs, value);
            }
        };
        OtlpResult r = translate(sink, request(gauge("g", "", point(T0, 1, kv("k", "a")), point(T0, -1, kv("k", "b")),
                point(T0, -2, kv("k", "c")))));
        assertThat(r.acceptedPoints()).isEqualTo(1);
        assertThat(r.rejectedPoints()).isEqualTo(2);
        assertThat(r.rejectedByReason()).containsEntry("out_of_order_sample", 2L);
        assertThat(r.errorMessage()).isEqualTo("2 data points rejected: metric \"g\": out of order sample; metric \"g\": out of order sample");
    }

    @Test
    void metricWithoutDataIsRejected() {
        OtlpResult r = translate(new CapturingSink(), request(Metric.newBuilder().setName("empty").build()));
        assertThat(r.rejectedPoints()).isEqualTo(1);
        assertThat(r.rejectedByReason()).containsEntry(OtlpMetricsTranslator.UNSUPPORTED, 1L);
    }
}
