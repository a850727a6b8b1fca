package dev.sightline.timeindex;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A write-ahead log of byte records. Each record is framed {@code [payload length int][crc32c int][seq long][payload]}
 * (the checksum covers the sequence number and the payload) in segment files named by the sequence number of their
 * first record. {@link #append} writes a record and numbers it (sequence numbers only grow, also across restarts);
 * {@link #sync} makes every record up to a number durable, one fsync serving every thread that waits (group commit),
 * so a store acknowledges a batch once its sync returns.
 *
 * <p>At open every record is handed to a replay handler in order. A torn record at the end of the last segment (a
 * crash mid-write, never acknowledged) is cut off; a bad record inside an older segment ends that segment's replay
 * with a warning, as what follows it cannot be framed. The owner calls {@link #rotate} and {@link #deleteThrough}
 * after it has made records durable elsewhere (a checkpoint).
 */
public final class Wal implements Closeable {
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());
    private static final int HEADER = 16;
    private static final String SUFFIX = ".wal";

    /** Receives the records at open; the payload is valid during the call only. */
    @FunctionalInterface
    public interface RecordHandler {
        void record(long seq, ByteBuffer payload) throws IOException;
    }

    private final Path dir;
    private final long segmentBytes;
    private final Object writeLock = new Object();
    private final Object syncLock = new Object();
    private final ByteBuffer header = ByteBuffer.allocate(HEADER);
    private final ByteBuffer seqBytes = ByteBuffer.allocate(8);
    private final CRC32C crc = new CRC32C();
    /** First sequence number of each segment, the current one last. Guarded by writeLock. */
    private final TreeMap<Long, Long> segmentSizes = new TreeMap<>();
    private FileChannel current;
    private long currentFirstSeq;
    private long lastSeq;
    private volatile long syncedSeq;

    private Wal(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens (creating) the log in {@code dir}, replaying every record to {@code replay} first. New records are
     * numbered above {@code floorSeq} too, so an owner that knows higher numbers (in its own files) never sees one
     * twice even if the log's folder was lost.
     */
    public static Wal open(Path dir, long segmentBytes, long floorSeq, RecordHandler replay) throws IOException {
        if (segmentBytes < HEADER) {
            throw new IllegalArgumentException("WAL segment size " + segmentBytes + " is too small");
        }
        Files.createDirectories(dir);
        Wal wal = new Wal(dir, segmentBytes);
        wal.replayAndOpen(floorSeq, replay);
        return wal;
    }

    private void replayAndOpen(long floorSeq, RecordHandler replay) throws IOException {
        List<Long> firsts = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(SUFFIX)) {
                    try {
                        firsts.add(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())));
                    } catch (NumberFormatException e) {
                        LOG.log(System.Logger.Level.WARNING, "WAL {0}: ignoring {1}, not a segment name", dir, name);
                    }
                }
            }
        }
        firsts.sort(null);
        long seq = 0;
        for (int i = 0; i < firsts.size(); i++) {
            long first = firsts.get(i);
            seq = replaySegment(first, i == firsts.size() - 1, Math.max(seq, first - 1), replay);
        }
        lastSeq = Math.max(seq, floorSeq);
        syncedSeq = lastSeq;
        if (!firsts.isEmpty() && lastSeq == seq) {
            // Appends continue in the last segment, after its last whole record.
            long first = firsts.get(firsts.size() - 1);
            current = FileChannel.open(segment(first), StandardOpenOption.WRITE);
            current.position(current.size());
            currentFirstSeq = first;
        } else {
            startSegment(lastSeq + 1);
        }
    }

    /** Replays one segment; returns the highest sequence number seen (at least {@code seq}). */
    private long replaySegment(long first, boolean last, long seq, RecordHandler replay) throws IOException {
        Path file = segment(first);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            segmentSizes.put(first, size);
            if (size == 0) {
                return seq;
            }
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CRC32C check = new CRC32C();
            while (buf.hasRemaining()) {
                int at = buf.position();
                String bad = null;
                if (buf.remaining() < HEADER) {
                    bad = "short header";
                } else {
                    int len = buf.getInt(at);
                    int sum = buf.getInt(at + 4);
                    long recordSeq = buf.getLong(at + 8);
                    if (len < 0 || len > buf.remaining() - HEADER) {
                        bad = "record length " + len + " past the end";
                    } else {
                        check.reset();
                        check.update(buf.slice(at + 8, 8 + len));
                        if ((int) check.getValue() != sum) {
                            bad = "checksum mismatch";
                        } else if (recordSeq <= seq) {
                            bad = "sequence number " + recordSeq + " not above " + seq;
                        } else {
                            replay.record(recordSeq, buf.slice(at + HEADER, len));
                            seq = recordSeq;
                            buf.position(at + HEADER + len);
                            continue;
                        }
                    }
                }
                if (last) {
                    // A crash mid-append: the record was never acknowledged; cut it off so appends follow whole ones.
                    LOG.log(System.Logger.Level.WARNING, "WAL segment {0}: torn record at offset {1} ({2}); "
                            + "truncating {3} bytes never acknowledged", file, at, bad, size - at);
                    ch.truncate(at);
                    ch.force(true);
                    segmentSizes.put(first, (long) at);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "WAL segment {0}: bad record at offset {1} ({2}); "
                            + "the rest of this segment ({3} bytes) is lost", file, at, bad, size - at);
                }
                break;
            }
        }
        return seq;
    }

    /** Appends one record and returns its sequence number; durable once {@link #sync} of that number returns. */
    public long append(byte[] payload, int off, int len) throws IOException {
        synchronized (writeLock) {
            long seq = lastSeq + 1;
            seqBytes.clear();
            seqBytes.putLong(0, seq);
            crc.reset();
            crc.update(seqBytes);
            crc.update(payload, off, len);
            header.clear();
            header.putInt(len).putInt((int) crc.getValue()).putLong(seq).flip();
            ByteBuffer[] bufs = {header, ByteBuffer.wrap(payload, off, len)};
            while (bufs[0].hasRemaining() || bufs[1].hasRemaining()) {
                current.write(bufs);
            }
            lastSeq = seq;
            segmentSizes.merge(currentFirstSeq, (long) HEADER + len, Long::sum);
            if (segmentSizes.get(currentFirstSeq) >= segmentBytes) {
                rotateLocked();
            }
            return seq;
        }
    }

    /** Returns once every record up to {@code seq} is on disk; concurrent callers share one fsync. */
    public void sync(long seq) throws IOException {
        if (syncedSeq >= seq) {
            return;
        }
        synchronized (syncLock) {
            if (syncedSeq >= seq) {
                return;
            }
            FileChannel ch;
            long upTo;
            synchronized (writeLock) {
                ch = current;
                upTo = lastSeq;
            }
            try {
                ch.force(false);
            } catch (ClosedChannelException e) {
                // Rotated meanwhile: rotation forced the segment before closing it.
            }
            syncedSeq = upTo;
        }
    }

    /** The number of the last record appended (or replayed). */
    public long lastSeq() {
        synchronized (writeLock) {
            return lastSeq;
        }
    }

    /** Bytes in all segments. */
    public long sizeBytes() {
        synchronized (writeLock) {
            long sum = 0;
            for (long s : segmentSizes.values()) {
                sum += s;
            }
            return sum;
        }
    }

    /** Starts a new segment (unless the current one is empty), so a later {@link #deleteThrough} can free the old. */
    public void rotate() throws IOException {
        synchronized (writeLock) {
            if (segmentSizes.get(currentFirstSeq) > 0) {
                rotateLocked();
            }
        }
    }

    /** Deletes the segments whose records are all numbered {@code seq} or lower; never the current segment. */
    public void deleteThrough(long seq) throws IOException {
        List<Long> doomed = new ArrayList<>();
        synchronized (writeLock) {
            Long next = null;
            for (Long first : segmentSizes.descendingKeySet()) {
                if (first != currentFirstSeq && next != null && next - 1 <= seq) {
                    doomed.add(first);
                }
                next = first;
            }
            for (Long first : doomed) {
                segmentSizes.remove(first);
            }
        }
        for (Long first : doomed) {
            Files.deleteIfExists(segment(first));
        }
    }

    private void rotateLocked() throws IOException {
        current.force(false);
        current.close();
        startSegment(lastSeq + 1);
    }

    private void startSegment(long first) throws IOException {
        current = FileChannel.open(segment(first), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        current.position(current.size());
        currentFirstSeq = first;
        segmentSizes.put(first, current.size());
        syncDirectory(dir);
    }

    /** Makes a file's creation or removal in {@code dir} durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private Path segment(long first) {
        return dir.resolve(String.format("%020d%s", first, SUFFIX));
    }

    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            if (current.isOpen()) {
                current.force(false);
                current.close();
            }
        }
    }
}
