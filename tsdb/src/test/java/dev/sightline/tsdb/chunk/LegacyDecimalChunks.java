package dev.sightline.tsdb.chunk;

/**
 * The DECIMAL encoder as blocks used it before PACKED (chunk segment version 1), kept for tests: blocks written
 * then hold such chunks, and they must still read.
 */
final class LegacyDecimalChunks {
    private LegacyDecimalChunks() {
    }

    /** The DECIMAL chunk of these samples with their start timestamps (null: none), or null when XOR was written. */
    static Chunk chunk(long[] ts, double[] vs, long[] sts, int n) {
        XorChunk xor = new XorChunk();
        for (int i = 0; i < n; i++) {
            xor.append(sts == null ? 0 : sts[i], ts[i], vs[i]);
        }
        byte[] decimal = encode(ts, vs, n, xor.mainByteLength());
        if (decimal == null) {
            return null;
        }
        byte[] bytes = xor.withStartColumn(decimal, n);
        return new ReadOnlyChunk(ChunkEncoding.DECIMAL, bytes, 0, bytes.length);
    }

    /**
     * Encodes the samples when every value is such a decimal (never NaN, infinite or -0.0) in one of the two modes
     * and the result is smaller than {@code xorLength} bytes; returns null otherwise. Timestamps must increase.
     */
    static byte[] encode(long[] ts, double[] vs, int n, int xorLength) {
        if (n == 0 || n > AppendableChunk.MAX_SAMPLES) {
            return null;
        }
        byte[] divided = encode(ts, vs, n, xorLength, false);
        return divided != null ? divided : encode(ts, vs, n, xorLength, true);
    }

    private static byte[] encode(long[] ts, double[] vs, int n, int xorLength, boolean multiply) {
        int e = 0;
        for (int i = 0; i < n; i++) {
            int ei = DecimalChunks.exponent(vs[i], e, multiply);
            if (ei < 0) {
                return null;
            }
            e = ei;
        }
        ColumnWriter w = ColumnWriter.afterHeader(xorLength);
        w.writeBits(e << 1 | (multiply ? 1 : 0), 5);
        long prevM = 0;
        long prevT = 0;
        long prevDelta = 0;
        int width = 0;
        for (int i = 0; i < n; i++) {
            long m = DecimalChunks.scaled(vs[i], e, multiply);
            if (m == Long.MIN_VALUE) {
                return null; // exact at a smaller e, not at the chunk's one (rounding of v * 10^e)
            }
            long t = ts[i];
            if (i == 0) {
                w.writeVarint(t);
                w.writeVarint(m);
            } else {
                long delta = t - prevT;
                if (i == 1) {
                    w.writeVarint(delta);
                } else {
                    Gorilla.writeDod(w, delta - prevDelta);
                }
                prevDelta = delta;
                width = DecimalChunks.writeDelta(w, m - prevM, width);
            }
            prevT = t;
            prevM = m;
            if (w.bitLength() >= (long) xorLength * 8) {
                return null;
            }
        }
        byte[] out = java.util.Arrays.copyOf(w.buffer(), (int) ((w.bitLength() + 7) >>> 3));
        out[0] = (byte) (n >>> 8);
        out[1] = (byte) n;
        return out;
    }

}
