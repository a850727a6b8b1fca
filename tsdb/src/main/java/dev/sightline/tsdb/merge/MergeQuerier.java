package dev.sightline.tsdb.merge;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;

/**
 * A querier over several others (head and blocks): their sorted series sets are merged by labels, and series with
 * equal labels are merged sample by sample in timestamp order; at equal timestamps the earlier querier in the list
 * wins and the others' samples are dropped.
 */
public final class MergeQuerier implements Querier {
    private final List<Querier> queriers;

    public MergeQuerier(List<Querier> queriers) {
        this.queriers = List.copyOf(queriers);
    }

    @Override
    public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
        if (queriers.size() == 1) {
            return queriers.get(0).select(sorted, mint, maxt, matchers);
        }
        SeriesSet[] sets = new SeriesSet[queriers.size()];
        for (int i = 0; i < sets.length; i++) {
            sets[i] = queriers.get(i).select(true, mint, maxt, matchers);
        }
        return merge(sets);
    }

    /** Merges sorted series sets as {@link #select} does; the order of {@code sets} is the precedence order. */
    public static SeriesSet merge(SeriesSet... sets) {
        return sets.length == 1 ? sets[0] : new MergeSeriesSet(sets);
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        TreeSet<String> names = new TreeSet<>();
        for (Querier q : queriers) {
            names.addAll(q.labelNames(matchers));
        }
        return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        TreeSet<String> values = new TreeSet<>();
        for (Querier q : queriers) {
            values.addAll(q.labelValues(name, matchers));
        }
        return new ArrayList<>(values);
    }

    /** Closes every querier, even when one fails; the first failure is rethrown. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Querier q : queriers) {
            try {
                q.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** K-way merge of sorted series sets; the order of {@code sets} is the precedence order. */
    static final class MergeSeriesSet implements SeriesSet {
        private final SeriesSet[] sets;
        private final boolean[] live;     // sets[i] is positioned on a series
        private final boolean[] pending;  // sets[i] contributed to the current series and must advance
        private boolean started;
        private Series current;

        MergeSeriesSet(SeriesSet[] sets) {
            this.sets = sets;
            this.live = new boolean[sets.length];
            this.pending = new boolean[sets.length];
        }

        @Override
        public boolean next() {
            for (int i = 0; i < sets.length; i++) {
                if (!started || pending[i]) {
                    live[i] = sets[i].next();
                    pending[i] = false;
                }
            }
            started = true;
            // A linear scan: the number of sets is small (head plus a handful of blocks).
            Labels min = null;
            int count = 0;
            for (int i = 0; i < sets.length; i++) {
                if (!live[i]) {
                    continue;
                }
                Labels l = sets[i].at().labels();
                int c = min == null ? -1 : l.compareTo(min);
                if (c < 0) {
                    min = l;
                    count = 1;
                } else if (c == 0) {
                    count++;
                }
            }
            if (min == null) {
                current = null;
                return false;
            }
            Series[] same = new Series[count];
            int n = 0;
            for (int i = 0; i < sets.length; i++) {
                if (live[i] && sets[i].at().labels().equals(min)) {
                    same[n++] = sets[i].at();
                    pending[i] = true;
                }
            }
            current = count == 1 ? same[0] : new MergedSeries(min, same);
            return true;
        }

        @Override
        public Series at() {
            if (current == null) {
                throw new IllegalStateException("at() without a successful next()");
            }
            return current;
        }

        @Override
        public List<String> warnings() {
            LinkedHashSet<String> w = new LinkedHashSet<>();
            for (SeriesSet s : sets) {
                w.addAll(s.warnings());
            }
            return new ArrayList<>(w);
        }
    }

    /** Series with equal labels from several queriers, in precedence order. */
    record MergedSeries(Labels labels, Series[] parts) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            MergeIterator it = reuse instanceof MergeIterator m && m.width() == parts.length ? m : new MergeIterator(parts.length);
            it.reset(parts);
            return it;
        }
    }
}
