package dev.sightline.promql.test;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.conformance.ConformanceData;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.promql.engine.FloatHistograms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A small in-memory Storage for engine and runner tests, kept to the storage contract by the conformance suites
 * (MemStorageConformanceTest): the engine's tests then do not depend on the database's own behaviour.
 */
final class MemStorage implements Storage {
    /** One series: its samples as read (histograms carry the hint a chunk would report) and its newest as appended. */
    private static final class MemSeries {
        final Labels labels;
        final long ref;
        final TreeMap<Long, Sample> samples = new TreeMap<>();
        /** The newest sample as appended, which duplicates are compared with; null before the first. */
        Sample newest;

        MemSeries(Labels labels, long ref) {
            this.labels = labels;
            this.ref = ref;
        }
    }

    private final long outOfOrderWindowMs;
    private final Map<Labels, MemSeries> byLabels = new HashMap<>();
    private final List<MemSeries> byRef = new ArrayList<>();
    private final TreeMap<Labels, MemSeries> sorted = new TreeMap<>();

    MemStorage() {
        this(0);
    }

    /** {@code outOfOrderWindowMs} 0 refuses every sample older than its series' newest. */
    MemStorage(long outOfOrderWindowMs) {
        this.outOfOrderWindowMs = outOfOrderWindowMs;
    }

    /** The series of a ref (1-based position), or of the labels, registered (without samples) on first sight. */
    private synchronized MemSeries series(long ref, Labels labels) {
        if (ref > 0 && ref <= byRef.size()) {
            return byRef.get((int) ref - 1);
        }
        if (labels == null) {
            throw new IllegalArgumentException("series ref " + ref + " is unknown and no labels were given");
        }
        return byLabels.computeIfAbsent(labels, l -> {
            MemSeries s = new MemSeries(l, byRef.size() + 1);
            byRef.add(s);
            return s;
        });
    }

    /**
     * Why {@code x} may not follow {@code newest} of its series, as Prometheus decides; null when it may. The caller
     * has dropped an {@link #isSame} sample already.
     */
    private Reason refusal(Sample newest, Sample x) {
        if (newest == null || x.t() > newest.t()) {
            return null;
        }
        if (x.t() == newest.t()) {
            return Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP;
        }
        if (outOfOrderWindowMs > 0) {
            return x.t() >= newest.t() - outOfOrderWindowMs ? null : Reason.TOO_OLD_SAMPLE;
        }
        return Reason.OUT_OF_ORDER_SAMPLE;
    }

    /** The same value at the same time (bits for floats; the start timestamp plays no part): dropped silently. */
    private static boolean isSame(Sample a, Sample b) {
        return a.t() == b.t() && (a.h() == null
                ? b.h() == null && Double.doubleToRawLongBits(a.v()) == Double.doubleToRawLongBits(b.v())
                : a.h().equals(b.h()));
    }

    @Override
    public Appender appender() {
        return new Appender() {
            private final List<MemSeries> pendingSeries = new ArrayList<>();
            private final List<Sample> pending = new ArrayList<>();
            /** The newest pending sample per series, which later appends of the batch are checked against too. */
            private final Map<MemSeries, Sample> pendingNewest = new HashMap<>();

            @Override
            public long append(long ref, Labels labels, long st, long t, double v) {
                return add(ref, labels, new Sample(t, v, null, st));
            }

            @Override
            public long appendHistogram(long ref, Labels labels, long st, long t, Histogram h) {
                return add(ref, labels, new Sample(t, 0, h, st));
            }

            private long add(long ref, Labels labels, Sample x) {
                MemSeries s = series(ref, labels);
                Sample newest = pendingNewest.get(s);
                if (newest == null) {
                    synchronized (MemStorage.this) {
                        newest = s.newest;
                    }
                }
                if (newest != null && isSame(newest, x)) {
                    return s.ref;
                }
                Reason refused = refusal(newest, x);
                if (refused != null) {
                    throw new ValidationException(refused, "timestamp", "sample at " + x.t() + " refused ("
                            + refused + ") for series " + s.labels);
                }
                pendingSeries.add(s);
                pending.add(x);
                if (newest == null || x.t() > newest.t()) {
                    pendingNewest.put(s, x);
                }
                return s.ref;
            }

            /** Stores the batch, checking each sample again against what other batches committed meanwhile. */
            @Override
            public void commit() {
                int refused = 0;
                Reason first = null;
                synchronized (MemStorage.this) {
                    for (int i = 0; i < pending.size(); i++) {
                        MemSeries s = pendingSeries.get(i);
                        Sample x = pending.get(i);
                        if (s.newest != null && isSame(s.newest, x)) {
                            continue;
                        }
                        Reason r = refusal(s.newest, x);
                        if (r != null) {
                            refused++;
                            first = first == null ? r : first;
                            continue;
                        }
                        s.samples.putIfAbsent(x.t(), withChunkHint(x, s.samples.lowerEntry(x.t())));
                        if (s.newest == null || x.t() > s.newest.t()) {
                            s.newest = x;
                        }
                        sorted.put(s.labels, s);
                    }
                }
                int total = pending.size();
                rollback();
                if (first != null) {
                    throw new ValidationException(first, "timestamp", "another batch committed first: stored "
                            + (total - refused) + " of " + total + " samples");
                }
            }

            @Override
            public void rollback() {
                pendingSeries.clear();
                pending.clear();
                pendingNewest.clear();
            }
        };
    }

    @Override
    public Querier querier(long qmint, long qmaxt) {
        return new Querier() {
            @Override
            public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
                Querier.requireRestrictingMatcher(matchers);
                long lo = Math.max(mint, qmint);
                long hi = Math.min(maxt, qmaxt);
                List<Series> out = new ArrayList<>();
                for (MemSeries s : committed(matchers)) {
                    List<Sample> pts;
                    synchronized (MemStorage.this) {
                        pts = lo > hi ? List.of() : new ArrayList<>(s.samples.subMap(lo, true, hi, true).values());
                    }
                    if (pts.isEmpty()) {
                        continue;
                    }
                    out.add(new Series() {
                        @Override
                        public Labels labels() {
                            return s.labels;
                        }

                        @Override
                        public SampleIterator iterator(SampleIterator reuse) {
                            return ConformanceData.iterator(pts);
                        }
                    });
                }
                Iterator<Series> it = out.iterator();
                return new SeriesSet() {
                    Series cur;

                    @Override
                    public boolean next() {
                        if (!it.hasNext()) {
                            return false;
                        }
                        cur = it.next();
                        return true;
                    }

                    @Override
                    public Series at() {
                        return cur;
                    }
                };
            }

            @Override
            public List<String> labelNames(LabelMatcher... matchers) {
                TreeSet<String> s = new TreeSet<>();
                committed(matchers).forEach(m -> m.labels.forEach((n, v) -> s.add(n)));
                return new ArrayList<>(s);
            }

            @Override
            public List<String> labelValues(String name, LabelMatcher... matchers) {
                TreeSet<String> s = new TreeSet<>();
                committed(matchers).stream().filter(m -> m.labels.has(name)).forEach(m -> s.add(m.labels.get(name)));
                return new ArrayList<>(s);
            }

            @Override
            public void close() {
            }
        };
    }

    /** The series with committed samples that match, sorted by labels. */
    private synchronized List<MemSeries> committed(LabelMatcher[] matchers) {
        List<MemSeries> out = new ArrayList<>();
        for (MemSeries s : sorted.values()) {
            if (matches(s.labels, matchers)) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Mimics what Prometheus's histogram chunks report as counter-reset hints: after the first histogram of a series
     * a counter histogram reads as "not a reset", unless its buckets dropped: then a new chunk starts, whose first
     * sample reads as "unknown" (prometheus/prometheus#15346).
     */
    private static Sample withChunkHint(Sample pt, Map.Entry<Long, Sample> prev) {
        if (pt.h() == null || prev == null || prev.getValue().h() == null
                || pt.h().counterResetHint != Histogram.CounterResetHint.UNKNOWN
                || prev.getValue().h().counterResetHint == Histogram.CounterResetHint.GAUGE
                || Staleness.isStaleMarker(pt.h().sum)
                || Staleness.isStaleMarker(prev.getValue().h().sum)) {
            return pt;
        }
        boolean reset = FloatHistograms.detectReset(pt.h(), prev.getValue().h());
        return new Sample(pt.t(), pt.v(), FloatHistograms.withHint(pt.h(),
                reset ? Histogram.CounterResetHint.UNKNOWN : Histogram.CounterResetHint.NOT_COUNTER_RESET), pt.st());
    }

    private static boolean matches(Labels l, LabelMatcher[] matchers) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(l.get(m.name()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
    }
}
