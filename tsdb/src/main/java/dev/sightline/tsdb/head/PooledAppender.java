package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;

import java.io.IOException;

/**
 * What {@link Head#appender()} hands out: borrows a {@link HeadAppender} (with its grown batch arrays and WAL
 * buffer) from the head's pool on the first append and returns it after commit or rollback. A scrape loop takes a
 * new appender per scrape; without the pool each one would regrow every array from 16 entries. The caller's
 * object never reaches another caller, so using it again after commit is safe: it borrows again.
 */
final class PooledAppender implements Appender {
    private final Head head;
    private HeadAppender batch;

    PooledAppender(Head head) {
        this.head = head;
    }

    private HeadAppender batch() {
        HeadAppender b = batch;
        if (b == null) {
            b = head.borrowAppender();
            batch = b;
        }
        return b;
    }

    @Override
    public long append(long ref, Labels labels, long timestampMs, double value) {
        return batch().append(ref, labels, timestampMs, value);
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long timestampMs, Histogram histogram) {
        return batch().appendHistogram(ref, labels, timestampMs, histogram);
    }

    @Override
    public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
        return batch().append(ref, labels, startTimestampMs, timestampMs, value);
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
        return batch().appendHistogram(ref, labels, startTimestampMs, timestampMs, histogram);
    }

    @Override
    public void prefetch(long[] refs, int n) {
        batch().prefetch(refs, n);
    }

    @Override
    public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
        return batch().appendExemplar(ref, series, exemplarLabels, timestampMs, value);
    }

    @Override
    public void commit() throws IOException {
        HeadAppender b = batch;
        if (b == null) {
            return;
        }
        batch = null;
        try {
            b.commit();
        } finally {
            // commit clears the batch whether or not it succeeded.
            head.returnAppender(b);
        }
    }

    @Override
    public void rollback() {
        HeadAppender b = batch;
        if (b != null) {
            batch = null;
            b.rollback();
            head.returnAppender(b);
        }
    }
}
