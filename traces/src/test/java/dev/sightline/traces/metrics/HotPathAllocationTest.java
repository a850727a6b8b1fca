package dev.sightline.traces.metrics;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static dev.sightline.traces.metrics.TestSpans.attrs;
import static dev.sightline.traces.metrics.TestSpans.resource;
import static dev.sightline.traces.metrics.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consuming spans of known series allocates nothing: label sets are interned, edges pooled, buffers reused. Measured
 * with the JVM's per-thread allocation counter over many spans after a warm-up, so a per-span allocation (16 bytes
 * at the least) would show as megabytes.
 */
class HotPathAllocationTest {
    @Test
    void consumingSpansOfKnownSeriesAllocatesNothingPerSpan() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        GeneratorConfig d = GeneratorConfig.defaults();
        MetricsGenerator g = new MetricsGenerator(new GeneratorConfig(d.collectionInterval(), d.staleDuration(), "trace_id",
                HistogramMode.BOTH, 1.1, 100, new GeneratorConfig.SpanMetrics(List.of("http.route"), null),
                new GeneratorConfig.ServiceGraphs(List.of("http.route"), null, null, 10_000, null)), () -> 1_000);
        SpanResource frontend = resource("frontend");
        SpanResource backend = resource("backend");
        int n = 4096;
        Span[] clients = new Span[n];
        Span[] servers = new Span[n];
        for (int i = 0; i < n; i++) {
            // Both halves of a request in turn: each client span opens an edge, its server span closes it.
            clients[i] = span(i + 1, 0x10, 1, "call", SpanKind.CLIENT, StatusCode.UNSET, 0, 1 + i % 50, attrs("http.route", "/a"));
            servers[i] = span(i + 1, 0x20, 0x10, "serve", SpanKind.SERVER, i % 10 == 0 ? StatusCode.ERROR : StatusCode.UNSET,
                    0, 1 + i % 40, attrs("http.route", "/a"));
        }
        for (int round = 0; round < 30; round++) { // warm-up: series, pool and arrays reach their size; JIT compiles
            feed(g, frontend, backend, clients, servers);
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        int rounds = 50;
        for (int round = 0; round < rounds; round++) {
            feed(g, frontend, backend, clients, servers);
        }
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;
        long spans = 2L * n * rounds;
        assertThat(g.stats().spans()).isEqualTo(2L * n * (30 + rounds));
        assertThat(g.stats().edgesPending()).isZero();
        assertThat((double) allocated / spans).as("bytes allocated per span (%d in all)", allocated).isLessThan(1.0);
    }

    private static void feed(MetricsGenerator g, SpanResource frontend, SpanResource backend, Span[] clients, Span[] servers) {
        for (int i = 0; i < clients.length; i++) {
            g.consume(frontend, InstrumentationScope.EMPTY, clients[i]);
            g.consume(backend, InstrumentationScope.EMPTY, servers[i]);
        }
    }
}
