package dev.sightline.logs.store;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogSelection;
import dev.sightline.timeindex.ByteReader;
import dev.sightline.timeindex.ByteWriter;
import dev.sightline.timeindex.PartitionIndex;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One time partition of the log store: per stream an open block in memory (its head, rebuilt from the WAL after a
 * crash) and a Lucene index of the stream's full blocks, one document each: the stream's number and labels, the
 * block's number within the stream (append order), its time range, line count and UTF-8 bytes as doc values, the
 * columns and the {@link BlockSummary} as binary doc values, the lines as a stored field. A query filters blocks by
 * doc values and summary, then inflates only the blocks that may match. The last commit records the highest WAL
 * record it holds, so replay skips what is already here.
 */
final class LogPartition implements Closeable {
    static final String SID = "sid";
    static final String BSEQ = "bseq";
    static final String TMIN = "tmin";
    static final String TMAX = "tmax";
    static final String COUNT = "count";
    static final String BYTES = "bytes";
    static final String COLUMNS = "columns";
    static final String SUMMARY = "summary";
    static final String LINES = "lines";
    static final String LABELS = "labels";
    private static final String COMMIT_SEQ = "wal_seq";
    /** A head is stored once it holds this many line bytes (DEFLATE's window is 32 KiB) or lines. */
    private static final int BLOCK_BYTES = 256 << 10;
    private static final int BLOCK_LINES = 8192;
    /** Bounds of a head's filters (bits): a busy stream's grow until blocks end by size, a quiet one's stay small. */
    private static final int MIN_TRIGRAM_BITS = 1 << 10;
    private static final int MAX_TRIGRAM_BITS = 1 << 17;
    private static final int MIN_FIELD_BITS = 1 << 9;
    private static final int MAX_FIELD_BITS = 1 << 15;

    /** One stream's state in this partition; guarded by its own monitor. */
    static final class Stream {
        final int sid;
        final Labels labels;
        /** The block number the head will have when stored; stored blocks have lower numbers. */
        int headBseq;
        LogBlock head = new LogBlock(64, 8 << 10);
        int trigramBits = 1 << 13;
        int fieldBits = 1 << 11;
        BlockSummary summary = new BlockSummary(trigramBits, fieldBits);
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;

        Stream(int sid, Labels labels) {
            this.sid = sid;
            this.labels = labels;
        }
    }

    /** What a query sees of a stream's head: taken before the searcher, so no line is missed or seen twice. */
    record Head(Stream stream, int bseq, LogBlock lines) {
    }

    private final PartitionIndex index;
    private final ConcurrentHashMap<Labels, Stream> streams = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Stream> bySid = new ConcurrentHashMap<>();
    private final ByteWriter scratch = new ByteWriter();
    private int nextSid;
    final long committedSeq;

    private LogPartition(PartitionIndex index) throws IOException {
        this.index = index;
        committedSeq = Long.parseLong(index.commitData().getOrDefault(COMMIT_SEQ, "0"));
        IndexSearcher s = index.acquireAsIs();
        try {
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                loadStreams(leaf);
            }
        } finally {
            index.release(s);
        }
    }

    private void loadStreams(LeafReaderContext leaf) throws IOException {
        NumericDocValues sids = DocValues.getNumeric(leaf.reader(), SID);
        NumericDocValues bseqs = DocValues.getNumeric(leaf.reader(), BSEQ);
        NumericDocValues tmins = DocValues.getNumeric(leaf.reader(), TMIN);
        NumericDocValues tmaxs = DocValues.getNumeric(leaf.reader(), TMAX);
        StoredFields stored = leaf.reader().storedFields();
        Bits live = leaf.reader().getLiveDocs();
        for (int d = sids.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = sids.nextDoc()) {
            if (live != null && !live.get(d)) {
                continue;
            }
            int sid = (int) sids.longValue();
            Stream st = bySid.get(sid);
            if (st == null) {
                BytesRef b = stored.document(d, java.util.Set.of(LABELS)).getBinaryValue(LABELS);
                st = new Stream(sid, decodeLabels(b));
                bySid.put(sid, st);
                streams.put(st.labels, st);
                nextSid = Math.max(nextSid, sid + 1);
            }
            bseqs.advanceExact(d);
            tmins.advanceExact(d);
            tmaxs.advanceExact(d);
            st.headBseq = Math.max(st.headBseq, (int) bseqs.longValue() + 1);
            st.minTime = Math.min(st.minTime, tmins.longValue());
            st.maxTime = Math.max(st.maxTime, tmaxs.longValue());
        }
    }

    /** Opens (creating) the partition's index; a corrupt one fails here, and its owner quarantines it. */
    static LogPartition open(Path dir) throws IOException {
        return PartitionIndex.open(dir, new IndexWriterConfig().setRAMBufferSizeMB(32), LogPartition::new);
    }

    /** The stream's state here, made on its first line. */
    Stream stream(Labels labels) {
        Stream s = streams.get(labels);
        if (s != null) {
            return s;
        }
        synchronized (streams) {
            return streams.computeIfAbsent(labels, l -> {
                Stream n = new Stream(nextSid++, l);
                bySid.put(n.sid, n);
                return n;
            });
        }
    }

    Collection<Stream> streams() {
        return streams.values();
    }

    /** Adds one line ({@code utf8[off, off + len)} is {@code line}) to its stream's head, storing the head when full. */
    void add(Stream s, long time, Labels metadata, String line, byte[] utf8, int off, int len) throws IOException {
        synchronized (s) {
            s.head.add(time, metadata, utf8, off, len);
            s.summary.addLine(line, utf8, off, len, metadata);
            s.minTime = Math.min(s.minTime, time);
            s.maxTime = Math.max(s.maxTime, time);
            if (s.head.used >= BLOCK_BYTES || s.head.count >= BLOCK_LINES || s.summary.full()) {
                store(s);
            }
        }
    }

    /** Stores the stream's head as a document and starts a new one (the stream's lock held). */
    private void store(Stream s) throws IOException {
        LogBlock b = s.head;
        index.writer().addDocument(document(s, s.headBseq, b, s.summary.encode()));
        index.added();
        s.headBseq++;
        s.head = new LogBlock(Math.max(64, b.count), Math.max(8 << 10, b.used));
        // The next block's filters: larger when this one filled them, smaller when it used a fraction.
        if (s.summary.full()) {
            s.trigramBits = Math.min(MAX_TRIGRAM_BITS, s.trigramBits * 2);
            s.fieldBits = Math.min(MAX_FIELD_BITS, s.fieldBits * 2);
        } else if (s.summary.roomy()) {
            s.trigramBits = Math.max(MIN_TRIGRAM_BITS, s.trigramBits / 2);
            s.fieldBits = Math.max(MIN_FIELD_BITS, s.fieldBits / 2);
        }
        s.summary = new BlockSummary(s.trigramBits, s.fieldBits);
    }

    /** A block's document: block {@code bseq} of stream {@code s} holding {@code b}, with its encoded summary. */
    private Document document(Stream s, int bseq, LogBlock b, byte[] summary) {
        Document doc = new Document();
        doc.add(new NumericDocValuesField(SID, s.sid));
        doc.add(new NumericDocValuesField(BSEQ, bseq));
        doc.add(new NumericDocValuesField(TMIN, b.minTime));
        doc.add(new NumericDocValuesField(TMAX, b.maxTime));
        doc.add(new NumericDocValuesField(COUNT, b.count));
        doc.add(new NumericDocValuesField(BYTES, b.used));
        synchronized (scratch) {
            doc.add(new BinaryDocValuesField(COLUMNS, new BytesRef(b.encodeColumns(scratch))));
        }
        doc.add(new BinaryDocValuesField(SUMMARY, new BytesRef(summary)));
        doc.add(new StoredField(LINES, b.encodeLines()));
        doc.add(new StoredField(LABELS, encodeLabels(s.labels)));
        return doc;
    }

    /**
     * Deletes the stored lines meeting {@code sel}; the caller stored every head first and holds the store's write
     * lock, so nothing is added meanwhile. A block losing every line is deleted; one losing some is replaced by a block
     * of the rest under the same number (keeping its summary: a filter of more lines than the block holds costs at
     * most a needless read). Without line filters or field conditions a block inside the range goes without being
     * read. Returns how many lines went.
     */
    long delete(LogSelection sel) throws IOException {
        Map<Integer, Stream> selected = new HashMap<>();
        for (Stream s : streams.values()) {
            if (s.minTime <= sel.toNanos() && s.maxTime >= sel.fromNanos() && sel.matchesStream(s.labels)) {
                selected.put(s.sid, s);
            }
        }
        if (selected.isEmpty()) {
            return 0;
        }
        boolean wholeBlocks = sel.lineFilters().isEmpty() && sel.fieldConditions().isEmpty();
        long deleted = 0;
        Map<Integer, List<Long>> doomed = new HashMap<>();
        List<Document> replacements = new ArrayList<>();
        IndexSearcher searcher = index.acquire();
        try {
            for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
                LeafReader leaf = ctx.reader();
                Bits live = leaf.getLiveDocs();
                NumericDocValues sids = DocValues.getNumeric(leaf, SID);
                NumericDocValues bseqs = DocValues.getNumeric(leaf, BSEQ);
                NumericDocValues tmins = DocValues.getNumeric(leaf, TMIN);
                NumericDocValues tmaxs = DocValues.getNumeric(leaf, TMAX);
                NumericDocValues counts = DocValues.getNumeric(leaf, COUNT);
                BinaryDocValues columns = DocValues.getBinary(leaf, COLUMNS);
                BinaryDocValues summaries = DocValues.getBinary(leaf, SUMMARY);
                for (int d = sids.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = sids.nextDoc()) {
                    Stream s = selected.get((int) sids.longValue());
                    if (s == null || live != null && !live.get(d) || !tmins.advanceExact(d) || !tmaxs.advanceExact(d)
                            || tmins.longValue() > sel.toNanos() || tmaxs.longValue() < sel.fromNanos()) {
                        continue;
                    }
                    bseqs.advanceExact(d);
                    long bseq = bseqs.longValue();
                    if (wholeBlocks && tmins.longValue() >= sel.fromNanos() && tmaxs.longValue() <= sel.toNanos()) {
                        counts.advanceExact(d);
                        deleted += counts.longValue();
                        doomed.computeIfAbsent(s.sid, k -> new ArrayList<>()).add(bseq);
                        continue;
                    }
                    LogBlock b = readBlock(leaf, d, columns);
                    LogBlock kept = new LogBlock(b.count, b.used);
                    for (int i = 0; i < b.count; i++) {
                        if (!sel.matches(new LogEntry(b.times[i], s.labels, b.metadata[i], b.line(i)))) {
                            kept.add(b.times[i], b.metadata[i], b.bytes, b.offsets[i], b.lengths[i]);
                        }
                    }
                    if (kept.count == b.count) {
                        continue;
                    }
                    deleted += b.count - kept.count;
                    doomed.computeIfAbsent(s.sid, k -> new ArrayList<>()).add(bseq);
                    if (kept.count > 0) {
                        summaries.advanceExact(d);
                        replacements.add(document(s, (int) bseq, kept, BytesRef.deepCopyOf(summaries.binaryValue()).bytes));
                    }
                }
            }
        } finally {
            index.release(searcher);
        }
        for (Map.Entry<Integer, List<Long>> e : doomed.entrySet()) {
            index.writer().deleteDocuments(new BooleanQuery.Builder()
                    .add(NumericDocValuesField.newSlowExactQuery(SID, e.getKey()), BooleanClause.Occur.FILTER)
                    .add(NumericDocValuesField.newSlowSetQuery(BSEQ,
                            e.getValue().stream().mapToLong(Long::longValue).toArray()), BooleanClause.Occur.FILTER)
                    .build());
        }
        index.writer().addDocuments(replacements);
        index.added();
        return deleted;
    }

    /** A stored block with its lines. */
    private static LogBlock readBlock(LeafReader leaf, int doc, BinaryDocValues columns) throws IOException {
        if (!columns.advanceExact(doc)) {
            throw new IOException("block document " + doc + " has no columns");
        }
        BytesRef c = columns.binaryValue();
        LogBlock b = LogBlock.decodeColumns(c.bytes, c.offset, c.length);
        BytesRef lines = leaf.storedFields().document(doc, java.util.Set.of(LINES)).getBinaryValue(LINES);
        if (lines == null) {
            throw new IOException("block document " + doc + " has no lines");
        }
        b.inflateLines(lines.bytes, lines.offset, lines.length);
        return b;
    }

    /** Merges away deleted blocks where Lucene finds it worth it (segments with enough of them); waits for it. */
    void reclaim() throws IOException {
        index.mergeDeletes();
    }

    /** Stores every head that holds a line (a checkpoint: afterwards the index holds every line added). */
    void storeHeads() throws IOException {
        for (Stream s : streams.values()) {
            synchronized (s) {
                if (s.head.count > 0) {
                    store(s);
                }
            }
        }
    }

    /** Copies of the heads of these streams, for one query. */
    static List<Head> heads(Collection<Stream> selected) {
        List<Head> out = new ArrayList<>(selected.size());
        for (Stream s : selected) {
            synchronized (s) {
                out.add(new Head(s, s.headBseq, s.head.count > 0 ? s.head.copy() : null));
            }
        }
        return out;
    }

    private static byte[] encodeLabels(Labels labels) {
        ByteWriter w = new ByteWriter();
        w.writeVarLong(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            w.writeString(labels.name(i));
            w.writeString(labels.value(i));
        }
        return java.util.Arrays.copyOf(w.array(), w.length());
    }

    private static Labels decodeLabels(BytesRef b) {
        ByteReader r = new ByteReader(b.bytes, b.offset, b.length);
        String[] kv = new String[2 * r.readVarInt()];
        for (int i = 0; i < kv.length; i++) {
            kv[i] = r.readString();
        }
        return kv.length == 0 ? Labels.EMPTY : Labels.of(kv);
    }

    /** A searcher that sees every block stored before the call; give it back with {@link #release}. */
    IndexSearcher acquire() throws IOException {
        return index.acquire();
    }

    void release(IndexSearcher s) throws IOException {
        index.release(s);
    }

    /** Makes every stored block durable, recording that the index holds every WAL record up to {@code seq}. */
    void commit(long seq) throws IOException {
        index.commit(Map.of(COMMIT_SEQ, Long.toString(seq)));
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
