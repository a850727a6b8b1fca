package dev.sightline.ingest.otlp;

import com.google.protobuf.ByteString;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.SampleSink;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
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

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The streaming protobuf decoder against the translator over generated message classes it replaced
 * ({@link ReferenceTranslator}): random requests, decoded by both, must give the same samples, labels, metadata,
 * exemplars and partial-success results, request after request (delta totals included).
 */
class StreamingDecoderDifferentialTest {
    private static final String[] NAMES = {"http.server.duration", "requests", "queue_size", "things.total", "cpu.utilization", "9lives"};
    private static final String[] UNITS = {"", "s", "ms", "By", "1", "{req}", "By/s"};
    private static final String[] KEYS = {"method", "status", "a.b", "a_b", "weird key", "1digit", "_x", "__y", "", "service.name"};
    private static final String[] RESOURCE_KEYS = {"service.name", "service.namespace", "service.instance.id", "host.name",
            "k8s.pod.name", "a.b", "a_b", ""};

    /** Every event the translator hands the sink, in order. */
    record Event(String kind, Labels series, Labels labels, long t, long valueBits, Histogram h, String meta) {
    }

    static final class RecordingSink implements SampleSink {
        final List<Event> events = new ArrayList<>();

        @Override
        public long append(long ref, Labels labels, long timestampMs, double value) {
            events.add(new Event("sample", labels, null, timestampMs, Double.doubleToRawLongBits(value), null, null));
            return events.size();
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long timestampMs, Histogram histogram) {
            events.add(new Event("histogram", labels, null, timestampMs, 0, histogram, null));
            return events.size();
        }

        @Override
        public void appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
            events.add(new Event("exemplar " + ref, series, exemplarLabels, timestampMs, Double.doubleToRawLongBits(value), null, null));
        }

        @Override
        public void metadata(String metricFamilyName, MetricType type, String help, String unit) {
            events.add(new Event("metadata", null, null, 0, 0, null, metricFamilyName + "|" + type + "|" + help + "|" + unit));
        }
    }

    @Test
    void randomRequestsDecodeAsTheGeneratedClassesDo() throws Exception {
        for (int seed = 0; seed < 400; seed++) {
            Random rnd = new Random(seed);
            IngestLimits limits = IngestLimits.DEFAULT.withMaxSeriesPerMetric(seed % 3 == 0 ? 4 : 0);
            ReferenceTranslator reference = new ReferenceTranslator(limits);
            OtlpMetricsTranslator streaming = new OtlpMetricsTranslator(limits);
            long time = 1_700_000_000_000_000_000L;
            for (int request = 0; request < 3; request++) {
                time += rnd.nextInt(3) * 1_000_000_000L;
                ExportMetricsServiceRequest req = request(rnd, time);
                byte[] bytes = req.toByteArray();
                RecordingSink expected = new RecordingSink();
                RecordingSink actual = new RecordingSink();
                OtlpResult want = reference.translate(ExportMetricsServiceRequest.parseFrom(bytes), expected);
                OtlpResult got = streaming.translate(bytes, 0, bytes.length, actual);
                String where = "seed " + seed + " request " + request;
                assertThat(actual.events).as(where).containsExactlyElementsOf(expected.events);
                assertThat(got).as(where).isEqualTo(want);
            }
            assertThat(streaming.deltaSeries()).isEqualTo(reference.deltaSeries());
        }
    }

    @Test
    void truncatedOrGarbageBytesAreRefusedWithTheirOffsetAndAppendNothing() {
        byte[] bytes = request(new Random(7), 1_700_000_000_000_000_000L).toByteArray();
        OtlpMetricsTranslator t = new OtlpMetricsTranslator(IngestLimits.DEFAULT);
        for (int cut = 1; cut < bytes.length; cut += Math.max(1, bytes.length / 50)) {
            RecordingSink sink = new RecordingSink();
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> t.translate(truncated, 0, truncated.length, sink))
                    .as("cut at %d of %d", cut, bytes.length)
                    .isInstanceOf(MalformedOtlpException.class)
                    .hasMessageStartingWith("invalid protobuf ExportMetricsServiceRequest at byte offset ");
            assertThat(sink.events).isEmpty();
        }
        byte[] garbage = {0x0a, 0x05, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> t.translate(garbage, 0, garbage.length, new RecordingSink()))
                .isInstanceOf(MalformedOtlpException.class)
                .hasMessageStartingWith("invalid protobuf ExportMetricsServiceRequest at byte offset 2: length 5 runs past");
        // Invalid UTF-8 in a string field, as the generated parser refuses it.
        byte[] badName = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("ab")))).build().toByteArray();
        badName[badName.length - 1] = (byte) 0xc3;
        assertThatThrownBy(() -> t.translate(badName, 0, badName.length, new RecordingSink()))
                .isInstanceOf(MalformedOtlpException.class)
                .hasMessage("invalid protobuf ExportMetricsServiceRequest at byte offset " + (badName.length - 2)
                        + ": string field 1 is not valid UTF-8");
    }

    /**
     * Allocation per data point of both paths over one pre-built request of 10k gauge and sum points (three attributes
     * each), after a warm-up: printed, and the streaming path must allocate less than half of the generated one.
     */
    @Test
    void allocatesLessPerDataPoint() throws Exception {
        Random rnd = new Random(1);
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder().setName("bench"));
        int points = 0;
        for (int m = 0; m < 100; m++) {
            Gauge.Builder g = Gauge.newBuilder();
            for (int p = 0; p < 100; p++) {
                g.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L).setAsDouble(rnd.nextDouble())
                        .addAttributes(str("method", p % 2 == 0 ? "GET" : "POST"))
                        .addAttributes(str("pod", "pod-" + p))
                        .addAttributes(str("status", "200")));
                points++;
            }
            scope.addMetrics(Metric.newBuilder().setName("metric_" + m).setUnit("s").setGauge(g));
        }
        byte[] bytes = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(str("service.name", "bench")).addAttributes(str("host.name", "h")))
                .addScopeMetrics(scope)).build().toByteArray();
        SampleSink sink = new SampleSink() {
            @Override
            public long append(long ref, Labels labels, long timestampMs, double value) {
                return 1;
            }

            @Override
            public long appendHistogram(long ref, Labels labels, long timestampMs, Histogram histogram) {
                return 1;
            }
        };
        ReferenceTranslator reference = new ReferenceTranslator(IngestLimits.DEFAULT);
        OtlpMetricsTranslator streaming = new OtlpMetricsTranslator(IngestLimits.DEFAULT);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = Long.MAX_VALUE;
        long after = Long.MAX_VALUE;
        for (int round = 0; round < 20; round++) {
            long a0 = mx.getThreadAllocatedBytes(id);
            reference.translate(ExportMetricsServiceRequest.parseFrom(bytes), sink);
            long a1 = mx.getThreadAllocatedBytes(id);
            streaming.translate(bytes, 0, bytes.length, sink);
            long a2 = mx.getThreadAllocatedBytes(id);
            before = Math.min(before, a1 - a0);
            after = Math.min(after, a2 - a1);
        }
        System.out.printf("OTLP protobuf decode+translate, %d points: generated classes %d B/point, streaming %d B/point%n",
                points, before / points, after / points);
        assertThat(after).isLessThan(before / 2);
    }

    // ---- random requests ----

    private static ExportMetricsServiceRequest request(Random rnd, long time) {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        for (int r = rnd.nextInt(3) + 1; r > 0; r--) {
            ResourceMetrics.Builder rm = ResourceMetrics.newBuilder().setSchemaUrl(rnd.nextBoolean() ? "" : "https://schema/1");
            Resource.Builder res = Resource.newBuilder();
            for (int i = rnd.nextInt(5); i > 0; i--) {
                res.addAttributes(KeyValue.newBuilder().setKey(pick(rnd, RESOURCE_KEYS)).setValue(value(rnd, 0)));
            }
            rm.setResource(res);
            for (int s = rnd.nextInt(3); s > 0; s--) {
                ScopeMetrics.Builder sm = ScopeMetrics.newBuilder().setSchemaUrl(rnd.nextBoolean() ? "" : "https://scope/2");
                InstrumentationScope.Builder scope = InstrumentationScope.newBuilder()
                        .setName(rnd.nextBoolean() ? "" : "lib").setVersion(rnd.nextBoolean() ? "" : "1.2");
                for (int i = rnd.nextInt(3); i > 0; i--) {
                    scope.addAttributes(KeyValue.newBuilder().setKey(pick(rnd, KEYS)).setValue(value(rnd, 0)));
                }
                sm.setScope(scope);
                for (int m = rnd.nextInt(5); m > 0; m--) {
                    sm.addMetrics(metric(rnd, time));
                }
                rm.addScopeMetrics(sm);
            }
            b.addResourceMetrics(rm);
        }
        return b.build();
    }

    private static Metric metric(Random rnd, long time) {
        Metric.Builder m = Metric.newBuilder().setName(pick(rnd, NAMES)).setUnit(pick(rnd, UNITS))
                .setDescription(rnd.nextBoolean() ? "" : "help text");
        AggregationTemporality temporality = rnd.nextBoolean() ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
        int n = rnd.nextInt(4);
        switch (rnd.nextInt(6)) {
            case 0 -> {
                Gauge.Builder g = Gauge.newBuilder();
                for (int i = 0; i < n; i++) {
                    g.addDataPoints(number(rnd, time));
                }
                m.setGauge(g);
            }
            case 1 -> {
                Sum.Builder s = Sum.newBuilder().setIsMonotonic(rnd.nextBoolean()).setAggregationTemporality(temporality);
                for (int i = 0; i < n; i++) {
                    s.addDataPoints(number(rnd, time));
                }
                m.setSum(s);
            }
            case 2 -> {
                var h = io.opentelemetry.proto.metrics.v1.Histogram.newBuilder().setAggregationTemporality(temporality);
                for (int i = 0; i < n; i++) {
                    HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder();
                    point(rnd, time, p::addAttributes, p::setStartTimeUnixNano, p::setTimeUnixNano, p::setFlags);
                    int bounds = rnd.nextInt(4);
                    double bound = -1;
                    for (int j = 0; j < bounds; j++) {
                        bound += rnd.nextInt(3) + 0.5;
                        p.addExplicitBounds(bound);
                    }
                    int buckets = rnd.nextInt(10) == 0 ? bounds : rnd.nextInt(5) == 0 ? 0 : bounds + 1;
                    long count = 0;
                    for (int j = 0; j < buckets; j++) {
                        long c = rnd.nextInt(5);
                        count += c;
                        p.addBucketCounts(c);
                    }
                    p.setCount(count);
                    if (rnd.nextBoolean()) {
                        p.setSum(count * 1.5);
                    }
                    for (int e = rnd.nextInt(3); e > 0; e--) {
                        p.addExemplars(exemplar(rnd, time));
                    }
                    h.addDataPoints(p);
                }
                m.setHistogram(h);
            }
            case 3 -> {
                ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder().setAggregationTemporality(temporality);
                for (int i = 0; i < n; i++) {
                    ExponentialHistogramDataPoint.Builder p = ExponentialHistogramDataPoint.newBuilder();
                    point(rnd, time, p::addAttributes, p::setStartTimeUnixNano, p::setTimeUnixNano, p::setFlags);
                    p.setScale(rnd.nextInt(17) - 6).setZeroThreshold(rnd.nextBoolean() ? 0 : 1e-9).setZeroCount(rnd.nextInt(3));
                    long count = p.getZeroCount();
                    for (var side : List.of(p.getPositiveBuilder(), p.getNegativeBuilder())) {
                        side.setOffset(rnd.nextInt(11) - 5);
                        for (int j = rnd.nextInt(5); j > 0; j--) {
                            long c = rnd.nextInt(4);
                            count += c;
                            side.addBucketCounts(c);
                        }
                    }
                    p.setCount(count);
                    if (rnd.nextBoolean()) {
                        p.setSum(count * 2.0);
                    }
                    for (int e = rnd.nextInt(3); e > 0; e--) {
                        p.addExemplars(exemplar(rnd, time));
                    }
                    h.addDataPoints(p);
                }
                m.setExponentialHistogram(h);
            }
            case 4 -> {
                Summary.Builder s = Summary.newBuilder();
                for (int i = 0; i < n; i++) {
                    SummaryDataPoint.Builder p = SummaryDataPoint.newBuilder();
                    point(rnd, time, p::addAttributes, p::setStartTimeUnixNano, p::setTimeUnixNano, p::setFlags);
                    p.setCount(rnd.nextInt(100)).setSum(rnd.nextDouble() * 100);
                    for (int q = rnd.nextInt(4); q > 0; q--) {
                        p.addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q * 0.25).setValue(rnd.nextDouble()));
                    }
                    s.addDataPoints(p);
                }
                m.setSummary(s);
            }
            default -> {
                // No data: refused as unsupported.
            }
        }
        return m.build();
    }

    private static NumberDataPoint number(Random rnd, long time) {
        NumberDataPoint.Builder p = NumberDataPoint.newBuilder();
        point(rnd, time, p::addAttributes, p::setStartTimeUnixNano, p::setTimeUnixNano, p::setFlags);
        switch (rnd.nextInt(8)) {
            case 0 -> {
                // Neither as_double nor as_int.
            }
            case 1, 2, 3 -> p.setAsInt(rnd.nextInt(1000) - 10);
            default -> p.setAsDouble(rnd.nextDouble() * 100);
        }
        for (int e = rnd.nextInt(3); e > 0; e--) {
            p.addExemplars(exemplar(rnd, time));
        }
        return p.build();
    }

    private static void point(Random rnd, long time, java.util.function.Consumer<KeyValue> attribute,
                              java.util.function.LongConsumer start, java.util.function.LongConsumer end,
                              java.util.function.IntConsumer flags) {
        for (int i = rnd.nextInt(4); i > 0; i--) {
            attribute.accept(KeyValue.newBuilder().setKey(pick(rnd, KEYS)).setValue(value(rnd, 0)).build());
        }
        long t = time + rnd.nextInt(3) * 1_000_000L;
        end.accept(t);
        start.accept(rnd.nextInt(4) == 0 ? 0 : t - rnd.nextInt(3) * 1_000_000_000L);
        flags.accept(rnd.nextInt(10) == 0 ? 1 : 0);
    }

    private static Exemplar exemplar(Random rnd, long time) {
        Exemplar.Builder e = Exemplar.newBuilder().setTimeUnixNano(time - rnd.nextInt(1000));
        if (rnd.nextBoolean()) {
            e.setAsInt(rnd.nextInt(10));
        } else {
            e.setAsDouble(rnd.nextDouble() * 10);
        }
        if (rnd.nextBoolean()) {
            e.setTraceId(bytes(rnd, 16)).setSpanId(bytes(rnd, 8));
        }
        for (int i = rnd.nextInt(3); i > 0; i--) {
            e.addFilteredAttributes(KeyValue.newBuilder().setKey(pick(rnd, KEYS)).setValue(value(rnd, 0)));
        }
        return e.build();
    }

    private static AnyValue value(Random rnd, int depth) {
        AnyValue.Builder v = AnyValue.newBuilder();
        switch (rnd.nextInt(depth > 1 ? 7 : 9)) {
            case 0 -> v.setBoolValue(rnd.nextBoolean());
            case 1 -> v.setIntValue(rnd.nextInt(2000) - 1000);
            case 2 -> v.setDoubleValue(rnd.nextInt(100) / 8.0);
            case 3 -> v.setBytesValue(bytes(rnd, rnd.nextInt(4)));
            case 4 -> {
                // Not set.
            }
            case 5, 6 -> v.setStringValue(pick(rnd, new String[]{"", "x", "GET", "a\"b\n", "ünï"}));
            case 7 -> {
                ArrayValue.Builder a = ArrayValue.newBuilder();
                for (int i = rnd.nextInt(3); i > 0; i--) {
                    a.addValues(value(rnd, depth + 1));
                }
                v.setArrayValue(a);
            }
            default -> {
                KeyValueList.Builder l = KeyValueList.newBuilder();
                for (int i = rnd.nextInt(3); i > 0; i--) {
                    KeyValue.Builder kv = KeyValue.newBuilder().setKey(pick(rnd, KEYS));
                    if (rnd.nextInt(4) != 0) {
                        kv.setValue(value(rnd, depth + 1));
                    }
                    l.addValues(kv);
                }
                v.setKvlistValue(l);
            }
        }
        return v.build();
    }

    private static ByteString bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    private static KeyValue str(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    private static String pick(Random rnd, String[] options) {
        return options[rnd.nextInt(options.length)];
    }
}
