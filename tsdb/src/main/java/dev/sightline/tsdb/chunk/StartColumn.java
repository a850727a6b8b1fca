package dev.sightline.tsdb.chunk;

/**
 * The optional start-timestamp (ST) column of a chunk: one code per sample, beside the chunk's own encoding, which
 * stays as it is. Codes: '0' = the previous sample's ST (0 before the first sample, so a sample without one costs a
 * bit), '10' = the previous sample's timestamp (a delta series), '11' + zigzag varint of (t - ST) otherwise.
 *
 * <p>A chunk with a column has the top bit of its 2-byte sample count set, then a uvarint holding the column's byte
 * length, the column, and then the chunk's own stream: a chunk without start timestamps keeps its bytes exactly, and
 * head chunk files and block segments store either kind unchanged. An appendable chunk creates its column at the
 * first non-zero ST ({@link AppendableChunk}), with a '0' for each sample before it. Written out, a column ends
 * after its last code other than '0': the codes past its end are all '0', so a counter with one start per chunk (the
 * common case: OpenTelemetry cumulative counters) costs a few bytes per chunk instead of a bit per sample.
 */
final class StartColumn extends BitWriter {
    /** The header bit that says a column follows. */
    static final int FLAG = 0x8000;

    private long lastSt;

    /** A column for a chunk that already holds {@code samples} samples without ST: that many '0' bits. */
    StartColumn(int samples) {
        super(samples / 8 + 16, samples);
    }

    /** Writes sample {@code n}'s code; {@code prevT} is the previous sample's timestamp (unused for n == 0). */
    void append(long st, long t, long prevT, int n) {
        if (st == lastSt) {
            writeBit(false);
        } else if (n > 0 && st == prevT) {
            writeBits(0b10, 2);
        } else {
            writeBits(0b11, 2);
            writeVarint(t - st);
        }
        lastSt = st;
    }

    /** Decodes the next code: the ST of a sample at {@code t} after one at {@code prevT} whose ST was {@code prevSt}. */
    static long read(BitReader r, long prevSt, long t, long prevT, int n) {
        if (r.remaining() <= 0 || !r.readBit()) {
            return prevSt;
        }
        if (!r.readBit()) {
            if (n == 0) {
                throw new CorruptChunkException("the first sample's start timestamp refers to a previous sample, at bit " + r.position());
            }
            return prevT;
        }
        return t - r.readVarint();
    }

    /**
     * The bits that the first {@code count} codes in {@code buf} need written out (written by a column, so well
     * formed): up to the end of the last code other than '0', as the '0' codes after it are implied.
     */
    static long bitLength(byte[] buf, int count) {
        BitReader r = new BitReader();
        r.reset(buf, 0, 0, (long) buf.length * 8);
        long needed = 0;
        for (int i = 0; i < count; i++) {
            if (r.readBit()) {
                if (r.readBit()) {
                    r.readUvarint();
                }
                needed = r.position();
            }
        }
        return needed;
    }

    /**
     * Joins a chunk's own encoded bytes ({@code main}, starting with its 2-byte count) and the first {@code count}
     * codes of a column buffer into the layout described above.
     */
    static byte[] attach(byte[] main, byte[] column, int count) {
        long bits = bitLength(column, count);
        int colLen = (int) ((bits + 7) >>> 3);
        int varLen = uvarintLength(colLen);
        byte[] out = new byte[main.length + varLen + colLen];
        out[0] = (byte) (main[0] | (FLAG >>> 8));
        out[1] = main[1];
        int p = 2;
        for (long v = colLen; ; v >>>= 7) {
            if (v < 0x80) {
                out[p++] = (byte) v;
                break;
            }
            out[p++] = (byte) ((v & 0x7F) | 0x80);
        }
        System.arraycopy(column, 0, out, p, colLen);
        int partial = (int) (bits & 7);
        if (partial != 0) {
            // Clear the bits of a code being appended concurrently.
            out[p + colLen - 1] &= (byte) (0xFF << (8 - partial));
        }
        System.arraycopy(main, 2, out, p + colLen, main.length - 2);
        return out;
    }

    /** The length {@link #attach} gives, without building it. */
    static int attachedLength(int mainLength, byte[] column, int count) {
        int colLen = (int) ((bitLength(column, count) + 7) >>> 3);
        return mainLength + uvarintLength(colLen) + colLen;
    }

    private static int uvarintLength(int v) {
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
