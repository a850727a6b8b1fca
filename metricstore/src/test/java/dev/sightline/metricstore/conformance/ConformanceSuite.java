package dev.sightline.metricstore.conformance;

import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

/** What the conformance suites share: closing what a test opened, newest first. */
public abstract class ConformanceSuite {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** Registers something the subclass opened, closed after the test. */
    protected void closeAfterTest(AutoCloseable c) {
        toClose.add(c);
    }

    /** What a restart hook returned for {@code before}: registered for closing when it is another one. */
    protected <T extends AutoCloseable> T continuedAs(T before, T next) {
        if (next != before) {
            closeAfterTest(next);
        }
        return next;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
    }
}
