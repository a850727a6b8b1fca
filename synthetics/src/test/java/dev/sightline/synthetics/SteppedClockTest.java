package dev.sightline.synthetics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SteppedClockTest {
    @Test
    void tasksRunInTimeOrderAtTheirTimeOnlyWhenTheClockIsStepped() {
        SteppedClock clock = new SteppedClock(1_000);
        List<String> ran = new ArrayList<>();
        SyntheticClock.Timer a = clock.timer("a");
        SyntheticClock.Timer b = clock.timer("b");
        a.at(1_300, () -> ran.add("a@" + clock.millis()));
        b.at(1_100, () -> {
            ran.add("b@" + clock.millis());
            b.at(1_250, () -> ran.add("b2@" + clock.millis())); // added by a task, due in this step: runs in it
        });
        a.at(5_000, () -> ran.add("late@" + clock.millis()));
        assertThat(ran).isEmpty();
        clock.advanceTo(2_000);
        assertThat(ran).containsExactly("b@1100", "b2@1250", "a@1300");
        assertThat(clock.millis()).isEqualTo(2_000);
        a.cancel();
        a.at(2_500, () -> ran.add("after-cancel"));
        clock.advanceTo(10_000);
        assertThat(ran).hasSize(3);
    }

    @Test
    void sleepingMovesTheClockForwardAndNeverBack() {
        SteppedClock clock = new SteppedClock(1_000);
        SyntheticClock.Timer t = clock.timer("t");
        // A task that sleeps past the step leaves the clock where it woke.
        t.at(1_500, () -> clock.sleepUntil(4_000));
        clock.advanceTo(3_000);
        assertThat(clock.millis()).isEqualTo(4_000);
        clock.sleepUntil(2_000);
        clock.advanceTo(3_500);
        assertThat(clock.millis()).isEqualTo(4_000);
    }
}
