package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.chunk.Chunk;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.chunk.Chunks;
import dev.sightline.tsdb.tombstone.Intervals;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One series in the head: its in-order chunks (the last one open for appends), the last sample for order and
 * duplicate checks, and an out-of-order buffer. All mutable state is guarded by the series' monitor; queries copy
 * what they need under it and then read the chunks, which tolerate one concurrent appender.
 */
public final class MemSeries {
    /** Samples per chunk before a new one is cut, as in Prometheus: enough for good compression, small enough to decode fast. */
    static final int SAMPLES_PER_CHUNK = 120;
    /** The widest time span of one chunk, so that a closed chunk's span packs into 32 bits. */
    private static final long MAX_CHUNK_SPAN = 0xFFFF_FFFFL;

    // Outcomes of classifying a sample against the series state.
    static final int IN_ORDER = 0;
    static final int DUP_IGNORED = 1;
    static final int OUT_OF_ORDER_ACCEPTED = 2;
    static final int REJECT_OUT_OF_ORDER = 3;
    static final int REJECT_DUPLICATE = 4;
    static final int REJECT_TOO_OLD = 5;

    final long ref;
    /**
     * The label set: packed symbol ids ({@link LabelSymbols}) while the series is in the head, the Labels themselves
     * once it is dropped (an appender may still hold it, and the ids of a dropped series may be freed). Written only
     * under the head's exclusive commit lock.
     */
    private Object labels;
    /** Set (under the head's exclusive lock) when the series has been dropped from the head. */
    volatile boolean removed;
    /** Whether the series record is already in the WAL, so later batches need not repeat it. */
    volatile boolean walLogged;
    /**
     * (appender id << 32 | slot) of the one open batch that claimed this series, 0 when none: lets that appender find
     * its slot without a hash lookup. Claimed only from 0 under the monitor and cleared only by its owner at commit
     * or rollback, so an owner's read of its own mark is reliable. Access through {@link #BATCH_MARK}.
     */
    @SuppressWarnings("unused")
    private long batchMark;
    static final VarHandle BATCH_MARK;

    static {
        try {
            BATCH_MARK = MethodHandles.lookup().findVarHandle(MemSeries.class, "batchMark", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Closed (full) chunks, oldest first, {@value #META_INTS} ints each: min time (high, low word), max minus min time
     * (unsigned, see MAX_CHUNK_SPAN), and the ref of its bytes in the head's {@link HeadChunkFiles} (high, low word):
     * 20 bytes a chunk where 3 longs took 24, and the head keeps several per series. Never changed once published
     * (closing a chunk or truncating copies), so query views over it need no lock.
     */
    private int[] closedMeta = NO_META;
    private static final int[] NO_META = new int[0];
    private static final int META_INTS = 5;

    /** The open chunk, null when there is none. Its newest sample is the series' newest in-order one (lastT). */
    private Chunk headChunk;
    /**
     * Whether headChunk is the read-only bytes a head snapshot gave back: the next append re-encodes its samples into
     * an appendable chunk first, so loading a snapshot decodes nothing and a series never written again never pays.
     */
    private boolean headChunkFromSnapshot;
    private long headMinT;

    private boolean hasLast;
    private long lastT;
    private long lastBits;

    /**
     * What few series have, apart so that the rest pay one field for all three (the head keeps a million series):
     * null while all three are null.
     */
    private Rare rare;

    private static final class Rare {
        /** The newest sample when it is a histogram. */
        Histogram lastHistogram;
        /** Null until the series accepts its first out-of-order sample, and again once they are all truncated. */
        OutOfOrderSamples ooo;
        /** Deleted time ranges, honoured by reads and left out when the head is cut into a block; null when none. */
        Intervals deleted;
    }

    MemSeries(long ref, byte[] packedLabels) {
        this.ref = ref;
        this.labels = packedLabels;
    }

    public long ref() {
        return ref;
    }

    Labels labels(LabelSymbols symbols) {
        Object l = labels;
        return l instanceof byte[] b ? symbols.labels(b) : (Labels) l;
    }

    /** The packed label ids, null once the series is dropped. */
    byte[] packedLabels() {
        return labels instanceof byte[] b ? b : null;
    }

    int labelsHash() {
        Object l = labels;
        return l instanceof byte[] b ? LabelSymbols.hash(b) : l.hashCode();
    }

    boolean hasLabels(Labels other, LabelSymbols symbols) {
        Object l = labels;
        return l instanceof byte[] b ? symbols.matches(b, other) : l.equals(other);
    }

    /** The value of label {@code name}, or null. */
    String label(String name, LabelSymbols symbols) {
        Object l = labels;
        return l instanceof byte[] b ? symbols.get(b, name) : ((Labels) l).get(name);
    }

    /** Marks the series dropped, keeping its labels as Labels: its symbol ids may be freed from now on. */
    void markRemoved(LabelSymbols symbols) {
        labels = labels(symbols);
        removed = true;
    }

    /**
     * How a sample relates to a series whose newest sample is (hasLast, lastT, lastBits/lastH). Shared by the
     * appender (against the batch's pending samples) and by commit (against the stored state). The start timestamp
     * plays no part, as in Prometheus: a sample equal to the stored one in time and value is a duplicate and ignored
     * even when its start timestamp differs (the stored one stays).
     */
    static int classify(boolean hasLast, long lastT, long lastBits, Histogram lastH,
                        long t, long bits, Histogram h, long oooWindowMs) {
        if (!hasLast || t > lastT) {
            return IN_ORDER;
        }
        if (t == lastT) {
            boolean same = h == null ? lastH == null && bits == lastBits : h.equals(lastH);
            return same ? DUP_IGNORED : REJECT_DUPLICATE;
        }
        if (oooWindowMs > 0) {
            return t >= lastT - oooWindowMs ? OUT_OF_ORDER_ACCEPTED : REJECT_TOO_OLD;
        }
        return REJECT_OUT_OF_ORDER;
    }

    /** Set in {@link #claimAndClassify}'s result when the claim was taken. */
    static final int CLAIMED = 8;

    /**
     * Classifies the sample against the stored state and claims the series' batch mark for {@code claim} when no
     * batch holds it: one lock for both on an appender's first sample of the series. Returns the classification,
     * with {@link #CLAIMED} set when the mark is now {@code claim}.
     */
    synchronized int claimAndClassify(long claim, long t, long bits, Histogram h, long oooWindowMs) {
        int c = classify(hasLast, lastT, lastBits, lastH(), t, bits, h, oooWindowMs);
        if ((long) BATCH_MARK.get(this) == 0) {
            BATCH_MARK.setOpaque(this, claim);
            c |= CLAIMED;
        }
        return c;
    }

    /** Touches the open chunk for {@link HeadAppender#prefetch}; a racy read, whose result means nothing. */
    int touchHeadChunk() {
        Chunk c = headChunk;
        return c == null ? 0 : c.touch();
    }

    synchronized int classify(long t, long bits, Histogram h, long oooWindowMs) {
        return classify(hasLast, lastT, lastBits, lastH(), t, bits, h, oooWindowMs);
    }

    synchronized boolean hasLast() {
        return hasLast;
    }

    synchronized long lastTimestamp() {
        return lastT;
    }

    synchronized long lastBits() {
        return lastBits;
    }

    synchronized Histogram lastHistogram() {
        return lastH();
    }

    private Histogram lastH() {
        Rare r = rare;
        return r == null ? null : r.lastHistogram;
    }

    private OutOfOrderSamples oooSamples() {
        Rare r = rare;
        return r == null ? null : r.ooo;
    }

    private Intervals deletedIntervals() {
        Rare r = rare;
        return r == null ? null : r.deleted;
    }

    private Rare rare() {
        if (rare == null) {
            rare = new Rare();
        }
        return rare;
    }

    /** Drops the holder once it holds nothing. */
    private void trimRare() {
        Rare r = rare;
        if (r != null && r.lastHistogram == null && r.ooo == null && r.deleted == null) {
            rare = null;
        }
    }

    /**
     * Stores a sample ({@code h == null}: the float with raw bits {@code bits}). Returns the classification; the
     * sample is stored for IN_ORDER and OUT_OF_ORDER_ACCEPTED only.
     */
    synchronized int add(long st, long t, long bits, Histogram h, Head head) {
        int c = classify(hasLast, lastT, lastBits, lastH(), t, bits, h, head.outOfOrderWindowMs());
        if (c == IN_ORDER) {
            appendInOrder(st, t, bits, h, head);
            setLast(t, bits, h);
        } else if (c == OUT_OF_ORDER_ACCEPTED) {
            insertOutOfOrder(st, t, Double.longBitsToDouble(bits), h);
        }
        return c;
    }

    /**
     * Replays a WAL sample as {@link #add} stores it, except that an in-order sample that a full chunk found on disk
     * already holds only becomes the series' newest sample: it is not decoded into a chunk again.
     */
    synchronized int replay(long st, long t, long bits, Histogram h, Head head) {
        int n = numClosed();
        if (headChunk == null && n > 0 && t <= closedMax(n - 1)) {
            int c = classify(hasLast, lastT, lastBits, lastH(), t, bits, h, head.outOfOrderWindowMs());
            if (c == IN_ORDER) {
                setLast(t, bits, h);
            } else if (c == OUT_OF_ORDER_ACCEPTED) {
                insertOutOfOrder(st, t, Double.longBitsToDouble(bits), h);
            }
            return c;
        }
        return add(st, t, bits, h, head);
    }

    /**
     * Takes the full chunks found on disk for this series (3 longs each: min time, max time, ref), dropping those
     * wholly before {@code minValidTime}. Returns the number kept. Call before the series' first replayed sample.
     */
    synchronized int attachLoaded(long[] meta, long minValidTime) {
        int drop = 0;
        while (drop < meta.length && meta[drop + 1] < minValidTime) {
            drop += 3;
        }
        int[] packed = new int[(meta.length - drop) / 3 * META_INTS];
        for (int j = drop, i = 0; j < meta.length; j += 3, i++) {
            if (!pack(packed, i, meta[j], meta[j + 1], meta[j + 2])) {
                throw new IllegalStateException("chunk of series " + ref + " found on disk spans [" + meta[j] + ", "
                        + meta[j + 1] + "], wider than a head chunk can be");
            }
        }
        closedMeta = packed;
        return numClosed();
    }

    /**
     * After replay: when the newest sample is in a chunk found on disk (the WAL no longer held it), reads it from
     * there, so that order and duplicate checks see it.
     */
    synchronized void settleAfterReplay(HeadChunkFiles.Table table) {
        int n = numClosed();
        if (headChunk != null || n == 0 || (hasLast && lastT >= closedMax(n - 1))) {
            return;
        }
        SampleIterator it = table.read(closedRef(n - 1), new byte[1][]).iterator(null);
        for (ValueType vt = it.next(); vt != ValueType.NONE; vt = it.next()) {
            if (vt == ValueType.HISTOGRAM) {
                setLast(it.timestamp(), 0, it.histogram());
            } else {
                setLast(it.timestamp(), Double.doubleToRawLongBits(it.value()), null);
            }
        }
    }

    private void setLast(long t, long bits, Histogram h) {
        hasLast = true;
        lastT = t;
        lastBits = bits;
        if (h != null) {
            rare().lastHistogram = h;
        } else if (rare != null) {
            rare.lastHistogram = null;
            trimRare();
        }
    }

    private void appendInOrder(long st, long t, long bits, Histogram h, Head head) {
        ChunkEncoding enc = h == null ? ChunkEncoding.XOR : ChunkEncoding.FLOAT_HISTOGRAM;
        if (headChunk == null || headChunk.encoding() != enc || headChunk.numSamples() >= SAMPLES_PER_CHUNK
                || t >= windowEnd(headMinT, head.chunkRangeMs()) || Long.compareUnsigned(t - headMinT, MAX_CHUNK_SPAN) > 0) {
            cut(enc, t, head);
        }
        if (headChunkFromSnapshot) {
            headChunk = appendable(headChunk);
            headChunkFromSnapshot = false;
        }
        if (h == null) {
            headChunk.appender().append(st, t, Double.longBitsToDouble(bits));
        } else if (!headChunk.appender().appendHistogram(st, t, h)) {
            cut(enc, t, head);
            if (!headChunk.appender().appendHistogram(st, t, h)) {
                throw new IllegalStateException("an empty histogram chunk refused a histogram: " + h);
            }
        }
    }

    /** A chunk to append to holding {@code loaded}'s samples, appended again in order. */
    private static Chunk appendable(Chunk loaded) {
        Chunk c = Chunks.newChunk(loaded.encoding());
        SampleIterator it = loaded.iterator(null);
        for (ValueType vt = it.next(); vt != ValueType.NONE; vt = it.next()) {
            if (vt == ValueType.HISTOGRAM) {
                if (!c.appender().appendHistogram(it.startTimestamp(), it.timestamp(), it.histogram())) {
                    throw new IllegalStateException("a histogram chunk refused the samples it held before");
                }
            } else {
                c.appender().append(it.startTimestamp(), it.timestamp(), it.value());
            }
        }
        return c;
    }

    private void cut(ChunkEncoding enc, long t, Head head) {
        headChunkFromSnapshot = false;
        if (headChunk != null) {
            close(head.chunkFiles());
        }
        headChunk = Chunks.newChunk(enc);
        headMinT = t;
        head.stats.chunks.increment();
    }

    /**
     * The end of the block-aligned window a chunk starting at {@code minT} lies in: a chunk never spans two block
     * windows. Computed when needed rather than kept, 8 bytes less per series.
     */
    private static long windowEnd(long minT, long chunkRange) {
        long end = (Math.floorDiv(minT, chunkRange) + 1) * chunkRange;
        return end < minT ? Long.MAX_VALUE : end; // overflow near the end of the long range
    }

    /** Writes the open chunk to the chunk files and keeps its ref; readers holding the open chunk keep it. */
    private void close(HeadChunkFiles files) {
        long ref = files.write(this.ref, headMinT, lastT, headChunk.encoding(), headChunk.bytes());
        int n = numClosed();
        int[] meta = Arrays.copyOf(closedMeta, (n + 1) * META_INTS);
        if (!pack(meta, n, headMinT, lastT, ref)) {
            throw new IllegalStateException("open chunk of series " + this.ref + " spans [" + headMinT + ", " + lastT
                    + "], wider than the cut allows");
        }
        closedMeta = meta;
        headChunk = null;
    }

    /** Writes chunk i's metadata into {@code meta}; false (nothing written) when its span does not fit 32 bits. */
    private static boolean pack(int[] meta, int i, long min, long max, long ref) {
        long span = max - min; // for max >= min a span of 2^63 or more wraps negative, so this rejects it
        if (span < 0 || span > MAX_CHUNK_SPAN) {
            return false;
        }
        int at = META_INTS * i;
        meta[at] = (int) (min >>> 32);
        meta[at + 1] = (int) min;
        meta[at + 2] = (int) span;
        meta[at + 3] = (int) (ref >>> 32);
        meta[at + 4] = (int) ref;
        return true;
    }

    private static long word(int[] meta, int at) {
        return (long) meta[at] << 32 | Integer.toUnsignedLong(meta[at + 1]);
    }

    private int numClosed() {
        return closedMeta.length / META_INTS;
    }

    private long closedMin(int i) {
        return word(closedMeta, META_INTS * i);
    }

    private long closedMax(int i) {
        return closedMin(i) + Integer.toUnsignedLong(closedMeta[META_INTS * i + 2]);
    }

    private long closedRef(int i) {
        return word(closedMeta, META_INTS * i + 3);
    }

    private void insertOutOfOrder(long st, long t, double v, Histogram h) {
        Rare r = rare();
        if (r.ooo == null) {
            r.ooo = new OutOfOrderSamples();
        }
        r.ooo.insert(st, t, v, h);
    }

    /**
     * Writes the series' state for a head snapshot: full chunks' metadata, the open chunk's bytes, the newest sample
     * and the out-of-order samples. {@link #readSnapshot} reads it back.
     */
    synchronized void writeSnapshot(HeadSnapshot.Out o, long chunkRangeMs) throws IOException {
        Histogram lastHistogram = lastH();
        Intervals deleted = deletedIntervals();
        o.uvarint(numClosed());
        for (int i = 0, n = numClosed(); i < n; i++) {
            o.varint(closedMin(i));
            o.varint(closedMax(i));
            o.varint(closedRef(i));
        }
        if (headChunk == null) {
            o.uvarint(0);
        } else {
            o.uvarint(headChunk.encoding().code());
            o.varint(headMinT);
            o.varint(windowEnd(headMinT, chunkRangeMs));
            o.uvarint(headChunk.numSamples()); // read back and skipped: the chunk's header counts them too
            o.bytes(headChunk.bytes());
        }
        o.uvarint(hasLast ? (lastHistogram != null ? 2 : 1) : 0);
        if (hasLast) {
            o.varint(lastT);
            if (lastHistogram != null) {
                o.histogram(lastHistogram);
            } else {
                o.fixed64(lastBits);
            }
        }
        OutOfOrderSamples.write(oooSamples(), o);
        o.uvarint(deleted == null ? 0 : deleted.size());
        for (int i = 0; deleted != null && i < deleted.size(); i++) {
            o.varint(deleted.min(i));
            o.varint(deleted.max(i));
        }
    }

    /** Restores what {@link #writeSnapshot} wrote, into a new series; returns the number of chunks it holds. */
    synchronized int readSnapshot(HeadSnapshot.In in) throws IOException {
        int closed = in.count(3);
        closedMeta = closed == 0 ? NO_META : new int[META_INTS * closed];
        for (int i = 0; i < closed; i++) {
            long min = in.varint();
            long max = in.varint();
            if (!pack(closedMeta, i, min, max, in.varint())) {
                throw in.corrupt("chunk " + i + " of series " + ref + " spans [" + min + ", " + max + "]");
            }
        }
        int code = (int) in.uvarint();
        if (code != 0) {
            ChunkEncoding enc = in.encoding(code);
            headMinT = in.varint();
            in.varint(); // the window end, computed from headMinT again
            in.count(0); // the chunk's own header holds the count
            byte[] bytes = in.bytes();
            headChunk = Chunks.fromBytes(enc, bytes, 0, bytes.length);
            headChunkFromSnapshot = true;
        }
        int last = (int) in.uvarint();
        if (last != 0) {
            long t = in.varint();
            if (last == 2) {
                setLast(t, 0, in.histogram());
            } else {
                setLast(t, in.fixed64(), null);
            }
        }
        OutOfOrderSamples ooo = OutOfOrderSamples.read(in);
        if (ooo != null) {
            rare().ooo = ooo;
        }
        int intervals = in.count(2);
        for (int i = 0; i < intervals; i++) {
            long min = in.varint();
            long max = in.varint();
            if (min > max) {
                throw in.corrupt("deleted interval [" + min + ", " + max + "] of series " + ref + " is reversed");
            }
            delete(min, max);
        }
        return numChunks();
    }

    /** A consistent view of the data overlapping [mint, maxt], or null when there is none. */
    synchronized SeriesSnapshot snapshot(long mint, long maxt, HeadChunkFiles files) {
        int n = numClosed();
        int first = 0;
        while (first < n && closedMax(first) < mint) {
            first++;
        }
        int last = first;
        while (last < n && closedMin(last) <= maxt) {
            last++;
        }
        boolean withHead = headChunk != null && lastT >= mint && headMinT <= maxt;
        OutOfOrderSamples ooo = oooSamples();
        int oFrom = 0;
        int oTo = 0;
        if (ooo != null) {
            oFrom = ooo.lowerBound(mint);
            oTo = maxt == Long.MAX_VALUE ? ooo.count() : ooo.lowerBound(maxt + 1);
        }
        if (last == first && !withHead && oTo == oFrom) {
            return null;
        }
        long[] refs = new long[last - first];
        for (int i = first; i < last; i++) {
            refs[i - first] = closedRef(i);
        }
        long[] ot = null;
        double[] ov = null;
        Histogram[] oh = null;
        long[] ost = null;
        if (oTo > oFrom) {
            ot = ooo.timestamps(oFrom, oTo);
            ov = ooo.values(oFrom, oTo);
            oh = ooo.histograms(oFrom, oTo);
            ost = ooo.startTimestamps(oFrom, oTo);
        }
        // Read under the monitor: every ref here was written before, and segments are dropped only after every
        // series let go of their chunks, so this table holds all the segments the refs name.
        return new SeriesSnapshot(refs, files.table(), withHead ? headChunk : null, ot, ov, oh, ost, deletedIntervals());
    }

    /** The deleted time ranges, null when none. */
    synchronized Intervals deleted() {
        return deletedIntervals();
    }

    /** Marks [mint, maxt] deleted; returns whether it is the series' first deleted interval. */
    synchronized boolean delete(long mint, long maxt) {
        Rare r = rare();
        boolean first = r.deleted == null;
        r.deleted = first ? Intervals.of(mint, maxt) : r.deleted.add(mint, maxt);
        return first;
    }

    /** Whether a delete of [mint, maxt] would hide something: a sample there, in a stretch not deleted already. */
    synchronized boolean needsDelete(long mint, long maxt) {
        Intervals deleted = deletedIntervals();
        return hasDataIn(mint, maxt)
                && (deleted == null || !deleted.covers(Math.max(mint, minTime()), Math.min(maxt, maxTime())));
    }

    /** Whether any sample lies in [mint, maxt]. */
    synchronized boolean hasDataIn(long mint, long maxt) {
        for (int i = 0, n = numClosed(); i < n; i++) {
            if (closedMax(i) >= mint && closedMin(i) <= maxt) {
                return true;
            }
        }
        if (headChunk != null && lastT >= mint && headMinT <= maxt) {
            return true;
        }
        OutOfOrderSamples ooo = oooSamples();
        return ooo != null && ooo.hasDataIn(mint, maxt);
    }

    /**
     * Drops the chunks wholly before {@code cut} and the out-of-order samples before it (they are now in a block).
     * Returns true when nothing is left, so the series may be removed from the head.
     */
    synchronized boolean truncateBefore(long cut, HeadStats headStats) {
        int n = numClosed();
        int drop = 0;
        while (drop < n && closedMax(drop) < cut) {
            drop++;
        }
        if (drop == n && headChunk != null && lastT < cut) {
            headChunk = null;
            headStats.chunks.decrement();
        }
        if (drop == n) {
            closedMeta = NO_META;
        } else if (drop > 0) {
            closedMeta = Arrays.copyOfRange(closedMeta, META_INTS * drop, META_INTS * n); // fresh: queries may still read the old one
        }
        headStats.chunks.add(-drop);
        OutOfOrderSamples ooo = oooSamples();
        if (ooo != null && ooo.truncateBefore(cut) == 0) {
            rare.ooo = null;
            trimRare();
            ooo = null;
        }
        return numChunks() == 0 && ooo == null;
    }

    /** The smallest timestamp held, or Long.MAX_VALUE when empty. */
    synchronized long minTime() {
        long m = numClosed() > 0 ? closedMin(0) : headChunk != null ? headMinT : Long.MAX_VALUE;
        OutOfOrderSamples ooo = oooSamples();
        return ooo != null ? Math.min(m, ooo.minTime()) : m;
    }

    /** The largest timestamp held, or Long.MIN_VALUE when empty. */
    synchronized long maxTime() {
        long m = headChunk != null ? lastT : numClosed() > 0 ? closedMax(numClosed() - 1) : Long.MIN_VALUE;
        OutOfOrderSamples ooo = oooSamples();
        return ooo != null ? Math.max(m, ooo.maxTime()) : m;
    }

    synchronized int numChunks() {
        return numClosed() + (headChunk != null ? 1 : 0);
    }

    /**
     * What a query needs of a series: the full chunks overlapping its range (refs into {@code table}), the open chunk
     * when it overlaps (else null), the out-of-order samples in the range (oooSt null when none has a start
     * timestamp), and the series' deleted intervals (null when none).
     */
    record SeriesSnapshot(long[] closedRefs, HeadChunkFiles.Table table, Chunk openChunk, long[] oooT, double[] oooV,
                          Histogram[] oooH, long[] oooSt, Intervals deleted) {
    }
}
