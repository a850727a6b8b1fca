package dev.sightline.server.logs.patterns;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.patterns.PatternMiner;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.rules.Alert;
import dev.sightline.rules.AlertState;
import dev.sightline.rules.AlertingRule;
import dev.sightline.rules.Rule;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleGroup;
import dev.sightline.rules.RuleManager;
import dev.sightline.server.Main;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * examples/rules/log-patterns.yml, as shipped, over the counters a real miner writes: a service's usual lines, a new
 * kind of info line (no alert), a new kind of error line (the alert, with its service), then a restart that re-finds
 * every pattern (no alert).
 */
class LogPatternRulesTest {
    private static final Path RULES = Path.of("..", "examples", "rules", "log-patterns.yml");
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % (60 * MIN);

    private PatternMiner miner = new PatternMiner(PatternMiner.Options.DEFAULTS);
    private long clock;
    private PatternMetrics metrics = new PatternMetrics(miner, Duration.ofSeconds(15), () -> clock);

    private void lines(long t, Random r, boolean newInfo, boolean newError) {
        Labels stream = Labels.of("service_name", "checkout");
        List<LogEntry> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(new LogEntry(t * 1_000_000L, stream, Labels.EMPTY,
                    "level=info msg=\"order placed\" order=" + r.nextInt(100000) + " took=" + r.nextInt(500) + "ms"));
        }
        batch.add(new LogEntry(t * 1_000_000L, stream, Labels.EMPTY,
                "level=error msg=\"card declined\" order=" + r.nextInt(100000)));
        if (newInfo) {
            batch.add(new LogEntry(t * 1_000_000L, stream, Labels.EMPTY, "level=info msg=\"coupon applied\" code=X" + r.nextInt(99)));
        }
        if (newError) {
            batch.add(new LogEntry(t * 1_000_000L, stream, Labels.EMPTY,
                    "level=error msg=\"inventory service unreachable\" attempt=" + r.nextInt(3)));
        }
        miner.observe(batch);
    }

    @Test
    void checkRulesPassesTheFile() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("check-rules", RULES.toString())).as(out.toString()).isZero();
        assertThat(out.toString()).contains("SUCCESS: 2 rules found");
    }

    @Test
    void aNewKindOfErrorAlertsOnceAndARestartDoesNot() throws Exception {
        RuleFileParser.Result parsed = RuleFileParser.parseFile(RULES);
        assertThat(parsed.errors()).isEmpty();
        long end = T0 + 120 * MIN;
        List<Long> firing = new ArrayList<>();
        List<Labels> firingLabels = new ArrayList<>();
        try (Tsdb tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
             RuleManager manager = new RuleManager(tsdb, new Engine(EngineOptions.defaults()), alerts -> { },
                     RuleManager.Options.defaults(), () -> end)) {
            manager.update(parsed.groups());
            Random r = new Random(3);
            for (long t = T0 + 15_000; t <= end; t += 15_000) {
                if (t == T0 + 60 * MIN) {
                    // A restart: patterns and counters start again from nothing.
                    miner = new PatternMiner(PatternMiner.Options.DEFAULTS);
                    metrics = new PatternMetrics(miner, Duration.ofSeconds(15), () -> clock);
                }
                // From minute 20 a new info line, from minute 30 a new error line, both kept up after the restart.
                lines(t, r, t >= T0 + 20 * MIN, t >= T0 + 30 * MIN);
                clock = t;
                Appender a = tsdb.appender();
                metrics.collect(a);
                if (t % MIN != 0) {
                    continue;
                }
                for (RuleGroup g : manager.groups()) {
                    manager.evaluate(g, t);
                    for (Rule rule : g.rules()) {
                        assertThat(rule.health()).as(rule.config().name() + ": " + rule.lastError()).isEqualTo("ok");
                        if (rule instanceof AlertingRule al) {
                            for (Alert alert : al.alerts()) {
                                if (alert.state() == AlertState.FIRING) {
                                    firing.add((t - T0) / MIN);
                                    firingLabels.add(alert.labels());
                                }
                            }
                        }
                    }
                }
            }
        }
        // The error pattern appeared at minute 30: firing from then for the 10-minute window, never again.
        assertThat(firing).isNotEmpty();
        assertThat(firing.get(0)).isEqualTo(30);
        assertThat(firing).allMatch(m -> m >= 30 && m <= 40);
        assertThat(firingLabels).allMatch(l -> "checkout".equals(l.get("service")) && "error".equals(l.get("level")));
    }
}
