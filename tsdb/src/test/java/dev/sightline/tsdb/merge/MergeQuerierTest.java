package dev.sightline.tsdb.merge;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.merge.TestSeriesSets.ArraySeries;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sightline.tsdb.merge.TestSeriesSets.dump;
import static dev.sightline.tsdb.merge.TestSeriesSets.expected;
import static org.assertj.core.api.Assertions.assertThat;

class MergeQuerierTest {
    private static final Histogram H = new Histogram(Histogram.CounterResetHint.GAUGE, 0, 0, 0, 3, 4,
            new int[]{0}, new int[]{1}, new double[]{3}, null, null, null, null);

    /** Random series: a few label sets, increasing timestamps, floats and the odd histogram. */
    private static List<ArraySeries> randomSeries(Random r) {
        Map<Labels, ArraySeries> out = new HashMap<>();
        int n = 1 + r.nextInt(8);
        for (int s = 0; s < n; s++) {
            Labels ls = r.nextInt(4) == 0 ? Labels.of("__name__", "m" + r.nextInt(3))
                    : Labels.of("__name__", "m" + r.nextInt(3), "job", "j" + r.nextInt(3));
            int len = 1 + r.nextInt(60);
            long[] ts = new long[len];
            double[] vs = new double[len];
            Histogram[] hs = new Histogram[len];
            long t = r.nextInt(100) - 50;
            for (int i = 0; i < len; i++) {
                t += 1 + r.nextInt(20);
                ts[i] = t;
                vs[i] = r.nextInt(10) == 0 ? Double.NaN : r.nextGaussian();
                hs[i] = r.nextInt(15) == 0 ? H : null;
            }
            out.put(ls, new ArraySeries(ls, ts, vs, hs));
        }
        return new ArrayList<>(out.values());
    }

    /** Puts every sample in one or more of k parts (a copy in several is a duplicate the merge must drop). */
    private static List<List<ArraySeries>> split(List<ArraySeries> series, int k, Random r) {
        List<List<ArraySeries>> parts = new ArrayList<>();
        for (int p = 0; p < k; p++) {
            parts.add(new ArrayList<>());
        }
        for (ArraySeries s : series) {
            List<List<Integer>> idx = new ArrayList<>();
            for (int p = 0; p < k; p++) {
                idx.add(new ArrayList<>());
            }
            for (int i = 0; i < s.ts().length; i++) {
                int home = r.nextInt(k);
                idx.get(home).add(i);
                if (r.nextInt(4) == 0) {
                    int dup = r.nextInt(k);
                    if (dup != home) {
                        idx.get(dup).add(i);
                    }
                }
            }
            for (int p = 0; p < k; p++) {
                List<Integer> ii = idx.get(p);
                if (ii.isEmpty()) {
                    continue;
                }
                ii.sort(null);
                long[] ts = new long[ii.size()];
                double[] vs = new double[ii.size()];
                Histogram[] hs = new Histogram[ii.size()];
                for (int j = 0; j < ii.size(); j++) {
                    ts[j] = s.ts()[ii.get(j)];
                    vs[j] = s.values()[ii.get(j)];
                    hs[j] = s.hists()[ii.get(j)];
                }
                parts.get(p).add(new ArraySeries(s.labels(), ts, vs, hs));
            }
        }
        return parts;
    }

    private static MergeQuerier merge(List<List<ArraySeries>> parts) {
        List<Querier> qs = new ArrayList<>();
        parts.forEach(p -> qs.add(new ListQuerier(p)));
        return new MergeQuerier(qs);
    }

    @Property(tries = 200)
    void mergeOfRandomSplitEqualsTheOriginal(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int k) {
        Random r = new Random(seed);
        List<ArraySeries> original = randomSeries(r);
        List<List<ArraySeries>> parts = split(original, k, r);
        long mint = r.nextInt(300) - 100, maxt = mint + r.nextInt(800);
        LabelMatcher[] ms = r.nextBoolean() ? new LabelMatcher[]{LabelMatcher.re("__name__", ".+")}
                : new LabelMatcher[]{LabelMatcher.re("__name__", "m[01]"), LabelMatcher.neq("job", "j1")};
        ListQuerier reference = new ListQuerier(original);
        try (MergeQuerier q = merge(parts)) {
            assertThat(dump(q.select(r.nextBoolean(), mint, maxt, ms))).isEqualTo(dump(reference.select(true, mint, maxt, ms)));
            assertThat(q.labelNames(ms)).isEqualTo(reference.labelNames(ms));
            assertThat(q.labelValues("job", ms)).isEqualTo(reference.labelValues("job", ms));
            assertThat(q.labelValues("__name__")).isEqualTo(reference.labelValues("__name__"));
        }
    }

    @Property(tries = 200)
    void seekLandsOnTheFirstSampleAtOrAfter(@ForAll long seed, @ForAll @IntRange(min = 2, max = 4) int k) {
        Random r = new Random(seed);
        List<ArraySeries> original = randomSeries(r);
        try (MergeQuerier q = merge(split(original, k, r))) {
            SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+"));
            SampleIterator it = null;
            while (set.next()) {
                ArraySeries want = original.stream().filter(s -> s.labels().equals(set.at().labels())).findFirst().orElseThrow();
                it = set.at().iterator(it);
                long t = Long.MIN_VALUE;
                int i = 0;
                while (true) {
                    long target = r.nextBoolean() ? t + r.nextInt(30) : t; // sometimes re-seek to where it is
                    ValueType vt = r.nextInt(3) == 0 ? it.next() : it.seek(target);
                    if (vt == ValueType.NONE) {
                        break;
                    }
                    long got = it.timestamp();
                    assertThat(got).isGreaterThanOrEqualTo(t);
                    int idx = java.util.Arrays.binarySearch(want.ts(), got);
                    assertThat(idx).isGreaterThanOrEqualTo(i);
                    assertThat(vt).isEqualTo(want.hists()[idx] != null ? ValueType.HISTOGRAM : ValueType.FLOAT);
                    if (vt == ValueType.FLOAT) {
                        assertThat(Double.doubleToRawLongBits(it.value())).isEqualTo(Double.doubleToRawLongBits(want.values()[idx]));
                    }
                    i = idx;
                    t = got;
                }
            }
        }
    }

    @Test
    void firstQuerierWinsOnEqualTimestamps() {
        Labels ls = Labels.of("__name__", "x");
        ArraySeries a = ArraySeries.floats(ls, new long[]{1, 3, 5}, new double[]{10, 30, 50});
        ArraySeries b = ArraySeries.floats(ls, new long[]{2, 3, 4, 5, 6}, new double[]{-2, -3, -4, -5, -6});
        try (MergeQuerier q = merge(List.of(List.of(a), List.of(b)))) {
            assertThat(dump(q.select(true, 0, 100, LabelMatcher.eq("__name__", "x"))))
                    .isEqualTo(expected(List.of(ArraySeries.floats(ls, new long[]{1, 2, 3, 4, 5, 6},
                            new double[]{10, -2, 30, -4, 50, -6})), 0, 100));
        }
        try (MergeQuerier q = merge(List.of(List.of(b), List.of(a)))) {
            assertThat(dump(q.select(true, 0, 100, LabelMatcher.eq("__name__", "x"))))
                    .isEqualTo(expected(List.of(ArraySeries.floats(ls, new long[]{1, 2, 3, 4, 5, 6},
                            new double[]{10, -2, -3, -4, -5, -6})), 0, 100));
        }
    }

    @Test
    void closesEveryQuerierAndUnionsWarnings() {
        ListQuerier a = new ListQuerier(List.of()), b = new ListQuerier(List.of());
        Querier warning = new Querier() {
            @Override
            public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
                return new SeriesSet() {
                    @Override
                    public boolean next() {
                        return false;
                    }

                    @Override
                    public dev.sightline.metricstore.Series at() {
                        throw new IllegalStateException();
                    }

                    @Override
                    public List<String> warnings() {
                        return List.of("block X unreadable");
                    }
                };
            }

            @Override
            public List<String> labelNames(LabelMatcher... matchers) {
                return List.of("z", "a");
            }

            @Override
            public List<String> labelValues(String name, LabelMatcher... matchers) {
                return List.of();
            }

            @Override
            public void close() {
                throw new IllegalStateException("boom");
            }
        };
        MergeQuerier q = new MergeQuerier(List.of(a, warning, b));
        SeriesSet set = q.select(true, 0, 1, LabelMatcher.eq("__name__", "x"));
        assertThat(set.next()).isFalse();
        assertThat(set.warnings()).containsExactly("block X unreadable");
        assertThat(q.labelNames()).containsExactly("a", "z");
        org.assertj.core.api.Assertions.assertThatThrownBy(q::close).hasMessage("boom");
        assertThat(a.closed && b.closed).isTrue();
    }
}
