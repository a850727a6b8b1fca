package dev.sightline.promql.anomaly;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Times as a ring: every live timestamp reads back exactly, whether it is stored as an offset or widened. */
class TimesTest {
    private static final long OFFSET_REACH = Integer.MAX_VALUE;

    /**
     * A ring of 8 slots fed increasing times with steps from a millisecond to beyond the offsets' reach, evicted at
     * random; after every operation each live slot holds its time, and a relayout keeps them.
     */
    @Property(tries = 200)
    void liveTimesReadBackExactly(@ForAll long seed) {
        Random r = new Random(seed);
        int cap = 8;
        Times times = new Times(cap);
        long[] expected = new long[cap];
        int head = 0, count = 0;
        long t = r.nextBoolean() ? 1_700_000_000_000L : -5_000_000_000L;
        for (int op = 0; op < 400; op++) {
            if (count == cap || (count > 0 && r.nextDouble() < 0.4)) {
                head = (head + 1) % cap;
                count--;
            } else {
                double kind = r.nextDouble();
                t += kind < 0.6 ? 1 + r.nextInt(60_000) : kind < 0.9 ? r.nextLong(OFFSET_REACH / 2) : r.nextLong(3 * OFFSET_REACH);
                int slot = (head + count) % cap;
                times.set(slot, t, head, count);
                expected[slot] = t;
                count++;
            }
            if (r.nextDouble() < 0.05) {
                times = times.relayout(head, count, cap);
                long[] moved = new long[cap];
                for (int k = 0; k < count; k++) {
                    moved[k] = expected[(head + k) % cap];
                }
                expected = moved;
                head = 0;
            }
            for (int k = 0; k < count; k++) {
                int slot = (head + k) % cap;
                assertThat(times.get(slot)).as("seed %d op %d slot %d", seed, op, slot).isEqualTo(expected[slot]);
            }
        }
    }

    @Test
    void aWindowBeyondTheOffsetsReachWidensAndARelayoutNarrowsAgain() {
        Times times = new Times(4);
        times.set(0, 0, 0, 0);
        times.set(1, 3 * OFFSET_REACH, 0, 1);
        assertThat(times.get(0)).isZero();
        assertThat(times.get(1)).isEqualTo(3 * OFFSET_REACH);
        // Only the newest left: it fits offsets again.
        Times narrow = times.relayout(1, 1, 4);
        assertThat(narrow.get(0)).isEqualTo(3 * OFFSET_REACH);
        assertThat(RetainedSize.of(narrow)).isLessThan(RetainedSize.of(times));
    }
}
