package dev.sightline.promql.test;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.tsdb.Appender;
import dev.sightline.tsdb.Querier;
import dev.sightline.tsdb.SampleIterator;
import dev.sightline.tsdb.Series;
import dev.sightline.tsdb.SeriesSet;
import dev.sightline.tsdb.Storage;
import dev.sightline.tsdb.ValueType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/** A small in-memory Storage for engine and runner tests, until the real database is available to this module. */
final class MemStorage implements Storage {
    private record Point(long t, double v, Histogram h, long st) {
    }

    private final TreeMap<Labels, TreeMap<Long, Point>> data = new TreeMap<>();

    @Override
    public Appender appender() {
        List<Object[]> pending = new ArrayList<>();
        return new Appender() {
            @Override
            public long append(long ref, Labels labels, long t, double v) {
                return append(ref, labels, 0, t, v);
            }

            @Override
            public long appendHistogram(long ref, Labels labels, long t, Histogram h) {
                return appendHistogram(ref, labels, 0, t, h);
            }

            @Override
            public long append(long ref, Labels labels, long st, long t, double v) {
                pending.add(new Object[]{labels, new Point(t, v, null, st)});
                return 0;
            }

            @Override
            public long appendHistogram(long ref, Labels labels, long st, long t, Histogram h) {
                pending.add(new Object[]{labels, new Point(t, 0, h, st)});
                return 0;
            }

            @Override
            public void commit() {
                synchronized (data) {
                    for (Object[] p : pending) {
                        Point pt = (Point) p[1];
                        TreeMap<Long, Point> series = data.computeIfAbsent((Labels) p[0], k -> new TreeMap<>());
                        series.put(pt.t, withChunkHint(pt, series.lowerEntry(pt.t)));
                    }
                }
                pending.clear();
            }

            @Override
            public void rollback() {
                pending.clear();
            }
        };
    }

    @Override
    public Querier querier(long qmint, long qmaxt) {
        return new Querier() {
            @Override
            public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
                long lo = Math.max(mint, qmint);
                long hi = Math.min(maxt, qmaxt);
                List<Series> out = new ArrayList<>();
                for (var e : data.entrySet()) {
                    if (!matches(e.getKey(), matchers)) {
                        continue;
                    }
                    List<Point> pts = lo > hi ? List.of() : new ArrayList<>(e.getValue().subMap(lo, true, hi, true).values());
                    if (pts.isEmpty()) {
                        continue;
                    }
                    Labels l = e.getKey();
                    out.add(new Series() {
                        @Override
                        public Labels labels() {
                            return l;
                        }

                        @Override
                        public SampleIterator iterator(SampleIterator reuse) {
                            return new ListIterator(pts);
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
                data.keySet().stream().filter(l -> matches(l, matchers)).forEach(l -> l.forEach((n, v) -> s.add(n)));
                return new ArrayList<>(s);
            }

            @Override
            public List<String> labelValues(String name, LabelMatcher... matchers) {
                TreeSet<String> s = new TreeSet<>();
                data.keySet().stream().filter(l -> matches(l, matchers) && l.has(name)).forEach(l -> s.add(l.get(name)));
                return new ArrayList<>(s);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Mimics what Prometheus's histogram chunks report as counter-reset hints: after the first histogram of a series
     * a counter histogram reads as "not a reset", unless its buckets dropped: then a new chunk starts, whose first
     * sample reads as "unknown" (prometheus/prometheus#15346).
     */
    private static Point withChunkHint(Point pt, java.util.Map.Entry<Long, Point> prev) {
        if (pt.h == null || prev == null || prev.getValue().h == null
                || pt.h.counterResetHint != Histogram.CounterResetHint.UNKNOWN
                || prev.getValue().h.counterResetHint == Histogram.CounterResetHint.GAUGE
                || dev.sightline.core.Staleness.isStaleMarker(pt.h.sum)
                || dev.sightline.core.Staleness.isStaleMarker(prev.getValue().h.sum)) {
            return pt;
        }
        boolean reset = dev.sightline.promql.engine.FloatHistograms.detectReset(pt.h, prev.getValue().h);
        return new Point(pt.t, pt.v, dev.sightline.promql.engine.FloatHistograms.withHint(pt.h,
                reset ? Histogram.CounterResetHint.UNKNOWN : Histogram.CounterResetHint.NOT_COUNTER_RESET), pt.st);
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

    private static final class ListIterator implements SampleIterator {
        private final List<Point> pts;
        private int i = -1;

        ListIterator(List<Point> pts) {
            this.pts = pts;
        }

        private ValueType type() {
            if (i >= pts.size()) {
                return ValueType.NONE;
            }
            return pts.get(i).h == null ? ValueType.FLOAT : ValueType.HISTOGRAM;
        }

        @Override
        public ValueType next() {
            if (i < pts.size()) {
                i++;
            }
            return type();
        }

        @Override
        public ValueType seek(long t) {
            if (i < 0) {
                i = 0;
            }
            while (i < pts.size() && pts.get(i).t < t) {
                i++;
            }
            return type();
        }

        @Override
        public long timestamp() {
            return pts.get(i).t;
        }

        @Override
        public double value() {
            return pts.get(i).v;
        }

        @Override
        public Histogram histogram() {
            return pts.get(i).h;
        }

        @Override
        public long startTimestamp() {
            return pts.get(i).st;
        }
    }
}
