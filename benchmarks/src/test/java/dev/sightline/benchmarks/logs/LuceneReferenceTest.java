package dev.sightline.benchmarks.logs;

import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LuceneReferenceTest {
    @Test
    void indexesEveryLineSearchablyAndCountsItsBytes(@TempDir Path dir) throws Exception {
        LogShape shape = new LogShape(5, 2500, 1_765_000_000_000_000_000L, TimeUnit.HOURS.toNanos(1));
        long bytes = 0, timeouts = 0;
        for (int c = 0; c < shape.chunks(1000); c++) {
            for (LogShape.Line l : shape.chunk(c, 1000)) {
                bytes += l.text().getBytes(StandardCharsets.UTF_8).length;
                timeouts += l.text().contains(LogShape.TIMEOUT) ? 1 : 0;
            }
        }
        LuceneReference.Result r = LuceneReference.index(shape, 1000, dir);
        assertThat(r.lines()).isEqualTo(2500);
        assertThat(r.lineBytes()).isEqualTo(bytes);
        assertThat(r.seconds()).isPositive();
        assertThat(r.diskBytes()).isPositive();
        try (FSDirectory d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
            // StandardAnalyzer splits "timeout," and "(timeout)": every line that says it is found by the term.
            assertThat(new IndexSearcher(reader).count(new TermQuery(new Term("line", LogShape.TIMEOUT))))
                    .isEqualTo(timeouts).isPositive();
        }
    }
}
