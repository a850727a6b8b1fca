package dev.sightline.logs.store;

import dev.sightline.logs.LogStore;
import dev.sightline.logs.LogStoreConformanceTest;

import java.io.IOException;
import java.nio.file.Path;

/** The disk store passes the conformance suite, with reopen after close. */
class LuceneLogStoreConformanceTest extends LogStoreConformanceTest {
    @Override
    protected LogStore open(Path dir) throws IOException {
        return LuceneLogStore.open(dir, LuceneLogStore.Options.defaults());
    }
}
