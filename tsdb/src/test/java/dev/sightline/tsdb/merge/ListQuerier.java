package dev.sightline.tsdb.merge;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.tsdb.merge.TestSeriesSets.ArraySeries;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** An in-memory querier over array series, the reference the merge is checked against. */
final class ListQuerier implements Querier {
    private final List<ArraySeries> series;
    boolean closed;

    ListQuerier(List<ArraySeries> series) {
        this.series = series;
    }

    private List<ArraySeries> matching(LabelMatcher... ms) {
        List<ArraySeries> out = new ArrayList<>();
        for (ArraySeries s : series) {
            boolean ok = true;
            for (LabelMatcher m : ms) {
                ok &= m.matches(s.labels().get(m.name()));
            }
            if (ok) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
        List<ArraySeries> out = new ArrayList<>();
        for (ArraySeries s : matching(matchers)) {
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < s.ts().length; i++) {
                if (s.ts()[i] >= mint && s.ts()[i] <= maxt) {
                    keep.add(i);
                }
            }
            if (keep.isEmpty()) {
                continue;
            }
            long[] ts = new long[keep.size()];
            double[] vs = new double[keep.size()];
            dev.sightline.core.Histogram[] hs = new dev.sightline.core.Histogram[keep.size()];
            for (int j = 0; j < keep.size(); j++) {
                ts[j] = s.ts()[keep.get(j)];
                vs[j] = s.values()[keep.get(j)];
                hs[j] = s.hists()[keep.get(j)];
            }
            out.add(new ArraySeries(s.labels(), ts, vs, hs));
        }
        return TestSeriesSets.of(out);
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        TreeSet<String> names = new TreeSet<>();
        matching(matchers).forEach(s -> s.labels().forEach((n, v) -> names.add(n)));
        return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        TreeSet<String> values = new TreeSet<>();
        for (ArraySeries s : matching(matchers)) {
            String v = s.labels().get(name);
            if (v != null) {
                values.add(v);
            }
        }
        return new ArrayList<>(values);
    }

    @Override
    public void close() {
        closed = true;
    }
}
