package dev.sightline.timeindex;

import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Lucene index of one time partition, as the span and log stores keep it: a writer that never commits on its own
 * (the WAL holds what is not committed; the store commits at checkpoints), and searchers refreshed lazily: a search
 * refreshes only when something was added since the last one, so a commit is visible to the next search without a
 * refresh per commit.
 */
public final class PartitionIndex implements Closeable {
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final AtomicLong added = new AtomicLong();
    private long refreshed;

    private PartitionIndex(Directory directory, IndexWriter writer, SearcherManager searchers) {
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
    }

    /** What a store makes of a partition's index (reading what it needs at open). */
    @FunctionalInterface
    public interface Owner<P> {
        P open(PartitionIndex index) throws IOException;
    }

    /**
     * Opens (creating) the index in {@code dir} with {@code config} (its codec, buffer) and hands it to {@code owner};
     * a corrupt index fails here (everything opened is closed again), and the store quarantines the partition.
     */
    public static <P> P open(Path dir, IndexWriterConfig config, Owner<P> owner) throws IOException {
        Directory d = FSDirectory.open(dir);
        IndexWriter w = null;
        PartitionIndex index = null;
        try {
            w = new IndexWriter(d, config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND).setCommitOnClose(false));
            index = new PartitionIndex(d, w, new SearcherManager(w, null));
            return owner.open(index);
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(index, w, d);
            throw e;
        }
    }

    /** Where documents go; call {@link #added} after adding, so the next search sees them. */
    public IndexWriter writer() {
        return writer;
    }

    public void added() {
        added.incrementAndGet();
    }

    /** A searcher that sees every document added before the call; give it back with {@link #release}. */
    public IndexSearcher acquire() throws IOException {
        long now = added.get();
        synchronized (this) {
            if (refreshed != now) {
                searchers.maybeRefreshBlocking();
                refreshed = now;
            }
        }
        return searchers.acquire();
    }

    /** A searcher as of the last refresh, without refreshing: at open, what the last commit holds. */
    public IndexSearcher acquireAsIs() throws IOException {
        return searchers.acquire();
    }

    public void release(IndexSearcher s) throws IOException {
        searchers.release(s);
    }

    /** Makes everything added so far durable, with {@code userData} in the commit (none when empty). */
    public void commit(Map<String, String> userData) throws IOException {
        if (writer.hasUncommittedChanges()) {
            if (!userData.isEmpty()) {
                writer.setLiveCommitData(userData.entrySet());
            }
            writer.commit();
        }
    }

    /**
     * Merges away deleted documents where Lucene finds it worth it (segments with enough of them), and waits for it.
     * Merges already running go first: a delete's commit can start one over the same segments, forceMergeDeletes skips
     * segments a merge holds and returned at once, and a close then aborted that merge with the deleted documents still
     * on disk (a test's index kept 79% of its size instead of 25-51%).
     */
    public void mergeDeletes() throws IOException {
        if (writer.getConfig().getMergeScheduler() instanceof ConcurrentMergeScheduler running) {
            running.sync();
        }
        writer.forceMergeDeletes(true);
        added();
    }

    /** The user data of the last commit. */
    public Map<String, String> commitData() {
        Map<String, String> out = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : writer.getLiveCommitData()) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        IOUtils.close(searchers, writer, directory);
    }
}
