package dev.sightline.timeindex;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class KeyFilterTest {
    @Test
    void everyAddedKeyIsFoundAndFewOthersAreAsItGrows() {
        KeyFilter f = new KeyFilter();
        SplittableRandom r = new SplittableRandom(7);
        long[] keys = new long[100_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = r.nextLong();
            f.add(keys[i]);
        }
        for (long k : keys) {
            assertThat(f.mightContain(k)).isTrue();
        }
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            falsePositives += f.mightContain(r.nextLong()) ? 1 : 0;
        }
        // Several filters are chained (4096, 8192, ... keys), each near 1%: together a few percent at most.
        assertThat(falsePositives).isLessThan(5_000);
        assertThat(f.sizeBytes()).isLessThan(keys.length * 4L);
    }

    @Test
    void anEmptyFilterHoldsNothing() {
        KeyFilter f = new KeyFilter();
        assertThat(f.mightContain(0)).isFalse();
        assertThat(f.mightContain(42)).isFalse();
        f.add(0);
        assertThat(f.mightContain(0)).isTrue();
    }
}
