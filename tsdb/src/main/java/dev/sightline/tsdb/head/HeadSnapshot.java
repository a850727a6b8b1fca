package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import dev.sightline.tsdb.wal.SegmentedWal;
import dev.sightline.tsdb.wal.WalPosition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.CRC32C;

/**
 * The head written whole on clean shutdown, after the WAL, so that the next start loads it instead of replaying the
 * WAL (Prometheus's {@code memory-snapshot-on-shutdown}). It names the WAL position it was taken at; a start loads it
 * and replays only the WAL records written after that position, so writes acknowledged after a snapshot was loaded
 * and then a crash (no clean close) come back from the WAL on top of it. The WAL itself is never shortened on the
 * snapshot's account: every doubt (see {@link #load}) falls back to replaying it whole.
 *
 * <p>File {@code head_snapshot} in the data directory, written as {@code head_snapshot.tmp}, fsynced and renamed. Layout
 * (integers as unsigned or zigzag varints unless fixed): magic "SLHS" (4), version (1 byte); WAL position (segment,
 * offset, fixed32 CRC of the bytes before it); the head chunk files' first and last segment and the last one's length
 * (the snapshot names full chunks by their ref in those files, which are fsynced first); the head's minimum valid time
 * and next series ref; the exemplar store's size (-1: none); the symbol table (every label name and value once); the series (ref, label symbol ids, then
 * the series' own state with its deleted intervals, see {@link MemSeries#writeSnapshot}); the exemplar store's exemplars oldest first (series
 * labels, exemplar labels, value, time); and a fixed32 CRC32C of everything before it.
 *
 * <p>Version 2 added the deleted intervals (the head's tombstones, which the WAL before the snapshot's position holds
 * and a start from the snapshot does not replay); a version 1 file is not used, and the whole WAL is replayed.
 */
public final class HeadSnapshot {
    public static final String FILE = "head_snapshot";
    private static final String TMP = FILE + ".tmp";
    static final int MAGIC = 0x534C_4853; // "SLHS"
    static final int VERSION = 2;
    private static final int BUFFER = 1 << 20;

    private HeadSnapshot() {
    }

    /** What a loaded snapshot tells the caller: where WAL replay resumes, and the head's minimum valid time then. */
    public record Loaded(WalPosition wal, long minValidTime, long series) {
    }

    /** A snapshot not used, before anything was changed: the caller logs the reason and replays the whole WAL. */
    public static final class Unusable extends Exception {
        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Writes the head's snapshot into {@code dir}, taken at WAL position {@code wal} (the WAL's end, with no write
     * after it), with the exemplars of {@code exemplars} (may be null). Holds the head's commit lock exclusively
     * throughout and seals the head chunk files; call while closing, after the WAL. Returns the bytes written.
     */
    public static long write(Head head, Path dir, WalPosition wal, ExemplarStore exemplars) throws IOException {
        head.commitLock.writeLock().lock();
        try {
            HeadChunkFiles files = head.chunkFiles();
            files.close();
            HeadChunkFiles.Position chunks = files.end();
            if (chunks == null) {
                throw new IOException("full head chunks are on the heap since a chunk file failed; a snapshot could not name them");
            }
            files.sync();
            List<MemSeries> series = new ArrayList<>();
            head.forEachSeries(series::add);
            // The snapshot's symbols are the head's ids its series use, numbered in order of first use: written from
            // the series' packed ids, with no label set, map entry or boxed id per series (a million series' shutdown
            // allocated ~300 MB of Integers for the map this replaced). snapIds holds snapshot id + 1 by head id.
            int[] snapIds = new int[256];
            List<String> symbols = new ArrayList<>();
            for (MemSeries s : series) {
                byte[] b = s.packedLabels();
                for (int p = LabelSymbols.FIRST_ID; p < b.length; ) {
                    long e = LabelSymbols.idAt(b, p);
                    int id = (int) e;
                    if (id >= snapIds.length) {
                        snapIds = Arrays.copyOf(snapIds, Math.max(id + 1, 2 * snapIds.length));
                    }
                    if (snapIds[id] == 0) {
                        symbols.add(head.symbols().symbol(id));
                        snapIds[id] = symbols.size();
                    }
                    p = (int) (e >>> 32);
                }
            }
            Path tmp = dir.resolve(TMP);
            long size;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                Out o = new Out(ch);
                o.fixed32(MAGIC);
                o.uvarint(VERSION);
                o.uvarint(wal.segment());
                o.uvarint(wal.offset());
                o.fixed32(wal.tailCrc());
                o.uvarint(chunks.first());
                o.uvarint(chunks.last());
                o.uvarint(chunks.length());
                o.varint(head.minValidTime());
                o.uvarint(head.nextRef());
                // The store's size, -1 without one: a start with another store would not get what a replay gives it.
                o.varint(exemplars == null ? -1 : exemplars.maxExemplars());
                o.uvarint(symbols.size());
                for (String sym : symbols) {
                    o.string(sym);
                }
                o.uvarint(series.size());
                for (MemSeries s : series) {
                    o.uvarint(s.ref);
                    byte[] b = s.packedLabels();
                    o.uvarint(LabelSymbols.numIds(b) / 2);
                    for (int p = LabelSymbols.FIRST_ID; p < b.length; ) {
                        long e = LabelSymbols.idAt(b, p);
                        o.uvarint(snapIds[(int) e] - 1);
                        p = (int) (e >>> 32);
                    }
                    s.writeSnapshot(o, head.chunkRangeMs());
                }
                List<Labels> exSeries = new ArrayList<>();
                List<Exemplar> ex = new ArrayList<>();
                if (exemplars != null) {
                    exemplars.forEachOldestFirst((l, e) -> {
                        exSeries.add(l);
                        ex.add(e);
                    });
                }
                o.uvarint(ex.size());
                for (int i = 0; i < ex.size(); i++) {
                    o.labels(exSeries.get(i));
                    o.labels(ex.get(i).labels());
                    o.fixed64(Double.doubleToRawLongBits(ex.get(i).value()));
                    o.varint(ex.get(i).timestampMs());
                }
                size = o.finish();
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDir(dir);
            return size;
        } finally {
            head.commitLock.writeLock().unlock();
        }
    }

    /**
     * Loads the snapshot in {@code dir} into {@code head}, which must be new (nothing replayed or appended), and its
     * exemplars into {@code exemplars} (empty; null drops them). With {@code workers} > 0 the series are indexed on
     * another thread while this one decodes. Returns null when there is none.
     *
     * @throws Unusable when the file is torn or damaged (checksum), of another version, or the WAL or the head chunk
     *                  files no longer hold what it was taken on (the WAL was truncated since, a segment is missing,
     *                  shorter or different, a chunk file was lost); nothing has been changed then
     * @throws IOException when the file cannot be read, or does not decode although its checksum matched: the head
     *                  and the chunk files' table may have been changed, so the caller must start over from new ones
     */
    public static Loaded load(Head head, Path dir, SegmentedWal wal, ExemplarStore exemplars, int workers)
            throws Unusable, IOException {
        Path file = dir.resolve(FILE);
        Files.deleteIfExists(dir.resolve(TMP)); // a close that died while writing it
        if (!Files.exists(file)) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 9) {
                throw new Unusable("torn: " + size + " bytes");
            }
            checkCrc(ch, size);
            In in = new In(ch, size - 4);
            if (in.fixed32() != MAGIC) {
                throw new Unusable("not a head snapshot (bad magic number)");
            }
            long version = in.uvarint();
            if (version != VERSION) {
                throw new Unusable("version " + version + ", this build reads version " + VERSION);
            }
            WalPosition pos = new WalPosition(in.uvarint(), in.uvarint(), in.fixed32());
            HeadChunkFiles.Position chunks = new HeadChunkFiles.Position(in.int32(), in.int32(), in.int32());
            long minValidTime = in.varint();
            long nextRef = in.uvarint();
            long exemplarCapacity = in.varint();
            String why = wal.checkContinuesFrom(pos);
            if (why == null && exemplars != null && exemplars.enabled() && exemplarCapacity != exemplars.maxExemplars()) {
                why = exemplarCapacity < 0 ? "it holds no exemplars (the database was closed without an exemplar store)"
                        : "it holds an exemplar store of " + exemplarCapacity + ", this one has room for " + exemplars.maxExemplars();
            }
            if (why == null) {
                why = head.chunkFiles().checkReaches(chunks);
            }
            if (why != null) {
                throw new Unusable(why);
            }
            // From here on the head changes; a failure leaves it to be thrown away.
            head.chunkFiles().cutBackTo(chunks);
            int numSymbols = in.count(1);
            String[] symbols = new String[numSymbols];
            // The snapshot's symbol ids mapped to the head's, which its series keep their labels as.
            int[] headIds = new int[numSymbols];
            for (int i = 0; i < numSymbols; i++) {
                headIds[i] = head.symbols().id(in.string());
                symbols[i] = head.symbols().symbol(headIds[i]);
            }
            long numSeries = in.count(3); // a ref, a label count and a chunk count take a byte each at least
            head.expectSeries(numSeries);
            try (Indexer indexer = new Indexer(head, symbols, workers > 0)) {
                int[] ids = new int[32];
                int[] packIds = new int[32];
                long prevRef = 0;
                for (long k = 0; k < numSeries; k++) {
                    long ref = in.uvarint();
                    // Written in ref order, which lets every postings list be built by appending.
                    if (ref <= prevRef) {
                        throw in.corrupt("series ref " + ref + " does not follow " + prevRef);
                    }
                    prevRef = ref;
                    String[] kv = new String[2 * in.count(2)];
                    if (ids.length < kv.length) {
                        ids = new int[kv.length];
                        packIds = new int[kv.length];
                    }
                    for (int i = 0; i < kv.length; i++) {
                        int id = in.count(0);
                        if (id >= numSymbols) {
                            throw in.corrupt("label symbol " + id + " of series " + ref + " is not in the table of " + numSymbols);
                        }
                        ids[i] = id;
                        packIds[i] = headIds[id];
                        kv[i] = symbols[id];
                    }
                    Labels labels;
                    try {
                        labels = Labels.ofSorted(kv);
                    } catch (IllegalArgumentException e) {
                        throw in.corrupt("series " + ref + ": " + e.getMessage());
                    }
                    MemSeries s = new MemSeries(ref, LabelSymbols.pack(labels.hashCode(), packIds, kv.length));
                    s.readSnapshot(in);
                    s.walLogged = true;
                    indexer.add(s, ids, kv.length);
                }
                indexer.finish();
            }
            int numExemplars = in.count(11);
            List<Labels> exSeries = new ArrayList<>(numExemplars);
            List<Exemplar> ex = new ArrayList<>(numExemplars);
            for (int i = 0; i < numExemplars; i++) {
                exSeries.add(in.labels());
                Labels l = in.labels();
                double v = Double.longBitsToDouble(in.fixed64());
                ex.add(new Exemplar(l, v, in.varint()));
            }
            if (in.remaining() != 0) {
                throw in.corrupt(in.remaining() + " bytes left over after the exemplars");
            }
            if (exemplars != null) {
                for (int i = 0; i < ex.size(); i++) {
                    exemplars.add(exSeries.get(i), ex.get(i).labels(), ex.get(i).value(), ex.get(i).timestampMs());
                }
            }
            head.restoreRefs(nextRef);
            return new Loaded(pos, minValidTime, numSeries);
        }
    }

    /**
     * Puts decoded series into the head (by labels, by ref, postings) in batches, on its own thread when
     * {@code threaded} so that indexing one batch overlaps decoding the next. Use: {@link #add} per
     * series in ref order, then {@link #finish}; {@link #close} always.
     */
    private static final class Indexer implements AutoCloseable {
        private static final int BATCH = 4096;
        private static final int IN_FLIGHT = 3;
        private static final Batch END = new Batch();

        private final Head head;
        private final PostingsBuilder postings;
        private final BlockingQueue<Batch> full;
        private final BlockingQueue<Batch> free;
        private final Thread thread;
        private volatile Throwable failure;
        private Batch filling = new Batch();
        private boolean finished;

        Indexer(Head head, String[] symbols, boolean threaded) {
            this.head = head;
            this.postings = new PostingsBuilder(symbols);
            full = threaded ? new ArrayBlockingQueue<>(IN_FLIGHT + 1) : null;
            free = threaded ? new ArrayBlockingQueue<>(IN_FLIGHT) : null;
            for (int i = 0; threaded && i < IN_FLIGHT - 1; i++) {
                free.add(new Batch());
            }
            thread = threaded ? Thread.ofPlatform().daemon().name("sightline-snapshot-index").start(this::work) : null;
        }

        /** Takes a series with its {@code n} label symbol ids (name, value, ...) in {@code ids}. */
        void add(MemSeries s, int[] ids, int n) throws IOException {
            Batch b = filling;
            if (b.ids.length < b.numIds + n) {
                b.ids = Arrays.copyOf(b.ids, Math.max(2 * b.ids.length, b.numIds + n));
            }
            System.arraycopy(ids, 0, b.ids, b.numIds, n);
            b.numIds += n;
            b.idEnd[b.size] = b.numIds;
            b.series[b.size++] = s;
            if (b.size == BATCH) {
                handOver();
            }
        }

        private void handOver() throws IOException {
            if (thread == null) {
                index(filling);
                filling.clear();
                return;
            }
            rethrow();
            HeadReplay.putUninterruptibly(full, filling);
            filling = HeadReplay.takeUninterruptibly(free);
        }

        /** Indexes what is left, waits for the indexing thread, and adds the postings to the head. */
        void finish() throws IOException {
            if (filling.size > 0) {
                handOver();
            }
            stop();
            rethrow();
            postings.install(head.postings());
        }

        @Override
        public void close() {
            stop();
        }

        private void stop() {
            if (finished) {
                return;
            }
            finished = true;
            if (thread != null) {
                HeadReplay.putUninterruptibly(full, END);
                HeadReplay.joinUninterruptibly(thread);
            }
        }

        private void rethrow() throws IOException {
            Throwable f = failure;
            if (f instanceof IOException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (f != null) {
                throw new IllegalStateException("head snapshot indexing failed: " + f, f);
            }
        }

        private void work() {
            while (true) {
                Batch b = HeadReplay.takeUninterruptibly(full);
                if (b == END) {
                    return;
                }
                if (failure == null) {
                    try {
                        index(b);
                    } catch (Throwable e) {
                        // Keep draining, so the reader never blocks on a full queue; it rethrows at the next hand-over.
                        failure = e;
                    }
                }
                b.clear();
                HeadReplay.putUninterruptibly(free, b);
            }
        }

        private void index(Batch b) throws IOException {
            int from = 0;
            for (int i = 0; i < b.size; i++) {
                MemSeries s = b.series[i];
                if (!head.restoreSeries(s)) {
                    throw new IOException("head snapshot does not decode: series " + head.labels(s) + " appears twice");
                }
                postings.add(s.ref, b.ids, from, b.idEnd[i]);
                from = b.idEnd[i];
            }
        }

        /** Decoded series and their label symbol ids, all in one array. */
        private static final class Batch {
            final MemSeries[] series = new MemSeries[BATCH];
            final int[] idEnd = new int[BATCH];
            int[] ids = new int[BATCH * 24];
            int numIds;
            int size;

            void clear() {
                Arrays.fill(series, 0, size, null);
                size = 0;
                numIds = 0;
            }
        }
    }

    /**
     * The postings of loaded series, gathered per label pair (keyed by its symbol ids) as series arrive in ref order
     * and added to the head's index list by list at the end.
     */
    private static final class PostingsBuilder {
        private final String[] symbols;
        /** (name id << 32 | value id) -> index into pairs/refs/sizes. */
        private final LongLongMap index = new LongLongMap(1024, -1);
        private long[] pairs = new long[1024];
        private long[][] refs = new long[1024][];
        private int[] sizes = new int[1024];
        private int numPairs;
        private long[] all = new long[1024];
        private int numAll;

        PostingsBuilder(String[] symbols) {
            this.symbols = symbols;
        }

        /** A series' ref under its label pairs, given as symbol ids (name, value, ...) in {@code ids[from, to)}. */
        void add(long ref, int[] ids, int from, int to) {
            for (int i = from; i < to; i += 2) {
                long key = (long) ids[i] << 32 | ids[i + 1];
                int p = (int) index.get(key);
                if (p < 0) {
                    p = newPair(key);
                }
                long[] r = refs[p];
                if (sizes[p] == r.length) {
                    refs[p] = r = Arrays.copyOf(r, r.length * 2);
                }
                r[sizes[p]++] = ref;
            }
            if (numAll == all.length) {
                all = Arrays.copyOf(all, numAll * 2);
            }
            all[numAll++] = ref;
        }

        private int newPair(long key) {
            if (numPairs == pairs.length) {
                pairs = Arrays.copyOf(pairs, numPairs * 2);
                refs = Arrays.copyOf(refs, numPairs * 2);
                sizes = Arrays.copyOf(sizes, numPairs * 2);
            }
            index.put(key, numPairs);
            pairs[numPairs] = key;
            refs[numPairs] = new long[4];
            return numPairs++;
        }

        void install(MemPostings postings) {
            for (int p = 0; p < numPairs; p++) {
                postings.addSorted(symbols[(int) (pairs[p] >>> 32)], symbols[(int) pairs[p]], refs[p], sizes[p]);
                refs[p] = null; // garbage as soon as copied, so the head's lists and these are not both live
            }
            postings.addSorted(null, null, all, numAll);
        }
    }

    /** Deletes the snapshot (and a leftover temporary one) durably; returns whether there was one. */
    public static boolean delete(Path dir) throws IOException {
        boolean had = Files.deleteIfExists(dir.resolve(FILE));
        if (Files.deleteIfExists(dir.resolve(TMP)) || had) {
            fsyncDir(dir);
        }
        return had;
    }

    private static void checkCrc(FileChannel ch, long size) throws IOException, Unusable {
        CRC32C crc = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(BUFFER);
        long end = size - 4;
        for (long off = 0; off < end; ) {
            b.clear().limit((int) Math.min(BUFFER, end - off));
            int r = ch.read(b, off);
            if (r <= 0) {
                throw new Unusable("torn: the file ended while reading at " + off);
            }
            crc.update(b.flip());
            off += r;
        }
        ByteBuffer stored = ByteBuffer.allocate(4);
        while (stored.hasRemaining() && ch.read(stored, end + stored.position()) > 0) {
            // a 4-byte read
        }
        if (stored.hasRemaining() || stored.getInt(0) != (int) crc.getValue()) {
            throw new Unusable("checksum mismatch (torn or damaged file of " + size + " bytes)");
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Buffered, checksummed writer of the snapshot's fields. */
    static final class Out {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        private final CRC32C crc = new CRC32C();
        private long written;

        Out(FileChannel ch) {
            this.ch = ch;
        }

        private void ensure(int n) throws IOException {
            if (buf.remaining() < n) {
                flush();
            }
        }

        private void flush() throws IOException {
            buf.flip();
            crc.update(buf.array(), 0, buf.limit());
            written += buf.limit();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }

        void uvarint(long v) throws IOException {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf.put((byte) (v | 0x80));
                v >>>= 7;
            }
            buf.put((byte) v);
        }

        void varint(long v) throws IOException {
            uvarint((v << 1) ^ (v >> 63));
        }

        void fixed32(int v) throws IOException {
            ensure(4);
            buf.putInt(v);
        }

        void fixed64(long v) throws IOException {
            ensure(8);
            buf.putLong(v);
        }

        void bytes(byte[] b) throws IOException {
            uvarint(b.length);
            for (int off = 0; off < b.length; ) {
                ensure(1);
                int n = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, n);
                off += n;
            }
        }

        void string(String s) throws IOException {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void labels(Labels l) throws IOException {
            uvarint(l.size());
            for (int i = 0; i < l.size(); i++) {
                string(l.name(i));
                string(l.value(i));
            }
        }

        void histogram(Histogram h) throws IOException {
            uvarint(h.counterResetHint.ordinal());
            varint(h.schema);
            for (double d : new double[]{h.zeroThreshold, h.zeroCount, h.count, h.sum}) {
                fixed64(Double.doubleToRawLongBits(d));
            }
            ints(h.positiveSpanOffsets);
            ints(h.positiveSpanLengths);
            doubles(h.positiveBuckets);
            ints(h.negativeSpanOffsets);
            ints(h.negativeSpanLengths);
            doubles(h.negativeBuckets);
            doubles(h.customValues);
        }

        void nullableHistogram(Histogram h) throws IOException {
            uvarint(h == null ? 0 : 1);
            if (h != null) {
                histogram(h);
            }
        }

        private void ints(int[] a) throws IOException {
            uvarint(a.length);
            for (int v : a) {
                varint(v);
            }
        }

        private void doubles(double[] a) throws IOException {
            uvarint(a.length);
            for (double v : a) {
                fixed64(Double.doubleToRawLongBits(v));
            }
        }

        /** Flushes and appends the checksum; returns the file's size. */
        long finish() throws IOException {
            flush();
            ByteBuffer c = ByteBuffer.allocate(4).putInt(0, (int) crc.getValue());
            while (c.hasRemaining()) {
                ch.write(c);
            }
            return written + 4;
        }
    }

    /** Buffered reader of the snapshot's fields up to {@code end} (the checksum); a bad field throws with its offset. */
    static final class In {
        private static final Histogram.CounterResetHint[] HINTS = Histogram.CounterResetHint.values();
        private final FileChannel ch;
        private final long end;
        private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).limit(0);
        private long bufStart;

        In(FileChannel ch, long end) {
            this.ch = ch;
            this.end = end;
        }

        long offset() {
            return bufStart + buf.position();
        }

        long remaining() {
            return end - offset();
        }

        IOException corrupt(String what) {
            return new IOException("head snapshot does not decode at offset " + offset() + ": " + what);
        }

        /** Makes {@code n} bytes readable, or throws when the data ends first. */
        private void need(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            if (remaining() < n) {
                throw corrupt("it ends " + remaining() + " bytes into a field of " + n);
            }
            bufStart += buf.position();
            buf.compact();
            while (buf.position() < n) {
                buf.limit((int) Math.min(buf.capacity(), end - bufStart));
                if (ch.read(buf, bufStart + buf.position()) < 0) {
                    throw corrupt("the file ended early");
                }
            }
            buf.flip();
        }

        long uvarint() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                need(1);
                byte b = buf.get();
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw corrupt("varint longer than 10 bytes");
        }

        long varint() throws IOException {
            long u = uvarint();
            return (u >>> 1) ^ -(u & 1);
        }

        int fixed32() throws IOException {
            need(4);
            return buf.getInt();
        }

        long fixed64() throws IOException {
            need(8);
            return buf.getLong();
        }

        int int32() throws IOException {
            long v = uvarint();
            if (v > Integer.MAX_VALUE) {
                throw corrupt("value " + v + " is out of range");
            }
            return (int) v;
        }

        /** A count (or index) of items taking at least {@code minBytes} each, checked against the bytes left. */
        int count(int minBytes) throws IOException {
            long n = uvarint();
            if (n > Integer.MAX_VALUE - 8 || (minBytes > 0 && n * minBytes > remaining())) {
                throw corrupt("count " + n + " is more than the " + remaining() + " bytes left can hold");
            }
            return (int) n;
        }

        byte[] bytes() throws IOException {
            byte[] b = new byte[count(1)];
            for (int off = 0; off < b.length; ) {
                need(1);
                int n = Math.min(buf.remaining(), b.length - off);
                buf.get(b, off, n);
                off += n;
            }
            return b;
        }

        String string() throws IOException {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Labels labels() throws IOException {
            String[] kv = new String[2 * count(2)];
            for (int i = 0; i < kv.length; i++) {
                kv[i] = string();
            }
            return Labels.of(kv);
        }

        ChunkEncoding encoding(int code) throws IOException {
            if (code != ChunkEncoding.XOR.code() && code != ChunkEncoding.FLOAT_HISTOGRAM.code()) {
                throw corrupt("open chunk encoding " + code + " is not one the head appends to");
            }
            return ChunkEncoding.ofCode(code);
        }

        Histogram histogram() throws IOException {
            int hint = count(0);
            if (hint >= HINTS.length) {
                throw corrupt("counter reset hint " + hint);
            }
            int schema = (int) varint();
            double zt = Double.longBitsToDouble(fixed64());
            double zc = Double.longBitsToDouble(fixed64());
            double count = Double.longBitsToDouble(fixed64());
            double sum = Double.longBitsToDouble(fixed64());
            return new Histogram(HINTS[hint], schema, zt, zc, count, sum, ints(), ints(), doubles(), ints(), ints(),
                    doubles(), doubles());
        }

        Histogram nullableHistogram() throws IOException {
            return uvarint() == 0 ? null : histogram();
        }

        private int[] ints() throws IOException {
            int[] a = new int[count(1)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (int) varint();
            }
            return a;
        }

        private double[] doubles() throws IOException {
            double[] a = new double[count(8)];
            for (int i = 0; i < a.length; i++) {
                a[i] = Double.longBitsToDouble(fixed64());
            }
            return a;
        }
    }
}
