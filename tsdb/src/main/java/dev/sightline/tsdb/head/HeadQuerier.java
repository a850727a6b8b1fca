package dev.sightline.tsdb.head;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.tombstone.DeletedSamplesIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads the head over [mint, maxt]: matchers -> postings -> series that have data in range, each with a snapshot of
 * its chunks and out-of-order samples taken at select time, minus its deleted intervals. A series whose every sample
 * in range is deleted is not listed, by select nor by the label lookups.
 */
public final class HeadQuerier implements Querier {
    private final Head head;
    private final long mint;
    private final long maxt;

    HeadQuerier(Head head, long mint, long maxt) {
        this.head = head;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
        long lo = Math.max(mint, this.mint);
        long hi = Math.min(maxt, this.maxt);
        long[] refs = head.postings().select(matchers);
        if (lo > hi) {
            return SeriesSet.EMPTY;
        }
        return seriesSet(head, refs, sorted, lo, hi);
    }

    static SeriesSet seriesSet(Head head, long[] refs, boolean sorted, long mint, long maxt) {
        List<HeadSeries> out = new ArrayList<>();
        for (long ref : refs) {
            MemSeries s = head.series(ref);
            if (s == null) {
                continue;
            }
            MemSeries.SeriesSnapshot snap = s.snapshot(mint, maxt, head.chunkFiles());
            if (snap != null && (snap.deleted() == null || anyLeft(snap, mint, maxt))) {
                out.add(new HeadSeries(head.labels(s), snap, mint, maxt));
            }
        }
        if (sorted) {
            out.sort((a, b) -> a.labels.compareTo(b.labels));
        }
        return SeriesSet.of(out);
    }

    /** Whether a sample of the snapshot in [mint, maxt] survives its deleted intervals. */
    private static boolean anyLeft(MemSeries.SeriesSnapshot snap, long mint, long maxt) {
        HeadSeriesIterator it = new HeadSeriesIterator();
        it.reset(snap, mint, maxt);
        return new DeletedSamplesIterator().reset(it, snap.deleted()).next() != ValueType.NONE;
    }

    // Without tombstones the postings answer a lookup without matchers alone; with them, series wholly deleted are
    // left out, so every series is visited.
    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        if (matchers.length == 0 && !head.hasTombstones()) {
            return overlapsHead() ? head.postings().labelNames() : List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        for (MemSeries s : matching(matchers)) {
            head.labels(s).forEach((n, v) -> names.add(n));
        }
        return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        if (matchers.length == 0 && !head.hasTombstones()) {
            return overlapsHead() ? head.postings().labelValues(name) : List.of();
        }
        TreeSet<String> values = new TreeSet<>();
        for (MemSeries s : matching(matchers)) {
            String v = s.label(name, head.symbols());
            if (v != null) {
                values.add(v);
            }
        }
        return new ArrayList<>(values);
    }

    /** Whether the head holds samples in this querier's range; the index alone answers without matchers then. */
    private boolean overlapsHead() {
        return head.minTime() <= maxt && head.maxTime() >= mint;
    }

    /** Series selected by the matchers (all without any) that have data in this querier's range not deleted. */
    private List<MemSeries> matching(LabelMatcher... matchers) {
        List<MemSeries> out = new ArrayList<>();
        for (long ref : matchers.length == 0 ? head.postings().all() : head.postings().postingsFor(matchers)) {
            MemSeries s = head.series(ref);
            if (s != null && s.hasDataIn(mint, maxt) && alive(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private boolean alive(MemSeries s) {
        if (s.deleted() == null) {
            return true;
        }
        MemSeries.SeriesSnapshot snap = s.snapshot(mint, maxt, head.chunkFiles());
        return snap != null && anyLeft(snap, mint, maxt);
    }

    @Override
    public void close() {
        // Snapshots hold only immutable or append-only data; nothing to release.
    }

    private record HeadSeries(Labels labels, MemSeries.SeriesSnapshot snapshot, long mint, long maxt) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            if (snapshot.deleted() == null) {
                HeadSeriesIterator it = reuse instanceof HeadSeriesIterator h ? h : new HeadSeriesIterator();
                it.reset(snapshot, mint, maxt);
                return it;
            }
            DeletedSamplesIterator d = DeletedSamplesIterator.reuse(reuse);
            HeadSeriesIterator it = d.inner() instanceof HeadSeriesIterator h ? h : new HeadSeriesIterator();
            it.reset(snapshot, mint, maxt);
            return d.reset(it, snapshot.deleted());
        }
    }
}
