package dev.sightline.ingest.scrape;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.ingest.TestAppender;
import dev.sightline.metricstore.Appender;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps committed samples in memory; each commit is one batch, as a scrape must produce. */
final class RecordingStorage implements ScrapeStorage {
    /** A committed sample; st is its start timestamp (0: none). */
    record Sample(Labels labels, long st, long t, double v) {
        Sample(Labels labels, long t, double v) {
            this(labels, 0, t, v);
        }

        boolean stale() {
            return Staleness.isStaleMarker(v);
        }
    }

    final List<List<Sample>> commits = new ArrayList<>();
    private final AtomicInteger refs = new AtomicInteger();

    @Override
    public Appender begin() {
        List<Sample> pending = new ArrayList<>();
        return new TestAppender() {
            @Override
            public long append(long ref, Labels labels, long st, long t, double v) {
                pending.add(new Sample(labels, st, t, v));
                return ref != 0 ? ref : refs.incrementAndGet();
            }

            @Override
            public long appendHistogram(long ref, Labels labels, long st, long t, Histogram h) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void commit() {
                synchronized (RecordingStorage.this) {
                    commits.add(List.copyOf(pending));
                    RecordingStorage.this.notifyAll();
                }
            }

            @Override
            public void rollback() {
                pending.clear();
            }
        };
    }

    synchronized List<Sample> last() {
        return commits.get(commits.size() - 1);
    }

    synchronized List<Sample> all() {
        return commits.stream().flatMap(List::stream).toList();
    }

    /** Waits until at least n batches were committed. */
    synchronized void awaitCommits(int n, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (commits.size() < n && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        if (commits.size() < n) {
            throw new AssertionError("only " + commits.size() + " of " + n + " commits within " + timeoutMs + " ms");
        }
    }

    static double value(List<Sample> batch, String name) {
        return batch.stream().filter(s -> s.labels().metricName().equals(name) && !s.stale()).findFirst()
                .orElseThrow(() -> new AssertionError("no sample of " + name + " in " + batch)).v();
    }
}
