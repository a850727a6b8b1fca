package dev.sightline.demo.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IncidentScheduleTest {
    @Test
    void incidentsTakeTurnsWithGapsForever() {
        IncidentSchedule s = new IncidentSchedule(1_000, Duration.ofSeconds(10), Duration.ofSeconds(5));
        assertThat(s.at(999)).isEmpty();
        assertThat(s.at(1_000).orElseThrow()).isEqualTo(new Incident(1, IncidentKind.RUNAWAY_STRATEGY, 1_000, 11_000));
        assertThat(s.at(10_999)).isPresent();
        assertThat(s.at(11_000)).isEmpty();
        assertThat(s.at(16_000).orElseThrow().kind()).isEqualTo(IncidentKind.STALE_CACHE);
        assertThat(s.at(31_000).orElseThrow().kind()).isEqualTo(IncidentKind.HIDDEN_SURGE);
        assertThat(s.at(46_000).orElseThrow().kind()).isEqualTo(IncidentKind.SATURATED_POOL);
        assertThat(s.at(61_000).orElseThrow().kind()).isEqualTo(IncidentKind.RIDER_DRIVER_MISMATCH);
        assertThat(s.at(76_000).orElseThrow()).isEqualTo(new Incident(6, IncidentKind.RUNAWAY_STRATEGY, 76_000, 86_000));
        assertThat(s.startOf(IncidentKind.STALE_CACHE, 20_000)).isEqualTo(16_000);
        assertThat(s.startOf(IncidentKind.RUNAWAY_STRATEGY, 20_000)).isEqualTo(-1);
        assertThat(IncidentSchedule.NONE.at(Long.MAX_VALUE - 1)).isEmpty();
    }

    @Test
    void aSingleIncidentHappensOnceAndIsOfItsKind() {
        IncidentSchedule s = IncidentSchedule.single(IncidentKind.SATURATED_POOL, 5_000, Duration.ofSeconds(10));
        assertThat(s.at(4_999)).isEmpty();
        assertThat(s.at(5_000).orElseThrow()).isEqualTo(new Incident(1, IncidentKind.SATURATED_POOL, 5_000, 15_000));
        assertThat(s.at(15_000)).isEmpty();
        assertThat(s.at(5_000 + Duration.ofDays(30).toMillis())).isEmpty();
        assertThat(s.active(IncidentKind.RUNAWAY_STRATEGY, 6_000)).isFalse();
    }

    @Test
    void chosenKindsTakeTurnsInTheirOrder() {
        IncidentSchedule s = new IncidentSchedule(1_000, Duration.ofSeconds(10), Duration.ofSeconds(5),
                List.of(IncidentKind.RIDER_DRIVER_MISMATCH, IncidentKind.STALE_CACHE));
        assertThat(s.at(1_000).orElseThrow()).isEqualTo(new Incident(1, IncidentKind.RIDER_DRIVER_MISMATCH, 1_000, 11_000));
        assertThat(s.at(16_000).orElseThrow().kind()).isEqualTo(IncidentKind.STALE_CACHE);
        assertThat(s.at(31_000).orElseThrow()).isEqualTo(new Incident(3, IncidentKind.RIDER_DRIVER_MISMATCH, 31_000, 41_000));
        // The default order: every kind, the mismatch last.
        assertThat(new IncidentSchedule(0, Duration.ofSeconds(10), Duration.ZERO).occurrence(4).kind())
                .isEqualTo(IncidentKind.RIDER_DRIVER_MISMATCH);
    }

    @Test
    void kindsGoByTheirDrillNames() {
        for (IncidentKind k : IncidentKind.values()) {
            assertThat(IncidentKind.byId(k.id())).isEqualTo(k);
        }
        assertThat(IncidentKind.RIDER_DRIVER_MISMATCH.id()).isEqualTo("rider-driver-mismatch");
        assertThatThrownBy(() -> IncidentKind.byId("Stale_Cache")).hasMessage("unknown \"Stale_Cache\"; known: "
                + "[runaway-strategy, stale-cache, hidden-surge, saturated-pool, rider-driver-mismatch]");
    }

    @Test
    void refusesEmptyIncidentsAndNegativeGaps() {
        assertThatThrownBy(() -> new IncidentSchedule(0, Duration.ZERO, Duration.ZERO)).hasMessageContaining("incident length");
        assertThatThrownBy(() -> new IncidentSchedule(0, Duration.ofSeconds(1), Duration.ofSeconds(-1))).hasMessageContaining("gap");
        assertThatThrownBy(() -> new IncidentSchedule(0, Duration.ofSeconds(1), Duration.ZERO, List.of()))
                .hasMessageContaining("at least one kind");
    }
}
