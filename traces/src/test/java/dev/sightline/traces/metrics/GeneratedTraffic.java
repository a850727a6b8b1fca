package dev.sightline.traces.metrics;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.ExemplarAppender;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.exemplar.ExemplarStore;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two services' spans fed to a generator that collects into a real database every 15 s, as the server runs it. Per
 * 15 s: "checkout" serves 45 requests (40 of 10 ms, 4 of 100 ms, 1 failing of 2 s) and calls "cart" 15 times (client
 * span 30 ms, cart's server span 5 ms, same trace); "worker", which serves nothing, runs 15 internal jobs of 50 ms,
 * 3 of them failing. So checkout makes 4 spans/s (3 server + 1 client), cart 1/s, worker 1/s.
 */
final class GeneratedTraffic implements AutoCloseable {
    static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % 3_600_000L;
    static final long STEP = 15_000;
    static final SpanResource CHECKOUT = TestSpans.resource("checkout");
    static final SpanResource CART = TestSpans.resource("cart");
    static final SpanResource WORKER = TestSpans.resource("worker");

    final Tsdb tsdb;
    final ExemplarStore exemplars = new ExemplarStore(10_000);
    final AtomicLong clock = new AtomicLong(T0);
    final MetricsGenerator generator;

    GeneratedTraffic(GeneratorConfig config) throws IOException {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
        generator = new MetricsGenerator(config, clock::get);
    }

    /** The trace id (low half; the high half is 0) of step k's failing 2 s checkout request. */
    static long slowTrace(int k) {
        return k * 1000L + 45;
    }

    /** Feeds step k's spans (all of them end before T0 + k * 15 s) and collects at T0 + k * 15 s. */
    void step(int k) throws IOException {
        long t = T0 + k * STEP;
        long base = t - TestSpans.T0_NANOS / 1_000_000 - 10_000; // spans start 10 s before the collection
        clock.set(t - 1000);
        for (int i = 1; i <= 45; i++) {
            double ms = i <= 40 ? 10 : i <= 44 ? 100 : 2000;
            StatusCode status = i == 45 ? StatusCode.ERROR : StatusCode.UNSET;
            feed(CHECKOUT, TestSpans.span(k * 1000L + i, 1, 0, "GET /checkout", SpanKind.SERVER, status, base + i, ms, Attributes.EMPTY));
        }
        for (int j = 1; j <= 15; j++) {
            long trace = k * 1000L + 500 + j;
            feed(CHECKOUT, TestSpans.span(trace, 0x10, 1, "GET /cart", SpanKind.CLIENT, StatusCode.UNSET, base + j, 30, Attributes.EMPTY));
            feed(CART, TestSpans.span(trace, 0x20, 0x10, "GET /cart", SpanKind.SERVER, StatusCode.UNSET, base + j + 1, 5, Attributes.EMPTY));
        }
        for (int j = 1; j <= 15; j++) {
            StatusCode status = j <= 3 ? StatusCode.ERROR : StatusCode.UNSET;
            feed(WORKER, TestSpans.span(k * 1000L + 700 + j, 1, 0, "job", SpanKind.INTERNAL, status, base + j, 50, Attributes.EMPTY));
        }
        clock.set(t);
        generator.collect(new ExemplarBatch(tsdb.appender(), exemplars.appender()));
    }

    private void feed(SpanResource r, Span s) {
        generator.consume(r, InstrumentationScope.EMPTY, s);
    }

    @Override
    public void close() throws IOException {
        tsdb.close();
    }

    /** As the server's ingest batch: exemplars are logged with the samples and stored for queries after the commit. */
    private record ExemplarBatch(Appender appender, ExemplarAppender exemplars) implements Appender {
        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            return appender.append(ref, labels, startTimestampMs, timestampMs, value);
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
            return appender.appendHistogram(ref, labels, startTimestampMs, timestampMs, histogram);
        }

        @Override
        public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
            if (appender.appendExemplar(ref, series, exemplarLabels, timestampMs, value)) {
                exemplars.add(series, exemplarLabels, value, timestampMs);
                return true;
            }
            return false;
        }

        @Override
        public void commit() throws IOException {
            appender.commit();
            exemplars.commit();
        }

        @Override
        public void rollback() {
            appender.rollback();
            exemplars.rollback();
        }
    }
}
