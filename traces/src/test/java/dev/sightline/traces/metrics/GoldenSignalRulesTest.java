package dev.sightline.traces.metrics;

import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.rules.Rule;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleGroup;
import dev.sightline.rules.RuleManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static dev.sightline.traces.metrics.GeneratedTraffic.STEP;
import static dev.sightline.traces.metrics.GeneratedTraffic.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The shipped golden-signal rules (examples/rules/golden-signals.yml, as it is) evaluated by the rule engine against
 * generated span metrics, with each histogram form: every service gets request rate, error ratio and latency
 * quantiles, with the answers worked out by hand from {@link GeneratedTraffic}'s spans.
 */
class GoldenSignalRulesTest {
    private static final Path RULES = Path.of("..", "examples", "rules", "golden-signals.yml");
    private static final int STEPS = 20;
    private static final long END = T0 + STEPS * STEP;

    @ParameterizedTest
    @EnumSource(value = HistogramMode.class, names = {"BOTH", "CLASSIC", "NATIVE"})
    void everyServiceGetsItsGoldenSignals(HistogramMode mode) throws Exception {
        GeneratorConfig d = GeneratorConfig.defaults();
        GeneratorConfig config = new GeneratorConfig(d.collectionInterval(), Duration.ofMinutes(15), "trace_id", mode, 1.1, 100,
                d.spanMetrics(), d.serviceGraphs());
        RuleFileParser.Result parsed = RuleFileParser.parseFile(RULES);
        assertThat(parsed.errors()).isEmpty();
        Engine engine = new Engine(EngineOptions.defaults());
        try (GeneratedTraffic traffic = new GeneratedTraffic(config);
             RuleManager rules = new RuleManager(traffic.tsdb, engine, alerts -> { }, RuleManager.Options.defaults(), () -> END)) {
            rules.update(parsed.groups());
            for (int k = 1; k <= STEPS; k++) {
                traffic.step(k);
                for (RuleGroup g : rules.groups()) {
                    rules.evaluate(g, T0 + k * STEP);
                    for (Rule r : g.rules()) {
                        assertThat(r.health()).as(r.config().name() + ": " + r.lastError()).isEqualTo("ok");
                    }
                }
            }

            Map<String, Double> requests = byService(engine, traffic, "service:traces_spanmetrics_requests:rate1m");
            assertThat(requests).containsOnlyKeys("cart", "checkout", "worker");
            assertThat(requests.get("checkout")).as("server spans only").isCloseTo(3, within(1e-9));
            assertThat(requests.get("cart")).isCloseTo(1, within(1e-9));
            assertThat(requests.get("worker")).as("no entry spans: all spans").isCloseTo(1, within(1e-9));

            Map<String, Double> errors = byService(engine, traffic, "service:traces_spanmetrics_errors:ratio_rate1m");
            assertThat(errors).containsOnlyKeys("cart", "checkout", "worker");
            assertThat(errors.get("checkout")).isCloseTo(1.0 / 45, within(1e-9));
            assertThat(errors.get("cart")).isZero();
            assertThat(errors.get("worker")).isCloseTo(3.0 / 15, within(1e-9));

            Map<String, Double> p99 = byService(engine, traffic, "service:traces_spanmetrics_latency_seconds:quantile_1m{quantile=\"0.99\"}");
            Map<String, Double> p50 = byService(engine, traffic, "service:traces_spanmetrics_latency_seconds:quantile_1m{quantile=\"0.5\"}");
            assertThat(byService(engine, traffic, "service:traces_spanmetrics_latency_seconds:quantile_1m{quantile=\"0.9\"}"))
                    .containsOnlyKeys("cart", "checkout", "worker");
            assertThat(p99).containsOnlyKeys("cart", "checkout", "worker");
            if (mode == HistogramMode.CLASSIC) {
                // Linear inside the classic bucket: checkout's p99 0.55 into (1.024, 2.048]; p50 22.5 of 40 into
                // (0.008, 0.016]; worker's 50 ms jobs in (0.032, 0.064], p50 half-way; cart's 5 ms in (0.004, 0.008].
                assertThat(p99.get("checkout")).isCloseTo(1.024 + 1.024 * 0.55, within(1e-9));
                assertThat(p50.get("checkout")).isCloseTo(0.008 + 0.008 * 22.5 / 40, within(1e-9));
                assertThat(p50.get("worker")).isCloseTo(0.048, within(1e-9));
                assertThat(p99.get("cart")).isCloseTo(0.004 + 0.004 * 0.99, within(1e-9));
            } else {
                // Exponential inside schema-3 buckets: 2 s ends bucket 8, 10 ms is in bucket -53, 50 ms in -34, 5 ms in -61.
                assertThat(p99.get("checkout")).isCloseTo(Math.pow(2, (7 + 0.55) / 8), within(1e-9));
                assertThat(p50.get("checkout")).isCloseTo(Math.pow(2, (-54 + 22.5 / 40) / 8), within(1e-9));
                assertThat(p50.get("worker")).isCloseTo(Math.pow(2, (-35 + 0.5) / 8), within(1e-9));
                assertThat(p99.get("cart")).isCloseTo(Math.pow(2, (-62 + 0.99) / 8), within(1e-9));
            }
        }
    }

    private static Map<String, Double> byService(Engine engine, GeneratedTraffic traffic, String q) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (Sample s : ((Vector) engine.instant(traffic.tsdb, PromQLParser.parseExpr(q), END, q).value()).samples()) {
            assertThat(out.put(s.labels().get("service"), s.f())).as("one series per service: " + s.labels()).isNull();
        }
        return out;
    }
}
