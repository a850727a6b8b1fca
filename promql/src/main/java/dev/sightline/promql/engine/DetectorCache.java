package dev.sightline.promql.engine;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.promql.anomaly.StreamingDetector;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.VectorSelector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Detector state kept between instant evaluations of the same expression, so that an anomaly function over a long
 * range reads only the samples that arrived since the last evaluation instead of the whole range. A rule owns one
 * (a new rule, after a reload or restart, starts empty); ad-hoc queries pass none and stay stateless.
 *
 * <p>Per call node and series it keeps the function's {@link StreamingDetector} and the timestamp of the last sample
 * read. An evaluation at ref time T over range R selects only the recent part of the range, from the earliest
 * re-read of the series that were live at the last evaluation, and seeks each known series to its own: it adds what
 * is newer, evicts what left (T - R, T] and scores. Series without a sample in that part are scored from their
 * window until it empties, and then dropped. The window is the one a stateless evaluation reads, and the result
 * equals it within the detectors' tolerance (relative 1e-9; DetectorCacheTest compares both over many cycles).
 * A series is read in full instead when:
 * <ul>
 *   <li>it is new, or the node was never evaluated (first use, restart, reload);</li>
 *   <li>the samples in the {@code overlapMs} before its last read changed: the store accepts samples that far
 *   out of order (its out-of-order window), so they are re-read each time and compared (count and hash) with what
 *   was read before;</li>
 *   <li>the season argument or the range changed, or evaluation time went backwards (the whole node);</li>
 *   <li>the node has been evaluated {@code rebuildEvery} times since its last full read: a backfill older than the
 *   out-of-order window, or the samples of a series silent for {@link #DORMANT_MS} that arrive older than the
 *   recent part, are taken in by then.</li>
 * </ul>
 * Memory follows the series with points in the range: one window of points per series and call, trimmed to the
 * window after each full read and its first score (13-75 bytes per point by function; docs/anomaly.md, "Cost").
 */
public final class DetectorCache {
    /** Full reads are forced after this many evaluations by default: an hour of 15-second evaluations. */
    public static final int DEFAULT_REBUILD_EVERY = 240;

    /** Series without a sample this long before the last evaluation do not widen the part of the range selected. */
    static final long DORMANT_MS = 15 * 60_000L;

    private final long overlapMs;
    private final int rebuildEvery;
    private final Map<Call, Node> nodes = new IdentityHashMap<>();
    private long fullReads;
    private long tailReads;
    // The samples of the current read within the overlap of its latest one (timestamps and value bits, a ring):
    // what the next read must find again.
    private long[] tailT = new long[16];
    private long[] tailBits = new long[16];
    private int tailHead;
    private int tailSize;

    /**
     * @param overlapMs    how far before a series' last read sample to re-read: the store's out-of-order window
     * @param rebuildEvery evaluations of a call between forced full reads (at least 1)
     */
    public DetectorCache(long overlapMs, int rebuildEvery) {
        if (overlapMs < 0) {
            throw new IllegalArgumentException("overlapMs must not be negative, got " + overlapMs);
        }
        if (rebuildEvery < 1) {
            throw new IllegalArgumentException("rebuildEvery must be at least 1, got " + rebuildEvery);
        }
        this.overlapMs = overlapMs;
        this.rebuildEvery = rebuildEvery;
    }

    public DetectorCache(long overlapMs) {
        this(overlapMs, DEFAULT_REBUILD_EVERY);
    }

    /** Forgets every state. */
    public synchronized void clear() {
        nodes.clear();
    }

    /** Series states held, over all calls. */
    public synchronized int series() {
        int n = 0;
        for (Node node : nodes.values()) {
            n += node.series.size();
        }
        return n;
    }

    /** Series read in full (new, rebuilt or changed) since the cache was made. */
    public synchronized long fullReads() {
        return fullReads;
    }

    /** Series brought up to date by reading only their new samples. */
    public synchronized long tailReads() {
        return tailReads;
    }

    private static final class Node {
        final long seasonMs;
        final long rangeMs;
        long lastRef = Long.MIN_VALUE;
        int evaluations;
        long generation;
        final Map<Labels, SeriesState> series = new HashMap<>();

        Node(long seasonMs, long rangeMs, int phase) {
            this.seasonMs = seasonMs;
            this.rangeMs = rangeMs;
            this.evaluations = phase;
        }
    }

    private static final class SeriesState {
        final StreamingDetector detector;
        /** Timestamp of the latest sample read (any type); MIN_VALUE before the first read. */
        long lastRead = Long.MIN_VALUE;
        long lastHistogram = Long.MIN_VALUE;
        /** Count and hash sum of the samples read in [lastRead - overlap, lastRead]. */
        int overlapCount;
        long overlapHash;
        long seen;
        /** Read in full since the last trim. */
        boolean untrimmed;

        SeriesState(StreamingDetector detector) {
            this.detector = detector;
        }
    }

    /**
     * Evaluates {@code form} of call {@code c} over the matrix selector {@code ms} at the evaluator's single step,
     * with the detector for {@code seasonMs} (0 when the function takes none) and {@code param} for its output.
     */
    synchronized <D extends StreamingDetector> Matrix eval(Evaluator ev, Call c, MatrixSelector ms,
                                                          AnomalyKernels.StreamingForm<D> form, long seasonMs,
                                                          double param) {
        VectorSelector vs = ms.vectorSelector();
        long offset = ev.durationMs(vs.offsetMs(), vs.offsetExpr());
        long range = ev.durationMs(ms.rangeMs(), ms.rangeExpr());
        long ref = ev.refTime(vs.at(), ev.start) - offset;
        long lo = ref - range;
        Node node = nodes.get(c);
        boolean fresh = node == null || node.seasonMs != seasonMs || node.rangeMs != range || ref < node.lastRef
                || ++node.evaluations >= rebuildEvery;
        if (fresh) {
            // A call's first node waits up to one period longer, spreading the calls' forced full reads.
            node = new Node(seasonMs, range, node == null ? -Math.floorMod(System.identityHashCode(c), rebuildEvery) : 0);
            nodes.put(c, node);
        }
        // Only the recent part of the range is selected: from the earliest re-read of the series that were live at
        // the last evaluation. The querier of the whole range costs a look-up in every block it spans.
        long from = lo + 1;
        if (!fresh) {
            long earliest = ref;
            for (SeriesState st : node.series.values()) {
                if (st.lastRead >= node.lastRef - DORMANT_MS) {
                    earliest = Math.min(earliest, st.lastRead - overlapMs);
                }
            }
            from = Math.max(from, earliest);
        }
        node.lastRef = ref;
        long generation = ++node.generation;
        LabelMatcher[] matchers = vs.matchers().toArray(new LabelMatcher[0]);
        List<MatrixSeries> out = new ArrayList<>();
        Querier recent = from > lo + 1 ? ev.queryable.querier(from, ref) : null;
        try {
            SeriesSet set = (recent != null ? recent : ev.querier).select(true, from, ref, matchers);
            SampleIterator it = null;
            while (set.next()) {
                Series s = set.at();
                SeriesState st = node.series.get(s.labels());
                // A series whose last sample is within the overlap of the range's start is read whole: its overlap
                // would have to be compared across the evicted part.
                boolean known = st != null && st.lastRead != Long.MIN_VALUE && st.lastRead - overlapMs > lo;
                if (st == null) {
                    st = new SeriesState(form.detector().apply(seasonMs));
                    node.series.put(s.labels(), st);
                }
                st.seen = generation;
                it = s.iterator(it);
                if (known && readTail(ev, st, it, lo, ref)) {
                    tailReads++;
                } else {
                    readFull(ev, st, recent == null ? s : null, s.labels(), lo, ref);
                    fullReads++;
                }
                emit(ev, form, param, node, s.labels(), st, lo, ms, out);
                ev.checkDeadline();
            }
            for (String w : set.warnings()) {
                ev.annos.warn(w, vs.position());
            }
        } finally {
            if (recent != null) {
                recent.close();
            }
        }
        // Series without a sample in the part selected: scored from their window until it empties (then dropped).
        List<Labels> quiet = new ArrayList<>();
        node.series.forEach((labels, st) -> {
            if (st.seen != generation) {
                quiet.add(labels);
            }
        });
        for (Labels labels : quiet) {
            emit(ev, form, param, node, labels, node.series.get(labels), lo, ms, out);
        }
        return new Matrix(out);
    }

    /** Reads the whole range of a series anew: from {@code s} when it covers the range, else selected by its labels. */
    private void readFull(Evaluator ev, SeriesState st, Series s, Labels labels, long lo, long ref) {
        st.detector.clear();
        st.lastRead = Long.MIN_VALUE;
        st.lastHistogram = Long.MIN_VALUE;
        if (s == null) {
            LabelMatcher[] exact = new LabelMatcher[labels.size()];
            for (int i = 0; i < exact.length; i++) {
                exact[i] = LabelMatcher.eq(labels.name(i), labels.value(i));
            }
            SeriesSet one = ev.querier.select(false, lo + 1, ref, exact);
            if (!one.next()) {
                return;
            }
            s = one.at();
        }
        readTail(ev, st, s.iterator(null), lo, ref);
        st.untrimmed = true;
    }

    /** Evicts what left the range and adds the function's value to {@code out}; drops the state of an empty window. */
    private static <D extends StreamingDetector> void emit(Evaluator ev, AnomalyKernels.StreamingForm<D> form,
                                                           double param, Node node, Labels labels, SeriesState st,
                                                           long lo, MatrixSelector ms, List<MatrixSeries> out) {
        st.detector.evictThrough(lo);
        if (st.detector.size() == 0) {
            node.series.remove(labels);
            return;
        }
        if (st.lastHistogram > lo) {
            ev.annos.histogramIgnoredInMixedRange(labels.metricName(), ms.vectorSelector().position());
        }
        @SuppressWarnings("unchecked")
        double v = form.value().of((D) st.detector, param);
        if (st.untrimmed) {
            // The full read grew the state's arrays in steps, and the first score built the sorted copies the
            // detectors derive lazily; they now hold the whole range, which later reads only slide.
            st.detector.trim();
            st.untrimmed = false;
        }
        if (!Double.isNaN(v)) {
            MatrixSeries o = new MatrixSeries(labels, 1);
            o.dropName = true;
            o.addFloat(ev.start, v);
            out.add(o);
        }
    }

    /**
     * Reads the series from {@code lastRead - overlap} (or the range's start, on a first read) to {@code ref},
     * adding the samples after lastRead; false, having added nothing, when the re-read overlap differs from what
     * was read there before (samples arrived out of order).
     */
    private boolean readTail(Evaluator ev, SeriesState st, SampleIterator it, long lo, long ref) {
        boolean first = st.lastRead == Long.MIN_VALUE;
        long from = first ? lo + 1 : st.lastRead - overlapMs;
        int added = 0;
        int overlapCount = 0;
        long overlapHash = 0;
        boolean checked = first;
        tailSize = 0;
        for (ValueType vt = it.seek(from); vt != ValueType.NONE && it.timestamp() <= ref; vt = it.next()) {
            long t = it.timestamp();
            double v = vt == ValueType.FLOAT ? it.value() : 0;
            long bits = vt == ValueType.FLOAT ? Double.doubleToRawLongBits(v) : vt.ordinal();
            keepTail(t, bits);
            if (!first && t <= st.lastRead) {
                overlapCount++;
                overlapHash += hash(t, bits);
                continue;
            }
            if (!checked) {
                if (overlapCount != st.overlapCount || overlapHash != st.overlapHash) {
                    return false;
                }
                checked = true;
            }
            added++;
            if (vt == ValueType.FLOAT) {
                if (!Staleness.isStaleMarker(v)) {
                    st.detector.add(t, v);
                }
            } else {
                st.lastHistogram = t;
            }
            st.lastRead = t;
        }
        if (!checked && (overlapCount != st.overlapCount || overlapHash != st.overlapHash)) {
            return false;
        }
        ev.countSamples(added);
        // What the next read re-reads: the samples in [lastRead - overlap, lastRead], the tail just kept.
        st.overlapCount = 0;
        st.overlapHash = 0;
        for (int i = 0; i < tailSize; i++) {
            int k = (tailHead + i) & (tailT.length - 1);
            if (tailT[k] >= st.lastRead - overlapMs) {
                st.overlapCount++;
                st.overlapHash += hash(tailT[k], tailBits[k]);
            }
        }
        return true;
    }

    /**
     * Keeps a read sample's time and value bits while it may still lie within the overlap of the last one read (a
     * full read hashes only those, at its end).
     */
    private void keepTail(long t, long bits) {
        int mask = tailT.length - 1;
        while (tailSize > 0 && tailT[tailHead] < t - overlapMs) {
            tailHead = (tailHead + 1) & mask;
            tailSize--;
        }
        if (tailSize == tailT.length) {
            long[] nt = new long[tailSize * 2];
            long[] nb = new long[tailSize * 2];
            for (int i = 0; i < tailSize; i++) {
                nt[i] = tailT[(tailHead + i) & mask];
                nb[i] = tailBits[(tailHead + i) & mask];
            }
            tailT = nt;
            tailBits = nb;
            tailHead = 0;
            mask = tailT.length - 1;
        }
        int k = (tailHead + tailSize++) & mask;
        tailT[k] = t;
        tailBits[k] = bits;
    }

    /** A 64-bit mix of a sample's timestamp and value bits (the sum over samples is order-independent). */
    private static long hash(long t, long bits) {
        long h = t * 0x9E3779B97F4A7C15L ^ bits;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h;
    }
}
