package dev.sightline.traces.store;

import dev.sightline.timeindex.KeyFilter;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One time partition of the span store: a Lucene index (stored fields compressed with DEFLATE, Lucene's
 * BEST_COMPRESSION) and, in memory, a Bloom filter of its trace ids, built from the index's trace id terms at open,
 * so trace by id skips every partition that cannot hold the trace without touching its files. Readers are refreshed
 * lazily: a search refreshes only when something was added since the last one, so a commit is visible to the next
 * search without a refresh per commit.
 */
final class SpanPartition implements Closeable {
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final KeyFilter traces = new KeyFilter();
    private final AtomicLong added = new AtomicLong();
    private long refreshed;
    private final long maxSeq;

    private SpanPartition(Directory directory, IndexWriter writer, SearcherManager searchers) throws IOException {
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        IndexSearcher s = searchers.acquire();
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
            searchers.release(s);
        }
    }

    /** Opens (creating) the partition's index; a corrupt one fails here, and its owner quarantines it. */
    static SpanPartition open(Path dir) throws IOException {
        Directory d = FSDirectory.open(dir);
        IndexWriter w = null;
        try {
            IndexWriterConfig c = new IndexWriterConfig()
                    .setCodec(new Lucene104Codec(Lucene104Codec.Mode.BEST_COMPRESSION))
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(64)
                    // The WAL holds what is not committed; the store commits at checkpoints and on close.
                    .setCommitOnClose(false);
            w = new IndexWriter(d, c);
            return new SpanPartition(d, w, new SearcherManager(w, null));
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(w, d);
            throw e;
        }
    }

    /** Adds one WAL record's spans for this partition at once (all or none are in any later commit). */
    void add(List<Document> docs, long[] traceKeys, int traceKeyCount) throws IOException {
        writer.addDocuments(docs);
        for (int i = 0; i < traceKeyCount; i++) {
            traces.add(traceKeys[i]);
        }
        added.incrementAndGet();
    }

    boolean mayHoldTrace(long traceKey) {
        return traces.mightContain(traceKey);
    }

    /** Whether spans of WAL record {@code seq} were committed here before the store last stopped. */
    boolean holdsRecord(long seq) throws IOException {
        if (seq > maxSeq) {
            return false;
        }
        IndexSearcher s = searchers.acquire(); // the reader of the last commit: replay runs before any refresh
        try {
            return s.count(LongPoint.newExactQuery(SpanFields.SEQ, seq)) > 0;
        } finally {
            searchers.release(s);
        }
    }

    /** The highest WAL record number in the last commit. */
    long maxSeq() {
        return maxSeq;
    }

    /** A searcher that sees every span added before the call; give it back with {@link #release}. */
    IndexSearcher acquire() throws IOException {
        long now = added.get();
        synchronized (this) {
            if (refreshed != now) {
                searchers.maybeRefreshBlocking();
                refreshed = now;
            }
        }
        return searchers.acquire();
    }

    void release(IndexSearcher s) throws IOException {
        searchers.release(s);
    }

    /** Makes everything added so far durable in the index (a checkpoint). */
    void commit() throws IOException {
        if (writer.hasUncommittedChanges()) {
            writer.commit();
        }
    }

    @Override
    public void close() throws IOException {
        IOUtils.close(searchers, writer, directory);
    }
}
