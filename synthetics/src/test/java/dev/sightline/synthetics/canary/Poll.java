package dev.sightline.synthetics.canary;

import java.util.function.BooleanSupplier;

/** Waits for a condition in tests that watch canaries run in real time. */
public final class Poll {
    private Poll() {
    }

    /** Waits until {@code done} holds, failing with {@code what} after {@code seconds}. */
    public static void until(double seconds, String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
