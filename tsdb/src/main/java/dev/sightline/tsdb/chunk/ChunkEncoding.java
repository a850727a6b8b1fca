package dev.sightline.tsdb.chunk;

/** How a chunk's bytes are encoded; the code is what goes on disk, so it never changes for an existing encoding. */
public enum ChunkEncoding {
    /** Delta-of-delta timestamps and XOR'd float values, after Facebook's Gorilla paper. */
    XOR(1),
    /** Native histograms with float counts: delta-of-delta timestamps, XOR'd count/sum/buckets, layout on change. */
    FLOAT_HISTOGRAM(3),
    /**
     * Floats that are all short decimals, as integers scaled by a power of ten with delta-coded steps. Written only
     * into blocks, when smaller than XOR; never appended to (see DecimalChunks).
     */
    DECIMAL(4),
    /**
     * Floats in a timestamp column (a regular interval with exceptions, or delta-of-deltas) and a value column
     * (constant, XOR, or decimal integers delta-coded or bit-packed). Written only into blocks, whole; never
     * appended to (see PackedChunks). What blocks hold since chunk segment version 2; XOR and DECIMAL chunks of
     * older blocks still read.
     */
    PACKED(5);

    private final int code;

    ChunkEncoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ChunkEncoding ofCode(int code) {
        for (ChunkEncoding e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown chunk encoding " + code);
    }
}
