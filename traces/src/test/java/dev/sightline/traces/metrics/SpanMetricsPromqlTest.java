package dev.sightline.traces.metrics;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.QueryResult;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.sightline.traces.metrics.GeneratedTraffic.STEP;
import static dev.sightline.traces.metrics.GeneratedTraffic.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The generator into the real database, read back with PromQL and exemplar queries, against hand-computed answers. */
class SpanMetricsPromqlTest {
    private static final int STEPS = 40; // 10 minutes
    private static final long END = T0 + STEPS * STEP;
    private final Engine engine = new Engine(EngineOptions.defaults());
    private GeneratedTraffic traffic;

    @BeforeEach
    void run() throws Exception {
        traffic = new GeneratedTraffic(GeneratorConfig.defaults());
        for (int k = 1; k <= STEPS; k++) {
            traffic.step(k);
        }
    }

    @AfterEach
    void close() throws Exception {
        traffic.close();
    }

    private Map<String, Double> query(String q, String by) throws ParseException {
        QueryResult r = engine.instant(traffic.tsdb, PromQLParser.parseExpr(q), END, q);
        Map<String, Double> out = new TreeMap<>();
        for (Sample s : ((Vector) r.value()).samples()) {
            out.put(by == null ? "" : s.labels().get(by), s.f());
        }
        return out;
    }

    @Test
    void requestRatePerService() throws Exception {
        Map<String, Double> rate = query("sum by (service) (rate(traces_spanmetrics_calls_total[1m]))", "service");
        assertThat(rate).containsOnlyKeys("cart", "checkout", "worker");
        assertThat(rate.get("checkout")).isCloseTo(4.0, within(1e-9));
        assertThat(rate.get("cart")).isCloseTo(1.0, within(1e-9));
        assertThat(rate.get("worker")).isCloseTo(1.0, within(1e-9));
        // Errors: one failing checkout request and three failing worker jobs every 15 s.
        Map<String, Double> errors = query("sum by (service) (rate(traces_spanmetrics_calls_total{status_code=\"STATUS_CODE_ERROR\"}[1m]))", "service");
        assertThat(errors).containsOnlyKeys("checkout", "worker");
        assertThat(errors.get("checkout")).isCloseTo(1.0 / 15, within(1e-9));
        assertThat(errors.get("worker")).isCloseTo(3.0 / 15, within(1e-9));
        // The first collection counts too: the series start from 0, so increase() over everything sees every span.
        assertThat(query("sum(increase(traces_spanmetrics_calls_total{service=\"cart\"}[20m]))", null).get(""))
                .isGreaterThanOrEqualTo(STEPS * 15.0);
    }

    @Test
    void latencyQuantilesFromClassicBuckets() throws Exception {
        // Per 15 s: 40 of 10 ms (le 0.016), 4 of 100 ms (le 0.128), 1 of 2 s (le 2.048). p99: rank 0.99 * 45 = 44.55,
        // in (1.024, 2.048] after 44: 1.024 + 1.024 * 0.55. p50: rank 22.5 in (0.008, 0.016] from 0: 0.008 + 0.008 * 22.5 / 40.
        String sel = "traces_spanmetrics_latency_bucket{service=\"checkout\", span_kind=\"SPAN_KIND_SERVER\"}";
        assertThat(query("histogram_quantile(0.99, sum by (le) (rate(" + sel + "[1m])))", null).get(""))
                .isCloseTo(1.024 + 1.024 * 0.55, within(1e-9));
        assertThat(query("histogram_quantile(0.5, sum by (le) (rate(" + sel + "[1m])))", null).get(""))
                .isCloseTo(0.008 + 0.008 * 22.5 / 40, within(1e-9));
    }

    @Test
    void latencyQuantilesFromTheNativeHistogram() throws Exception {
        // Schema 3: 2 s ends bucket 8, (2^(7/8), 2]; rank 44.55 is 0.55 into it, interpolated exponentially.
        // 10 ms lies in bucket ceil(8 * log2(0.01)) = -53, (2^(-54/8), 2^(-53/8)]; rank 22.5 of 40 there.
        String sel = "traces_spanmetrics_latency{service=\"checkout\", span_kind=\"SPAN_KIND_SERVER\"}";
        assertThat(query("histogram_quantile(0.99, sum(rate(" + sel + "[1m])))", null).get(""))
                .isCloseTo(Math.pow(2, (7 + 0.55) / 8), within(1e-9));
        assertThat(query("histogram_quantile(0.5, sum(rate(" + sel + "[1m])))", null).get(""))
                .isCloseTo(Math.pow(2, (-54 + 22.5 / 40) / 8), within(1e-9));
        assertThat(query("histogram_count(sum(rate(" + sel + "[1m])))", null).get("")).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void resolutionHalvingIsNoCounterReset() throws Exception {
        GeneratorConfig d = GeneratorConfig.defaults();
        try (GeneratedTraffic t = new GeneratedTraffic(new GeneratorConfig(d.collectionInterval(), d.staleDuration(), "trace_id",
                HistogramMode.NATIVE, 1.1, 4, d.spanMetrics(), null))) {
            SpanResource res = TestSpans.resource("spread");
            for (int k = 1; k <= 12; k++) {
                // Each step's 15 spans last 2^k ms: a new bucket per step, so the schema keeps dropping to fit 4.
                for (int j = 0; j < 15; j++) {
                    t.generator.consume(res, InstrumentationScope.EMPTY,
                            TestSpans.span(k * 100L + j + 1, 1, 0, "op", SpanKind.SERVER, Math.pow(2, k)));
                }
                t.clock.set(T0 + k * STEP);
                t.generator.collect(t.tsdb.appender());
            }
            String q = "histogram_count(rate(traces_spanmetrics_latency{service=\"spread\"}[1m]))";
            Vector v = (Vector) engine.instant(t.tsdb, PromQLParser.parseExpr(q), T0 + 12 * STEP, q).value();
            assertThat(v.samples()).hasSize(1);
            assertThat(v.samples().get(0).f()).isCloseTo(1.0, within(1e-9));
            Vector schema = (Vector) engine.instant(t.tsdb, PromQLParser.parseExpr("traces_spanmetrics_latency{service=\"spread\"}"),
                    T0 + 12 * STEP, (String) null).value();
            assertThat(schema.samples().get(0).h().schema).isLessThan(3);
            assertThat(schema.samples().get(0).h().count).isEqualTo(180);
        }
    }

    @Test
    void serviceGraphEdgesAnswerPromql() throws Exception {
        Map<String, Double> edges = query("sum by (client, server) (rate(traces_service_graph_request_total[1m]))", "client");
        assertThat(edges).containsOnlyKeys("checkout", "user");
        assertThat(edges.get("checkout")).isCloseTo(1.0, within(1e-9));
        // checkout's root server spans have no caller that sends spans: after the 10 s wait they count as from "user".
        assertThat(query("sum(rate(traces_service_graph_request_total{client=\"user\", server=\"checkout\", connection_type=\"virtual_node\"}[1m]))",
                null).get("")).isCloseTo(3.0, within(1e-9));
        assertThat(query("sum(rate(traces_service_graph_request_server_seconds_sum{client=\"checkout\"}[1m]))"
                + " / sum(rate(traces_service_graph_request_server_seconds_count{client=\"checkout\"}[1m]))", null).get(""))
                .isCloseTo(0.005, within(1e-9));
        // Every client span of the edge takes 30 ms: the native median lies in 30 ms's schema-3 bucket, -40.
        assertThat(query("histogram_quantile(0.5, sum(rate(traces_service_graph_request_client_seconds{client=\"checkout\"}[1m])))",
                null).get("")).isBetween(Math.pow(2, -41 / 8.0), Math.pow(2, -40 / 8.0));
        // Only the edge with failures has a failed series: checkout's failing requests, one per 15 s.
        assertThat(query("traces_service_graph_request_failed_total{client=\"checkout\"}", null)).isEmpty();
        assertThat(query("sum(rate(traces_service_graph_request_failed_total{client=\"user\"}[1m]))", null).get(""))
                .isCloseTo(1.0 / 15, within(1e-9));
    }

    @Test
    void aSlowBucketsExemplarLeadsToItsTrace() throws Exception {
        // As /api/v1/query_exemplars: the selectors of the query, over the last minute.
        List<List<LabelMatcher>> selector = List.of(List.of(
                LabelMatcher.eq("__name__", "traces_spanmetrics_latency_bucket"), LabelMatcher.eq("service", "checkout"),
                LabelMatcher.eq("le", "2.048")));
        List<ExemplarSeries> found = traffic.exemplars.select(END - 60_000, END, selector);
        assertThat(found).hasSize(1);
        ExemplarSeries s = found.get(0);
        assertThat(s.seriesLabels().get("status_code")).isEqualTo("STATUS_CODE_ERROR");
        // The collections at END - 45 s ... END: steps 37 to 40, each with its own slow trace, ending 8 s before.
        assertThat(s.exemplars()).extracting(Exemplar::value).containsOnly(2.0);
        assertThat(s.exemplars()).extracting(e -> e.labels().get("trace_id")).containsExactly(
                trace(37), trace(38), trace(39), trace(40));
        // The native series carries them too.
        List<ExemplarSeries> nat = traffic.exemplars.select(END - 60_000, END, List.of(List.of(
                LabelMatcher.eq("__name__", "traces_spanmetrics_latency"), LabelMatcher.eq("service", "checkout"),
                LabelMatcher.eq("status_code", "STATUS_CODE_ERROR"))));
        assertThat(nat).hasSize(1);
        assertThat(nat.get(0).exemplars()).extracting(e -> e.labels().get("trace_id")).contains(trace(40));
    }

    private static String trace(int k) {
        return String.format("%032x", GeneratedTraffic.slowTrace(k));
    }
}
