package dev.sightline.logs;

import java.nio.file.Path;

/** The reference implementation passes its own suite (nothing durable: reopen keeps the same store). */
class InMemoryLogStoreConformanceTest extends LogStoreConformanceTest {
    @Override
    protected LogStore open(Path dir) {
        return new InMemoryLogStore();
    }

    @Override
    protected boolean durable() {
        return false;
    }
}
