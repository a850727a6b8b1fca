package dev.sightline.tsdb.chunk;

/**
 * The two Gorilla codecs shared by the float and histogram chunks: delta-of-delta timestamps in Prometheus's
 * buckets, and XOR'd doubles with a leading/trailing-zero window.
 *
 * <p>A window is packed as {@code leading << 8 | trailing}; {@link #NO_WINDOW} means none has been written yet.
 */
final class Gorilla {
    static final int NO_WINDOW = -1;

    private Gorilla() {
    }

    /** '0' for 0, then '10'+14, '110'+17, '1110'+20 two's-complement bits, else '1111'+64 bits. */
    static void writeDod(BitWriter w, long dod) {
        if (dod == 0) {
            w.writeBit(false);
        } else if (fits(dod, 14)) {
            w.writeBits((0b10L << 14) | (dod & 0x3FFF), 16);
        } else if (fits(dod, 17)) {
            w.writeBits((0b110L << 17) | (dod & 0x1FFFF), 20);
        } else if (fits(dod, 20)) {
            w.writeBits((0b1110L << 20) | (dod & 0xFFFFF), 24);
        } else {
            w.writeBits(0b1111, 4);
            w.writeBits(dod, 64);
        }
    }

    /** The bits {@link #writeDod} spends on {@code dod}. */
    static int dodBits(long dod) {
        return dod == 0 ? 1 : fits(dod, 14) ? 16 : fits(dod, 17) ? 20 : fits(dod, 20) ? 24 : 68;
    }

    static long readDod(BitReader r) {
        if (!r.readBit()) {
            return 0;
        }
        if (!r.readBit()) {
            return signExtend(r.readBits(14), 14);
        }
        if (!r.readBit()) {
            return signExtend(r.readBits(17), 17);
        }
        if (!r.readBit()) {
            return signExtend(r.readBits(20), 20);
        }
        return r.readBits(64);
    }

    private static boolean fits(long v, int bits) {
        long half = 1L << (bits - 1);
        return v >= -half && v < half;
    }

    private static long signExtend(long v, int bits) {
        return (v << (64 - bits)) >> (64 - bits);
    }

    /**
     * Writes {@code xor} (the previous value's bits XOR the new one's): '0' when equal; '10' + the bits inside the
     * previous window when they fit; else '11' + 5 bits leading zeros + 6 bits significant length (64 as 0) + bits.
     * Returns the window to use next.
     */
    static int writeXor(BitWriter w, long xor, int window) {
        if (xor == 0) {
            w.writeBit(false);
            return window;
        }
        int leading = Math.min(Long.numberOfLeadingZeros(xor), 31);
        int trailing = Long.numberOfTrailingZeros(xor);
        if (window != NO_WINDOW) {
            int prevLeading = window >>> 8;
            int prevTrailing = window & 0xFF;
            if (leading >= prevLeading && trailing >= prevTrailing) {
                w.writeBits(0b10, 2);
                w.writeBits(xor >>> prevTrailing, 64 - prevLeading - prevTrailing);
                return window;
            }
        }
        int significant = 64 - leading - trailing;
        w.writeBits((0b11L << 11) | ((long) leading << 6) | (significant & 0x3F), 13);
        w.writeBits(xor >>> trailing, significant);
        return (leading << 8) | trailing;
    }

    /**
     * Reads XOR-coded values into {@code vs[at, end)}, the first XOR'd with {@code prev}, updating {@code windows[i]};
     * returns the last value's bits. {@link #readXor} in a loop, but with one look at the reader per value: its
     * control bits, window header and (up to 44 or 55 bits) value bits all come from one peek. The position stays in
     * a local until the end ({@link BitReader#buffer}): 4.5 ns a sample of a day of gauges became 3.5 with it.
     */
    static long readXors(BitReader r, long prev, int[] windows, int i, double[] vs, int at, int end) {
        long bits = prev;
        int window = windows[i];
        byte[] buf = r.buffer();
        int base = r.baseByte();
        long limit = r.limit();
        long pos = r.position();
        for (int k = at; k < end; k++) {
            long w = BitReader.peek(buf, base, pos);
            int n;
            if (w >= 0) {
                n = 1;
            } else if (w << 1 >= 0) {
                if (window == NO_WINDOW) {
                    r.moveTo(pos);
                    throw new CorruptChunkException("value reuses a leading/trailing window before one was set, at bit " + pos);
                }
                int trailing = window & 0xFF;
                int significant = 64 - (window >>> 8) - trailing;
                if (significant <= 55) {
                    n = 2 + significant;
                    bits ^= (w << 2 >>> (64 - significant)) << trailing;
                } else {
                    r.moveTo(pos);
                    r.skip(2);
                    bits ^= wide(r, significant) << trailing;
                    pos = r.position();
                    n = 0;
                }
            } else {
                int leading = (int) (w >>> 57) & 0x1F;
                int significant = (int) (w >>> 51) & 0x3F;
                if (significant == 0) {
                    significant = 64;
                }
                int trailing = 64 - leading - significant;
                if (trailing < 0) {
                    r.moveTo(pos);
                    throw new CorruptChunkException("value window of " + leading + " leading and " + significant
                            + " significant bits exceeds 64, at bit " + (pos + 13));
                }
                if (significant <= 44) {
                    n = 13 + significant;
                    bits ^= (w << 13 >>> (64 - significant)) << trailing;
                } else {
                    r.moveTo(pos);
                    r.skip(13);
                    bits ^= wide(r, significant) << trailing;
                    pos = r.position();
                    n = 0;
                }
                window = (leading << 8) | trailing;
            }
            if (pos + n > limit) {
                r.moveTo(pos);
                throw r.pastEnd(n);
            }
            pos += n;
            vs[k] = Double.longBitsToDouble(bits);
        }
        r.moveTo(pos);
        windows[i] = window;
        return bits;
    }

    /**
     * The next {@code n} bits (45 to 64); past 56, which one read takes, two peeks instead of the byte-wise loop
     * (counters' XORs often need 57 to 64 bits).
     */
    private static long wide(BitReader r, int n) {
        if (n <= 56) {
            return r.readBits(n);
        }
        long high = r.peek() >>> 8;
        r.skip(56);
        int rest = n - 56;
        long low = r.peek() >>> (64 - rest);
        r.skip(rest);
        return high << rest | low;
    }

    /** Reads one XOR-coded value into {@code bits[i]}, updating {@code windows[i]}. */
    static void readXor(BitReader r, long[] bits, int[] windows, int i) {
        if (!r.readBit()) {
            return;
        }
        int window = windows[i];
        if (!r.readBit()) {
            if (window == NO_WINDOW) {
                throw new CorruptChunkException("value reuses a leading/trailing window before one was set, at bit " + r.position());
            }
            int trailing = window & 0xFF;
            bits[i] ^= r.readBits(64 - (window >>> 8) - trailing) << trailing;
            return;
        }
        int header = (int) r.readBits(11);
        int leading = header >>> 6;
        int significant = header & 0x3F;
        if (significant == 0) {
            significant = 64;
        }
        int trailing = 64 - leading - significant;
        if (trailing < 0) {
            throw new CorruptChunkException("value window of " + leading + " leading and " + significant
                    + " significant bits exceeds 64, at bit " + r.position());
        }
        bits[i] ^= r.readBits(significant) << trailing;
        windows[i] = (leading << 8) | trailing;
    }
}
