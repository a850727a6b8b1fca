package dev.sightline.tsdb.head;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemPostingsTest {
    static long[] sortedDistinct(List<Integer> xs) {
        return xs.stream().mapToLong(Integer::longValue).distinct().sorted().toArray();
    }

    static Set<Long> set(long[] a) {
        TreeSet<Long> s = new TreeSet<>();
        LongStream.of(a).forEach(s::add);
        return s;
    }

    static int remove(MemPostingsList pl, long ref) {
        return pl.removeAll(new long[] {ref}, 1);
    }

    static long[] toArray(Set<Long> s) {
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    @Property
    void setOperationsAgreeWithSets(@ForAll @Size(max = 200) List<@IntRange(max = 500) Integer> xs,
                                    @ForAll @Size(max = 200) List<@IntRange(max = 500) Integer> ys) {
        long[] a = sortedDistinct(xs);
        long[] b = sortedDistinct(ys);
        Set<Long> inter = set(a);
        inter.retainAll(set(b));
        Set<Long> diff = set(a);
        diff.removeAll(set(b));
        Set<Long> union = set(a);
        union.addAll(set(b));
        assertThat(MemPostingsOps.intersect(a, b)).containsExactly(toArray(inter));
        assertThat(MemPostingsOps.subtract(a, b)).containsExactly(toArray(diff));
        assertThat(MemPostingsOps.union(List.of(a, b))).containsExactly(toArray(union));
    }

    /** Block sizes the properties run with: tiny ones cross block boundaries often, and the real one. */
    @Provide
    Arbitrary<Integer> blockBits() {
        return Arbitraries.of(1, 2, MemPostingsList.BLOCK_BITS);
    }

    @Property
    void addAndRemoveKeepListsSorted(@ForAll @Size(max = 600) List<@IntRange(min = 1, max = 1000) Integer> adds,
                                     @ForAll @Size(max = 50) List<@IntRange(min = 1, max = 300) Integer> removes,
                                     @ForAll("blockBits") int blockBits) {
        MemPostingsList pl = new MemPostingsList(blockBits);
        TreeSet<Long> want = new TreeSet<>();
        adds.forEach(x -> {
            pl.add(x);
            want.add((long) x);
        });
        removes.forEach(x -> {
            remove(pl, x);
            want.remove((long) x);
        });
        assertThat(pl.snapshot()).containsExactly(toArray(want));
    }

    @Property
    void addSortedAppendsOrMergesAsSingleAddsWould(@ForAll @Size(max = 300) List<@IntRange(min = 1, max = 1000) Integer> adds,
                                                  @ForAll @Size(max = 300) List<@IntRange(min = 1, max = 1000) Integer> bulk,
                                                  @ForAll @IntRange(min = 0, max = 2) int where,
                                                  @ForAll("blockBits") int blockBits) {
        MemPostingsList pl = new MemPostingsList(blockBits);
        TreeSet<Long> want = new TreeSet<>();
        adds.forEach(x -> {
            pl.add(x);
            want.add((long) x);
        });
        // Anywhere (merged one by one), all past the list's last ref (the append of a rebuild), or past an int.
        long shift = new long[] {0, 1000, Integer.MAX_VALUE}[where];
        long[] sorted = LongStream.of(sortedDistinct(bulk)).map(x -> x + shift).toArray();
        pl.addSorted(sorted, sorted.length);
        LongStream.of(sorted).forEach(want::add);
        assertThat(pl.snapshot()).containsExactly(toArray(want));
        pl.add(5000);
        want.add(5000L);
        assertThat(pl.snapshot()).containsExactly(toArray(want));
    }

    /** Refs past an int (a head that handed out 2^31 series) move a list from ints to longs, sorted as before. */
    @Property
    void refsBeyondAnIntKeepListsSorted(@ForAll @Size(max = 200) List<@IntRange(min = 1, max = 1000) Integer> adds,
                                        @ForAll @Size(max = 30) List<@IntRange(min = 1, max = 1000) Integer> removes,
                                        @ForAll("blockBits") int blockBits) {
        MemPostingsList pl = new MemPostingsList(blockBits);
        TreeSet<Long> want = new TreeSet<>();
        for (int i = 0; i < adds.size(); i++) {
            // Every third ref lies around and beyond Integer.MAX_VALUE, in no particular order.
            long ref = i % 3 == 2 ? Integer.MAX_VALUE - 500L + adds.get(i) : adds.get(i);
            pl.add(ref);
            want.add(ref);
        }
        removes.forEach(x -> {
            remove(pl, Integer.MAX_VALUE - 500L + x);
            want.remove(Integer.MAX_VALUE - 500L + x);
            remove(pl, x);
            want.remove((long) x);
        });
        assertThat(pl.snapshot()).containsExactly(toArray(want));
        assertThat(pl.size()).isEqualTo(want.size());
    }

    /** Removing many refs at once (head truncation) leaves what removing them one by one would, and shrinks the list. */
    @Property
    void removeAllAgreesWithSingleRemoves(@ForAll @Size(max = 3000) List<@IntRange(min = 1, max = 5000) Integer> adds,
                                          @ForAll @Size(max = 3000) List<@IntRange(min = 1, max = 5000) Integer> removes,
                                          @ForAll("blockBits") int blockBits) {
        MemPostingsList batch = new MemPostingsList(blockBits);
        MemPostingsList single = new MemPostingsList(blockBits);
        TreeSet<Long> want = new TreeSet<>();
        adds.forEach(x -> {
            batch.add(x);
            single.add(x);
            want.add((long) x);
        });
        long[] sorted = sortedDistinct(removes);
        LongStream.of(sorted).forEach(x -> {
            remove(single, x);
            want.remove(x);
        });
        assertThat(batch.removeAll(sorted, sorted.length)).isEqualTo(want.size());
        assertThat(batch.snapshot()).containsExactly(toArray(want)).containsExactly(single.snapshot());
        // Still a working list after shrinking: an append and an out-of-order add land in place.
        batch.add(6000);
        batch.add(2);
        want.add(6000L);
        want.add(2L);
        assertThat(batch.snapshot()).containsExactly(toArray(want));
    }

    @Test
    void aLongRefIsNotMistakenForItsLowBits() {
        MemPostingsList pl = new MemPostingsList();
        pl.add(5);
        assertThat(remove(pl, (1L << 32) + 5)).isEqualTo(1);
        assertThat(remove(pl, -(1L << 32) + 5)).isEqualTo(1);
        assertThat(pl.snapshot()).containsExactly(5);
    }

    @Test
    void literalAlternationIsRecognisedOnlyWithoutMetacharacters() {
        assertThat(MemPostings.literalAlternation("GET|POST|PUT")).containsExactly("GET", "POST", "PUT");
        assertThat(MemPostings.literalAlternation("api-server")).containsExactly("api-server");
        assertThat(MemPostings.literalAlternation("a.b")).isNull();
        assertThat(MemPostings.literalAlternation("a|")).isNull();
        assertThat(MemPostings.literalAlternation("(a|b)")).isNull();
    }

    @Test
    void selectAndRemove() {
        MemPostings p = new MemPostings();
        p.add(1, Labels.of("__name__", "up", "job", "a"));
        p.add(2, Labels.of("__name__", "up", "job", "b"));
        p.add(3, Labels.of("__name__", "down", "job", "a"));
        assertThat(p.select(LabelMatcher.eq("job", "a"))).containsExactly(1, 3);
        assertThat(p.select(LabelMatcher.eq("__name__", "up"), LabelMatcher.re("job", "a|b"))).containsExactly(1, 2);
        assertThat(p.select(LabelMatcher.re("job", "a|c"), LabelMatcher.neq("__name__", "down"))).containsExactly(1);
        assertThatThrownBy(() -> p.select(LabelMatcher.neq("job", "a"))).isInstanceOf(IllegalArgumentException.class);
        p.removeAll(new long[] {2}, new Labels[] {Labels.of("__name__", "up", "job", "b")});
        assertThat(p.labelValues("job")).containsExactly("a");
        assertThat(p.all()).containsExactly(1, 3);
        assertThat(p.postingsFor()).containsExactly(1, 3);
    }

    @Test
    void removeAllDropsEmptiedPairsAndKeepsTheRest() {
        MemPostings p = new MemPostings();
        int n = 5000;
        for (int ref = 1; ref <= n; ref++) {
            p.add(ref, Labels.of("__name__", "m", "job", ref % 2 == 0 ? "even" : "odd", "id", Integer.toString(ref)));
        }
        // Every odd series, listed in no particular order.
        long[] refs = LongStream.rangeClosed(1, n).filter(r -> r % 2 == 1).map(r -> n - r).toArray();
        Labels[] labels = LongStream.of(refs)
                .mapToObj(r -> Labels.of("__name__", "m", "job", "odd", "id", Long.toString(r))).toArray(Labels[]::new);
        p.removeAll(refs, labels);
        long[] even = LongStream.rangeClosed(1, n).filter(r -> r % 2 == 0).toArray();
        assertThat(p.all()).containsExactly(even);
        assertThat(p.get("__name__", "m")).containsExactly(even);
        assertThat(p.labelValues("job")).containsExactly("even");
        assertThat(p.labelValues("id")).hasSize(n / 2).contains("2").doesNotContain("1");
    }
}
