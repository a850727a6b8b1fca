package dev.sightline.traces.store;

import dev.sightline.traces.SpanStore;
import dev.sightline.traces.conformance.SpanStoreConformanceTest;

import java.io.IOException;
import java.nio.file.Path;

/** The disk store passes the conformance suite, with reopen after close. */
class LuceneSpanStoreTest extends SpanStoreConformanceTest {
    @Override
    protected SpanStore open(Path dir) throws IOException {
        return LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions());
    }
}
