package dev.sightline.server.tenants;

import java.util.function.LongSupplier;

/**
 * Mimir's ingestion rate limit: a bucket of {@code burst} tokens refilled at {@code ratePerSecond}; a request takes
 * as many tokens as it carries samples, all or none. Thread-safe.
 */
final class TokenBucket {
    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastNanos;

    TokenBucket(double ratePerSecond, double burst, LongSupplier nanoClock) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastNanos = nanoClock.getAsLong();
    }

    /** Takes {@code n} tokens if the bucket holds them; false (taking none) when it does not. */
    synchronized boolean tryTake(long n) {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastNanos) * ratePerNano);
        lastNanos = now;
        if (n > tokens) {
            return false;
        }
        tokens -= n;
        return true;
    }
}
