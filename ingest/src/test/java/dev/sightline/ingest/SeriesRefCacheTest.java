package dev.sightline.ingest;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeriesRefCacheTest {
    @Test
    void putGetRemove() {
        SeriesRefCache c = new SeriesRefCache(1000);
        assertThat(c.get(1, 2)).isZero();
        c.put(1, 2, 7);
        c.put(1, 3, 8); // same first hash, other second hash: another key
        assertThat(c.get(1, 2)).isEqualTo(7);
        assertThat(c.get(1, 3)).isEqualTo(8);
        c.put(1, 2, 9);
        assertThat(c.get(1, 2)).isEqualTo(9);
        c.remove(1, 2);
        assertThat(c.get(1, 2)).isZero();
        assertThat(c.get(1, 3)).isEqualTo(8);
        assertThat(c.size()).isEqualTo(1);
        assertThatThrownBy(() -> c.put(4, 4, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void staysWithinItsBound() {
        SeriesRefCache c = new SeriesRefCache(64 * 16);
        for (long i = 1; i <= 100_000; i++) {
            c.put(i * 0x9E3779B97F4A7C15L, i, i);
        }
        assertThat(c.size()).isLessThanOrEqualTo(64 * 16);
        // The newest entries are there: a full segment is cleared before an insert, not after.
        assertThat(c.get(100_000 * 0x9E3779B97F4A7C15L, 100_000)).isEqualTo(100_000);
    }

    /** Readers racing writers (puts that grow and clear segments, removals) see a key's own ref or none, never another's. */
    @Test
    void concurrentReadersNeverSeeAnotherKeysRef() throws Exception {
        SeriesRefCache c = new SeriesRefCache(64 * 512);
        java.util.concurrent.atomic.AtomicReference<String> wrong = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(me);
                for (int i = 0; i < 300_000; i++) {
                    long k = rnd.nextLong(1, 50_000);
                    long h1 = k * 0x9E3779B97F4A7C15L, h2 = Long.rotateLeft(k, 17) ^ 0x5bd1e995L;
                    switch (rnd.nextInt(4)) {
                        case 0 -> c.put(h1, h2, k);
                        case 1 -> c.remove(h1, h2);
                        default -> {
                            long got = c.get(h1, h2);
                            if (got != 0 && got != k) {
                                wrong.set("key " + k + " read ref " + got);
                            }
                        }
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(wrong.get()).isNull();
    }

    /** Against a HashMap, with keys drawn from a small space so that probes collide and removals interleave. */
    @Property(tries = 200)
    void behavesLikeAMap(@ForAll @Size(max = 300) List<@IntRange(min = 0, max = 63) Integer> keys,
                         @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 3) Integer> ops) {
        SeriesRefCache c = new SeriesRefCache(1 << 20);
        Map<Integer, Long> model = new HashMap<>();
        for (int i = 0; i < Math.min(keys.size(), ops.size()); i++) {
            int k = keys.get(i);
            long h1 = (long) (k % 4) << 58, h2 = k / 4;
            switch (ops.get(i)) {
                case 0, 1 -> {
                    c.put(h1, h2, i + 1);
                    model.put(k, (long) i + 1);
                }
                case 2 -> {
                    c.remove(h1, h2);
                    model.remove(k);
                }
                default -> assertThat(c.get(h1, h2)).isEqualTo(model.getOrDefault(k, 0L));
            }
        }
        for (int k = 0; k < 64; k++) {
            assertThat(c.get((long) (k % 4) << 58, k / 4)).isEqualTo(model.getOrDefault(k, 0L));
        }
    }
}
