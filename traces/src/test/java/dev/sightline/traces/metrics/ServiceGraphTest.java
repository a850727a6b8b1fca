package dev.sightline.traces.metrics;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sightline.traces.metrics.TestSpans.attrs;
import static dev.sightline.traces.metrics.TestSpans.resource;
import static dev.sightline.traces.metrics.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class ServiceGraphTest {
    private static final SpanResource FRONTEND = resource("frontend");
    private static final SpanResource BACKEND = resource("backend");
    private static final String TOTAL = "traces_service_graph_request_total";
    private static final String FAILED = "traces_service_graph_request_failed_total";

    private final AtomicLong clock = new AtomicLong(10_000);
    private final TestSpans.Recorder r = new TestSpans.Recorder();

    private MetricsGenerator generator(GeneratorConfig.ServiceGraphs graphs) {
        return new MetricsGenerator(new GeneratorConfig(Duration.ofSeconds(15), Duration.ofMinutes(15), "trace_id",
                HistogramMode.CLASSIC, 1.1, 100, null, graphs), clock::get);
    }

    private static GeneratorConfig.ServiceGraphs graphs(int maxItems, List<String> dimensions) {
        return new GeneratorConfig.ServiceGraphs(dimensions, List.of(0.1, 1.0), Duration.ofSeconds(10), maxItems, null);
    }

    private void feed(MetricsGenerator g, SpanResource res, Span s) {
        g.consume(res, InstrumentationScope.EMPTY, s);
    }

    private long collect(MetricsGenerator g, long at) throws Exception {
        clock.set(at);
        g.collect(r);
        return at;
    }

    @Test
    void clientAndServerSpansPairWhicheverComesFirst() throws Exception {
        MetricsGenerator g = generator(graphs(100, List.of()));
        // Trace 1: client first. Trace 2: server first (spans of one trace arrive from different services).
        feed(g, FRONTEND, span(1, 0x10, 1, "call", SpanKind.CLIENT, 250));
        feed(g, BACKEND, span(1, 0x20, 0x10, "serve", SpanKind.SERVER, 200));
        feed(g, BACKEND, span(2, 0x21, 0x11, "serve", SpanKind.SERVER, 50));
        assertThat(g.stats().edgesPending()).isEqualTo(1);
        feed(g, FRONTEND, span(2, 0x11, 1, "call", SpanKind.CLIENT, 2000));
        assertThat(g.stats().edgesPending()).isZero();
        long t = collect(g, 15_000);

        assertThat(r.value(t, "__name__", TOTAL, "client", "frontend", "server", "backend")).isEqualTo(2);
        assertThat(r.value(10_000, "__name__", TOTAL, "client", "frontend", "server", "backend")).isZero();
        assertThat(r.at(Labels.of("__name__", FAILED, "client", "frontend", "server", "backend"), t))
                .as("no failure, no failed series (as Tempo)").isEmpty();
        String[] server = {"__name__", "traces_service_graph_request_server_seconds_bucket", "client", "frontend", "server", "backend", "le", "0.1"};
        assertThat(r.value(t, server)).isEqualTo(1); // 50 ms
        server[server.length - 1] = "1";
        assertThat(r.value(t, server)).isEqualTo(2); // 200 ms
        assertThat(r.value(t, "__name__", "traces_service_graph_request_server_seconds_sum", "client", "frontend", "server", "backend"))
                .isCloseTo(0.25, offset(1e-12));
        String[] client = {"__name__", "traces_service_graph_request_client_seconds_bucket", "client", "frontend", "server", "backend", "le", "1"};
        assertThat(r.value(t, client)).isEqualTo(1); // 250 ms; 2 s is above
        client[client.length - 1] = "+Inf";
        assertThat(r.value(t, client)).isEqualTo(2);
        // The slow request's exemplar leads to its trace.
        assertThat(r.exemplars).filteredOn(e -> e.series().get("__name__").equals("traces_service_graph_request_client_seconds_bucket")
                        && e.series().get("le").equals("+Inf"))
                .extracting(e -> e.labels().get("trace_id") + " " + e.value())
                .containsExactly("00000000000000000000000000000002 2.0");
        assertThat(g.stats().edgesExpired()).isZero();
    }

    @Test
    void aRequestFailsWhenEitherSideIsAnError() throws Exception {
        MetricsGenerator g = generator(graphs(100, List.of()));
        feed(g, FRONTEND, span(1, 0x10, 1, "call", SpanKind.CLIENT, StatusCode.ERROR, 0, 5, Attributes.EMPTY));
        feed(g, BACKEND, span(1, 0x20, 0x10, "serve", SpanKind.SERVER, 4));
        feed(g, FRONTEND, span(2, 0x10, 1, "call", SpanKind.CLIENT, 5));
        feed(g, BACKEND, span(2, 0x20, 0x10, "serve", SpanKind.SERVER, StatusCode.ERROR, 0, 4, Attributes.EMPTY));
        feed(g, FRONTEND, span(3, 0x10, 1, "call", SpanKind.CLIENT, StatusCode.OK, 0, 5, Attributes.EMPTY));
        feed(g, BACKEND, span(3, 0x20, 0x10, "serve", SpanKind.SERVER, 4));
        long t = collect(g, 15_000);
        assertThat(r.value(t, "__name__", TOTAL, "client", "frontend", "server", "backend")).isEqualTo(3);
        assertThat(r.value(t, "__name__", FAILED, "client", "frontend", "server", "backend")).isEqualTo(2);
        // The failed series starts from 0 when its first failure was counted, before its first collection.
        assertThat(r.value(10_000, "__name__", FAILED, "client", "frontend", "server", "backend")).isZero();
    }

    @Test
    void unpairedSpansExpireIntoVirtualNodesWhenTheirPeerIsKnown() throws Exception {
        MetricsGenerator g = generator(graphs(100, List.of()));
        // A root server span: called by a user (a browser, curl).
        feed(g, BACKEND, span(1, 0x20, 0, "serve", SpanKind.SERVER, 100));
        // A client span to an uninstrumented peer named by peer.service.
        feed(g, FRONTEND, span(2, 0x10, 1, "pay", SpanKind.CLIENT, StatusCode.UNSET, 0, 300, attrs("peer.service", "payments")));
        // A client span nobody answers and that names no peer, and a server span whose caller sent no span.
        feed(g, FRONTEND, span(3, 0x11, 1, "call", SpanKind.CLIENT, 10));
        feed(g, BACKEND, span(4, 0x21, 0x99, "serve", SpanKind.SERVER, 10));
        collect(g, 19_999); // before the 10 s wait is over: nothing yet
        assertThat(r.samples).isEmpty();
        assertThat(g.stats().edgesPending()).isEqualTo(4);

        long t = collect(g, 20_000);
        assertThat(g.stats().edgesPending()).isZero();
        assertThat(g.stats().edgesExpired()).isEqualTo(4);
        assertThat(r.value(t, "__name__", TOTAL, "client", "user", "server", "backend", "connection_type", "virtual_node")).isEqualTo(1);
        assertThat(r.value(t, "__name__", TOTAL, "client", "frontend", "server", "payments", "connection_type", "virtual_node")).isEqualTo(1);
        assertThat(r.samples.stream().filter(s -> s.labels().get("__name__").equals(TOTAL) && s.timestampMs() == t)).hasSize(2);
        // Only the side that was seen has a latency: the other is 0.
        assertThat(r.value(t, "__name__", "traces_service_graph_request_client_seconds_sum", "client", "frontend", "server", "payments",
                "connection_type", "virtual_node")).isCloseTo(0.3, offset(1e-12));
    }

    @Test
    void databaseCallsCompleteAtOnce() throws Exception {
        MetricsGenerator g = generator(graphs(100, List.of()));
        feed(g, BACKEND, span(1, 0x30, 0x20, "SELECT", SpanKind.CLIENT, StatusCode.UNSET, 0, 20,
                attrs("db.system", "postgresql", "db.name", "orders")));
        feed(g, BACKEND, span(2, 0x30, 0x20, "GET", SpanKind.CLIENT, StatusCode.ERROR, 0, 20,
                attrs("db.system", "redis", "server.address", "cache-1", "peer.service", "cache")));
        feed(g, BACKEND, span(3, 0x30, 0x20, "GET", SpanKind.CLIENT, StatusCode.UNSET, 0, 20,
                attrs("db.system", "redis", "network.peer.address", "10.0.0.7", "network.peer.port", "6379")));
        assertThat(g.stats().edgesPending()).isZero();
        long t = collect(g, 15_000);
        assertThat(r.value(t, "__name__", TOTAL, "client", "backend", "server", "orders", "connection_type", "database")).isEqualTo(1);
        assertThat(r.value(t, "__name__", TOTAL, "client", "backend", "server", "cache", "connection_type", "database")).isEqualTo(1);
        assertThat(r.value(t, "__name__", FAILED, "client", "backend", "server", "cache", "connection_type", "database")).isEqualTo(1);
        assertThat(r.value(t, "__name__", TOTAL, "client", "backend", "server", "10.0.0.7:6379", "connection_type", "database")).isEqualTo(1);
        // The database's side is the client span's duration.
        assertThat(r.value(t, "__name__", "traces_service_graph_request_server_seconds_sum", "client", "backend", "server", "orders",
                "connection_type", "database")).isCloseTo(0.02, offset(1e-12));
    }

    @Test
    void messagingSpansPairAsProducerAndConsumer() throws Exception {
        MetricsGenerator g = generator(graphs(100, List.of()));
        feed(g, FRONTEND, span(1, 0x10, 1, "publish", SpanKind.PRODUCER, 1));
        feed(g, BACKEND, span(1, 0x20, 0x10, "process", SpanKind.CONSUMER, 30));
        // Internal spans are no part of an edge.
        feed(g, BACKEND, span(1, 0x21, 0x20, "work", SpanKind.INTERNAL, 30));
        long t = collect(g, 15_000);
        assertThat(r.value(t, "__name__", TOTAL, "client", "frontend", "server", "backend", "connection_type", "messaging_system"))
                .isEqualTo(1);
        assertThat(g.stats().edgesPending()).isZero();
    }

    @Test
    void aFullStoreDropsNewHalvesAndCountsThem() throws Exception {
        MetricsGenerator g = generator(graphs(2, List.of()));
        feed(g, FRONTEND, span(1, 0x10, 1, "call", SpanKind.CLIENT, 1));
        feed(g, FRONTEND, span(2, 0x10, 1, "call", SpanKind.CLIENT, 1));
        feed(g, FRONTEND, span(3, 0x10, 1, "call", SpanKind.CLIENT, 1));
        assertThat(g.stats().edgesPending()).isEqualTo(2);
        assertThat(g.stats().edgesDropped()).isEqualTo(1);
        // A span pairing with a waiting half still completes, and a full store pairs a whole request in one go.
        feed(g, BACKEND, span(1, 0x20, 0x10, "serve", SpanKind.SERVER, 1));
        feed(g, BACKEND, span(9, 0x30, 0x20, "SELECT", SpanKind.CLIENT, StatusCode.UNSET, 0, 1, attrs("db.name", "orders")));
        long t = collect(g, 15_000);
        assertThat(r.value(t, "__name__", TOTAL, "client", "frontend", "server", "backend")).isEqualTo(1);
        assertThat(r.value(t, "__name__", TOTAL, "client", "backend", "server", "orders", "connection_type", "database")).isEqualTo(1);
    }

    @Test
    void dimensionsComeFromEitherSide() throws Exception {
        MetricsGenerator g = generator(graphs(100, List.of("deployment.environment", "http.route")));
        feed(g, resource("frontend", "deployment.environment", "prod"), span(1, 0x10, 1, "call", SpanKind.CLIENT, 1));
        feed(g, BACKEND, span(1, 0x20, 0x10, "serve", SpanKind.SERVER, StatusCode.UNSET, 0, 1, attrs("http.route", "/cart")));
        long t = collect(g, 15_000);
        assertThat(r.value(t, "__name__", TOTAL, "client", "frontend", "server", "backend", "deployment_environment", "prod",
                "http_route", "/cart")).isEqualTo(1);
    }

    @Test
    void spansOfResourcesWithoutAServiceNameAreNoPartOfTheGraph() throws Exception {
        MetricsGenerator g = generator(graphs(100, List.of()));
        feed(g, SpanResource.EMPTY, span(1, 0x10, 1, "call", SpanKind.CLIENT, 1));
        assertThat(g.stats().edgesPending()).isZero();
    }
}
