package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.ValueType;

import java.util.Arrays;

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
            fieldWidth = readFieldWidth();
            return;
        }
        m = vr.readVarint();
        shift = (int) vr.readBits(6);
        if (form == PackedChunks.PACKED_DELTAS) {
            base = vr.readVarint();
            fieldWidth = readFieldWidth();
        }
    }

    /** The fields' width, which the decode loop's single 8-byte read relies on being at most what writers write. */
    private int readFieldWidth() {
        long at = vr.position();
        int w = (int) vr.readBits(6);
        if (w > PackedChunks.MAX_WIDTH) {
            throw new CorruptChunkException("bit-packed field width " + w + " exceeds " + PackedChunks.MAX_WIDTH
                    + ", at bit " + at);
        }
        return w;
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

    /**
     * Two passes over the two columns: the timestamps up to the first one past maxt, then the values of those samples
     * in one loop per form (the form's switch hoisted out of the loop: a switch per sample decoded 2x slower).
     */
    @Override
    ValueType decodeFloats(long maxt, FloatSamples out) {
        out.ensureCapacity(out.n + total - read + 1);
        long[] ts = out.t;
        double[] vs = out.v;
        int first = out.n;
        ts[first] = t;
        vs[first] = value();
        int n = readTimestamps(read, maxt, ts, first + 1); // read >= 1: the current sample has been read
        ValueType result = n > read && t > maxt ? ValueType.FLOAT : ValueType.NONE;
        // Values of samples read..n-1; the last one stays current when it is past maxt (its slot is spare capacity).
        readValues(vs, first + 1, n - read);
        out.n = first + 1 + n - read - (result == ValueType.FLOAT ? 1 : 0);
        read = n;
        return at = result;
    }

    /** Decodes the values of the next {@code count} samples (none of them the first) into vs from {@code at}. */
    private void readValues(double[] vs, int at, int count) {
        int end = at + count;
        switch (form) {
            case PackedChunks.CONSTANT -> Arrays.fill(vs, at, end, Double.longBitsToDouble(bits[0]));
            case PackedChunks.XOR -> bits[0] = Gorilla.readXors(vr, bits[0], windows, 0, vs, at, end);
            case PackedChunks.DELTAS -> {
                long mm = m;
                for (int i = at; i < end; i++) {
                    mm += DecimalChunks.readDelta(vr, width) << shift;
                    vs[i] = DecimalChunks.value(mm, exponent, multiply);
                }
                m = mm;
            }
            case PackedChunks.PACKED_DELTAS -> readFields(vs, at, end, true);
            default -> readFields(vs, at, end, false);
        }
    }

    /**
     * The bit-packed forms' values for {@code vs[at, end)}: each field a delta or an offset from the base. The
     * position stays in a local ({@link BitReader#buffer}), checked against the limit once for all the fields.
     */
    private void readFields(double[] vs, int at, int end, boolean deltas) {
        int w = fieldWidth;
        long pos = vr.position();
        long fits = w == 0 ? Long.MAX_VALUE : vr.remaining() / w;
        if (end - at > fits) {
            vr.moveTo(pos + fits * w);
            throw vr.pastEnd(w);
        }
        byte[] buf = vr.buffer();
        int b = vr.baseByte();
        long mm = m;
        for (int i = at; i < end; i++) {
            // Two shifts: a width of 0 reads 0 (a single shift by 64 would shift nothing).
            long f = BitReader.peek(buf, b, pos) >>> 1 >>> (63 - w);
            pos += w;
            mm = deltas ? mm + ((base + f) << shift) : base + (f << shift);
            vs[i] = DecimalChunks.value(mm, exponent, multiply);
        }
        vr.moveTo(pos);
        m = mm;
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
