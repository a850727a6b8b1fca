package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.ValueType;

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

    /**
     * The decode loop of {@link #next()} inlined, with the state in locals while it runs. XorIterator's is the same
     * loop with another value codec; one shared loop calling a value method per sample decoded 8-12% slower.
     */
    @Override
    ValueType decodeFloats(long maxt, FloatSamples out) {
        out.ensureCapacity(out.n + total - read + 1);
        long[] ts = out.t;
        double[] vs = out.v;
        int o = out.n;
        long tt = t;
        long d = delta;
        long mm = m;
        int n = read;
        ts[o] = tt;
        vs[o++] = DecimalChunks.value(mm, exponent, multiply);
        ValueType result = ValueType.NONE;
        while (n < total) {
            if (n == 1) {
                d = r.readVarint();
            } else {
                d += Gorilla.readDod(r);
            }
            tt += d;
            mm += DecimalChunks.readDelta(r, width);
            n++;
            if (tt > maxt) {
                result = ValueType.FLOAT;
                break;
            }
            ts[o] = tt;
            vs[o++] = DecimalChunks.value(mm, exponent, multiply);
        }
        out.n = o;
        t = tt;
        delta = d;
        m = mm;
        read = n;
        return at = result;
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
