package dev.sightline.tsdb.tombstone;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntervalsTest {
    @Test
    void mergesOverlappingAndTouchingIntervalsInOrder() {
        Intervals iv = Intervals.of(10, 20).add(30, 40).add(0, 5);
        assertThat(iv).hasToString("[[0, 5], [10, 20], [30, 40]]");
        assertThat(iv.add(21, 29)).hasToString("[[0, 5], [10, 40]]");
        assertThat(iv.add(6, 9)).hasToString("[[0, 20], [30, 40]]");
        assertThat(iv.add(15, 35)).hasToString("[[0, 5], [10, 40]]");
        assertThat(iv.add(-100, 100)).hasToString("[[-100, 100]]");
        assertThat(iv.add(22, 28)).hasToString("[[0, 5], [10, 20], [22, 28], [30, 40]]");
    }

    @Test
    void handlesTheEndsOfTheLongRange() {
        Intervals iv = Intervals.of(Long.MIN_VALUE, 0).add(1, Long.MAX_VALUE);
        assertThat(iv.size()).isEqualTo(1);
        assertThat(iv.covers(Long.MIN_VALUE, Long.MAX_VALUE)).isTrue();
        assertThat(Intervals.of(Long.MAX_VALUE, Long.MAX_VALUE).add(Long.MIN_VALUE, Long.MIN_VALUE).size()).isEqualTo(2);
    }

    @Test
    void coversOnlyWhatOneIntervalHoldsWhole() {
        Intervals iv = Intervals.of(10, 20).add(22, 30);
        assertThat(iv.covers(10, 20)).isTrue();
        assertThat(iv.covers(12, 15)).isTrue();
        assertThat(iv.covers(15, 25)).isFalse();
        assertThat(iv.covers(9, 12)).isFalse();
        assertThat(iv.covers(31, 31)).isFalse();
    }

    @Test
    void refusesReversedIntervals() {
        assertThatThrownBy(() -> Intervals.of(2, 1)).hasMessageContaining("after its end");
        assertThatThrownBy(() -> Intervals.of(0, 1).add(5, 4)).hasMessageContaining("after its end");
    }

    @Test
    void agreesWithABitmapOnRandomAdds() {
        Random rnd = new Random(18);
        for (int round = 0; round < 500; round++) {
            boolean[] del = new boolean[200];
            Intervals iv = null;
            for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                int a = rnd.nextInt(200);
                int b = Math.min(199, a + rnd.nextInt(30));
                for (int t = a; t <= b; t++) {
                    del[t] = true;
                }
                iv = iv == null ? Intervals.of(a, b) : iv.add(a, b);
            }
            for (int i = 0; i < iv.size(); i++) {
                assertThat(iv.min(i)).isLessThanOrEqualTo(iv.max(i));
                if (i > 0) {
                    assertThat(iv.min(i)).as("separate, not touching").isGreaterThan(iv.max(i - 1) + 1);
                }
            }
            for (int t = 0; t < 200; t++) {
                assertThat(iv.covers(t, t)).as("t=%d in %s", t, iv).isEqualTo(del[t]);
            }
        }
    }
}
