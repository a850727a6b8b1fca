package dev.sightline.traces.metrics;

import dev.sightline.traces.metrics.EdgeStore.Edge;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class EdgeStoreTest {
    private record Key(long hi, long lo, long span) {
    }

    /** Random adds, finds and removals (few distinct keys, so probe chains collide and wrap) against a map. */
    @Test
    void behavesAsABoundedInsertionOrderedMap() {
        Random rnd = new Random(3);
        EdgeStore store = new EdgeStore(20, 0);
        Map<Key, Edge> model = new LinkedHashMap<>();
        for (int step = 0; step < 200_000; step++) {
            Key k = new Key(rnd.nextInt(3), rnd.nextInt(5), rnd.nextInt(8));
            Edge found = store.find(k.hi, k.lo, k.span);
            assertThat(found).isSameAs(model.get(k));
            if (found != null && rnd.nextBoolean()) {
                store.remove(found);
                model.remove(k);
            } else if (found == null) {
                Edge e = store.acquire(k.hi, k.lo, k.span, step);
                if (store.add(e)) {
                    model.put(k, e);
                } else {
                    assertThat(model).hasSize(20);
                    store.release(e);
                }
            }
            assertThat(store.size()).isEqualTo(model.size());
            Edge oldest = store.oldest();
            assertThat(oldest).isSameAs(model.isEmpty() ? null : model.values().iterator().next());
        }
        // Everything still findable, and the expiry order is the insertion order.
        List<Edge> order = new ArrayList<>();
        while (store.oldest() != null) {
            Edge e = store.oldest();
            assertThat(store.find(e.traceIdHi, e.traceIdLo, e.spanId)).isSameAs(e);
            order.add(e);
            store.remove(e);
        }
        assertThat(order).containsExactlyElementsOf(model.values());
    }

    @Test
    void releasedEdgesAreReused() {
        EdgeStore store = new EdgeStore(4, 1);
        Edge e = store.acquire(1, 2, 3, 100);
        e.client = "a";
        e.dimensions[0] = "x";
        assertThat(store.add(e)).isTrue();
        store.remove(e);
        Edge again = store.acquire(4, 5, 6, 200);
        assertThat(again).isSameAs(e);
        assertThat(again.client).isEmpty();
        assertThat(again.dimensions[0]).isNull();
        assertThat(again.expiresAtMs).isEqualTo(200);
    }
}
