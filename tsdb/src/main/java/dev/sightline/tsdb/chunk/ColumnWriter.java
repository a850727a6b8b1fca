package dev.sightline.tsdb.chunk;

/** A bit writer for chunks encoded whole: a chunk's stream after its count header, or one column of it. */
final class ColumnWriter extends BitWriter {
    private ColumnWriter(int initialBytes, int startBit) {
        super(Math.max(initialBytes, 16), startBit);
    }

    /** A writer whose first bits are left zero for the 2-byte sample count. */
    static ColumnWriter afterHeader(int initialBytes) {
        return new ColumnWriter(initialBytes, AppendableChunk.HEADER_BITS);
    }

    /** A writer for one column, appended to a chunk's stream afterwards. */
    static ColumnWriter column(int initialBytes) {
        return new ColumnWriter(initialBytes, 0);
    }
}
