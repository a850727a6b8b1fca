package dev.sightline.tsdb.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads bits, most significant first, from a byte array between a start and a limit bit; reading past the limit is
 * a {@link CorruptChunkException} naming the position. One instance is reused for every chunk an iterator visits.
 */
final class BitReader {
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int base;
    private long pos;
    private long limit;

    void reset(byte[] buf, int baseByte, long startBit, long limitBit) {
        this.buf = buf;
        this.base = baseByte;
        this.pos = startBit;
        this.limit = limitBit;
    }

    long position() {
        return pos;
    }

    /**
     * For decode loops that keep the position in a local ({@link #peek(byte[], int, long)}, then {@link #moveTo}):
     * kept in this reader's field, each value's read waited for the store of the previous one's position.
     */
    byte[] buffer() {
        return buf;
    }

    int baseByte() {
        return base;
    }

    long limit() {
        return limit;
    }

    /** Sets the position a decode loop has read up to ({@link #buffer}), at most the limit. */
    void moveTo(long p) {
        pos = p;
    }

    long remaining() {
        return limit - pos;
    }

    boolean readBit() {
        long p = pos;
        if (p >= limit) {
            throw pastEnd(1);
        }
        pos = p + 1;
        return (buf[base + (int) (p >>> 3)] & (0x80 >>> (p & 7))) != 0;
    }

    /** Reads {@code n} bits (1 to 64) as an unsigned number. */
    long readBits(int n) {
        long p = pos;
        int i = base + (int) (p >>> 3);
        // Small enough to inline into the decode loops: one big-endian 8-byte load covers skip + n <= 63 bits, and
        // bytes past the limit are shifted out.
        if (n <= 56 && p + n <= limit && i + 8 <= buf.length) {
            pos = p + n;
            return ((long) BE_LONG.get(buf, i) << (p & 7)) >>> (64 - n);
        }
        return readBitsSlow(n);
    }

    /**
     * The bits from the position on, the first as the sign bit, without moving: at least 57 of them are the
     * buffer's (the rest zeros); bits past the limit are returned too, and {@link #skip} refuses to take them.
     */
    long peek() {
        return peek(buf, base, pos);
    }

    /** {@link #peek()} at bit {@code p} of a reader's {@link #buffer} from byte {@code base}. */
    static long peek(byte[] buf, int base, long p) {
        int i = base + (int) (p >>> 3);
        if (i + 8 <= buf.length) {
            return (long) BE_LONG.get(buf, i) << (p & 7);
        }
        long w = 0;
        for (int k = 0; k < 8; k++) {
            w = (w << 8) | (i + k < buf.length ? buf[i + k] & 0xFF : 0);
        }
        return w << (p & 7);
    }

    /** Moves past {@code n} bits, as reading them would. */
    void skip(int n) {
        if (pos + n > limit) {
            throw pastEnd(n);
        }
        pos += n;
    }

    private long readBitsSlow(int n) {
        long p = pos;
        if (p + n > limit) {
            throw pastEnd(n);
        }
        pos = p + n;
        int i = base + (int) (p >>> 3);
        int skip = (int) (p & 7);
        int avail = 8 - skip;
        long cur = buf[i] & (0xFF >>> (8 - avail));
        if (n <= avail) {
            return cur >>> (avail - n);
        }
        int left = n - avail;
        i++;
        while (left >= 8) {
            cur = (cur << 8) | (buf[i++] & 0xFF);
            left -= 8;
        }
        if (left > 0) {
            cur = (cur << left) | ((buf[i] & 0xFF) >>> (8 - left));
        }
        return cur;
    }

    /**
     * Whether every bit from the position to the limit is 0, without moving; false (unknown) when more than 56 bits
     * are left, which callers treat as "maybe not".
     */
    boolean restIsZero() {
        long left = limit - pos;
        if (left <= 0) {
            return true;
        }
        if (left > 56) {
            return false;
        }
        long save = pos;
        long bits = readBits((int) left);
        pos = save;
        return bits == 0;
    }

    long readUvarint() {
        long start = pos;
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = readBits(8);
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new CorruptChunkException("varint longer than 10 bytes at bit " + start);
    }

    long readVarint() {
        long u = readUvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    CorruptChunkException pastEnd(int n) {
        return new CorruptChunkException("reading " + n + " bits at bit " + pos + " passes the end of the chunk at bit " + limit);
    }
}
