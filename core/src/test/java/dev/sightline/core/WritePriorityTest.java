package dev.sightline.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WritePriorityTest {
    private static final long FAR = TimeUnit.SECONDS.toNanos(60);

    /** Runs {@code body} on a reader thread of {@code p} and returns how long it took. */
    private static long onReader(WritePriority p, Runnable body) throws InterruptedException {
        AtomicLong took = new AtomicLong();
        Thread t = p.newReader(() -> {
            long t0 = System.nanoTime();
            body.run();
            took.set(System.nanoTime() - t0);
        }, "reader");
        t.start();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        return took.get();
    }

    @Test
    void aReaderPausesWhileAWriteIsInProgressAtMostTheLongestPause() throws Exception {
        WritePriority p = new WritePriority();
        p.beginWrite();
        long took = onReader(p, () -> WritePriority.yieldToWrites(System.nanoTime() + FAR));
        assertThat(took).isGreaterThanOrEqualTo(WritePriority.MAX_PAUSE_NANOS).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(p.pausedNanos()).isGreaterThanOrEqualTo(WritePriority.MAX_PAUSE_NANOS);
    }

    @Test
    void aPauseEndsAtTheDeadline() throws Exception {
        WritePriority p = new WritePriority();
        p.beginWrite();
        // A deadline already passed: no pause at all, so the caller's check reports the timeout at once.
        // Pause time, not wall time: a loaded machine may keep the reader off its core for longer than a pause.
        onReader(p, () -> WritePriority.yieldToWrites(System.nanoTime() - 1));
        assertThat(p.pausedNanos()).isLessThan(WritePriority.MAX_PAUSE_NANOS);
    }

    @Test
    void aReaderRunsAtLeastTheShortestRunBetweenPauses() throws Exception {
        // Straight after a pause, a second check does not pause. Counted by pause time, not wall time, and tried a few
        // times: on a loaded machine the reader can be off its core for more than MIN_RUN between the two checks, and
        // then a second pause is right. Without the shortest run, every try pauses twice.
        boolean secondSkipped = false;
        for (int attempt = 0; attempt < 10 && !secondSkipped; attempt++) {
            WritePriority p = new WritePriority();
            p.beginWrite();
            long[] pausedBySecond = new long[1];
            onReader(p, () -> {
                WritePriority.yieldToWrites(System.nanoTime() + FAR);
                long afterFirst = p.pausedNanos();
                WritePriority.yieldToWrites(System.nanoTime() + FAR);
                pausedBySecond[0] = p.pausedNanos() - afterFirst;
            });
            assertThat(p.pausedNanos()).isGreaterThanOrEqualTo(WritePriority.MAX_PAUSE_NANOS);
            secondSkipped = pausedBySecond[0] == 0;
        }
        assertThat(secondSkipped).as("a check straight after a pause skipped its pause in one of 10 tries").isTrue();
    }

    @Test
    void otherThreadsAndIdleWritersNeverPause() throws Exception {
        WritePriority p = new WritePriority();
        p.beginWrite();
        WritePriority.yieldToWrites(System.nanoTime() + FAR);
        assertThat(p.pausedNanos()).isZero();

        WritePriority idle = new WritePriority();
        onReader(idle, () -> WritePriority.yieldToWrites(System.nanoTime() + FAR));
        assertThat(idle.pausedNanos()).isZero();
    }

    @Test
    void anInterruptEndsThePauseAndStaysSet() throws Exception {
        WritePriority p = new WritePriority();
        p.beginWrite();
        boolean[] interrupted = new boolean[1];
        long took = onReader(p, () -> {
            Thread.currentThread().interrupt();
            WritePriority.yieldToWrites(System.nanoTime() + FAR);
            interrupted[0] = Thread.currentThread().isInterrupted();
        });
        assertThat(took).isLessThan(WritePriority.MAX_PAUSE_NANOS);
        assertThat(interrupted[0]).isTrue();
    }

    @Test
    void writesCountUntilTheyEndAndLingerBriefly() {
        WritePriority p = new WritePriority();
        long now = System.nanoTime();
        assertThat(p.inProgress(now)).isFalse();
        p.beginWrite();
        p.beginWrite();
        assertThat(p.writing()).isEqualTo(2);
        assertThat(p.inProgress(now)).isTrue();
        p.endWrite();
        p.endWrite();
        long ended = System.nanoTime();
        assertThat(p.writing()).isZero();
        // Back-to-back requests leave short gaps: a write that just ended still counts, for LINGER_NANOS.
        assertThat(p.inProgress(ended)).isTrue();
        assertThat(p.inProgress(ended + WritePriority.LINGER_NANOS + 1)).isFalse();
    }

    @Test
    void withCoresToSpareReadersGiveWayOnlyOnceTheWritesFillThem() throws Exception {
        WritePriority p = new WritePriority(2);
        p.beginWrite();
        long now = System.nanoTime();
        assertThat(p.inProgress(now)).isFalse();
        onReader(p, () -> WritePriority.yieldToWrites(System.nanoTime() + FAR));
        assertThat(p.pausedNanos()).isZero();
        p.beginWrite();
        assertThat(p.inProgress(now)).isTrue();
        p.endWrite();
        // One left, one just ended: still the two of them, for the linger.
        assertThat(p.inProgress(System.nanoTime())).isTrue();
        assertThat(p.inProgress(System.nanoTime() + WritePriority.LINGER_NANOS + 1)).isFalse();
    }

    @Test
    void aScanGivesWayAtItsDeadlineChecks() throws Exception {
        WritePriority p = new WritePriority();
        p.beginWrite();
        Deadline d = Deadline.in(60_000);
        onReader(p, () -> {
            for (int i = 0; i < Deadline.CHECK_EVERY; i++) {
                assertThat(d.tick()).isFalse();
            }
        });
        assertThat(p.pausedNanos()).isGreaterThanOrEqualTo(WritePriority.MAX_PAUSE_NANOS);
    }

    @Test
    void refusesAThresholdBelowOne() {
        assertThatThrownBy(() -> new WritePriority(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("writesToYieldTo").hasMessageContaining("0");
    }
}
