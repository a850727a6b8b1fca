package dev.sightline.tsdb.tombstone;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;

/**
 * A series' samples without those in its deleted intervals: what every read of a series with tombstones goes through,
 * and what a block written from it (compaction, clean_tombstones, the head cut into a block) keeps. Skips a deleted
 * interval with one seek of the inner iterator; allocates nothing per sample.
 */
public final class DeletedSamplesIterator implements SampleIterator {
    private SampleIterator inner;
    private Intervals deleted;
    /** The first deleted interval ending at or after the current sample. */
    private int next;
    private ValueType cur;

    /** {@code reuse} when it is one of these (its inner iterator goes back into {@code inner}'s making), else a new one. */
    public static DeletedSamplesIterator reuse(SampleIterator reuse) {
        return reuse instanceof DeletedSamplesIterator d ? d : new DeletedSamplesIterator();
    }

    /** The inner iterator of the last reset, for the caller to recycle (null for a new one). */
    public SampleIterator inner() {
        return inner;
    }

    public DeletedSamplesIterator reset(SampleIterator inner, Intervals deleted) {
        this.inner = inner;
        this.deleted = deleted;
        this.next = 0;
        this.cur = null;
        return this;
    }

    @Override
    public ValueType next() {
        return cur == ValueType.NONE ? cur : skipDeleted(inner.next());
    }

    @Override
    public ValueType seek(long t) {
        return cur == ValueType.NONE ? cur : skipDeleted(inner.seek(t));
    }

    /** Moves past deleted samples from where the inner iterator stands. */
    private ValueType skipDeleted(ValueType vt) {
        while (vt != ValueType.NONE) {
            long t = inner.timestamp();
            while (next < deleted.size() && deleted.max(next) < t) {
                next++;
            }
            if (next == deleted.size() || deleted.min(next) > t) {
                break;
            }
            long end = deleted.max(next);
            if (end == Long.MAX_VALUE) {
                vt = ValueType.NONE;
                break;
            }
            vt = inner.seek(end + 1);
        }
        return cur = vt;
    }

    /** The inner iterator's bulk read, cut short before each deleted interval. */
    @Override
    public ValueType appendFloats(long maxt, FloatSamples out) {
        while (true) {
            long limit = next < deleted.size() ? Math.min(maxt, deleted.min(next) - 1) : maxt;
            ValueType vt = skipDeleted(inner.appendFloats(limit, out));
            if (vt != ValueType.FLOAT || inner.timestamp() > maxt) {
                return vt;
            }
        }
    }

    @Override
    public long timestamp() {
        return inner.timestamp();
    }

    @Override
    public double value() {
        return inner.value();
    }

    @Override
    public Histogram histogram() {
        return inner.histogram();
    }

    @Override
    public long startTimestamp() {
        return inner.startTimestamp();
    }
}
