package dev.sightline.metricstore;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollectionLoopTest {
    /** Counts rollbacks; appends nothing. */
    private static final class Counting implements Appender {
        final AtomicInteger rollbacks = new AtomicInteger();

        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            return 1;
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram h) {
            return 1;
        }

        @Override
        public void commit() {
        }

        @Override
        public void rollback() {
            rollbacks.incrementAndGet();
        }
    }

    @Test
    void collectsEveryIntervalRollsBackFailuresAndOnceMoreOnClose() throws Exception {
        Counting appender = new Counting();
        AtomicInteger rounds = new AtomicInteger();
        CollectionLoop loop = CollectionLoop.start("test-loop", Duration.ofMillis(20), () -> appender, a -> {
            if (rounds.incrementAndGet() == 1) {
                throw new IOException("disk full");
            }
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (rounds.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        loop.close();
        int afterClose = rounds.get();
        assertThat(afterClose).isGreaterThanOrEqualTo(4); // three rounds, then the last one of close
        assertThat(appender.rollbacks.get()).isEqualTo(1);
        loop.close();
        Thread.sleep(60);
        assertThat(rounds.get()).isEqualTo(afterClose);
    }

    @Test
    void skipsRoundsWithoutStorageAndRefusesABadInterval() {
        AtomicInteger rounds = new AtomicInteger();
        CollectionLoop loop = CollectionLoop.start("test-loop", Duration.ofMillis(10), () -> null, a -> rounds.incrementAndGet());
        loop.close();
        assertThat(rounds.get()).isZero();
        assertThatThrownBy(() -> CollectionLoop.start("test-loop", Duration.ZERO, () -> null, a -> { }))
                .hasMessageContaining("test-loop: the collection interval must be positive");
    }
}
