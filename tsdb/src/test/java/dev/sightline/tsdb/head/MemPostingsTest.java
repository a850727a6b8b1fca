package dev.sightline.tsdb.head;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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

    @Property
    void addAndRemoveKeepListsSorted(@ForAll @Size(max = 600) List<@IntRange(min = 1, max = 1000) Integer> adds,
                                     @ForAll @Size(max = 50) List<@IntRange(min = 1, max = 300) Integer> removes) {
        MemPostingsList pl = new MemPostingsList();
        TreeSet<Long> want = new TreeSet<>();
        adds.forEach(x -> {
            pl.add(x);
            want.add((long) x);
        });
        removes.forEach(x -> {
            pl.remove(x);
            want.remove((long) x);
        });
        assertThat(pl.snapshot()).containsExactly(toArray(want));
    }

    @Property
    void addSortedAppendsOrMergesAsSingleAddsWould(@ForAll @Size(max = 300) List<@IntRange(min = 1, max = 1000) Integer> adds,
                                                  @ForAll @Size(max = 300) List<@IntRange(min = 1, max = 1000) Integer> bulk,
                                                  @ForAll @IntRange(min = 0, max = 2) int where) {
        MemPostingsList pl = new MemPostingsList();
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
                                        @ForAll @Size(max = 30) List<@IntRange(min = 1, max = 1000) Integer> removes) {
        MemPostingsList pl = new MemPostingsList();
        TreeSet<Long> want = new TreeSet<>();
        for (int i = 0; i < adds.size(); i++) {
            // Every third ref lies around and beyond Integer.MAX_VALUE, in no particular order.
            long ref = i % 3 == 2 ? Integer.MAX_VALUE - 500L + adds.get(i) : adds.get(i);
            pl.add(ref);
            want.add(ref);
        }
        removes.forEach(x -> {
            pl.remove(Integer.MAX_VALUE - 500L + x);
            want.remove(Integer.MAX_VALUE - 500L + x);
            pl.remove(x);
            want.remove((long) x);
        });
        assertThat(pl.snapshot()).containsExactly(toArray(want));
        assertThat(pl.size()).isEqualTo(want.size());
    }

    @Test
    void aLongRefIsNotMistakenForItsLowBits() {
        MemPostingsList pl = new MemPostingsList();
        pl.add(5);
        assertThat(pl.remove((1L << 32) + 5)).isEqualTo(1);
        assertThat(pl.remove(-(1L << 32) + 5)).isEqualTo(1);
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
        p.remove(2, Labels.of("__name__", "up", "job", "b"));
        assertThat(p.labelValues("job")).containsExactly("a");
        assertThat(p.all()).containsExactly(1, 3);
        assertThat(p.postingsFor()).containsExactly(1, 3);
    }
}
