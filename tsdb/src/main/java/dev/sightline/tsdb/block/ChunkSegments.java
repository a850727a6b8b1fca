package dev.sightline.tsdb.block;

import dev.sightline.tsdb.chunk.Chunk;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.chunk.Chunks;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/** The memory-mapped chunk segments of one block, every record's checksum verified when opened. */
final class ChunkSegments {
    private final Path dir;
    private final MappedByteBuffer[] segments; // index 0 is segment 1
    private final long numChunks;

    private ChunkSegments(Path dir, MappedByteBuffer[] segments, long numChunks) {
        this.dir = dir;
        this.segments = segments;
        this.numChunks = numChunks;
    }

    /** Receives every chunk of the segments in order, with the bytes of its record (chunk plus framing). */
    interface ChunkVisitor {
        void visit(Chunk chunk, int recordBytes);
    }

    long numChunks() {
        return numChunks;
    }

    static ChunkSegments open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CorruptBlockException(dir, -1, "chunks directory is missing");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        MappedByteBuffer[] maps = new MappedByteBuffer[files.size()];
        long chunks = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            if (!f.getFileName().toString().equals(ChunkSegmentWriter.segmentName(i + 1))) {
                throw new CorruptBlockException(f, -1, "unexpected file; segment " + ChunkSegmentWriter.segmentName(i + 1) + " expected");
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                if (ch.size() > Integer.MAX_VALUE) {
                    throw new CorruptBlockException(f, -1, "segment larger than 2 GiB");
                }
                maps[i] = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            }
            chunks += verify(f, maps[i], null);
        }
        return new ChunkSegments(dir, maps, chunks);
    }

    /** Walks every chunk of every segment in order (size analysis: copies each chunk's bytes). */
    void forEach(ChunkVisitor visitor) throws CorruptBlockException {
        for (int i = 0; i < segments.length; i++) {
            verify(dir.resolve(ChunkSegmentWriter.segmentName(i + 1)), segments[i], visitor);
        }
    }

    /**
     * Walks every record of a segment, checking framing and CRC, and hands each chunk to {@code visitor} (null:
     * none); returns the number of chunks.
     */
    private static long verify(Path file, MappedByteBuffer buf, ChunkVisitor visitor) throws CorruptBlockException {
        int size = buf.limit();
        if (size < ChunkSegmentWriter.HEADER_SIZE || buf.getInt(0) != ChunkSegmentWriter.MAGIC) {
            throw new CorruptBlockException(file, 0, "bad segment magic");
        }
        int version = buf.get(4) & 0xFF;
        if (version < ChunkSegmentWriter.MIN_VERSION || version > ChunkSegmentWriter.VERSION) {
            throw new CorruptBlockException(file, 4, "unsupported segment version " + version);
        }
        CRC32C crc = new CRC32C();
        long count = 0;
        int pos = ChunkSegmentWriter.HEADER_SIZE;
        while (pos < size) {
            int start = pos;
            Decbuf d = new Decbuf(buf, pos, size);
            int len;
            int code;
            try {
                len = d.getUvarintInt();
                code = d.getByte();
            } catch (IndexOutOfBoundsException e) {
                throw new CorruptBlockException(file, start, "truncated chunk header");
            }
            int dataStart = d.position();
            if ((long) dataStart + len + 4 > size) {
                throw new CorruptBlockException(file, start, "chunk of " + len + " bytes overruns the segment (size " + size + ")");
            }
            crc.reset();
            crc.update(buf.slice(dataStart - 1, len + 1));
            int want = buf.getInt(dataStart + len);
            if ((int) crc.getValue() != want) {
                throw new CorruptBlockException(file, start, "chunk checksum mismatch");
            }
            ChunkEncoding enc;
            try {
                enc = ChunkEncoding.ofCode(code);
            } catch (IllegalArgumentException e) {
                throw new CorruptBlockException(file, start, "unknown chunk encoding " + code);
            }
            if (visitor != null) {
                byte[] b = new byte[len];
                buf.get(dataStart, b);
                visitor.visit(Chunks.fromBytes(enc, b, 0, len), dataStart + len + 4 - start);
            }
            pos = dataStart + len + 4;
            count++;
        }
        return count;
    }

    /**
     * Decodes the chunk at {@code ref}. The bytes are copied out of the mapping into {@code buf} (grown as needed)
     * because chunks decode from byte arrays; {@code buf} must not be reused while the returned chunk is read.
     */
    Chunk chunk(long ref, ChunkBuffer buf) {
        int seg = (int) (ref >>> 32);
        int off = (int) ref;
        if (seg < 1 || seg > segments.length) {
            throw new IllegalStateException("chunk ref " + Long.toHexString(ref) + " names missing segment " + seg);
        }
        MappedByteBuffer m = segments[seg - 1];
        Decbuf d = new Decbuf(m, off, m.limit());
        int len = d.getUvarintInt();
        ChunkEncoding enc = ChunkEncoding.ofCode(d.getByte());
        byte[] b = buf.ensure(len);
        m.get(d.position(), b, 0, len);
        return Chunks.fromBytes(enc, b, 0, len);
    }

    /** A reusable byte array that chunk bytes are copied into. */
    static final class ChunkBuffer {
        private byte[] bytes = new byte[256];

        byte[] ensure(int n) {
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
            }
            return bytes;
        }
    }
}
