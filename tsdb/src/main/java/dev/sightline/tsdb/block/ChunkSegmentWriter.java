package dev.sightline.tsdb.block;

import dev.sightline.tsdb.chunk.Chunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends chunk records to chunks/000001, 000002, ...; each segment starts with {@code u32 magic, version byte, 3
 * zero bytes}, then records {@code uvarint len, encoding byte, data, CRC32C(encoding, data)}. A record's reference
 * is {@code segment << 32 | offset}. Version 2 segments hold PACKED float chunks (and histogram chunks); version 1
 * segments, written before, hold XOR and DECIMAL float chunks; both read.
 */
final class ChunkSegmentWriter implements AutoCloseable {
    static final int MAGIC = 0x5C1C4B5E;
    static final int VERSION = 2;
    /** The oldest segment version that still reads. */
    static final int MIN_VERSION = 1;
    static final int HEADER_SIZE = 8;
    static final long DEFAULT_SEGMENT_SIZE = 512L << 20;

    private final Path dir;
    private final long segmentSize;
    private final Encbuf rec = new Encbuf(512);
    private FileChannel out;
    private int segment;
    private long offset;
    private long chunks;

    ChunkSegmentWriter(Path dir, long segmentSize) {
        this.dir = dir;
        this.segmentSize = segmentSize;
    }

    static String segmentName(int segment) {
        return String.format("%06d", segment);
    }

    long chunksWritten() {
        return chunks;
    }

    long write(Chunk chunk) throws IOException {
        int n = chunk.byteLength();
        rec.reset();
        rec.putUvarint(n);
        int crcFrom = rec.length();
        rec.putByte(chunk.encoding().code());
        rec.putBytes(chunk.bytes(), 0, n);
        rec.putU32(rec.crc32c(crcFrom, rec.length()));
        if (out == null || offset + rec.length() > segmentSize) {
            startSegment();
        }
        long ref = ((long) segment << 32) | offset;
        writeFully(ByteBuffer.wrap(rec.array(), 0, rec.length()));
        offset += rec.length();
        chunks++;
        return ref;
    }

    private void startSegment() throws IOException {
        closeSegment();
        segment++;
        out = FileChannel.open(dir.resolve(segmentName(segment)),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).putInt(MAGIC).put((byte) VERSION).put(new byte[3]).flip();
        writeFully(h);
        offset = HEADER_SIZE;
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private void closeSegment() throws IOException {
        if (out != null) {
            out.force(true);
            out.close();
            out = null;
        }
    }

    /** Fsyncs and closes the last segment. */
    @Override
    public void close() throws IOException {
        closeSegment();
    }
}
