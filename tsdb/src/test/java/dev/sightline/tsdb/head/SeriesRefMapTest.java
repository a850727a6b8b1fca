package dev.sightline.tsdb.head;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesRefMapTest {
    static MemSeries series(long ref) {
        return new MemSeries(ref, new LabelSymbols().pack(Labels.of("__name__", "x", "r", Long.toString(ref)), new String[4]));
    }

    @Test
    void putGetRemoveAcrossPages() {
        SeriesRefMap map = new SeriesRefMap();
        long[] refs = {1, 2, 4095, 4096, 4097, 1_000_000, 123_456_789};
        for (long r : refs) {
            map.put(series(r));
        }
        for (long r : refs) {
            assertThat(map.get(r).ref()).isEqualTo(r);
        }
        assertThat(map.get(3)).isNull();
        assertThat(map.get(0)).isNull();
        assertThat(map.get(-5)).isNull();
        assertThat(map.get(Long.MAX_VALUE)).isNull();
        map.remove(4096);
        map.remove(4096);
        assertThat(map.get(4096)).isNull();
        assertThat(map.get(4097).ref()).isEqualTo(4097);
        map.remove(4097);
        map.remove(4095);
        assertThat(map.get(4095)).isNull();
        List<Long> seen = new ArrayList<>();
        map.forEach(s -> seen.add(s.ref()));
        assertThat(seen).containsExactly(1L, 2L, 1_000_000L, 123_456_789L);
        // A freed page comes back when a ref in it is stored again.
        map.put(series(4100));
        assertThat(map.get(4100).ref()).isEqualTo(4100);
    }
}
