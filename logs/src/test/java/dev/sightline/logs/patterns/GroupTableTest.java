package dev.sightline.logs.patterns;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class GroupTableTest {
    /** Random inserts, lookups and removals over few keys (long probe chains) agree with a HashMap. */
    @Test
    void agreesWithAHashMap() {
        GroupTable table = new GroupTable();
        Map<Long, List<Template>> reference = new HashMap<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int op = 0; op < 200_000; op++) {
            // Keys differing in high bits only, and a small key space, so chains collide and removals shift them.
            long key = (long) r.nextInt(64) << 40;
            switch (r.nextInt(3)) {
                case 0 -> {
                    List<Template> g = table.getOrCreate(key);
                    reference.putIfAbsent(key, g);
                    assertThat(g).isSameAs(reference.get(key));
                }
                case 1 -> {
                    if (reference.remove(key) != null) {
                        table.remove(key);
                    }
                }
                default -> assertThat(table.get(key)).isSameAs(reference.get(key));
            }
        }
        for (long k = 0; k < 64; k++) {
            assertThat(table.get(k << 40)).isSameAs(reference.get(k << 40));
        }
    }
}
