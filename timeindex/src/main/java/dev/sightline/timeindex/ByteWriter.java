package dev.sightline.timeindex;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable output buffer for the stores' binary records (WAL records, stored blocks): varints (zigzag for signed
 * numbers), fixed 64-bit words, UTF-8 strings with a length. Reusable after {@link #reset}. Growing copies into a new
 * array and never writes the old one again, so a slice of {@link #array} taken before stays valid.
 */
public class ByteWriter {
    private byte[] buf = new byte[1024];
    private int len;

    public final byte[] array() {
        return buf;
    }

    public final int length() {
        return len;
    }

    public final void reset() {
        len = 0;
    }

    public final void truncate(int length) {
        len = length;
    }

    /** Makes room for {@code more} bytes past {@link #length}. */
    public final void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    public final void writeByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    public final void writeBytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    public final void writeVarLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    public final void writeZigZag(long v) {
        writeVarLong((v << 1) ^ (v >> 63));
    }

    public final void writeFixed64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[len++] = (byte) (v >>> (56 - 8 * i));
        }
    }

    /** The string as its UTF-8 length (varint) and bytes. */
    public final void writeString(String s) {
        int mark = len;
        ensure(5);
        len += 5; // room for the length, moved down below
        int bytes = writeUtf8(s);
        int end = len;
        len = mark;
        writeVarLong(bytes);
        int header = len - mark;
        System.arraycopy(buf, mark + 5, buf, len, bytes);
        len = end - 5 + header;
    }

    /** The string's UTF-8 bytes without a length; returns how many. */
    public final int writeUtf8(String s) {
        // ASCII is the common case: one pass, no intermediate array.
        int n = s.length();
        int i = 0;
        int start = len;
        ensure(n);
        while (i < n && s.charAt(i) < 0x80) {
            buf[len++] = (byte) s.charAt(i++);
        }
        if (i < n) {
            byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
            writeBytes(rest, 0, rest.length);
        }
        return len - start;
    }
}
