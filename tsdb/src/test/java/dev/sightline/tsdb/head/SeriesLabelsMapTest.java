package dev.sightline.tsdb.head;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesLabelsMapTest {
    private static final LabelSymbols SYMBOLS = new LabelSymbols();

    private static MemSeries series(long ref) {
        return new MemSeries(ref, SYMBOLS.pack(Labels.of("__name__", "x", "r", Long.toString(ref)), new String[4]));
    }

    private static Labels labels(MemSeries s) {
        return s.labels(SYMBOLS);
    }

    @Test
    void putGetRemoveAndGrowth() {
        SeriesLabelsMap map = new SeriesLabelsMap(SYMBOLS);
        MemSeries[] all = new MemSeries[10_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = series(i + 1);
            assertThat(map.putIfAbsent(all[i])).isNull();
        }
        assertThat(map.size()).isEqualTo(all.length);
        for (MemSeries s : all) {
            // Found by an equal label set, not only by the same instance.
            assertThat(map.get(Labels.of("__name__", "x", "r", Long.toString(s.ref())))).isSameAs(s);
        }
        assertThat(map.get(Labels.of("__name__", "x", "r", "0"))).isNull();
        assertThat(map.get(Labels.EMPTY)).isNull();

        // A second series with labels already present is refused in favour of the first.
        MemSeries twin = new MemSeries(99_999, all[5].packedLabels());
        assertThat(map.putIfAbsent(twin)).isSameAs(all[5]);
        // Removing a series that is not the one stored for its labels changes nothing.
        map.remove(twin);
        assertThat(map.get(labels(all[5]))).isSameAs(all[5]);
        map.remove(series(123_456));

        for (int i = 0; i < all.length; i += 2) {
            map.remove(all[i]);
        }
        map.remove(all[0]);
        assertThat(map.size()).isEqualTo(all.length / 2);
        for (int i = 0; i < all.length; i++) {
            assertThat(map.get(labels(all[i]))).isEqualTo(i % 2 == 0 ? null : all[i]);
        }
    }

    @Test
    void ensureCapacityKeepsEntriesAndLaterInserts() {
        SeriesLabelsMap map = new SeriesLabelsMap(SYMBOLS);
        MemSeries first = series(1);
        map.putIfAbsent(first);
        map.ensureCapacity(5_000);
        map.ensureCapacity(10); // never shrinks
        for (int i = 2; i <= 6_000; i++) {
            assertThat(map.putIfAbsent(series(i))).isNull();
        }
        assertThat(map.size()).isEqualTo(6_000);
        assertThat(map.get(labels(first))).isSameAs(first);
        assertThat(map.putIfAbsent(series(3000))).isNotNull();
    }

    @Test
    void churnReusesTombstonesWithoutLosingEntries() {
        SeriesLabelsMap map = new SeriesLabelsMap(SYMBOLS);
        MemSeries keep = series(0);
        map.putIfAbsent(keep);
        // Far more inserts and removals than any table size: tombstones are reused or cleared by a rehash.
        for (int i = 1; i <= 100_000; i++) {
            MemSeries s = series(i);
            assertThat(map.putIfAbsent(s)).isNull();
            if (i > 8) {
                map.remove(map.get(labels(series(i - 8))));
            }
        }
        assertThat(map.size()).isEqualTo(9);
        assertThat(map.get(labels(keep))).isSameAs(keep);
        for (int i = 100_000 - 7; i <= 100_000; i++) {
            assertThat(map.get(labels(series(i))).ref()).isEqualTo(i);
        }
    }

    @Test
    void lockFreeReadersAlwaysFindAPresentSeriesWhileWritersGrowAndRemove() throws Exception {
        SeriesLabelsMap map = new SeriesLabelsMap(SYMBOLS);
        MemSeries[] stable = new MemSeries[64];
        for (int i = 0; i < stable.length; i++) {
            stable[i] = series(1_000_000 + i);
            map.putIfAbsent(stable[i]);
        }
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            for (int round = 0; round < 2_000 && failure.get() == null; round++) {
                for (MemSeries s : stable) {
                    if (map.get(labels(s)) != s) {
                        failure.set("lost " + labels(s) + " in round " + round);
                    }
                }
            }
        });
        reader.start();
        for (int i = 1; i <= 50_000; i++) {
            map.putIfAbsent(series(i));
            if (i % 3 == 0) {
                map.remove(map.get(labels(series(i - 1))));
            }
        }
        reader.join();
        assertThat(failure.get()).isNull();
    }
}
