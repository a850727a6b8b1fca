package dev.sightline.tsdb.merge;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.ValueType;

/**
 * Merges the sample iterators of one series from several sources in timestamp order. At equal timestamps the
 * lowest-index source wins; the others are stepped past that timestamp on the next move. Allocates nothing per sample.
 */
final class MergeIterator implements SampleIterator {
    private final SampleIterator[] its;
    private final ValueType[] types;
    private final long[] times;
    private boolean started;
    private int cur = -1;   // index of the source the current sample comes from; -1 when exhausted
    private long curT;
    private long bound;     // earliest timestamp among the sources other than cur (Long.MAX_VALUE if none)

    MergeIterator(int width) {
        its = new SampleIterator[width];
        types = new ValueType[width];
        times = new long[width];
    }

    int width() {
        return its.length;
    }

    void reset(Series[] parts) {
        for (int i = 0; i < parts.length; i++) {
            its[i] = parts[i].iterator(its[i]);
        }
        started = false;
        cur = -1;
    }

    private void load(int i, ValueType vt) {
        types[i] = vt;
        times[i] = vt == ValueType.NONE ? Long.MAX_VALUE : its[i].timestamp();
    }

    @Override
    public ValueType next() {
        if (!started) {
            for (int i = 0; i < its.length; i++) {
                load(i, its[i].next());
            }
            started = true;
        } else {
            if (cur < 0) {
                return ValueType.NONE;
            }
            if (bound > curT) {
                // No other source holds this timestamp: step the current one alone while it stays strictly ahead
                // of the rest. Sources that do not overlap in time (consecutive blocks) are thus chained, costing
                // one comparison per sample instead of a scan over all sources.
                ValueType vt = its[cur].next();
                load(cur, vt);
                if (times[cur] < bound) {
                    curT = times[cur];
                    return vt;
                }
                return pick();
            }
            for (int i = 0; i < its.length; i++) {
                if (types[i] != ValueType.NONE && times[i] == curT) {
                    load(i, its[i].next());
                }
            }
        }
        return pick();
    }

    /**
     * Hands the current source whole runs that lie strictly before every other source's next sample; samples where
     * sources meet go one at a time through {@link #next()}, which settles ties.
     */
    @Override
    public ValueType appendFloats(long maxt, FloatSamples out) {
        ValueType vt = types[cur];
        while (vt == ValueType.FLOAT && curT <= maxt) {
            if (curT < bound) {
                vt = its[cur].appendFloats(Math.min(maxt, bound - 1), out);
                load(cur, vt);
                if (times[cur] < bound) {
                    curT = times[cur];
                } else {
                    vt = pick();
                }
            } else {
                out.add(curT, its[cur].value(), its[cur].startTimestamp());
                vt = next();
            }
        }
        return vt;
    }

    @Override
    public ValueType seek(long t) {
        if (started) {
            if (cur < 0) {
                return ValueType.NONE;
            }
            if (curT >= t) {
                return types[cur];
            }
        }
        for (int i = 0; i < its.length; i++) {
            if (!started || (types[i] != ValueType.NONE && times[i] < t)) {
                load(i, its[i].seek(t));
            }
        }
        started = true;
        return pick();
    }

    private ValueType pick() {
        int best = -1;
        long bestT = Long.MAX_VALUE;
        for (int i = 0; i < its.length; i++) {
            if (types[i] != ValueType.NONE && times[i] < bestT) {
                best = i;
                bestT = times[i];
            }
        }
        long second = Long.MAX_VALUE;
        for (int i = 0; i < its.length; i++) {
            if (i != best && times[i] < second) {
                second = times[i];
            }
        }
        cur = best;
        curT = bestT;
        bound = second;
        return best < 0 ? ValueType.NONE : types[best];
    }

    @Override
    public long timestamp() {
        return curT; // the current source's timestamp, already read: saves a chain of calls per sample
    }

    @Override
    public double value() {
        return its[cur].value();
    }

    @Override
    public long startTimestamp() {
        return its[cur].startTimestamp();
    }

    @Override
    public Histogram histogram() {
        return its[cur].histogram();
    }
}
