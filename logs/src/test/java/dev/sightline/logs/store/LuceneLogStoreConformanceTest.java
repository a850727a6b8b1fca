package dev.sightline.logs.store;

import dev.sightline.logs.LogStore;
import dev.sightline.logs.LogStoreConformanceTest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The disk store passes the conformance suite, with reopen after close. */
class LuceneLogStoreConformanceTest extends LogStoreConformanceTest {
    @Override
    protected LogStore open(Path dir) throws IOException {
        // Kept forever: the suite's lines are from 2023, and the maintenance thread applies retention each minute.
        return LuceneLogStore.open(dir, LuceneLogStore.defaultOptions().withRetention(Duration.ZERO, 0));
    }
}
