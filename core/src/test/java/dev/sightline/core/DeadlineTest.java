package dev.sightline.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadlineTest {
    @Test
    void aDeadlineInTheFutureHasNotExpired() {
        Deadline d = Deadline.in(60_000);
        assertThat(d.expired()).isFalse();
        d.check();
        assertThat(d.leftMillis()).isBetween(1L, 60_000L);
        assertThat(d.timeoutMs()).isEqualTo(60_000);
    }

    @Test
    void aPassedDeadlineThrowsTimedOutNamingTheLimit() {
        Deadline d = Deadline.at(System.nanoTime() - 1, 250);
        assertThat(d.expired()).isTrue();
        assertThat(d.leftMillis()).isZero();
        assertThatThrownBy(d::check).isInstanceOfSatisfying(Deadline.Exceeded.class,
                e -> assertThat(e.canceled()).isFalse())
                .hasMessage("query timed out after 250ms (limits.query_timeout)");
    }

    @Test
    void cancelingMakesTheNextCheckThrowCanceled() {
        Deadline d = Deadline.in(60_000);
        d.cancel();
        assertThat(d.expired()).isTrue();
        assertThatThrownBy(d::check).isInstanceOfSatisfying(Deadline.Exceeded.class,
                e -> assertThat(e.canceled()).isTrue());
    }

    @Test
    void tickReadsTheClockOnlyEveryCheckEveryCalls() {
        Deadline d = Deadline.at(System.nanoTime() - 1, 1);
        for (int i = 1; i < Deadline.CHECK_EVERY; i++) {
            assertThat(d.tick()).as("tick %d", i).isFalse();
        }
        assertThat(d.tick()).isTrue();
        Deadline live = Deadline.in(60_000);
        for (int i = 0; i < 3 * Deadline.CHECK_EVERY; i++) {
            assertThat(live.tick()).isFalse();
        }
    }

    @Test
    void tickCheckThrowsOnlyAtTheTickThatReadsTheClock() {
        Deadline d = Deadline.in(60_000);
        d.cancel();
        for (int i = 1; i < Deadline.CHECK_EVERY; i++) {
            d.tickCheck();
        }
        assertThatThrownBy(d::tickCheck).isInstanceOfSatisfying(Deadline.Exceeded.class,
                e -> assertThat(e.canceled()).isTrue());
        Deadline live = Deadline.in(60_000);
        for (int i = 0; i < 3 * Deadline.CHECK_EVERY; i++) {
            live.tickCheck();
        }
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThatThrownBy(() -> Deadline.in(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive timeout, got 0ms");
    }
}
