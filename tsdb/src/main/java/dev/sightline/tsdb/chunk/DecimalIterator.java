package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.tsdb.ValueType;

/** Decodes a DECIMAL chunk (see {@link DecimalChunks}); allocation-free, reusable across chunks. */
final class DecimalIterator extends DodIterator {
    private final int[] width = new int[1];
    private double scale;
    private long m;

    void reset(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        resetReader(buf, baseByte, startBit, limitBit, total);
        this.width[0] = 0;
        this.scale = total > 0 ? DecimalChunks.POW10[(int) r.readBits(4)] : 1;
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
        return m / scale;
    }

    @Override
    public Histogram histogram() {
        throw new IllegalStateException("a DECIMAL chunk holds float samples, not histograms");
    }
}
