package dev.sightline.tsdb.head;

import dev.sightline.tsdb.chunk.Chunk;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.chunk.Chunks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Full head chunks, written once to sequential segments and read back through a memory mapping, so the head keeps
 * only (min time, max time, ref) per full chunk on the heap. With a directory the segments are files in
 * {@code chunks_head/} that outlive a restart, letting WAL replay skip the samples they hold; without one (a head
 * without durability, or after a file could not be created) they are heap buffers.
 *
 * <p>Segment: magic (4 bytes), version (1), 3 zero bytes, then records back to back; the unwritten rest is zeros.
 * Record: series ref (8), min time (8), max time (8), encoding code (1), data length (uvarint), data, and the CRC32C
 * of everything before it in the record. A chunk's ref is its segment number &lt;&lt; 32 | record offset.
 *
 * <p>Nothing here is fsynced: the WAL holds every sample too, and on open a torn or damaged record ends its segment
 * (the file is truncated there and later files are deleted, with a warning), so WAL replay refills what was lost.
 */
final class HeadChunkFiles implements AutoCloseable {
    static final String DIR = "chunks_head";
    static final int MAGIC = 0x5349_4843; // "SIHC"
    static final int VERSION = 1;
    static final int HEADER_SIZE = 8;
    /** Series ref, min time, max time, encoding. */
    private static final int FIXED_SIZE = 25;
    private static final int CRC_SIZE = 4;
    static final int DEFAULT_FILE_SIZE = 128 << 20;
    private static final int HEAP_SEGMENT_SIZE = 1 << 20;
    private static final Logger LOG = Logger.getLogger(HeadChunkFiles.class.getName());

    /** One segment; {@code buf} is written only below its capacity, and only at {@code written} by the writer. */
    static final class Segment {
        final int seq;
        final Path file;
        final ByteBuffer buf;
        int written;
        long maxT = Long.MIN_VALUE;
        /** Set on open when the file's records ended before its end: later files cannot be trusted then. */
        boolean endedEarly;

        Segment(int seq, Path file, ByteBuffer buf, int written) {
            this.seq = seq;
            this.file = file;
            this.buf = buf;
            this.written = written;
        }
    }

    /**
     * The segments by number, first..first+length-1: replaced (never changed) when one is added or dropped, so a
     * query snapshot that captured it reads its chunks even after a truncation dropped their segment (a mapping
     * stays valid after its file is deleted).
     */
    record Table(int first, Segment[] segments) {
        /** The chunk at {@code ref}, its data copied into {@code buf} (grown as needed) and decoded from there. */
        Chunk read(long ref, byte[][] buf) {
            int i = (int) (ref >>> 32) - first;
            if (i < 0 || i >= segments.length) {
                throw new IllegalStateException("head chunk ref " + Long.toHexString(ref) + " names a dropped segment");
            }
            ByteBuffer b = segments[i].buf;
            int off = (int) ref;
            ChunkEncoding enc = ChunkEncoding.ofCode(b.get(off + 24));
            int pos = off + FIXED_SIZE;
            int len = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b.get(pos++);
                len |= (x & 0x7F) << shift;
                if (x >= 0) {
                    break;
                }
            }
            if (buf[0] == null || buf[0].length < len) {
                buf[0] = new byte[Math.max(len, 256)];
            }
            b.get(pos, buf[0], 0, len);
            return Chunks.fromBytes(enc, buf[0], 0, len);
        }
    }

    /**
     * How many segments (from the first) were found on open: {@link #takeLoaded} lists their chunks when asked, so a
     * start from a head snapshot, which names its chunks itself, never builds that list. 0 once handed over.
     */
    private int loadedSegments;
    private long maxLoadedSeriesRef;

    private final Path dir;
    private final int fileSize;
    private volatile Table table = new Table(1, new Segment[0]);
    /** The segment being written, null before the first write or after it was sealed. */
    private Segment current;
    /**
     * Set once a chunk could not go to a file. From then on every chunk stays on the heap: a later file would hold a
     * series' later chunks without the earlier ones, and replay would skip the WAL samples of the gap.
     */
    private boolean heapOnly;
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[512];

    private HeadChunkFiles(Path dir, int fileSize) {
        this.dir = dir;
        this.fileSize = fileSize;
    }

    /** Heap segments only: for a head without durability. */
    static HeadChunkFiles inMemory() {
        return new HeadChunkFiles(null, HEAP_SEGMENT_SIZE);
    }

    /**
     * Opens {@code dir} (creating it) and checks every record, for {@link #takeLoaded}. A damaged record ends the data: its file is cut there and later
     * files are deleted, each with a warning.
     */
    static HeadChunkFiles open(Path dir, int fileSize) throws IOException {
        Files.createDirectories(dir);
        HeadChunkFiles f = new HeadChunkFiles(dir, fileSize);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("\\d{6}") && Files.isRegularFile(p)).sorted().toList();
        }
        List<Segment> kept = new ArrayList<>();
        boolean damaged = false;
        for (Path p : files) {
            int seq = Integer.parseInt(p.getFileName().toString());
            if (damaged || (!kept.isEmpty() && seq != kept.getLast().seq + 1)) {
                LOG.warning(() -> "deleting head chunk file " + p + ": an earlier file is damaged or missing; the WAL refills its chunks");
                Files.delete(p);
                continue;
            }
            Segment s = f.load(seq, p);
            if (s == null) {
                damaged = true;
                Files.delete(p);
            } else {
                damaged = s.endedEarly;
                kept.add(s);
            }
        }
        if (!kept.isEmpty()) {
            f.table = new Table(kept.getFirst().seq, kept.toArray(Segment[]::new));
        }
        f.loadedSegments = kept.size();
        return f;
    }

    /**
     * Maps and checks one file; returns its segment (read-only, capacity = valid length, which is less than the file
     * size when a damaged record cut it), or null when even the header is bad.
     */
    private Segment load(int seq, Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < HEADER_SIZE || size > Integer.MAX_VALUE) {
                LOG.warning(() -> "head chunk file " + p + " has a bad size (" + size + " bytes); deleting it and later files");
                return null;
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            if (m.getInt(0) != MAGIC || m.get(4) != VERSION) {
                LOG.warning(() -> "head chunk file " + p + " has a bad header; deleting it and later files");
                return null;
            }
            long segMaxT = Long.MIN_VALUE;
            int pos = HEADER_SIZE;
            String damage = null;
            while (pos + FIXED_SIZE + 1 + CRC_SIZE <= size) {
                long seriesRef = m.getLong(pos);
                if (seriesRef == 0) {
                    break; // the zeros after the last record written
                }
                int len = 0;
                int q = pos + FIXED_SIZE;
                for (int shift = 0; shift < 28 && q < size; shift += 7) {
                    int x = m.get(q++);
                    len |= (x & 0x7F) << shift;
                    if (x >= 0) {
                        break;
                    }
                }
                long end = (long) q + len + CRC_SIZE;
                if (len < 2 || end > size) {
                    damage = "record length out of range";
                    break;
                }
                crc.reset();
                crc.update(m.slice(pos, q + len - pos));
                if ((int) crc.getValue() != m.getInt(q + len)) {
                    damage = "checksum mismatch";
                    break;
                }
                long maxt = m.getLong(pos + 16);
                maxLoadedSeriesRef = Math.max(maxLoadedSeriesRef, seriesRef);
                segMaxT = Math.max(segMaxT, maxt);
                pos = (int) end;
            }
            if (damage != null) {
                int at = pos;
                String why = damage;
                LOG.warning(() -> "head chunk file " + p + " is damaged at offset " + at + " (" + why + "); truncating it"
                        + " there and deleting later files; the WAL refills the lost chunks");
            }
            Segment s = new Segment(seq, p, m.slice(0, pos), pos);
            s.maxT = segMaxT;
            if (pos < size) {
                // A file sealed cleanly ends exactly at its last record; zeros or damage before the end mean a crash
                // while writing, and a later file's chunks would leave a gap in their series.
                s.endedEarly = true;
                ch.truncate(pos);
            }
            return s;
        }
    }

    /**
     * The chunks found on open, by series ref: (min time, max time, ref) per chunk, oldest first. Handed over once
     * (later calls get an empty map); read from the segments checked on open, before anything new is written.
     */
    synchronized Map<Long, long[]> takeLoaded() {
        Map<Long, long[]> loaded = new HashMap<>();
        Table t = table;
        for (int i = 0; i < loadedSegments; i++) {
            Segment seg = t.segments[i];
            ByteBuffer b = seg.buf;
            for (int pos = HEADER_SIZE; pos < seg.written; ) {
                long seriesRef = b.getLong(pos);
                long[] meta = loaded.get(seriesRef);
                int n = meta == null ? 0 : meta.length;
                meta = meta == null ? new long[3] : Arrays.copyOf(meta, n + 3);
                meta[n] = b.getLong(pos + 8);
                meta[n + 1] = b.getLong(pos + 16);
                meta[n + 2] = (long) seg.seq << 32 | pos;
                loaded.put(seriesRef, meta);
                int len = 0;
                int q = pos + FIXED_SIZE;
                for (int shift = 0; ; shift += 7) {
                    int x = b.get(q++);
                    len |= (x & 0x7F) << shift;
                    if (x >= 0) {
                        break;
                    }
                }
                pos = q + len + CRC_SIZE;
            }
        }
        loadedSegments = 0;
        return loaded;
    }

    /** The largest series ref in a chunk found on open, so that no new series reuses it. */
    long maxLoadedSeriesRef() {
        return maxLoadedSeriesRef;
    }

    Table table() {
        return table;
    }

    /**
     * Appends a full chunk and returns its ref. Never fails: when a file cannot be created the chunk goes to a heap
     * segment (logged), and replay after a restart reads those samples from the WAL instead.
     */
    synchronized long write(long seriesRef, long mint, long maxt, ChunkEncoding enc, byte[] data) {
        int len = data.length;
        int need = FIXED_SIZE + 5 + len + CRC_SIZE;
        if (scratch.length < need) {
            scratch = new byte[Math.max(need, scratch.length * 2)];
        }
        ByteBuffer rec = ByteBuffer.wrap(scratch);
        rec.putLong(seriesRef).putLong(mint).putLong(maxt).put((byte) enc.code());
        for (int v = len; ; v >>>= 7) {
            if (v < 0x80) {
                rec.put((byte) v);
                break;
            }
            rec.put((byte) (v | 0x80));
        }
        rec.put(data);
        crc.reset();
        crc.update(scratch, 0, rec.position());
        rec.putInt((int) crc.getValue());
        int n = rec.position();
        if (current == null || current.written + n > current.buf.capacity()) {
            cut(n);
        }
        int off = current.written;
        try {
            current.buf.put(off, scratch, 0, n);
        } catch (InternalError e) {
            // A fault writing the mapping: the file is sparse and the disk is full. The half-written record fails its
            // CRC on the next open.
            LOG.log(Level.WARNING, "could not write head chunk file " + current.file + "; keeping full chunks on the heap"
                    + " until restart (replay then reads them from the WAL)", e);
            heapOnly = true;
            cut(n);
            off = current.written;
            current.buf.put(off, scratch, 0, n);
        }
        current.written = off + n;
        current.maxT = Math.max(current.maxT, maxt);
        return (long) current.seq << 32 | off;
    }

    /**
     * Seals the current segment and starts the next one, able to hold at least {@code need} bytes of records: a file
     * when there is a directory, unless chunks stay on the heap (see {@link #heapOnly}) or the file cannot be made.
     */
    private void cut(int need) {
        seal();
        Table t = table;
        int seq = t.first + t.segments.length;
        Segment s = null;
        if (dir != null && !heapOnly) {
            Path p = dir.resolve(String.format("%06d", seq));
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(fileSize, HEADER_SIZE + need));
                m.putInt(0, MAGIC).put(4, (byte) VERSION);
                s = new Segment(seq, p, m, HEADER_SIZE);
            } catch (IOException | InternalError e) {
                LOG.log(Level.WARNING, "could not create head chunk file " + p + "; keeping full chunks on the heap"
                        + " until restart (replay then reads them from the WAL)", e);
                heapOnly = true;
            }
        }
        if (s == null) {
            s = new Segment(seq, null, ByteBuffer.allocate(Math.max(HEAP_SEGMENT_SIZE, HEADER_SIZE + need)), HEADER_SIZE);
            s.buf.putInt(0, MAGIC).put(4, (byte) VERSION);
        }
        current = s;
        Segment[] next = Arrays.copyOf(t.segments, t.segments.length + 1);
        next[next.length - 1] = s;
        table = new Table(t.first, next);
    }

    /** Ends writes to the current segment; its file is cut to the records written. */
    private void seal() {
        Segment s = current;
        current = null;
        if (s == null || s.file == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(s.file, StandardOpenOption.WRITE)) {
            ch.truncate(s.written);
        } catch (IOException e) {
            // Harmless: the zeros after the last record read as the end of the data.
            LOG.log(Level.FINE, "could not trim head chunk file " + s.file, e);
        }
    }

    /**
     * Drops the oldest segments while every chunk in them ended before {@code cut} (the head no longer refers to
     * them), deleting their files. The current segment is sealed first, so it can go at the next truncation.
     */
    synchronized void truncateBefore(long cut) {
        if (current != null && current.written > HEADER_SIZE) {
            seal();
        }
        Table t = table;
        int drop = 0;
        while (drop < t.segments.length && t.segments[drop] != current && t.segments[drop].maxT < cut) {
            drop++;
        }
        if (drop == 0) {
            return;
        }
        table = new Table(t.first + drop, Arrays.copyOfRange(t.segments, drop, t.segments.length));
        for (int i = 0; i < drop; i++) {
            Path p = t.segments[i].file;
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "could not delete head chunk file " + p + "; it is ignored and retried at the next open", e);
                }
            }
        }
    }

    /**
     * How far the files reach: the number of the first and of the last segment and the last one's length (last is
     * first - 1 when there is none). Null when a segment is on the heap only, which a restart cannot read back.
     */
    record Position(int first, int last, int length) {
    }

    /** The current end, for a head snapshot; call after {@link #close} so that the last file is trimmed and final. */
    synchronized Position end() {
        Table t = table;
        for (Segment s : t.segments) {
            if (s.file == null) {
                return null;
            }
        }
        int n = t.segments.length;
        return new Position(t.first, t.first + n - 1, n == 0 ? 0 : t.segments[n - 1].written);
    }

    /** Forces every segment file to disk, so that a head snapshot naming their chunks never outlives them. */
    synchronized void sync() throws IOException {
        for (Segment s : table.segments) {
            try (FileChannel ch = FileChannel.open(s.file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        if (dir != null) {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    }

    /**
     * Whether the files found on open still hold everything up to {@code p}: null when they do, else why not. Files
     * before {@code p.first()} may be gone (their chunks all ended before a truncation).
     */
    synchronized String checkReaches(Position p) {
        Table t = table;
        if (p.last() < p.first()) {
            return null;
        }
        int i = p.last() - t.first;
        if (t.first > p.first() || i < 0 || i >= t.segments.length) {
            return "head chunk file " + String.format("%06d", p.last()) + " is missing (or an earlier one was damaged)";
        }
        Segment s = t.segments[i];
        if (s.written < p.length()) {
            return "head chunk file " + s.file + " holds " + s.written + " good bytes, fewer than the " + p.length() + " it had";
        }
        return null;
    }

    /**
     * Drops what was written after {@code p} (checked by {@link #checkReaches}): later files are deleted and the
     * last one cut to its length; the chunks found on open are forgotten (the snapshot names the ones it keeps).
     */
    synchronized void cutBackTo(Position p) throws IOException {
        loadedSegments = 0;
        Table t = table;
        // A snapshot naming no file (p.last() < p.first()) keeps only the files before it, which it does not name.
        int keep = Math.clamp(p.last() - t.first + 1L, 0, t.segments.length);
        for (int i = keep; i < t.segments.length; i++) {
            Files.deleteIfExists(t.segments[i].file);
        }
        Segment[] kept = Arrays.copyOf(t.segments, keep);
        if (keep > 0 && p.last() >= p.first() && kept[keep - 1].written > p.length()) {
            Segment s = kept[keep - 1];
            try (FileChannel ch = FileChannel.open(s.file, StandardOpenOption.WRITE)) {
                ch.truncate(p.length());
            }
            Segment cut = new Segment(s.seq, s.file, s.buf.slice(0, p.length()), p.length());
            cut.maxT = s.maxT;
            kept[keep - 1] = cut;
        }
        table = new Table(t.first, kept);
    }

    /** Trims the file being written; the mappings stay readable until collected. */
    @Override
    public synchronized void close() {
        seal();
    }
}
