package dev.sightline.server.ingest;

import dev.sightline.core.WritePriority;

import static org.assertj.core.api.Assertions.assertThat;

/** For the write paths' tests: a request's mark is released by an end handler, which may run just after the client has the answer. */
public final class WritesInProgress {
    private WritesInProgress() {
    }

    /** Waits (up to 5 s) for no write to be in progress, then asserts there is none. */
    public static void awaitNone(WritePriority writes) throws InterruptedException {
        long until = System.nanoTime() + 5_000_000_000L;
        while (writes.writing() != 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(writes.writing()).isZero();
    }
}
