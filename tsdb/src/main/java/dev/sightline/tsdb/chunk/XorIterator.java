package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.ValueType;

/** Decodes an XOR chunk's first {@code total} samples; allocation-free, reusable across chunks. */
final class XorIterator extends DodIterator {
    private final long[] bits = new long[1];
    private final int[] windows = new int[1];

    void reset(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        resetReader(buf, baseByte, startBit, limitBit, total);
        this.windows[0] = Gorilla.NO_WINDOW;
    }

    @Override
    public ValueType next() {
        int n = read;
        if (n >= total) {
            return at = ValueType.NONE;
        }
        readTimestamp(n);
        if (n == 0) {
            bits[0] = r.readBits(64);
        } else {
            Gorilla.readXor(r, bits, windows, 0);
        }
        read = n + 1;
        return at = ValueType.FLOAT;
    }

    /** The decode loop of {@link #next()} inlined, with the state in locals while it runs. */
    @Override
    ValueType decodeFloats(long maxt, FloatSamples out) {
        out.ensureCapacity(out.n + total - read + 1);
        long[] ts = out.t;
        double[] vs = out.v;
        int o = out.n;
        long tt = t;
        long d = delta;
        int n = read;
        ts[o] = tt;
        vs[o++] = Double.longBitsToDouble(bits[0]);
        ValueType result = ValueType.NONE;
        while (n < total) {
            if (n == 1) {
                d = r.readVarint();
            } else {
                d += Gorilla.readDod(r);
            }
            tt += d;
            Gorilla.readXor(r, bits, windows, 0);
            n++;
            if (tt > maxt) {
                result = ValueType.FLOAT;
                break;
            }
            ts[o] = tt;
            vs[o++] = Double.longBitsToDouble(bits[0]);
        }
        out.n = o;
        t = tt;
        delta = d;
        read = n;
        return at = result;
    }

    @Override
    public double value() {
        return Double.longBitsToDouble(bits[0]);
    }

    @Override
    public Histogram histogram() {
        throw new IllegalStateException("an XOR chunk holds float samples, not histograms");
    }
}
