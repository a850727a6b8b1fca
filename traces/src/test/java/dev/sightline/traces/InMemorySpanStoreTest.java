package dev.sightline.traces;

import dev.sightline.traces.conformance.SpanStoreConformanceTest;

import java.nio.file.Path;

/** The reference implementation passes the suite it defines the semantics of (nothing durable: no reopen tests). */
class InMemorySpanStoreTest extends SpanStoreConformanceTest {
    @Override
    protected SpanStore open(Path dir) {
        return new InMemorySpanStore();
    }

    @Override
    protected boolean durable() {
        return false;
    }
}
