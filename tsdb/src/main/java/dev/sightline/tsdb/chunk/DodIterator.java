package dev.sightline.tsdb.chunk;

import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;

/**
 * What the chunk iterators share: a bit reader over a chunk's first {@code total} samples, delta-of-delta timestamps
 * (first as a varint, the second's delta as a varint, then Gorilla dods), start timestamps from the chunk's
 * {@link StartColumn} when it has one, and seeking. Each sample's timestamp comes first in its bits, followed by its
 * value in the chunk's own encoding.
 */
abstract sealed class DodIterator implements SampleIterator permits XorIterator, DecimalIterator, HistogramIterator, PackedIterator {
    final BitReader r = new BitReader();
    int total;
    int read;
    long t;
    long delta;
    /** null until the first next/seek. */
    ValueType at;
    /** Reads the start-timestamp column; null until a chunk with one is read. */
    private BitReader sr;
    /** Whether the chunk being read has a start-timestamp column. */
    boolean hasStart;
    private long st;
    /** Whether timestamps are in PACKED's interval form: t(i-1) + interval, but for the exceptions. */
    private boolean regular;
    private long interval;
    /** Index of the next sample whose delta is an exception in the interval form; MAX_VALUE when none is left. */
    private int nextException;

    final void resetReader(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        r.reset(buf, baseByte, startBit, limitBit);
        this.total = total;
        this.read = 0;
        this.at = null;
        this.hasStart = false;
        this.st = 0;
        this.regular = false;
    }

    /**
     * Switches to the interval form of timestamps (see {@link PackedChunks}): call after the reset, with the reader
     * just past the form bit. The first sample's read takes t0, the interval and the first exception's gap.
     */
    final void resetInterval() {
        regular = true;
        nextException = Integer.MAX_VALUE;
    }

    /** Reads start timestamps from the column at these bits; call after the reset for the chunk. */
    final void resetStart(byte[] buf, int baseByte, long startBit, long limitBit) {
        if (sr == null) {
            sr = new BitReader();
        }
        sr.reset(buf, baseByte, startBit, limitBit);
        hasStart = true;
    }

    /** Reads the timestamp (and start timestamp) of sample {@code n} (the one after the {@code n} read so far). */
    final void readTimestamp(int n) {
        if (n == 0) {
            t = r.readVarint();
            if (regular && total > 1) {
                interval = r.readVarint();
                nextGap(0);
            }
        } else if (regular) {
            delta = interval;
            if (n == nextException) {
                delta += r.readVarint();
                nextGap(n);
            }
            t += delta;
        } else {
            if (n == 1) {
                delta = r.readVarint();
            } else {
                delta += Gorilla.readDod(r);
            }
            t += delta;
        }
        if (hasStart) {
            readStart(n);
        }
    }

    /**
     * {@link #readTimestamp} for samples {@code n} (at least 1) on into {@code ts} from {@code o} on, up to the last
     * sample or the first one past {@code maxt} (read, not stored); returns the index after the last sample read. In
     * the interval form without a start column the runs between exceptions are counted out without reading.
     */
    final int readTimestamps(int n, long maxt, long[] ts, int o) {
        if (!regular || hasStart) {
            while (n < total) {
                readTimestamp(n++);
                if (t > maxt) {
                    break;
                }
                ts[o++] = t;
            }
            return n;
        }
        long tt = t;
        long iv = interval;
        while (n < total) {
            for (int runEnd = Math.min(total, nextException); n < runEnd; ) {
                tt += iv;
                n++;
                if (tt > maxt) {
                    t = tt;
                    delta = iv;
                    return n;
                }
                ts[o++] = tt;
            }
            t = tt;
            delta = iv;
            if (n == total) {
                break;
            }
            readTimestamp(n++);
            tt = t;
            if (tt > maxt) {
                break;
            }
            ts[o++] = tt;
        }
        return n;
    }

    private void nextGap(int n) {
        long gap = r.readUvarint();
        if (gap < 0 || gap > total) {
            throw new CorruptChunkException("timestamp exception gap " + gap + " after sample " + n + " of " + total
                    + ", at bit " + r.position());
        }
        nextException = gap == 0 ? Integer.MAX_VALUE : n + (int) gap;
    }

    /** Kept out of {@link #readTimestamp} so the common path stays small enough to inline. */
    private void readStart(int n) {
        // For n > 0 the previous sample was at t - delta; for n == 0 StartColumn never asks.
        st = StartColumn.read(sr, st, t, t - delta, n);
    }

    /**
     * Bulk read of float samples: the iterator's own inlined loop ({@link #decodeFloats}, timestamps and values
     * only) whenever the samples left share the current start timestamp (no column, or nothing but '0' codes left in
     * it: a cumulative counter's chunk after its first sample), with the starts filled in afterwards; otherwise one
     * sample at a time through {@link #next()}.
     */
    @Override
    public final ValueType appendFloats(long maxt, FloatSamples out) {
        if (!hasStart && out.st == null) {
            return decodeFloats(maxt, out);
        }
        if (hasStart && !sr.restIsZero()) {
            ValueType vt;
            do {
                out.add(t, value(), st);
                vt = next();
            } while (vt == ValueType.FLOAT && t <= maxt);
            return vt;
        }
        int from = out.n;
        ValueType vt = decodeFloats(maxt, out);
        out.fillStart(from, st);
        return vt;
    }

    /**
     * The float iterators' inlined decode loop for {@link #appendFloats}: timestamps and values from the current
     * sample on, as {@link SampleIterator#appendFloats} describes, leaving {@code out.st} alone.
     */
    ValueType decodeFloats(long maxt, FloatSamples out) {
        throw new IllegalStateException(getClass().getSimpleName() + " holds no float samples");
    }

    @Override
    public final long startTimestamp() {
        return st;
    }

    @Override
    public final ValueType seek(long target) {
        if (at == ValueType.NONE) {
            return at;
        }
        if (at != null && t >= target) {
            return at;
        }
        while (next() != ValueType.NONE) {
            if (t >= target) {
                return at;
            }
        }
        return at;
    }

    @Override
    public final long timestamp() {
        return t;
    }
}
