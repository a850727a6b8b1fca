package dev.sightline.benchmarks.logs;

import dev.sightline.benchmarks.Bench;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The logs benchmark's reference: plain Apache Lucene indexing the same lines in one thread, as issue 14 measures
 * "raw single-thread Lucene". One IndexWriter with its defaults (StandardAnalyzer, Lucene's default codec, RAM
 * buffer and merge policy; merges run on Lucene's default ConcurrentMergeScheduler threads), one document per line:
 * the line as a stored TextField and the timestamp as a stored LongField (points and doc values). Only addDocument,
 * the final commit and close are timed; the lines are generated between the timed stretches.
 */
public final class LuceneReference {
    /**
     * Lines and line bytes indexed, seconds of indexing, process CPU seconds meanwhile (merge threads and GC included)
     * and the indexing thread's own, bytes on disk at the end.
     */
    public record Result(long lines, long lineBytes, double seconds, double cpuSeconds, double threadCpuSeconds,
                         long diskBytes) {
        public double mbPerSecond() {
            return lineBytes / seconds / 1e6;
        }

        public double mbPerCpuSecond() {
            return lineBytes / cpuSeconds / 1e6;
        }

        public double bytesPerLine() {
            return (double) diskBytes / lines;
        }
    }

    private LuceneReference() {
    }

    /** Indexes every line of {@code shape} (in chunks of {@code chunkSize}) into a new index at {@code dir}. */
    public static Result index(LogShape shape, int chunkSize, Path dir) throws IOException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = 0, cpu = 0, threadCpu = 0, lines = 0, bytes = 0;
        // One Document with its fields reused for every line: Lucene's documented fast path for bulk indexing.
        TextField line = new TextField("line", "", Field.Store.YES);
        LongField ts = new LongField("ts", 0, Field.Store.YES);
        Document doc = new Document();
        doc.add(line);
        doc.add(ts);
        try (FSDirectory d = FSDirectory.open(dir)) {
            IndexWriter w = new IndexWriter(d, new IndexWriterConfig());
            boolean closed = false;
            try {
                for (int c = 0; c < shape.chunks(chunkSize); c++) {
                    List<LogShape.Line> chunk = shape.chunk(c, chunkSize);
                    long cpu0 = os.getProcessCpuTime(), thread0 = threads.getCurrentThreadCpuTime(), t = System.nanoTime();
                    for (LogShape.Line l : chunk) {
                        line.setStringValue(l.text());
                        ts.setLongValue(l.timestampNanos());
                        w.addDocument(doc);
                    }
                    nanos += System.nanoTime() - t;
                    cpu += os.getProcessCpuTime() - cpu0;
                    threadCpu += threads.getCurrentThreadCpuTime() - thread0;
                    for (LogShape.Line l : chunk) {
                        bytes += l.text().getBytes(StandardCharsets.UTF_8).length;
                    }
                    lines += chunk.size();
                }
                long cpu0 = os.getProcessCpuTime(), thread0 = threads.getCurrentThreadCpuTime(), t = System.nanoTime();
                w.commit();
                w.close(); // waits for the merges still running
                closed = true;
                nanos += System.nanoTime() - t;
                cpu += os.getProcessCpuTime() - cpu0;
                threadCpu += threads.getCurrentThreadCpuTime() - thread0;
            } finally {
                if (!closed) {
                    w.rollback();
                }
            }
            try (DirectoryReader r = DirectoryReader.open(d)) {
                if (r.numDocs() != lines) {
                    throw new IllegalStateException("the reference index holds " + r.numDocs() + " documents, not " + lines);
                }
            }
        }
        return new Result(lines, bytes, nanos / 1e9, cpu / 1e9, threadCpu / 1e9, Bench.sizeOnDisk(dir));
    }
}
