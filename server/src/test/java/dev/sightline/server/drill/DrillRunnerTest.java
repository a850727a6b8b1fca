package dev.sightline.server.drill;

import dev.sightline.demo.sim.IncidentKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The verdict from what a replay saw (the replay itself runs in DrillCommandTest). */
class DrillRunnerTest {
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
}
