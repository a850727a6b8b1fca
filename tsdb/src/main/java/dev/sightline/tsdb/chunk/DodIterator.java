package dev.sightline.tsdb.chunk;

import dev.sightline.tsdb.SampleIterator;
import dev.sightline.tsdb.ValueType;

/**
 * What the chunk iterators share: a bit reader over a chunk's first {@code total} samples, delta-of-delta timestamps
 * (first as a varint, the second's delta as a varint, then Gorilla dods) and seeking. Each sample's timestamp comes
 * first in its bits, followed by its value in the chunk's own encoding.
 */
abstract sealed class DodIterator implements SampleIterator permits XorIterator, DecimalIterator, HistogramIterator {
    final BitReader r = new BitReader();
    int total;
    int read;
    long t;
    long delta;
    /** null until the first next/seek. */
    ValueType at;

    final void resetReader(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        r.reset(buf, baseByte, startBit, limitBit);
        this.total = total;
        this.read = 0;
        this.at = null;
    }

    /** Reads the timestamp of sample {@code n} (the one after the {@code n} read so far). */
    final void readTimestamp(int n) {
        if (n == 0) {
            t = r.readVarint();
            return;
        }
        if (n == 1) {
            delta = r.readVarint();
        } else {
            delta += Gorilla.readDod(r);
        }
        t += delta;
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
