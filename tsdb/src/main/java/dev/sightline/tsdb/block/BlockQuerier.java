package dev.sightline.tsdb.block;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.tombstone.DeletedSamplesIterator;
import dev.sightline.tsdb.tombstone.Intervals;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Querier over one block: postings from the index, samples from the mapped chunks, minus the deleted intervals of
 * its tombstones. A series whose every sample in range is deleted is not listed, by select nor by the label lookups.
 */
final class BlockQuerier implements Querier {
    private final IndexReader index;
    private final ChunkSegments chunks;
    private final Tombstones tombstones;
    private final long mint;
    private final long maxt;

    BlockQuerier(IndexReader index, ChunkSegments chunks, Tombstones tombstones, long mint, long maxt) {
        this.index = index;
        this.chunks = chunks;
        this.tombstones = tombstones;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
        Querier.requireRestrictingMatcher(matchers);
        return series(mint, maxt, matchers);
    }

    /**
     * Every series of the block with a chunk in [mint, maxt] (within the querier's range), sorted: what compaction
     * reads. {@link #select} is this restricted to its matchers.
     */
    SeriesSet all(long mint, long maxt) {
        return series(mint, maxt);
    }

    private SeriesSet series(long mint, long maxt, LabelMatcher... matchers) {
        long lo = Math.max(mint, this.mint);
        long hi = Math.min(maxt, this.maxt);
        if (lo > hi) {
            return SeriesSet.EMPTY;
        }
        // Series ids follow label order, so the result is sorted whether asked or not. As in Prometheus, a series is
        // selected when one of its chunks overlaps [lo, hi], so one whose chunk straddles the range without a
        // sample inside it yields an empty iterator rather than costing a chunk decode here.
        int[] ids = postings(matchers);
        return new SeriesSet() {
            private int i = -1;
            private Series current;

            @Override
            public boolean next() {
                while (++i < ids.length) {
                    IndexReader.ChunkMetas metas = new IndexReader.ChunkMetas(lo, hi);
                    Labels labels = index.readSeries(ids[i], metas);
                    Intervals deleted = tombstones.get(ids[i]);
                    if (metas.n > 0 && (deleted == null || anyLeft(metas, deleted))) {
                        current = new BlockSeries(labels, metas, deleted);
                        return true;
                    }
                }
                current = null;
                return false;
            }

            @Override
            public Series at() {
                if (current == null) {
                    throw new IllegalStateException("at() without a successful next()");
                }
                return current;
            }
        };
    }

    /**
     * Series ids matching all matchers, as Prometheus selects them: matchers that reject the empty string intersect
     * the postings of their matching values; the others (which also select series lacking the label) subtract the
     * postings of the values they reject.
     */
    int[] postings(LabelMatcher... matchers) {
        int[] ids = null;
        for (LabelMatcher m : matchers) {
            if (!m.matchesEmpty()) {
                int[] p = m.type() == LabelMatcher.Type.EQ ? index.postingsEqual(m.name(), m.value())
                        : index.postings(m.name(), m::matches);
                ids = ids == null ? p : BlockPostings.intersect(ids, p);
            }
        }
        if (ids == null) {
            ids = index.allPostings();
        }
        for (LabelMatcher m : matchers) {
            if (m.matchesEmpty() && ids.length > 0) {
                ids = BlockPostings.subtract(ids, index.postings(m.name(), v -> !m.matches(v)));
            }
        }
        return ids;
    }

    /** Whether a sample of the series' chunks in range survives its deleted intervals. */
    private boolean anyLeft(IndexReader.ChunkMetas metas, Intervals deleted) {
        BlockSeriesIterator it = new BlockSeriesIterator();
        it.reset(chunks, metas);
        return new DeletedSamplesIterator().reset(it, deleted).next() != ValueType.NONE;
    }

    /** Whether series {@code id} has a sample left in the querier's range (it has unless tombstones say otherwise). */
    private boolean alive(int id) {
        Intervals deleted = tombstones.get(id);
        if (deleted == null) {
            return true;
        }
        IndexReader.ChunkMetas metas = new IndexReader.ChunkMetas(mint, maxt);
        index.readSeries(id, metas);
        return metas.n > 0 && anyLeft(metas, deleted);
    }

    // Without tombstones the index answers a lookup without matchers alone; with them, series wholly deleted are
    // left out, so every series is visited.
    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        if (matchers.length == 0 && tombstones.isEmpty()) {
            return index.labelNames();
        }
        TreeSet<String> names = new TreeSet<>();
        for (int id : matchers.length == 0 ? index.allPostings() : postings(matchers)) {
            if (alive(id)) {
                index.labels(id).forEach((n, v) -> names.add(n));
            }
        }
        return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        if (matchers.length == 0 && tombstones.isEmpty()) {
            return index.labelValues(name);
        }
        TreeSet<String> values = new TreeSet<>();
        for (int id : matchers.length == 0 ? index.allPostings() : postings(matchers)) {
            String v = index.labels(id).get(name);
            if (v != null && alive(id)) {
                values.add(v);
            }
        }
        return new ArrayList<>(values);
    }

    @Override
    public void close() {
    }

    private final class BlockSeries implements Series {
        private final Labels labels;
        private final IndexReader.ChunkMetas metas;
        /** Null when nothing of the series is deleted. */
        private final Intervals deleted;

        BlockSeries(Labels labels, IndexReader.ChunkMetas metas, Intervals deleted) {
            this.labels = labels;
            this.metas = metas;
            this.deleted = deleted;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            if (deleted == null) {
                BlockSeriesIterator it = reuse instanceof BlockSeriesIterator b ? b : new BlockSeriesIterator();
                it.reset(chunks, metas);
                return it;
            }
            DeletedSamplesIterator d = DeletedSamplesIterator.reuse(reuse);
            BlockSeriesIterator it = d.inner() instanceof BlockSeriesIterator b ? b : new BlockSeriesIterator();
            it.reset(chunks, metas);
            return d.reset(it, deleted);
        }
    }
}
