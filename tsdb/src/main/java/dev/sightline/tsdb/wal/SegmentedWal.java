package dev.sightline.tsdb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;
import java.util.zip.CRC32C;

/**
 * A write-ahead log kept as numbered segment files ({@code 00000001}, {@code 00000002}, ...) in one directory, plus
 * at most one checkpoint file ({@code checkpoint.N}) that stands in for every segment numbered N or lower. Record
 * format: see {@link WalRecordEncoder}.
 *
 * <p>Writing: one {@link #write} encodes the batch's records into a reused buffer, appends them to the current
 * segment with one FileChannel write, and fsyncs per {@link WalOptions#fsyncPolicy()}. A new segment is started
 * before a batch that would push the current one past {@code segmentSizeBytes}, so a batch never straddles two
 * segments. If a write or fsync fails, the current segment is abandoned and the next write starts a fresh one, so
 * new records never follow a half-written one.
 *
 * <p>Damage found by {@link #replay} (also counted in {@link #corruptionsDetected()}):
 * <ul>
 *   <li>in the last segment (a crash mid-write, or garbage left by the file system after power loss): the bad record
 *   and everything after it in that segment are dropped, the segment is truncated to the last good record, and new
 *   writes continue right after it;</li>
 *   <li>in an earlier segment or in the checkpoint: the rest of that file is skipped (there is no way to find the
 *   next record boundary in damaged bytes) but the file is left as it is, and all later segments are still replayed,
 *   unlike Prometheus, which deletes everything after the damage. Samples that follow may then refer to series
 *   whose records were lost; the replay handler must skip such unknown refs.</li>
 * </ul>
 * Both cases log a WARNING naming the file, the offset of the bad record and what was wrong with it.
 */
public final class SegmentedWal implements WriteAheadLog {
    private static final System.Logger LOG = System.getLogger(SegmentedWal.class.getName());

    private final Path dir;
    private final WalOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock truncateLock = new ReentrantLock();
    private final WalRecordEncoder encoder = new WalRecordEncoder();
    private final ScheduledExecutorService fsyncTimer;

    // Guarded by lock.
    private final TreeSet<Long> segments = new TreeSet<>();
    private long checkpointSeq = -1;
    private FileChannel current;
    private long currentSeq = -1;
    private long currentSize;
    private long appendSeq = -1;   // set by replay: the last segment, verified, which new writes may continue
    private long appendOffset;
    private long writtenSeq;       // batches written so far
    private long lastFsyncNanos = System.nanoTime();
    private boolean closed;

    /** Batches up to this one are durable. Raised under lock (cuts, BATCH, close) and under syncLock (ALWAYS). */
    private final AtomicLong syncedSeq = new AtomicLong();
    /** Batches up to this one were in a segment whose fsync failed: they must not be reported durable. */
    private final AtomicLong failedSeq = new AtomicLong();
    /** Serializes ALWAYS-policy fsyncs, so that writers queued behind one fsync usually find their batch covered by it. */
    private final ReentrantLock syncLock = new ReentrantLock();

    private volatile long corruptions;

    private SegmentedWal(Path dir, WalOptions options) {
        this.dir = dir;
        this.options = options;
        if (options.fsyncPolicy() == FsyncPolicy.BATCH) {
            fsyncTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sightline-wal-fsync");
                t.setDaemon(true);
                return t;
            });
            long interval = options.batchFsyncIntervalMs();
            fsyncTimer.scheduleWithFixedDelay(this::backgroundFsync, interval, interval, TimeUnit.MILLISECONDS);
        } else {
            fsyncTimer = null;
        }
    }

    /**
     * Opens (creating if needed) the WAL in {@code dir}. Leftovers of an interrupted {@link #truncate} are cleaned
     * up: temporary checkpoints are deleted, and so are older checkpoints and segments that a complete checkpoint
     * already covers. Nothing is read yet; call {@link #replay} before writing to continue the last segment (a write
     * before replay starts a new segment instead).
     */
    public static SegmentedWal open(Path dir, WalOptions options) throws IOException {
        Files.createDirectories(dir);
        SegmentedWal wal = new SegmentedWal(dir, options);
        try {
            wal.scan();
        } catch (IOException | RuntimeException e) {
            wal.close();
            throw e;
        }
        return wal;
    }

    private void scan() throws IOException {
        List<Long> checkpoints = new ArrayList<>();
        boolean removed = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!Files.isRegularFile(p)) {
                    continue; // not ours: a directory named like a segment would only make reads fail
                }
                if (WalCheckpoint.isTemporary(name)) {
                    Files.deleteIfExists(p);
                    removed = true;
                } else if (isNumber(name)) {
                    segments.add(Long.parseLong(name));
                } else {
                    long cp = WalCheckpoint.seqOf(name);
                    if (cp >= 0) {
                        checkpoints.add(cp);
                    }
                }
            }
        }
        for (long cp : checkpoints) {
            checkpointSeq = Math.max(checkpointSeq, cp);
        }
        for (long cp : checkpoints) {
            if (cp != checkpointSeq) {
                Files.deleteIfExists(WalCheckpoint.path(dir, cp));
                removed = true;
            }
        }
        while (!segments.isEmpty() && segments.first() <= checkpointSeq) {
            Files.deleteIfExists(segmentPath(segments.pollFirst()));
            removed = true;
        }
        if (removed) {
            fsyncDir();
        }
        Long prev = null;
        for (long s : segments) {
            if (prev != null && s != prev + 1) {
                LOG.log(System.Logger.Level.WARNING, "WAL {0}: segments {1} to {2} are missing; their records are lost",
                        dir, segmentName(prev + 1), segmentName(s - 1));
            }
            prev = s;
        }
    }

    static boolean isNumber(String s) {
        if (s.length() < 8 || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the batch's records to the current segment. Under ALWAYS the fsync is left to {@link #awaitDurable},
     * outside the write lock ("group commit"): writers that arrive during an fsync append their records meanwhile,
     * and the next fsync covers all of them, so concurrent commits share fsyncs instead of queueing one fsync each.
     */
    @Override
    public long append(WalBatch batch) throws IOException {
        if (batch.isEmpty()) {
            return 0;
        }
        long seq;
        lock.lock();
        try {
            if (closed) {
                throw new IOException("write-ahead log " + dir + " is closed");
            }
            ByteBuffer data = encoder.encode(batch);
            int n = data.remaining();
            if (current == null) {
                openForWriting();
            } else if (currentSize > 0 && currentSize + n > options.segmentSizeBytes()) {
                cutSegment();
            }
            try {
                while (data.hasRemaining()) {
                    current.write(data);
                }
                currentSize += n;
                seq = ++writtenSeq;
                if (options.fsyncPolicy() == FsyncPolicy.BATCH
                        && System.nanoTime() - lastFsyncNanos >= TimeUnit.MILLISECONDS.toNanos(options.batchFsyncIntervalMs())) {
                    fsync();
                }
            } catch (IOException e) {
                abandonCurrent();
                throw e;
            }
        } finally {
            lock.unlock();
        }
        return seq;
    }

    /**
     * Under ALWAYS, returns only once an fsync that started after batch {@code seq} was written has succeeded,
     * fsyncing the current segment unless another fsync already covered it. Under BATCH and NEVER, at once.
     */
    @Override
    public void awaitDurable(long seq) throws IOException {
        if (seq == 0 || options.fsyncPolicy() != FsyncPolicy.ALWAYS) {
            return;
        }
        syncLock.lock();
        try {
            if (syncedSeq.get() >= seq) {
                return;
            }
            if (failedSeq.get() >= seq) {
                throw new IOException("WAL " + dir + ": an fsync covering this write failed");
            }
            FileChannel ch;
            long target;
            long chSeq;
            lock.lock();
            try {
                ch = current;
                target = writtenSeq;
                chSeq = currentSeq;
            } finally {
                lock.unlock();
            }
            if (ch == null) {
                throw new IOException("WAL " + dir + ": segment " + segmentName(chSeq) + " was abandoned after a failed write before this write was synced");
            }
            try {
                long t0 = System.nanoTime();
                ch.force(false);
                long t1 = System.nanoTime();
                syncedSeq.accumulateAndGet(target, Math::max);
                options.fsyncSecondsObserver().accept((t1 - t0) / 1e9);
            } catch (ClosedChannelException e) {
                // A segment cut closed the channel, and it fsyncs before closing; only an abandoned segment is a failure.
                if (syncedSeq.get() < seq) {
                    throw new IOException("WAL " + dir + ": segment " + segmentName(chSeq) + " was closed before this write was synced", e);
                }
            } catch (IOException e) {
                failedSeq.accumulateAndGet(target, Math::max);
                lock.lock();
                try {
                    if (current == ch) {
                        abandonCurrent();
                    }
                } finally {
                    lock.unlock();
                }
                throw e;
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** Continues the segment replay verified, or starts a new one. Caller holds lock. */
    private void openForWriting() throws IOException {
        if (appendSeq >= 0 && segments.contains(appendSeq) && appendOffset < options.segmentSizeBytes()) {
            FileChannel ch = FileChannel.open(segmentPath(appendSeq), StandardOpenOption.WRITE);
            ch.position(appendOffset);
            current = ch;
            currentSeq = appendSeq;
            currentSize = appendOffset;
        } else {
            createSegment(nextSegmentSeq());
        }
        appendSeq = -1;
    }

    private long nextSegmentSeq() {
        long next = Math.max(1, checkpointSeq + 1);
        if (!segments.isEmpty()) {
            next = Math.max(next, segments.last() + 1);
        }
        return next;
    }

    /** Closes the current segment (fsynced unless the policy is NEVER) and starts the next. Caller holds lock. */
    private void cutSegment() throws IOException {
        try {
            if (writtenSeq > syncedSeq.get() && options.fsyncPolicy() != FsyncPolicy.NEVER) {
                fsync();
            }
        } catch (IOException e) {
            abandonCurrent();
            throw e;
        }
        current.close();
        current = null;
        createSegment(currentSeq + 1);
    }

    private void createSegment(long seq) throws IOException {
        FileChannel ch = FileChannel.open(segmentPath(seq), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segments.add(seq);
        current = ch;
        currentSeq = seq;
        currentSize = 0;
        if (options.fsyncPolicy() != FsyncPolicy.NEVER) {
            // The new file's directory entry must be durable before anything written to it is acknowledged.
            fsyncDir();
        }
    }

    /**
     * Gives up the current segment after a failed write or fsync; the next write starts a new one. Writes already
     * in it are made durable if an fsync still succeeds, otherwise their pending ALWAYS waits fail. Caller holds lock.
     */
    private void abandonCurrent() {
        if (current != null) {
            try {
                if (failedSeq.get() < writtenSeq) {
                    current.force(false);
                    syncedSeq.accumulateAndGet(writtenSeq, Math::max);
                }
            } catch (IOException e) {
                failedSeq.accumulateAndGet(writtenSeq, Math::max);
            }
            try {
                current.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "WAL " + dir + ": closing segment " + segmentName(currentSeq) + " failed", e);
            }
            current = null;
        }
    }

    /** Fsyncs the current segment under lock (segment cuts, BATCH, close). */
    private void fsync() throws IOException {
        long target = writtenSeq;
        long t0 = System.nanoTime();
        try {
            current.force(false);
        } catch (IOException e) {
            failedSeq.accumulateAndGet(target, Math::max);
            throw e;
        }
        long t1 = System.nanoTime();
        lastFsyncNanos = t1;
        syncedSeq.accumulateAndGet(target, Math::max);
        options.fsyncSecondsObserver().accept((t1 - t0) / 1e9);
    }

    private void backgroundFsync() {
        lock.lock();
        try {
            if (!closed && current != null && writtenSeq > syncedSeq.get()
                    && System.nanoTime() - lastFsyncNanos >= TimeUnit.MILLISECONDS.toNanos(options.batchFsyncIntervalMs())) {
                fsync();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "WAL " + dir + ": background fsync of segment " + segmentName(currentSeq)
                    + " failed; recent writes may not be durable, continuing in a new segment", e);
            abandonCurrent();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void replay(WalReplayHandler handler) throws IOException {
        replay(null, handler);
    }

    /**
     * Replays only the records written from {@code from} on, as {@link #replay} does otherwise (torn tails are cut the
     * same way). Check the position with {@link #checkContinuesFrom} first.
     */
    public void replayFrom(WalPosition from, WalReplayHandler handler) throws IOException {
        replay(Objects.requireNonNull(from, "from"), handler);
    }

    private void replay(WalPosition from, WalReplayHandler handler) throws IOException {
        lock.lock();
        try {
            WalFileReader reader = new WalFileReader();
            long found = 0;
            if (from == null && checkpointSeq >= 0) {
                WalFileReader.Result r = WalCheckpoint.read(reader, dir, checkpointSeq, handler);
                if (!r.clean()) {
                    found++;
                    warnSkipped(WalCheckpoint.path(dir, checkpointSeq), r);
                }
            }
            List<Long> seqs = new ArrayList<>(from == null ? segments : segments.tailSet(from.segment(), true));
            for (int i = 0; i < seqs.size(); i++) {
                long seq = seqs.get(i);
                Path p = segmentPath(seq);
                WalFileReader.Result r = reader.read(p, from != null && seq == from.segment() ? from.offset() : 0, handler);
                boolean last = i == seqs.size() - 1;
                boolean writing = current != null && currentSeq == seq;
                if (!r.clean()) {
                    found++;
                    if (last && !writing) {
                        LOG.log(System.Logger.Level.WARNING, "WAL segment {0}: bad record at offset {1} ({2}); "
                                        + "dropping it and the {3} bytes from there to the end, and truncating the segment there",
                                p, String.valueOf(r.goodEnd()), r.problem(), String.valueOf(r.fileSize() - r.goodEnd()));
                        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                            ch.truncate(r.goodEnd());
                            ch.force(true);
                        }
                    } else {
                        warnSkipped(p, r);
                    }
                }
                if (last && current == null) {
                    appendSeq = seq;
                    appendOffset = r.goodEnd();
                }
            }
            corruptions = found;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes before a {@link WalPosition} whose checksum it keeps. */
    public static final int TAIL_CHECK_BYTES = 4096;

    /**
     * Where the log ends now: the last segment and its length, or the segment the next write will start (offset 0)
     * when there is none. Meant for a log with writes stopped (after {@link #close}), so nothing follows it yet.
     */
    public WalPosition end() throws IOException {
        lock.lock();
        try {
            if (current != null) {
                return position(currentSeq, currentSize);
            }
            if (segments.isEmpty()) {
                return new WalPosition(nextSegmentSeq(), 0, 0);
            }
            long last = segments.last();
            return position(last, Files.size(segmentPath(last)));
        } finally {
            lock.unlock();
        }
    }

    private WalPosition position(long seq, long offset) throws IOException {
        return new WalPosition(seq, offset, tailCrc(seq, offset));
    }

    private int tailCrc(long seq, long offset) throws IOException {
        if (offset == 0) {
            return 0;
        }
        int n = (int) Math.min(offset, TAIL_CHECK_BYTES);
        ByteBuffer b = ByteBuffer.allocate(n);
        try (FileChannel ch = FileChannel.open(segmentPath(seq), StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b, offset - n + b.position()) > 0) {
                // read until full or the file ends
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.flip());
        return (int) crc.getValue();
    }

    /**
     * Whether the log still holds, unchanged, everything up to {@code from} (as {@link #end} gave it) and may hold
     * records after it: then {@link #replayFrom} replays exactly what was written since. Returns null when so, else
     * why not (the checkpoint has swallowed the segment, the segment is missing, shorter or has other bytes).
     * Call after {@link #open}, before any write.
     */
    public String checkContinuesFrom(WalPosition from) throws IOException {
        lock.lock();
        try {
            long seq = from.segment();
            if (seq <= checkpointSeq) {
                return "WAL checkpoint " + checkpointSeq + " covers segment " + segmentName(seq) + " (the WAL was truncated since)";
            }
            if (!segments.contains(seq)) {
                return from.offset() == 0 ? null : "WAL segment " + segmentName(seq) + " is missing";
            }
            long size = Files.size(segmentPath(seq));
            if (size < from.offset()) {
                return "WAL segment " + segmentName(seq) + " has " + size + " bytes, fewer than the " + from.offset() + " it had";
            }
            if (tailCrc(seq, from.offset()) != from.tailCrc()) {
                return "WAL segment " + segmentName(seq) + " holds other bytes before offset " + from.offset() + " than it did";
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private static void warnSkipped(Path p, WalFileReader.Result r) {
        LOG.log(System.Logger.Level.WARNING, "WAL file {0}: bad record at offset {1} ({2}); skipping the remaining {3} "
                        + "bytes of this file, later segments are still replayed",
                p, String.valueOf(r.goodEnd()), r.problem(), String.valueOf(r.fileSize() - r.goodEnd()));
    }

    /** How many damaged files the last {@link #replay} found (torn tails included), for a self-metric. */
    public long corruptionsDetected() {
        return corruptions;
    }

    /**
     * Writes checkpoint N covering every segment up to N (all but a newly started one), then deletes those segments
     * and the previous checkpoint. The checkpoint holds the previous checkpoint's and those segments' items, in
     * their original order, minus series that {@code keepSeries} rejects and minus samples that are older than
     * {@code mint} or belong to such series. Crash-safe: the checkpoint is written under a temporary name, fsynced and
     * renamed (and the directory fsynced) before anything is deleted; {@link #open} finishes an interrupted deletion.
     * Writes may go on concurrently; the new segment receives them.
     */
    @Override
    public void truncate(long mint, LongPredicate keepSeries) throws IOException {
        truncateLock.lock();
        try {
            long last;
            long previous;
            List<Long> covered;
            lock.lock();
            try {
                if (closed) {
                    throw new IOException("write-ahead log " + dir + " is closed");
                }
                if (current != null && currentSize > 0) {
                    cutSegment();
                }
                // Without an open segment every segment is complete; the next write starts a new one.
                last = current != null ? currentSeq - 1 : (segments.isEmpty() ? -1 : segments.last());
                appendSeq = -1;
                previous = checkpointSeq;
                covered = new ArrayList<>(segments.headSet(last, true));
            } finally {
                lock.unlock();
            }
            if (covered.isEmpty()) {
                return;
            }
            List<Path> inputs = new ArrayList<>();
            if (previous >= 0) {
                inputs.add(WalCheckpoint.path(dir, previous));
            }
            for (long s : covered) {
                inputs.add(segmentPath(s));
            }
            WalCheckpoint.write(dir, last, inputs, mint, keepSeries);
            lock.lock();
            try {
                checkpointSeq = last;
                segments.removeAll(covered);
            } finally {
                lock.unlock();
            }
            for (long seq : covered) {
                Files.deleteIfExists(segmentPath(seq));
            }
            if (previous >= 0) {
                Files.deleteIfExists(WalCheckpoint.path(dir, previous));
            }
            fsyncDir();
        } finally {
            truncateLock.unlock();
        }
    }

    /** Bytes of all segment and checkpoint files now on disk. */
    @Override
    public long sizeBytes() {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                try {
                    total += Files.size(p);
                } catch (NoSuchFileException e) {
                    // deleted by a concurrent truncate
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "WAL " + dir + ": cannot measure size", e);
        }
        return total;
    }

    /** Fsyncs what was written (under every policy) and closes the log. Idempotent. */
    @Override
    public void close() throws IOException {
        if (fsyncTimer != null) {
            fsyncTimer.shutdownNow();
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (current != null) {
                try {
                    if (writtenSeq > syncedSeq.get()) {
                        fsync();
                    }
                } finally {
                    current.close();
                    current = null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public Path dir() {
        return dir;
    }

    private void fsyncDir() throws IOException {
        fsyncDir(dir);
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private Path segmentPath(long seq) {
        return dir.resolve(segmentName(seq));
    }

    static String segmentName(long seq) {
        return String.format("%08d", seq);
    }
}
