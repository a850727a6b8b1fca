package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.tsdb.SampleIterator;
import dev.sightline.tsdb.ValueType;

/** Decodes a DECIMAL chunk (see {@link DecimalChunks}); allocation-free, reusable across chunks. */
final class DecimalIterator implements SampleIterator {
    private final BitReader r = new BitReader();
    private final int[] width = new int[1];
    private double scale;
    private int total;
    private int read;
    private long t;
    private long delta;
    private long m;
    /** null until the first next/seek. */
    private ValueType at;

    void reset(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        r.reset(buf, baseByte, startBit, limitBit);
        this.total = total;
        this.read = 0;
        this.width[0] = 0;
        this.at = null;
        this.scale = total > 0 ? DecimalChunks.POW10[(int) r.readBits(4)] : 1;
    }

    @Override
    public ValueType next() {
        int n = read;
        if (n >= total) {
            return at = ValueType.NONE;
        }
        if (n == 0) {
            t = r.readVarint();
            m = r.readVarint();
        } else {
            if (n == 1) {
                delta = r.readVarint();
            } else {
                delta += Gorilla.readDod(r);
            }
            t += delta;
            m += DecimalChunks.readDelta(r, width);
        }
        read = n + 1;
        return at = ValueType.FLOAT;
    }

    @Override
    public ValueType seek(long target) {
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
    public long timestamp() {
        return t;
    }

    @Override
    public double value() {
        return m / scale;
    }

    @Override
    public Histogram histogram() {
        throw new IllegalStateException("a DECIMAL chunk holds float samples, not histograms");
    }
}
