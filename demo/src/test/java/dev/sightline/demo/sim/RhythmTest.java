package dev.sightline.demo.sim;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RhythmTest {
    @Test
    void interpolatesBetweenHoursAndAppliesTheWeekday() {
        double[] hourly = new double[24];
        hourly[10] = 1;
        hourly[11] = 3;
        double[] weekly = {1, 1, 1, 1, 1, 0.5, 0.5};
        Rhythm r = new Rhythm(hourly, weekly);
        long wed = Instant.parse("2026-12-02T10:30:00Z").toEpochMilli();
        long sat = Instant.parse("2026-12-05T10:30:00Z").toEpochMilli();
        assertThat(r.level(wed)).isCloseTo(2.0, within(1e-9));
        assertThat(r.level(sat)).isCloseTo(1.0, within(1e-9));
        // 23:xx interpolates towards hour 0 of the next day.
        assertThat(r.level(Instant.parse("2026-12-02T23:30:00Z").toEpochMilli())).isZero();
    }

    @Test
    void refusesWrongShapes() {
        assertThatThrownBy(() -> new Rhythm(new double[23], new double[7])).hasMessageContaining("hourly: 24");
        assertThatThrownBy(() -> new Rhythm(new double[24], new double[6])).hasMessageContaining("weekly: 7");
    }

    @Test
    void noiseIsDeterministicAndRoughlyNormal() {
        Noise a = new Noise(9);
        Noise b = new Noise(9);
        double sum = 0;
        double sq = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            double g = a.gaussian(1, i);
            assertThat(b.gaussian(1, i)).isEqualTo(g);
            sum += g;
            sq += g * g;
        }
        assertThat(sum / n).isCloseTo(0, within(0.05));
        assertThat(sq / n).isCloseTo(1, within(0.05));
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += a.poisson(4.5, 2, i);
        }
        assertThat(mean / n).isCloseTo(4.5, within(0.1));
        assertThat(a.poisson(0, 2, 1)).isZero();
    }
}
