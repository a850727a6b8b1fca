package dev.sightline.tsdb.chunk;

import java.util.Arrays;

/**
 * The PACKED encoding of float chunks written whole into blocks: a timestamp column, then a value column, each in
 * the cheapest of a few forms for what the chunk holds. What it saves over XOR and DECIMAL on scraped data: the bit
 * per sample of a regular scrape interval (a zero delta-of-delta), the bit per sample of a constant, the zigzag and
 * prefix bits of counters whose increments fill a fixed width, the trailing zero bits of values moving in page-sized
 * steps (4096 * k), and the sign bit a delta costs a gauge that jumps around a range.
 *
 * <p>Layout after the 2-byte sample count n (and the start-timestamp column when flagged, as for every float chunk):
 * <pre>
 * uvarint  bit length of the timestamp column
 * timestamp column, 1 bit form:
 *   0 delta-of-delta: varint t0; n > 1: varint delta1, then n - 2 Gorilla delta-of-deltas
 *   1 interval:       varint t0; n > 1: varint D, then exceptions (uvarint gap >= 1, varint delta - D) ending
 *                     with uvarint 0; sample i is t(i-1) + D unless an exception names it (i = previous + gap,
 *                     counted from 0)
 * value column, 3 bits form:
 *   0 constant:  64 raw bits, the value of every sample
 *   1 XOR:       64 raw bits, then n - 1 Gorilla XOR codes
 *   2 deltas:    e (4 bits), multiply (1 bit), varint m0, shift s (6 bits); then n - 1 codes of (m(i) - m(i-1)) >> s
 *                as DECIMAL writes its deltas
 *   3 packed deltas: e, multiply, varint m0, s (6 bits), varint base, width w (6 bits); then n - 1 fields of w
 *                bits: ((m(i) - m(i-1)) >> s) - base
 *   4 packed values: e, multiply, varint base, s (6 bits), w (6 bits); then n fields of w bits: (m(i) - base) >> s
 * </pre>
 * where a value is m / 10^e (or m * 10^-e in multiply mode) exactly as in {@link DecimalChunks}. Forms 2-4 need
 * every value to be such a decimal; XOR holds anything (NaN payloads, stale markers, infinities, -0.0) bit for bit.
 */
final class PackedChunks {
    static final int TS_DOD = 0;
    static final int TS_INTERVAL = 1;
    static final int CONSTANT = 0;
    static final int XOR = 1;
    static final int DELTAS = 2;
    static final int PACKED_DELTAS = 3;
    static final int PACKED_VALUES = 4;
    static final int FORMS = 5;
    /** Widest bit-packed field: the bit reader's fast path, and PackedIterator's decode loop, read up to 56 bits at once. */
    static final int MAX_WIDTH = 56;

    private PackedChunks() {
    }

    /** Encodes n (1 to {@link AppendableChunk#MAX_SAMPLES}) samples with increasing timestamps: count header first. */
    static byte[] encode(long[] ts, double[] vs, int n) {
        if (n < 1 || n > AppendableChunk.MAX_SAMPLES) {
            throw new IllegalArgumentException("a PACKED chunk holds 1 to " + AppendableChunk.MAX_SAMPLES + " samples, not " + n);
        }
        ColumnWriter times = smaller(dodTimestamps(ts, n), intervalTimestamps(ts, n));
        ColumnWriter values = values(vs, n);
        ColumnWriter out = ColumnWriter.afterHeader((int) ((times.bitLength() + values.bitLength()) >>> 3) + 16);
        out.writeUvarint(times.bitLength());
        out.append(times);
        out.append(values);
        byte[] b = Arrays.copyOf(out.buffer(), (int) ((out.bitLength() + 7) >>> 3));
        b[0] = (byte) (n >>> 8);
        b[1] = (byte) n;
        return b;
    }

    private static ColumnWriter smaller(ColumnWriter a, ColumnWriter b) {
        if (b == null) {
            return a;
        }
        return a == null || b.bitLength() < a.bitLength() ? b : a;
    }

    private static ColumnWriter dodTimestamps(long[] ts, int n) {
        ColumnWriter w = ColumnWriter.column(n / 4 + 16);
        w.writeBit(false);
        w.writeVarint(ts[0]);
        long prevDelta = 0;
        for (int i = 1; i < n; i++) {
            long delta = ts[i] - ts[i - 1];
            if (i == 1) {
                w.writeVarint(delta);
            } else {
                Gorilla.writeDod(w, delta - prevDelta);
            }
            prevDelta = delta;
        }
        return w;
    }

    /** The interval form, with the most common delta as the interval. */
    private static ColumnWriter intervalTimestamps(long[] ts, int n) {
        ColumnWriter w = ColumnWriter.column(16);
        w.writeBit(true);
        w.writeVarint(ts[0]);
        if (n == 1) {
            return w;
        }
        long interval = mostCommonDelta(ts, n);
        w.writeVarint(interval);
        int last = 0;
        for (int i = 1; i < n; i++) {
            long delta = ts[i] - ts[i - 1];
            if (delta != interval) {
                w.writeUvarint(i - last);
                w.writeVarint(delta - interval);
                last = i;
            }
        }
        w.writeUvarint(0);
        return w;
    }

    private static long mostCommonDelta(long[] ts, int n) {
        long[] d = new long[n - 1];
        for (int i = 1; i < n; i++) {
            d[i - 1] = ts[i] - ts[i - 1];
        }
        Arrays.sort(d);
        long best = d[0];
        int bestRun = 0;
        for (int i = 0, run = 0; i < d.length; i++) {
            run = i > 0 && d[i] == d[i - 1] ? run + 1 : 1;
            if (run > bestRun) {
                bestRun = run;
                best = d[i];
            }
        }
        return best;
    }

    private static ColumnWriter values(double[] vs, int n) {
        ColumnWriter best = xorValues(vs, n);
        long first = Double.doubleToRawLongBits(vs[0]);
        boolean constant = true;
        for (int i = 1; i < n && constant; i++) {
            constant = Double.doubleToRawLongBits(vs[i]) == first;
        }
        if (constant) {
            ColumnWriter w = ColumnWriter.column(16);
            w.writeBits(CONSTANT, 3);
            w.writeBits(first, 64);
            best = smaller(best, w);
        }
        long[] ms = new long[n];
        // Both modes: a value like 4096.400000000001 is 40964 * 0.1, and also 4096400000000001 / 10^12.
        for (boolean multiply : new boolean[]{false, true}) {
            int e = DecimalChunks.scale(vs, n, multiply, ms);
            if (e >= 0) {
                best = smaller(best, deltas(ms, n, e, multiply));
                best = smaller(best, packedDeltas(ms, n, e, multiply, best.bitLength()));
                best = smaller(best, packedValues(ms, n, e, multiply, best.bitLength()));
            }
        }
        return best;
    }

    private static ColumnWriter xorValues(double[] vs, int n) {
        ColumnWriter w = ColumnWriter.column(n + 16);
        w.writeBits(XOR, 3);
        long prev = Double.doubleToRawLongBits(vs[0]);
        w.writeBits(prev, 64);
        int window = Gorilla.NO_WINDOW;
        for (int i = 1; i < n; i++) {
            long bits = Double.doubleToRawLongBits(vs[i]);
            window = Gorilla.writeXor(w, bits ^ prev, window);
            prev = bits;
        }
        return w;
    }

    private static ColumnWriter decimalHeader(int form, int e, boolean multiply, int n) {
        ColumnWriter w = ColumnWriter.column(n + 16);
        w.writeBits(form, 3);
        w.writeBits(e << 1 | (multiply ? 1 : 0), 5);
        return w;
    }

    /** Trailing zero bits common to every delta (0 when all are 0). */
    private static int deltaShift(long[] ms, int n) {
        long or = 0;
        for (int i = 1; i < n; i++) {
            or |= ms[i] - ms[i - 1];
        }
        return or == 0 ? 0 : Long.numberOfTrailingZeros(or);
    }

    private static ColumnWriter deltas(long[] ms, int n, int e, boolean multiply) {
        ColumnWriter w = decimalHeader(DELTAS, e, multiply, n);
        w.writeVarint(ms[0]);
        int shift = deltaShift(ms, n);
        w.writeBits(shift, 6);
        int width = 0;
        for (int i = 1; i < n; i++) {
            width = DecimalChunks.writeDelta(w, (ms[i] - ms[i - 1]) >> shift, width);
        }
        return w;
    }

    /** The packed-deltas column, or null when it would not be shorter than {@code toBeat} bits (or too wide). */
    private static ColumnWriter packedDeltas(long[] ms, int n, int e, boolean multiply, long toBeat) {
        int shift = deltaShift(ms, n);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 1; i < n; i++) {
            long d = (ms[i] - ms[i - 1]) >> shift;
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        if (n == 1) {
            min = 0;
        }
        int width = n == 1 ? 0 : width(max - min);
        long bits = 8 + BitWriter.varintBits(ms[0]) + 6 + BitWriter.varintBits(min) + 6 + (long) (n - 1) * width;
        if (width > MAX_WIDTH || bits >= toBeat) {
            return null;
        }
        ColumnWriter w = decimalHeader(PACKED_DELTAS, e, multiply, n);
        w.writeVarint(ms[0]);
        w.writeBits(shift, 6);
        w.writeVarint(min);
        w.writeBits(width, 6);
        for (int i = 1; i < n && width > 0; i++) {
            w.writeBits(((ms[i] - ms[i - 1]) >> shift) - min, width);
        }
        assert w.bitLength() == bits : "packed deltas took " + w.bitLength() + " bits, sized as " + bits;
        return w;
    }

    /** The packed-values column, or null when it would not be shorter than {@code toBeat} bits (or too wide). */
    private static ColumnWriter packedValues(long[] ms, int n, int e, boolean multiply, long toBeat) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, ms[i]);
        }
        long or = 0;
        long max = 0;
        for (int i = 0; i < n; i++) {
            or |= ms[i] - min;
            max = Math.max(max, ms[i] - min);
        }
        int shift = or == 0 ? 0 : Long.numberOfTrailingZeros(or);
        int width = width(max >>> shift);
        long bits = 8 + BitWriter.varintBits(min) + 6 + 6 + (long) n * width;
        if (width > MAX_WIDTH || bits >= toBeat) {
            return null;
        }
        ColumnWriter w = decimalHeader(PACKED_VALUES, e, multiply, n);
        w.writeVarint(min);
        w.writeBits(shift, 6);
        w.writeBits(width, 6);
        for (int i = 0; i < n && width > 0; i++) {
            w.writeBits((ms[i] - min) >>> shift, width);
        }
        assert w.bitLength() == bits : "packed values took " + w.bitLength() + " bits, sized as " + bits;
        return w;
    }

    /** Bits to hold {@code v} as an unsigned number (0 for 0). */
    private static int width(long v) {
        return 64 - Long.numberOfLeadingZeros(v);
    }
}
