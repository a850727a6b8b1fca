package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.tsdb.ValueType;

/** Decodes a DECIMAL chunk (see {@link DecimalChunks}); allocation-free, reusable across chunks. */
final class DecimalIterator extends DodIterator {
    private final int[] width = new int[1];
    private int exponent;
    private boolean multiply;
    private long m;

    void reset(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        resetReader(buf, baseByte, startBit, limitBit, total);
        this.width[0] = 0;
        int mode = total > 0 ? (int) r.readBits(5) : 0;
        this.exponent = mode >>> 1;
        this.multiply = (mode & 1) != 0;
    }

    @Override
    public ValueType next() {
        int n = read;
        if (n >= total) {
            return at = ValueType.NONE;
        }
        readTimestamp(n);
        m = n == 0 ? r.readVarint() : m + DecimalChunks.readDelta(r, width);
        read = n + 1;
        return at = ValueType.FLOAT;
    }

    @Override
    public double value() {
        return DecimalChunks.value(m, exponent, multiply);
    }

    @Override
    public Histogram histogram() {
        throw new IllegalStateException("a DECIMAL chunk holds float samples, not histograms");
    }
}
