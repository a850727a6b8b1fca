package dev.sightline.ingest.remotewrite;

import dev.sightline.ingest.remotewrite.MalformedRequestException.Layer;

/**
 * Decoder for snappy's block format (what remote-write uses; not the framed stream format). Written here rather
 * than taken from a library: the pure-Java snappy libraries for Java 21 (aircompressor 2.x, snappy-java's Java
 * fallback) use sun.misc.Unsafe, which JDK 24+ warns about and will remove, and snappy-java's native build needs
 * JNI. Decompressing is a short loop; every offset and length is bounds-checked and errors name the byte offset.
 *
 * <p>Format: a varint (at most 32 bits) holding the decompressed length, then elements: a literal (tag low bits 00,
 * length in the tag or in the 1-4 bytes after it, then the bytes) or a copy of earlier output (01: 3-bit length
 * and 11-bit offset; 10: 6-bit length and 16-bit offset; 11: 6-bit length and 32-bit offset).
 */
public final class Snappy {
    private Snappy() {
    }

    /** The decompressed length the block declares, read before any work so a caller can refuse it. */
    public static long declaredLength(byte[] src, int off, int len) throws MalformedRequestException {
        long result = 0;
        for (int i = 0; i < 5; i++) {
            if (i >= len) {
                throw new MalformedRequestException(Layer.SNAPPY, i, "truncated length header");
            }
            int b = src[off + i] & 0xff;
            result |= (long) (b & 0x7f) << (7 * i);
            if (b < 0x80) {
                if (result > 0xffffffffL) {
                    throw new MalformedRequestException(Layer.SNAPPY, i, "length header exceeds 32 bits");
                }
                return result;
            }
        }
        throw new MalformedRequestException(Layer.SNAPPY, 4, "length header longer than 5 bytes");
    }

    private static int checkedLength(byte[] src, int off, int len) throws MalformedRequestException {
        long declared = declaredLength(src, off, len);
        if (declared > Integer.MAX_VALUE - 16) {
            throw new MalformedRequestException(Layer.SNAPPY, 0, "declared length " + declared + " is too large");
        }
        return (int) declared;
    }

    private static int headerSize(byte[] src, int off) {
        int i = 0;
        while ((src[off + i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    /**
     * Decompresses a block into a new array of exactly the declared length. Callers check {@link #declaredLength}
     * against their limit first; this method trusts it only as far as to allocate.
     */
    public static byte[] decompress(byte[] src, int off, int len) throws MalformedRequestException {
        byte[] dst = new byte[checkedLength(src, off, len)];
        decompress(src, off, len, dst);
        return dst;
    }

    /**
     * Decompresses a block into the start of {@code dst}, which must hold at least the declared length (a reused
     * buffer); returns that length. Nothing beyond it is written.
     */
    public static int decompress(byte[] src, int off, int len, byte[] dst) throws MalformedRequestException {
        int limit = checkedLength(src, off, len);
        if (dst.length < limit) {
            throw new IllegalArgumentException("buffer of " + dst.length + " bytes for " + limit + " declared bytes");
        }
        int ip = headerSize(src, off);
        int op = 0;
        while (ip < len) {
            int elementStart = ip;
            int tag = src[off + ip++] & 0xff;
            switch (tag & 3) {
                case 0 -> {
                    int lenMinus1 = tag >>> 2;
                    if (lenMinus1 >= 60) {
                        int extra = lenMinus1 - 59;
                        if (ip + extra > len) {
                            throw new MalformedRequestException(Layer.SNAPPY, elementStart, "truncated literal length");
                        }
                        long l = 0;
                        for (int k = 0; k < extra; k++) {
                            l |= (long) (src[off + ip + k] & 0xff) << (8 * k);
                        }
                        ip += extra;
                        if (l >= limit) {
                            throw new MalformedRequestException(Layer.SNAPPY, elementStart,
                                    "literal of " + (l + 1) + " bytes exceeds the declared length " + limit);
                        }
                        lenMinus1 = (int) l;
                    }
                    int litLen = lenMinus1 + 1;
                    if (litLen > len - ip) {
                        throw new MalformedRequestException(Layer.SNAPPY, elementStart,
                                "literal of " + litLen + " bytes runs past the end of the input");
                    }
                    if (litLen > limit - op) {
                        throw new MalformedRequestException(Layer.SNAPPY, elementStart,
                                "literal of " + litLen + " bytes exceeds the declared length " + limit);
                    }
                    System.arraycopy(src, off + ip, dst, op, litLen);
                    ip += litLen;
                    op += litLen;
                }
                case 1 -> {
                    if (ip + 1 > len) {
                        throw new MalformedRequestException(Layer.SNAPPY, elementStart, "truncated copy");
                    }
                    int copyLen = 4 + ((tag >>> 2) & 7);
                    int offset = ((tag >>> 5) << 8) | (src[off + ip] & 0xff);
                    ip += 1;
                    op = copy(dst, limit, op, offset, copyLen, elementStart);
                }
                case 2 -> {
                    if (ip + 2 > len) {
                        throw new MalformedRequestException(Layer.SNAPPY, elementStart, "truncated copy");
                    }
                    int copyLen = 1 + (tag >>> 2);
                    int offset = (src[off + ip] & 0xff) | (src[off + ip + 1] & 0xff) << 8;
                    ip += 2;
                    op = copy(dst, limit, op, offset, copyLen, elementStart);
                }
                default -> {
                    if (ip + 4 > len) {
                        throw new MalformedRequestException(Layer.SNAPPY, elementStart, "truncated copy");
                    }
                    int copyLen = 1 + (tag >>> 2);
                    long offset = (src[off + ip] & 0xffL) | (src[off + ip + 1] & 0xffL) << 8
                            | (src[off + ip + 2] & 0xffL) << 16 | (src[off + ip + 3] & 0xffL) << 24;
                    ip += 4;
                    if (offset > op) {
                        throw new MalformedRequestException(Layer.SNAPPY, elementStart,
                                "copy offset " + offset + " reaches before the start of the output (at " + op + ")");
                    }
                    op = copy(dst, limit, op, (int) offset, copyLen, elementStart);
                }
            }
        }
        if (op != limit) {
            throw new MalformedRequestException(Layer.SNAPPY, len,
                    "input ended after " + op + " of the " + limit + " declared bytes");
        }
        return limit;
    }

    private static int copy(byte[] dst, int limit, int op, int offset, int copyLen, int at) throws MalformedRequestException {
        if (offset == 0 || offset > op) {
            throw new MalformedRequestException(Layer.SNAPPY, at,
                    "copy offset " + offset + " is outside the " + op + " bytes written so far");
        }
        if (copyLen > limit - op) {
            throw new MalformedRequestException(Layer.SNAPPY, at,
                    "copy of " + copyLen + " bytes exceeds the declared length " + limit);
        }
        int from = op - offset;
        if (offset >= copyLen) {
            System.arraycopy(dst, from, dst, op, copyLen);
        } else {
            // Overlapping copy repeats the last `offset` bytes (run-length style): byte by byte on purpose.
            for (int i = 0; i < copyLen; i++) {
                dst[op + i] = dst[from + i];
            }
        }
        return op + copyLen;
    }
}
