package dev.sightline.tsdb.head;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LabelSymbolsTest {
    @Test
    void packedLabelsRoundTripWithMultiByteIds() {
        LabelSymbols symbols = new LabelSymbols();
        // Enough strings first that later ids take two and three varint bytes.
        for (int i = 0; i < 20_000; i++) {
            symbols.id("filler-" + i);
        }
        Labels labels = Labels.of("__name__", "up", "instance", "host-1:9100", "job", "node");
        String[] interned = new String[6];
        byte[] packed = symbols.pack(labels, interned);

        assertThat(symbols.labels(packed)).isEqualTo(labels);
        assertThat(LabelSymbols.hash(packed)).isEqualTo(labels.hashCode());
        assertThat(interned).containsExactly("__name__", "up", "instance", "host-1:9100", "job", "node");
        assertThat(interned[3]).isSameAs(symbols.symbol(symbols.id(new String("host-1:9100"))));
        assertThat(symbols.matches(packed, labels)).isTrue();
        assertThat(symbols.matches(packed, Labels.of("__name__", "up", "instance", "host-1:9100"))).isFalse();
        assertThat(symbols.matches(packed, labels.toBuilder().set("zone", "a").build())).isFalse();
        assertThat(symbols.matches(packed, labels.toBuilder().set("job", "other").build())).isFalse();
        assertThat(symbols.get(packed, "job")).isEqualTo("node");
        assertThat(symbols.get(packed, "zone")).isNull();
        // Equal label sets pack to equal bytes: the head compares them so.
        assertThat(symbols.pack(Labels.of("job", "node", "instance", "host-1:9100", "__name__", "up"), new String[6]))
                .isEqualTo(packed);

        byte[] empty = symbols.pack(Labels.EMPTY, new String[0]);
        assertThat(symbols.labels(empty)).isEqualTo(Labels.EMPTY);
        assertThat(symbols.matches(empty, Labels.EMPTY)).isTrue();
    }

    @Test
    void collectFreesIdsUnusedAtTwoCollectionsInARowAndReusesThem() {
        LabelSymbols symbols = new LabelSymbols();
        SeriesRefMap series = new SeriesRefMap();
        MemSeries kept = new MemSeries(1, symbols.pack(Labels.of("__name__", "a", "pod", "p-1"), new String[4]));
        MemSeries dropped = new MemSeries(2, symbols.pack(Labels.of("__name__", "a", "pod", "p-2"), new String[4]));
        series.put(kept);
        int p2 = symbols.id("p-2");
        assertThat(symbols.size()).isEqualTo(5);

        symbols.collect(series); // p-2 unused once: kept, so a reader of the dropped series still finds it
        assertThat(symbols.size()).isEqualTo(5);
        assertThat(symbols.symbol(p2)).isEqualTo("p-2");
        assertThat(dropped.labels(symbols)).isEqualTo(Labels.of("__name__", "a", "pod", "p-2"));

        symbols.collect(series); // unused twice: freed
        assertThat(symbols.size()).isEqualTo(4);
        assertThat(symbols.symbol(p2)).isNull();
        assertThat(kept.labels(symbols)).isEqualTo(Labels.of("__name__", "a", "pod", "p-1"));
        // A new string takes the freed id.
        assertThat(symbols.id("p-3")).isEqualTo(p2);

        // A string unused at one collection and used again before the next stays.
        int p3 = symbols.id("p-3");
        symbols.collect(series);
        series.put(new MemSeries(3, symbols.pack(Labels.of("__name__", "a", "pod", "p-3"), new String[4])));
        symbols.collect(series);
        assertThat(symbols.symbol(p3)).isEqualTo("p-3");
        assertThat(symbols.id("p-3")).isEqualTo(p3);
    }
}
