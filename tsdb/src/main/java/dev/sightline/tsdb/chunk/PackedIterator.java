package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.ValueType;

/**
 * Decodes a PACKED chunk (see {@link PackedChunks}): timestamps through the shared reader over the timestamp
 * column, values through a second reader over the value column. Allocation-free, reusable across chunks.
 */
final class PackedIterator extends DodIterator {
    private final BitReader vr = new BitReader();
    private final long[] bits = new long[1];
    private final int[] windows = new int[1];
    private final int[] width = new int[1];
    private int form;
    private int exponent;
    private boolean multiply;
    private int shift;
    private long base;
    private int fieldWidth;
    private long m;

    void reset(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        BitReader h = vr;
        h.reset(buf, baseByte, startBit, limitBit);
        long tsBits = total > 0 ? h.readUvarint() : 0;
        long tsStart = h.position();
        if (tsBits < 0 || tsBits > limitBit - tsStart) {
            throw new CorruptChunkException("PACKED timestamp column of " + tsBits + " bits at bit " + tsStart
                    + " passes the end of the chunk at bit " + limitBit);
        }
        resetReader(buf, baseByte, tsStart, tsStart + tsBits, total);
        if (total == 0) {
            return;
        }
        if (r.readBit()) {
            resetInterval();
        }
        vr.reset(buf, baseByte, tsStart + tsBits, limitBit);
        form = (int) vr.readBits(3);
        windows[0] = Gorilla.NO_WINDOW;
        width[0] = 0;
        switch (form) {
            case PackedChunks.CONSTANT, PackedChunks.XOR -> bits[0] = vr.readBits(64);
            case PackedChunks.DELTAS, PackedChunks.PACKED_DELTAS, PackedChunks.PACKED_VALUES -> readDecimalHeader();
            default -> throw new CorruptChunkException("unknown PACKED value form " + form + " at bit " + (tsStart + tsBits));
        }
    }

    private void readDecimalHeader() {
        int mode = (int) vr.readBits(5);
        exponent = mode >>> 1;
        multiply = (mode & 1) != 0;
        if (form == PackedChunks.PACKED_VALUES) {
            base = vr.readVarint();
            shift = (int) vr.readBits(6);
            fieldWidth = (int) vr.readBits(6);
            return;
        }
        m = vr.readVarint();
        shift = (int) vr.readBits(6);
        if (form == PackedChunks.PACKED_DELTAS) {
            base = vr.readVarint();
            fieldWidth = (int) vr.readBits(6);
        }
    }

    /** Reads sample n's value (the one after the n read so far). */
    private void readValue(int n) {
        switch (form) {
            case PackedChunks.CONSTANT -> {
            }
            case PackedChunks.XOR -> {
                if (n > 0) {
                    Gorilla.readXor(vr, bits, windows, 0);
                }
            }
            case PackedChunks.DELTAS -> {
                if (n > 0) {
                    m += DecimalChunks.readDelta(vr, width) << shift;
                }
            }
            case PackedChunks.PACKED_DELTAS -> {
                if (n > 0) {
                    m += (base + field()) << shift;
                }
            }
            default -> m = base + (field() << shift);
        }
    }

    private long field() {
        return fieldWidth == 0 ? 0 : vr.readBits(fieldWidth);
    }

    @Override
    public ValueType next() {
        int n = read;
        if (n >= total) {
            return at = ValueType.NONE;
        }
        readTimestamp(n);
        readValue(n);
        read = n + 1;
        return at = ValueType.FLOAT;
    }

    @Override
    ValueType decodeFloats(long maxt, FloatSamples out) {
        out.ensureCapacity(out.n + total - read + 1);
        long[] ts = out.t;
        double[] vs = out.v;
        int o = out.n;
        ts[o] = t;
        vs[o++] = value();
        ValueType result = ValueType.NONE;
        for (int n = read; n < total; n++) {
            readTimestamp(n);
            readValue(n);
            read = n + 1;
            if (t > maxt) {
                result = ValueType.FLOAT;
                break;
            }
            ts[o] = t;
            vs[o++] = value();
        }
        out.n = o;
        return at = result;
    }

    @Override
    public double value() {
        return form <= PackedChunks.XOR ? Double.longBitsToDouble(bits[0]) : DecimalChunks.value(m, exponent, multiply);
    }

    @Override
    public Histogram histogram() {
        throw new IllegalStateException("a PACKED chunk holds float samples, not histograms");
    }
}
