package dev.sightline.tsdb.chunk;

/**
 * The DECIMAL encoding, for persisted float chunks whose values are all decimals with few digits after the point
 * (counters in 1/100 s or ms, integer byte counters, two-decimal load averages): each value is an integer m scaled
 * by 10^-e, one e per chunk, and m is delta-coded. Gorilla's XOR spends most of a value's 64 bits on such numbers,
 * because adding 0.01 changes nearly every mantissa bit, while the delta of m takes a dozen.
 *
 * <p>A value is m / 10^e, or, in multiply mode, m * 10^-e (the double nearest it): exporters compute both, e.g.
 * node_exporter's CPU seconds as ticks / 100 and its disk seconds as ms * 0.001, which gives 27.900000000000002
 * for 27900 ms, no short decimal but m = 27900 all the same.
 *
 * <p>Blocks wrote DECIMAL chunks before PACKED replaced them (chunk segment version 1); they still read, and PACKED
 * codes its values with this class's scaling and delta codes.
 *
 * <p>Layout after the 2-byte sample count: e (4 bits); the mode (1 bit, 1 = multiply); timestamps exactly as in XOR
 * chunks; the first m as a zigzag varint; then per sample the delta of m: '0' for none, '10' + as many zigzag bits
 * as the current width, or '11' + 6 bits (width - 1) + that many bits, which sets the width.
 */
final class DecimalChunks {
    /** 10^e for e in [0, 15]: every one is exact as a double, and so is m / 10^e's rounding. */
    static final double[] POW10 = new double[16];
    /** The double nearest 10^-e, as the literal 1e-e reads. */
    static final double[] INV_POW10 = new double[16];
    /** Integers beyond 2^53 are not all representable as doubles. */
    private static final double MAX_EXACT = 0x1p53;

    static {
        double p = 1;
        for (int e = 0; e < POW10.length; e++) {
            POW10[e] = p;
            INV_POW10[e] = 1 / p; // correctly rounded: the double nearest 10^-e
            p *= 10;
        }
    }

    private DecimalChunks() {
    }

    /**
     * Scales the first n values to integers ({@code ms}) at the smallest exponent that makes every one exact in the
     * given mode, and returns that exponent; -1 when some value is no such decimal (NaN, infinite, -0.0, too many
     * digits).
     */
    static int scale(double[] vs, int n, boolean multiply, long[] ms) {
        int e = 0;
        for (int i = 0; i < n; i++) {
            e = exponent(vs[i], e, multiply);
            if (e < 0) {
                return -1;
            }
        }
        for (int i = 0; i < n; i++) {
            ms[i] = scaled(vs[i], e, multiply);
            if (ms[i] == Long.MIN_VALUE) {
                return -1; // exact at a smaller e, not at the chunk's one (rounding of v * 10^e)
            }
        }
        return e;
    }

    /** The smallest exponent, at least {@code from}, that scales v to an exact integer; -1 when there is none. */
    static int exponent(double v, int from, boolean multiply) {
        if (Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(-0.0)) {
            return -1;
        }
        for (int e = from; e < POW10.length; e++) {
            if (scaled(v, e, multiply) != Long.MIN_VALUE) {
                return e;
            }
        }
        return -1;
    }

    /** The value m stands for at exponent e in the given mode; the decoder computes exactly this. */
    static double value(long m, int e, boolean multiply) {
        return multiply ? m * INV_POW10[e] : m / POW10[e];
    }

    /** m with value(m, e) == v bit for bit, or Long.MIN_VALUE when there is none (also for NaN and infinities). */
    static long scaled(double v, int e, boolean multiply) {
        double x = v * POW10[e];
        if (!(Math.abs(x) < MAX_EXACT)) {
            return Long.MIN_VALUE;
        }
        long m = Math.round(x);
        return Double.doubleToRawLongBits(value(m, e, multiply)) == Double.doubleToRawLongBits(v) ? m : Long.MIN_VALUE;
    }

    static int writeDelta(BitWriter w, long delta, int width) {
        if (delta == 0) {
            w.writeBit(false);
            return width;
        }
        long zz = (delta << 1) ^ (delta >> 63);
        int len = 64 - Long.numberOfLeadingZeros(zz);
        // Keep the width when it fits and costs less than stating a new one.
        if (len <= width && 2 + width <= 8 + len) {
            w.writeBits(0b10, 2);
            w.writeBits(zz, width);
            return width;
        }
        w.writeBits(0b11L << 6 | (len - 1), 8);
        w.writeBits(zz, len);
        return len;
    }

    /** Reads one delta of m; {@code width[0]} carries the current width between calls. */
    static long readDelta(BitReader r, int[] width) {
        if (!r.readBit()) {
            return 0;
        }
        int n;
        if (!r.readBit()) {
            n = width[0];
            if (n == 0) {
                throw new CorruptChunkException("value delta reuses a width before one was set, at bit " + r.position());
            }
        } else {
            n = (int) r.readBits(6) + 1;
            width[0] = n;
        }
        long zz = r.readBits(n);
        return (zz >>> 1) ^ -(zz & 1);
    }

}
