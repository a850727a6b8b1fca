package dev.sightline.timeindex;

import java.nio.charset.StandardCharsets;

/** Reads what a {@link ByteWriter} wrote; a malformed input fails with {@link IllegalArgumentException}. */
public class ByteReader {
    protected final byte[] buf;
    protected int pos;
    private final int end;

    public ByteReader(byte[] buf, int off, int len) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public final int position() {
        return pos;
    }

    public final boolean hasRemaining() {
        return pos < end;
    }

    /** Fails unless {@code n} more bytes are there. */
    protected final void need(int n) {
        if (n < 0 || end - pos < n) {
            throw new IllegalArgumentException("record truncated at byte " + pos);
        }
    }

    public final int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public final long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long at byte " + pos);
    }

    public final int readVarInt() {
        long v = readVarLong();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("count " + v + " out of range at byte " + pos);
        }
        return (int) v;
    }

    public final long readZigZag() {
        long v = readVarLong();
        return (v >>> 1) ^ -(v & 1);
    }

    public final long readFixed64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public final String readString() {
        int n = readVarInt();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** Skips {@code n} bytes and returns where they start. */
    public final int skip(int n) {
        need(n);
        int at = pos;
        pos += n;
        return at;
    }
}
