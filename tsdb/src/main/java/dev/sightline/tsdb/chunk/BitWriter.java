package dev.sightline.tsdb.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Appends bits, most significant first, to a growable byte array that concurrent readers may be reading.
 *
 * <p>Readers only look at bits that were published before they started, so the writer must never change a bit it has
 * already written: it only ORs new bits into zeroed space, and growth copies into a fresh array that is published
 * with a release store (a reader holding the old array still finds every published bit in it). The writer itself
 * reads the field plainly: release/acquire instead of volatile keeps the per-sample cost to plain stores on x86.
 *
 * <p>The head's chunks extend this class rather than holding a writer: one object less per chunk, and the head keeps
 * hundreds of thousands of chunks in memory.
 */
abstract class BitWriter {
    private static final VarHandle BUF;
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static {
        try {
            BUF = MethodHandles.lookup().findVarHandle(BitWriter.class, "buf", byte[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private byte[] buf;
    /** An int keeps head chunks small; it caps a chunk at 256 MiB, far beyond 65535 samples of any sane size. */
    private int bitPos;

    BitWriter(int initialBytes, int startBit) {
        this.buf = new byte[initialBytes];
        this.bitPos = startBit;
    }

    /** The current array, for readers on any thread: read it after acquiring the published bit length. */
    byte[] buffer() {
        return (byte[]) BUF.getAcquire(this);
    }

    long bitLength() {
        return bitPos;
    }

    void writeBit(boolean bit) {
        int pos = bitPos;
        byte[] b = ensure(pos + 1L);
        if (bit) {
            int i = pos >>> 3;
            b[i] = (byte) (b[i] | (0x80 >>> (pos & 7)));
        }
        bitPos = pos + 1;
    }

    /** Writes the low {@code n} bits of {@code value} (1 to 64), highest first. */
    void writeBits(long value, int n) {
        int pos = bitPos;
        byte[] b = ensure((long) pos + n);
        int i = pos >>> 3;
        if (n <= 56 && i + 8 <= b.length) {
            // One 8-byte read-modify-write; bytes it does not change are stored back unchanged, so a concurrent
            // reader still sees every published bit as it was.
            int shift = 64 - (pos & 7) - n;
            BE_LONG.set(b, i, (long) BE_LONG.get(b, i) | ((value & ((1L << n) - 1)) << shift));
            bitPos = pos + n;
            return;
        }
        int free = 8 - (pos & 7);
        int left = n;
        while (left >= free) {
            left -= free;
            b[i] = (byte) (b[i] | ((value >>> left) & ((1 << free) - 1)));
            i++;
            free = 8;
        }
        if (left > 0) {
            b[i] = (byte) (b[i] | ((value & ((1 << left) - 1)) << (free - left)));
        }
        bitPos = pos + n;
    }

    /** Unsigned LEB128-style varint, 8 bits per group (written at any bit position). */
    void writeUvarint(long v) {
        if (v >>> 49 == 0) {
            // Up to 7 groups in one writeBits: a chunk's first timestamp (milliseconds, 6 groups) was 6 calls.
            long groups = v & 0x7F;
            int n = 8;
            for (v >>>= 7; v != 0; v >>>= 7, n += 8) {
                groups = (groups | 0x80) << 8 | (v & 0x7F);
            }
            writeBits(groups, n);
            return;
        }
        while ((v & ~0x7FL) != 0) {
            writeBits((v & 0x7F) | 0x80, 8);
            v >>>= 7;
        }
        writeBits(v, 8);
    }

    /** Zigzag-encoded signed varint, so small negative numbers stay short. */
    void writeVarint(long v) {
        writeUvarint((v << 1) ^ (v >> 63));
    }

    /** The bits {@link #writeVarint} spends on {@code v}. */
    static int varintBits(long v) {
        long zz = (v << 1) ^ (v >> 63);
        return 8 * Math.max(1, (64 - Long.numberOfLeadingZeros(zz) + 6) / 7);
    }

    /** Appends every bit {@code src} has written (from its bit 0). */
    void append(BitWriter src) {
        byte[] b = src.buf;
        long bits = src.bitPos;
        long p = 0;
        for (; p + 56 <= bits; p += 56) {
            writeBits(readBits(b, p, 56), 56);
        }
        if (p < bits) {
            writeBits(readBits(b, p, (int) (bits - p)), (int) (bits - p));
        }
    }

    /** {@code n} (1 to 56) bits of {@code b} from bit {@code from}: at most 63 bits with the skipped ones, 8 bytes. */
    private static long readBits(byte[] b, long from, int n) {
        int i = (int) (from >>> 3);
        int skip = (int) (from & 7);
        long acc = 0;
        int have = 0;
        while (have < skip + n) {
            acc = (acc << 8) | (b[i++] & 0xFF);
            have += 8;
        }
        return (acc >>> (have - skip - n)) & ((1L << n) - 1);
    }

    /** Drops unused array space once no more appends are expected; a later append simply grows it again. */
    void trimToSize() {
        byte[] b = buf;
        int len = (bitPos + 7) >>> 3;
        if (b.length > len) {
            BUF.setRelease(this, Arrays.copyOf(b, len));
        }
    }

    /** The array length to grow to when {@code needed} bytes no longer fit; 1.5x keeps appends amortised O(1). */
    long grownLength(long needed, int current) {
        return (long) current + (current >> 1) + 8;
    }

    private byte[] ensure(long endBit) {
        byte[] b = buf;
        long needed = (endBit + 7) >>> 3;
        if (needed <= b.length) {
            return b;
        }
        if (endBit > Integer.MAX_VALUE) {
            throw new IllegalStateException("chunk would exceed " + (Integer.MAX_VALUE / 8) + " bytes");
        }
        long grown = Math.max(needed, grownLength(needed, b.length));
        byte[] nb = new byte[(int) Math.min(grown, Integer.MAX_VALUE / 8 + 1)];
        System.arraycopy(b, 0, nb, 0, b.length);
        BUF.setRelease(this, nb);
        return nb;
    }
}
