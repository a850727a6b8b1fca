package dev.sightline.server.tenants;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTest {
    @Test
    void takesAllOrNoneAndRefillsAtTheRateUpToTheBurst() {
        AtomicLong now = new AtomicLong();
        TokenBucket b = new TokenBucket(10, 20, now::get);
        assertThat(b.tryTake(15)).isTrue();
        assertThat(b.tryTake(6)).as("5 left").isFalse();
        assertThat(b.tryTake(5)).isTrue();
        now.addAndGet(500_000_000L);
        assertThat(b.tryTake(6)).as("half a second at 10/s refills 5").isFalse();
        assertThat(b.tryTake(5)).isTrue();
        now.addAndGet(3_600_000_000_000L);
        assertThat(b.tryTake(21)).as("never more than the burst").isFalse();
        assertThat(b.tryTake(20)).isTrue();
    }
}
