package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.demo.Replay;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.rules.RuleGroup;
import dev.sightline.rules.RuleGroupConfig;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The verdict from what a replay saw, and what a replay sends (replays against a server run in DrillCommandTest). */
class DrillRunnerTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final long START = 1_000_000;
    private static final DrillSpec RUNAWAY = new DrillSpec("r", "", List.of("trading-engine"), Duration.ofHours(1), Duration.ZERO, Duration.ofMinutes(10),
            new DrillSpec.IncidentSpec(IncidentKind.RUNAWAY_STRATEGY, Duration.ofMinutes(1), Duration.ofMinutes(5)),
            List.of(new DrillSpec.Expect("RunawayStrategy", null, Duration.ofSeconds(30)),
                    new DrillSpec.Expect(null, "momentum", Duration.ofSeconds(30))),
            List.of("ProductCacheStale"));

    @Test
    void detectionsInTimePass() {
        DrillRunner.Outcome o = DrillRunner.judge(RUNAWAY, START, Map.of("RunawayStrategy", START + 15_000),
                Map.of("momentum", START + 15_000), Map.of(), 0, 0);
        assertThat(o.passed()).isTrue();
        assertThat(o.findings()).containsExactly("alert RunawayStrategy after 15s (within 30s)",
                "halt of momentum after 15s (within 30s)", "no false page");
    }

    @Test
    void lateMissingEarlyForbiddenAndBrokenRulesFail() {
        assertThat(DrillRunner.judge(RUNAWAY, START, Map.of("RunawayStrategy", START + 45_000),
                Map.of("momentum", START + 15_000), Map.of(), 0, 0).findings())
                .contains("alert RunawayStrategy after 45s (LATE: needed within 30s)");
        // Firing before the incident began is not a detection of it.
        DrillRunner.Outcome early = DrillRunner.judge(RUNAWAY, START, Map.of("RunawayStrategy", START - 15_000),
                Map.of("momentum", START + 15_000), Map.of(), 0, 0);
        assertThat(early.passed()).isFalse();
        assertThat(early.findings()).contains("alert RunawayStrategy not seen (needed within 30s)");
        DrillRunner.Outcome paged = DrillRunner.judge(RUNAWAY, START, Map.of("RunawayStrategy", START + 15_000,
                "ProductCacheStale", START + 30_000), Map.of("momentum", START + 15_000), Map.of(), 0, 0);
        assertThat(paged.passed()).isFalse();
        assertThat(paged.findings()).contains("false pages: ProductCacheStale");
        DrillRunner.Outcome broken = DrillRunner.judge(RUNAWAY, START, Map.of("RunawayStrategy", START + 15_000),
                Map.of("momentum", START + 15_000), Map.of("StrategyLosing", "bad query"), 0, 0);
        assertThat(broken.passed()).isFalse();
        assertThat(broken.findings()).contains("rule StrategyLosing failed: bad query");
    }

    @Test
    void forbidAnyCatchesEveryAlert() {
        DrillSpec quiet = new DrillSpec("q", "", List.of("trading-engine"), Duration.ofHours(1), Duration.ZERO, Duration.ofHours(1), null, List.of(), List.of(DrillSpec.ANY));
        DrillRunner.Outcome o = DrillRunner.judge(quiet, -1, Map.of("B", 2L, "A", 1L), Map.of(), Map.of(), 0, 0);
        assertThat(o.passed()).isFalse();
        assertThat(o.findings()).containsExactly("false pages: A, B");
    }

    /** What a signal source sent, per step: a gauge's value or a counter's increment, NaN when nothing was sent. */
    private static List<Double> sent(DrillSignals signals, int steps) {
        List<Double> out = new java.util.ArrayList<>();
        for (int i = 1; i <= steps; i++) {
            double[] v = {Double.NaN};
            signals.step(START + i * 60_000L, 60_000, new dev.sightline.demo.sim.MetricSink() {
                @Override
                public void add(dev.sightline.demo.sim.Series s, long increment) {
                    v[0] = increment;
                }

                @Override
                public void set(dev.sightline.demo.sim.Series s, double value) {
                    v[0] = value;
                }

                @Override
                public void observe(dev.sightline.demo.sim.Series s, double value) {
                    throw new AssertionError("a drill signal has no histogram");
                }
            });
            out.add(v[0]);
        }
        return out;
    }

    @Test
    void signalFaultsChangeTheirSignalOnlyInsideTheirWindowAndNoiseIsSeeded() {
        DrillSpec.Signal gauge = new DrillSpec.Signal("lat", Map.of(), false, 0.2, 0, 0.1, "shop");
        DrillSpec.Signal rate = new DrillSpec.Signal("reqs", Map.of(), true, 2.5, 0, 0, "shop");
        long from = START + 3 * 60_000L;
        long to = START + 5 * 60_000L;
        List<Double> quiet = sent(new DrillSignals(1, List.of(gauge), null, -1, -1, 0), 6);
        assertThat(quiet).allSatisfy(v -> assertThat(v).isBetween(0.18, 0.22));
        assertThat(sent(new DrillSignals(1, List.of(gauge), null, -1, -1, 0), 6)).isEqualTo(quiet);
        assertThat(sent(new DrillSignals(2, List.of(gauge), null, -1, -1, 0), 6)).isNotEqualTo(quiet);
        List<Double> scaled = sent(new DrillSignals(1, List.of(gauge), new DrillSpec.SignalFault(0, DrillSpec.Effect.SCALE, 5), from, to, 0), 6);
        assertThat(scaled.get(1)).isEqualTo(quiet.get(1));
        assertThat(scaled.get(2)).isEqualTo(quiet.get(2) * 5);
        assertThat(scaled.get(3)).isEqualTo(quiet.get(3) * 5);
        assertThat(scaled.get(4)).isEqualTo(quiet.get(4));
        List<Double> offset = sent(new DrillSignals(1, List.of(gauge), new DrillSpec.SignalFault(0, DrillSpec.Effect.OFFSET, 1), from, to, 0), 6);
        assertThat(offset.get(2)).isEqualTo(quiet.get(2) + 1);
        List<Double> frozen = sent(new DrillSignals(1, List.of(gauge), new DrillSpec.SignalFault(0, DrillSpec.Effect.FREEZE, 0), from, to, 0), 6);
        assertThat(frozen.subList(1, 4)).containsOnly(quiet.get(1));
        assertThat(frozen.get(4)).isEqualTo(quiet.get(4));
        List<Double> stopped = sent(new DrillSignals(1, List.of(gauge), new DrillSpec.SignalFault(0, DrillSpec.Effect.STOP, 0), from, to, 0), 6);
        assertThat(stopped.get(2)).isNaN();
        assertThat(stopped.get(3)).isNaN();
        assertThat(stopped.get(4)).isEqualTo(quiet.get(4));
        // A counter's rate per second becomes whole increments per step; frozen, it stops increasing.
        assertThat(sent(new DrillSignals(1, List.of(rate), null, -1, -1, 0), 3)).containsExactly(150.0, 150.0, 150.0);
        assertThat(sent(new DrillSignals(1, List.of(rate), new DrillSpec.SignalFault(0, DrillSpec.Effect.FREEZE, 0), from, to, 0), 6))
                .containsExactly(150.0, 150.0, 0.0, 0.0, 150.0, 150.0);
    }

    /**
     * Every point a drill's replay sends (history, then steps with histograms), as text with its times made relative
     * to the replay's start: what must not depend on when the drill runs.
     */
    private static List<String> replayed(DrillSpec spec, long start) throws Exception {
        List<String> out = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        long startNanos = start * 1_000_000;
        // A gauge's point has no start time (0): only times that are set move with the start.
        java.util.function.LongUnaryOperator relative = nanos -> nanos == 0 ? 0 : nanos - startNanos;
        HttpServer capture = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        capture.createContext("/v1/metrics", ex -> {
            ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(ex.getRequestBody().readAllBytes());
            for (ResourceMetrics rm : req.getResourceMetricsList()) {
                for (Metric m : rm.getScopeMetrics(0).getMetricsList()) {
                    List<NumberDataPoint> numbers = m.hasSum() ? m.getSum().getDataPointsList() : m.getGauge().getDataPointsList();
                    numbers.forEach(p -> out.add(m.getName() + " " + p.toBuilder()
                            .setTimeUnixNano(relative.applyAsLong(p.getTimeUnixNano()))
                            .setStartTimeUnixNano(relative.applyAsLong(p.getStartTimeUnixNano())).build()));
                    m.getExponentialHistogram().getDataPointsList().forEach(p -> out.add(m.getName() + " " + p.toBuilder()
                            .setTimeUnixNano(relative.applyAsLong(p.getTimeUnixNano()))
                            .setStartTimeUnixNano(relative.applyAsLong(p.getStartTimeUnixNano())).build()));
                }
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        capture.start();
        try (Replay replay = DrillRunner.replay(spec, start, new DrillClock(start))) {
            replay.connect(URI.create("http://127.0.0.1:" + capture.getAddress().getPort()), start - spec.history().toMillis());
            replay.sendUntil(start, Duration.ofMinutes(1), false);
            replay.sendUntil(start + spec.duration().toMillis(), Duration.ofSeconds(15), true);
        } finally {
            capture.stop(0);
        }
        return out;
    }

    @Test
    void aReplaySendsTheSameNumbersWhateverTheWallClockReads() throws Exception {
        String drill = """
                name: phase
                service: surge-pricer
                history: 2h
                duration: 4m
                signals: [{metric: drill_load, type: gauge, baseline: 1, daily_amplitude: 0.5, noise: 0.1}]
                incident: {kind: hidden-surge, start: 1m, length: 3m}
                expect: [{alert: HiddenSurgeOutliers, within: 3m}]
                """;
        DrillSpec friday = DrillSpec.parse("phase.yml", YAML.readTree(drill + "at: Fri 18:00\n"), Path.of("."));
        // A Sunday night and a weekday noon months later: the company is at Friday 18:00 in both.
        long sundayNight = Instant.parse("2026-12-06T03:07:00Z").toEpochMilli();
        long weekdayNoon = Instant.parse("2027-03-17T12:00:00Z").toEpochMilli();
        List<String> a = replayed(friday, sundayNight);
        List<String> b = replayed(friday, weekdayNoon);
        assertThat(a).hasSizeGreaterThan(5_000).hasSameSizeAs(b);
        int differs = java.util.stream.IntStream.range(0, a.size()).filter(i -> !a.get(i).equals(b.get(i))).findFirst().orElse(-1);
        assertThat(differs).as(() -> "first difference: " + a.get(differs) + " against " + b.get(differs)).isEqualTo(-1);
        assertThat(a).anyMatch(p -> p.startsWith("surge_multiplier ")).anyMatch(p -> p.startsWith("drill_load "));
        // The phase is what sets the numbers: the same clock at another phase sends others.
        DrillSpec sunday = DrillSpec.parse("phase.yml", YAML.readTree(drill + "at: Sun 03:00\n"), Path.of("."));
        assertThat(replayed(sunday, sundayNight)).isNotEqualTo(a);
    }

    @Test
    void aGroupEvaluatesAtTheSameMomentsWhicheverFolderTheDrillRunsIn(@TempDir Path tmp) {
        // Each drill's server has a random temporary folder; its rule files' absolute paths hold it.
        java.util.function.BiFunction<String, String, RuleGroup> group = (run, name) -> new RuleGroup(new RuleGroupConfig(
                tmp.resolve(run).resolve("demo/../rules/demo-" + name + ".yml").toString(), "demo-" + name, 0, 0, 0, List.of(), 1), 15_000);
        long t0 = 60_000L * 29_000_000;
        java.util.Set<Long> phases = new java.util.HashSet<>();
        for (String name : List.of("cache", "surge", "trading", "payments", "golden")) {
            RuleGroup first = group.apply("sightline-drill-a-123", name);
            RuleGroup second = group.apply("sightline-drill-a-987", name);
            for (long t = t0; t < t0 + 60_000; t += 15_000) {
                long at = DrillRunner.evaluationTime(first, tmp.resolve("sightline-drill-a-123"), t);
                assertThat(DrillRunner.evaluationTime(second, tmp.resolve("sightline-drill-a-987"), t)).as(name).isEqualTo(at);
                assertThat(at).isGreaterThan(t - 15_000).isLessThanOrEqualTo(t);
                phases.add(Math.floorMod(at, 15_000L));
            }
        }
        // The groups still spread over the interval, each on a phase of its own.
        assertThat(phases).hasSizeGreaterThan(1);
    }

    /** A real replay (a server of its own) of a team's signal and rule: the fault is caught; without it, silence. */
    @Test
    void aSignalFaultIsDetectedAndWithoutItTheAlertStaysQuiet(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/slow.yml"), """
                groups:
                  - name: slow
                    rules:
                      - alert: Slow
                        expr: drill_latency_seconds > 0.5
                        for: 30s
                """);
        String common = """
                name: %s
                service: checkout
                history: 10m
                duration: 4m
                rule_files: [rules/*.yml]
                signals:
                  - {metric: drill_latency_seconds, type: gauge, baseline: 0.2, noise: 0.1}
                """;
        Files.writeString(dir.resolve("faulted.yml"), common.formatted("faulted") + """
                incident: {kind: signal, signal: drill_latency_seconds, effect: scale, value: 5, start: 1m, length: 3m}
                expect: [{alert: Slow, within: 1m}]
                """);
        Files.writeString(dir.resolve("quiet.yml"), common.formatted("quiet") + "incident: none\nforbid: [Slow]\n");
        DrillRunner.Outcome faulted = DrillRunner.run(DrillSpec.load(dir.resolve("faulted.yml")));
        assertThat(faulted.passed()).as(faulted.findings().toString()).isTrue();
        assertThat(faulted.firstFired().get("Slow")).isGreaterThanOrEqualTo(faulted.incidentStartMillis());
        DrillRunner.Outcome quiet = DrillRunner.run(DrillSpec.load(dir.resolve("quiet.yml")));
        assertThat(quiet.passed()).as(quiet.findings().toString()).isTrue();
        assertThat(quiet.firstFired()).doesNotContainKey("Slow");
        assertThat(quiet.findings()).containsExactly("no false page");
    }
}
