package dev.sightline.traces.metrics;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanAppender;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sightline.traces.metrics.TestSpans.attrs;
import static dev.sightline.traces.metrics.TestSpans.resource;
import static dev.sightline.traces.metrics.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

class SpanMetricsTest {
    private static final String[] CART = {"service", "checkout", "span_name", "GET /cart", "span_kind", "SPAN_KIND_SERVER",
            "status_code", "STATUS_CODE_UNSET"};

    private final AtomicLong clock = new AtomicLong(10_000);

    private MetricsGenerator generator(GeneratorConfig.SpanMetrics spanMetrics) {
        GeneratorConfig d = GeneratorConfig.defaults();
        return new MetricsGenerator(new GeneratorConfig(d.collectionInterval(), Duration.ofMinutes(15), "trace_id",
                HistogramMode.BOTH, 1.1, 100, spanMetrics, null), clock::get);
    }

    private static String[] with(String[] labels, String... more) {
        String[] all = new String[labels.length + more.length];
        System.arraycopy(labels, 0, all, 0, labels.length);
        System.arraycopy(more, 0, all, labels.length, more.length);
        return all;
    }

    @Test
    void countsCallsLatencyAndSizePerServiceSpanNameKindAndStatus() throws Exception {
        MetricsGenerator g = generator(GeneratorConfig.SpanMetrics.defaults());
        SpanResource checkout = resource("checkout");
        g.consume(checkout, InstrumentationScope.EMPTY, span(1, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        g.consume(checkout, InstrumentationScope.EMPTY, span(2, 1, 0, "GET /cart", SpanKind.SERVER, 3));
        g.consume(checkout, InstrumentationScope.EMPTY, span(3, 1, 0, "GET /cart", SpanKind.SERVER, StatusCode.ERROR, 0, 10, Attributes.EMPTY));
        g.consume(resource("cart"), InstrumentationScope.EMPTY, span(1, 2, 1, "SELECT", SpanKind.CLIENT, 0.5));
        clock.set(15_000);
        TestSpans.Recorder r = new TestSpans.Recorder();
        g.collect(r);
        assertThat(r.commits).isEqualTo(1);

        assertThat(r.value(15_000, with(CART, "__name__", "traces_spanmetrics_calls_total"))).isEqualTo(2);
        // Each new series starts from 0 when it was created, so the first collection shows as an increase.
        assertThat(r.value(10_000, with(CART, "__name__", "traces_spanmetrics_calls_total"))).isZero();
        String[] errors = {"service", "checkout", "span_name", "GET /cart", "span_kind", "SPAN_KIND_SERVER",
                "status_code", "STATUS_CODE_ERROR", "__name__", "traces_spanmetrics_calls_total"};
        assertThat(r.value(15_000, errors)).isEqualTo(1);
        assertThat(r.value(15_000, "__name__", "traces_spanmetrics_calls_total", "service", "cart", "span_name", "SELECT",
                "span_kind", "SPAN_KIND_CLIENT", "status_code", "STATUS_CODE_UNSET")).isEqualTo(1);

        // Classic: 1ms <= 0.002, 3ms in (0.002, 0.004].
        String[] bucket = with(CART, "__name__", "traces_spanmetrics_latency_bucket", "le", "0.002");
        assertThat(r.value(15_000, bucket)).isEqualTo(1);
        bucket[bucket.length - 1] = "0.004";
        assertThat(r.value(15_000, bucket)).isEqualTo(2);
        bucket[bucket.length - 1] = "16.384";
        assertThat(r.value(15_000, bucket)).isEqualTo(2);
        bucket[bucket.length - 1] = "+Inf";
        assertThat(r.value(15_000, bucket)).isEqualTo(2);
        assertThat(r.value(15_000, with(CART, "__name__", "traces_spanmetrics_latency_count"))).isEqualTo(2);
        assertThat(r.value(15_000, with(CART, "__name__", "traces_spanmetrics_latency_sum"))).isCloseTo(0.004, within());
        // Native, schema 3 (factor 1.1): 0.001 s in bucket ceil(log2(0.001) * 8) = -79, 0.003 s in -67.
        Histogram h = r.histogram(15_000, with(CART, "__name__", "traces_spanmetrics_latency"));
        assertThat(h.schema).isEqualTo(3);
        assertThat(h.count).isEqualTo(2);
        assertThat(h.positiveSpanOffsets).containsExactly(-79, 11);
        assertThat(h.positiveBuckets).containsExactly(1, 1);

        // Size: each span is 18 + 10 (ids) + 11 ("GET /cart") + 2 (kind) + 18 (times) = 59 bytes as OTLP protobuf.
        assertThat(r.value(15_000, with(CART, "__name__", "traces_spanmetrics_size_total"))).isEqualTo(118);

        // Exemplars carry the trace id of the newest span of each bucket.
        assertThat(r.exemplars).filteredOn(e -> "0.002".equals(e.series().get("le")) && "GET /cart".equals(e.series().get("span_name"))
                        && "STATUS_CODE_UNSET".equals(e.series().get("status_code")))
                .extracting(e -> e.labels()).containsExactly(Labels.of("trace_id", "00000000000000000000000000000001"));
    }

    @Test
    void dimensionsComeFromResourceOrSpanAttributes() throws Exception {
        MetricsGenerator g = generator(new GeneratorConfig.SpanMetrics(List.of("http.method", "deployment.environment", "absent"), null));
        SpanResource res = resource("checkout", "deployment.environment", "prod");
        Span s = span(1, 1, 0, "GET /cart", SpanKind.SERVER, StatusCode.UNSET, 0, 1, attrs("http.method", "GET"));
        g.consume(res, InstrumentationScope.EMPTY, s);
        clock.set(15_000);
        TestSpans.Recorder r = new TestSpans.Recorder();
        g.collect(r);
        assertThat(r.value(15_000, with(CART, "__name__", "traces_spanmetrics_calls_total", "http_method", "GET",
                "deployment_environment", "prod"))).isEqualTo(1);
    }

    @Test
    void idleSeriesExpireAfterTheStaleDuration() throws Exception {
        MetricsGenerator g = generator(GeneratorConfig.SpanMetrics.defaults());
        g.consume(resource("checkout"), InstrumentationScope.EMPTY, span(1, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        TestSpans.Recorder r = new TestSpans.Recorder();
        clock.set(15_000);
        g.collect(r);
        clock.set(10_000 + Duration.ofMinutes(15).toMillis()); // exactly the stale duration: still kept
        g.collect(r);
        assertThat(r.value(clock.get(), with(CART, "__name__", "traces_spanmetrics_calls_total"))).isEqualTo(1);
        assertThat(g.stats().spanMetricSeries()).isEqualTo(1);
        clock.addAndGet(1);
        r.samples.clear();
        g.collect(r);
        assertThat(r.samples).isEmpty();
        assertThat(g.stats().spanMetricSeries()).isZero();
        // A series that comes back starts from 0 again (a counter reset for rate()).
        g.consume(resource("checkout"), InstrumentationScope.EMPTY, span(1, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        long back = clock.get();
        clock.addAndGet(15_000);
        g.collect(r);
        assertThat(r.value(back, with(CART, "__name__", "traces_spanmetrics_calls_total"))).isZero();
        assertThat(r.value(clock.get(), with(CART, "__name__", "traces_spanmetrics_calls_total"))).isEqualTo(1);
    }

    @Test
    void collectionsNeverShareATimestamp() throws Exception {
        MetricsGenerator g = generator(GeneratorConfig.SpanMetrics.defaults());
        g.consume(resource("checkout"), InstrumentationScope.EMPTY, span(1, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        clock.set(15_000);
        TestSpans.Recorder r = new TestSpans.Recorder();
        g.collect(r);
        g.collect(r); // same clock reading: written one millisecond later rather than as a duplicate
        assertThat(r.value(15_001, with(CART, "__name__", "traces_spanmetrics_calls_total"))).isEqualTo(1);
    }

    @Test
    void onlyCommittedSpansCount() throws Exception {
        MetricsGenerator g = generator(GeneratorConfig.SpanMetrics.defaults());
        List<Span> stored = new ArrayList<>();
        SpanAppender store = new SpanAppender() {
            final List<Span> pending = new ArrayList<>();

            @Override
            public void append(SpanResource resource, InstrumentationScope scope, Span span) {
                pending.add(span);
            }

            @Override
            public void commit() {
                stored.addAll(pending);
                pending.clear();
            }

            @Override
            public void rollback() {
                pending.clear();
            }
        };
        SpanAppender app = g.wrap(store);
        app.append(resource("checkout"), InstrumentationScope.EMPTY, span(1, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        assertThat(g.stats().spans()).isZero();
        app.rollback();
        for (int i = 1; i <= 40; i++) { // more than the appender's first buffer
            app.append(resource("checkout"), InstrumentationScope.EMPTY, span(i, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        }
        app.commit();
        assertThat(stored).hasSize(40);
        assertThat(g.stats().spans()).isEqualTo(40);
        clock.set(15_000);
        TestSpans.Recorder r = new TestSpans.Recorder();
        g.collect(r);
        assertThat(r.value(15_000, with(CART, "__name__", "traces_spanmetrics_calls_total"))).isEqualTo(40);
    }

    @Test
    void theLoopCollectsOnItsIntervalAndOnceMoreAtClose() throws Exception {
        GeneratorConfig d = GeneratorConfig.defaults();
        MetricsGenerator g = new MetricsGenerator(new GeneratorConfig(Duration.ofMillis(20), d.staleDuration(), "trace_id",
                HistogramMode.CLASSIC, 1.1, 100, d.spanMetrics(), null), System::currentTimeMillis);
        List<TestSpans.Recorder> batches = Collections.synchronizedList(new ArrayList<>());
        g.start(() -> {
            TestSpans.Recorder r = new TestSpans.Recorder();
            batches.add(r);
            return r;
        });
        g.consume(resource("checkout"), InstrumentationScope.EMPTY, span(1, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (batches.stream().filter(b -> b.commits > 0 && !b.samples.isEmpty()).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(batches.stream().filter(b -> b.commits > 0 && !b.samples.isEmpty()).count()).isGreaterThanOrEqualTo(2);
        g.close();
        int after = batches.size();
        g.consume(resource("checkout"), InstrumentationScope.EMPTY, span(2, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        Thread.sleep(100);
        assertThat(batches).hasSize(after); // stopped
        // The close wrote a last collection.
        TestSpans.Recorder last = batches.get(after - 1);
        assertThat(last.commits).isEqualTo(1);
        assertThat(last.samples).anyMatch(s -> s.labels().get("__name__").equals("traces_spanmetrics_calls_total") && s.value() == 1);
    }

    @Test
    void withBothProcessorsOffNothingRuns() {
        GeneratorConfig d = GeneratorConfig.defaults();
        MetricsGenerator g = new MetricsGenerator(new GeneratorConfig(d.collectionInterval(), d.staleDuration(), "trace_id",
                HistogramMode.BOTH, 1.1, 100, null, null), clock::get);
        g.start(() -> {
            throw new AssertionError("no collection expected");
        });
        g.consume(resource("checkout"), InstrumentationScope.EMPTY, span(1, 1, 0, "GET /cart", SpanKind.SERVER, 1));
        g.close();
        assertThat(g.stats().spans()).isEqualTo(1);
        assertThat(g.stats().spanMetricSeries()).isZero();
    }

    @Test
    void spanSizeIsTheOtlpProtobufSize() {
        // ids 28, name "GET /a" 1+1+6, kind 1+1, times 2*9, one attribute {k: "v"} 1+1+(3 + 1+1+3), status {code: 2} 1+1+2.
        Span s = span(1, 1, 0, "GET /a", SpanKind.SERVER, StatusCode.ERROR, 0, 1, attrs("k", "v"));
        assertThat(SpanSize.of(s)).isEqualTo(28 + 8 + 2 + 18 + 10 + 4);
        // A parent id adds 10; a two-byte UTF-8 name character one more byte.
        Span child = span(1, 2, 1, "GET /é", SpanKind.SERVER, StatusCode.ERROR, 0, 1, attrs("k", "v"));
        assertThat(SpanSize.of(child)).isEqualTo(28 + 10 + 9 + 2 + 18 + 10 + 4);
        assertThat(SpanSize.varint(127)).isEqualTo(1);
        assertThat(SpanSize.varint(128)).isEqualTo(2);
        assertThat(SpanSize.varint(-1)).isEqualTo(10);
    }

    private static Offset<Double> within() {
        return Offset.offset(1e-12);
    }
}
