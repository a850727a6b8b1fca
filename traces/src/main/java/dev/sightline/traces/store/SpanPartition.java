package dev.sightline.traces.store;

import dev.sightline.timeindex.KeyFilter;
import dev.sightline.timeindex.PartitionIndex;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import dev.sightline.traces.SpanCondition;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One time partition of the span store: a Lucene index (stored fields compressed with DEFLATE, Lucene's
 * BEST_COMPRESSION) and, in memory, a Bloom filter of its trace ids, built from the index's trace id terms at open,
 * so trace by id skips every partition that cannot hold the trace without touching its files.
 */
final class SpanPartition implements Closeable {
    private final PartitionIndex index;
    private final KeyFilter traces = new KeyFilter();
    private final long maxSeq;

    private SpanPartition(PartitionIndex index) throws IOException {
        this.index = index;
        IndexSearcher s = index.acquireAsIs();
        try {
            long max = 0;
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                Terms terms = leaf.reader().terms(SpanFields.TRACE_ID);
                if (terms != null) {
                    TermsEnum te = terms.iterator();
                    for (BytesRef t = te.next(); t != null; t = te.next()) {
                        var id = SpanFields.traceId(t);
                        traces.add(SpanFields.traceKey(id.hi(), id.lo()));
                    }
                }
                PointValues seq = leaf.reader().getPointValues(SpanFields.SEQ);
                if (seq != null) {
                    max = Math.max(max, LongPoint.decodeDimension(seq.getMaxPackedValue(), 0));
                }
            }
            maxSeq = max;
        } finally {
            index.release(s);
        }
    }

    /** Opens (creating) the partition's index; a corrupt one fails here, and its owner quarantines it. */
    static SpanPartition open(Path dir) throws IOException {
        return PartitionIndex.open(dir, new IndexWriterConfig()
                .setCodec(new Lucene104Codec(Lucene104Codec.Mode.BEST_COMPRESSION))
                .setRAMBufferSizeMB(64), SpanPartition::new);
    }

    /** Adds one WAL record's spans for this partition at once (all or none are in any later commit). */
    void add(List<Document> docs, long[] traceKeys, int traceKeyCount) throws IOException {
        index.writer().addDocuments(docs);
        for (int i = 0; i < traceKeyCount; i++) {
            traces.add(traceKeys[i]);
        }
        index.added();
    }

    boolean mayHoldTrace(long traceKey) {
        return traces.mightContain(traceKey);
    }

    /** Whether spans of WAL record {@code seq} were committed here before the store last stopped. */
    boolean holdsRecord(long seq) throws IOException {
        if (seq > maxSeq) {
            return false;
        }
        IndexSearcher s = index.acquireAsIs(); // the reader of the last commit: replay runs before any refresh
        try {
            return s.count(LongPoint.newExactQuery(SpanFields.SEQ, seq)) > 0;
        } finally {
            index.release(s);
        }
    }

    /** The highest WAL record number in the last commit. */
    long maxSeq() {
        return maxSeq;
    }

    /** A searcher that sees every span added before the call; give it back with {@link #release}. */
    IndexSearcher acquire() throws IOException {
        return index.acquire();
    }

    void release(IndexSearcher s) throws IOException {
        index.release(s);
    }

    /**
     * Deletes the spans starting in {@code [from, to]} that meet every condition; the caller holds the store's write
     * lock, so nothing is added meanwhile. Conditions the index answers exactly go as one delete-by-query; others are
     * checked span by span on the stored span, as a search does. Returns how many went.
     */
    long delete(List<SpanCondition> conditions, long from, long to) throws IOException {
        long deleted = 0;
        // A span-by-span delete fails for a segment a merge finished with since the reader opened: read again.
        for (int attempt = 0; attempt < 3; attempt++) {
            index.added(); // so the searcher is refreshed: it sees finished merges and earlier deletes
            IndexSearcher s = index.acquire();
            try {
                SpanQueries.Translated t = SpanQueries.translate(s.getIndexReader(), conditions, from, to);
                if (t.exact()) {
                    long n = s.count(t.query());
                    if (n > 0) {
                        index.writer().deleteDocuments(t.query());
                    }
                    return deleted + n;
                }
                boolean raced = false;
                Weight w = s.createWeight(s.rewrite(t.query()), ScoreMode.COMPLETE_NO_SCORES, 1f);
                for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                    Scorer scorer = w.scorer(leaf);
                    if (scorer == null) {
                        continue;
                    }
                    Bits live = leaf.reader().getLiveDocs();
                    StoredFields stored = leaf.reader().storedFields();
                    DocIdSetIterator it = scorer.iterator();
                    for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS && !raced; d = it.nextDoc()) {
                        if ((live == null || live.get(d))
                                && LuceneSpanQuerier.matchesAll(LuceneSpanQuerier.decode(stored, d), conditions)) {
                            raced = index.writer().tryDeleteDocument(leaf.reader(), d) == -1;
                            deleted += raced ? 0 : 1;
                        }
                    }
                }
                if (!raced) {
                    return deleted;
                }
            } finally {
                index.release(s);
                index.added();
            }
        }
        throw new IOException("span delete: merges kept replacing the segments it read; " + deleted
                + " spans deleted, try again");
    }

    /** Merges away deleted spans where Lucene finds it worth it; waits for it. */
    void reclaim() throws IOException {
        index.mergeDeletes();
    }

    /** Makes everything added so far durable in the index (a checkpoint). */
    void commit() throws IOException {
        index.commit(Map.of());
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
