package dev.sightline.server.ingest;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.ExemplarAppender;

import java.io.IOException;

/**
 * One request's (or scrape's) writes, the appender the decoders write into: samples go to the storage appender behind
 * the shared ingest guards (a new series passes the series-per-metric limit first), exemplars are logged with them (so
 * they are replayed after a restart) and held back from the in-memory store until the samples are committed, so a
 * commit that fails leaves neither stored. Used by one thread.
 */
public final class IngestBatch implements Appender {
    private final IngestGuards guards;
    private final Appender appender;
    private final ExemplarAppender exemplars;
    private final String protocol;
    private int exemplarsWritten;
    /** Samples appended since the last commit or rollback, for the tenant's ingestion rate. */
    private long samples;

    IngestBatch(IngestGuards guards, Appender appender, ExemplarAppender exemplars, String protocol) {
        this.guards = guards;
        this.appender = appender;
        this.exemplars = exemplars;
        this.protocol = protocol;
    }

    @Override
    public void prefetch(long[] refs, int n) {
        appender.prefetch(refs, n);
    }

    @Override
    public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
        if (ref == 0) {
            guards.admit(labels, protocol);
        }
        long r = appender.append(ref, labels, startTimestampMs, timestampMs, value);
        samples++;
        return r;
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
        if (ref == 0) {
            guards.admit(labels, protocol);
        }
        long r = appender.appendHistogram(ref, labels, startTimestampMs, timestampMs, histogram);
        samples++;
        return r;
    }

    /**
     * Logged with the samples, so the commit's acknowledgement covers it; one of a series storage does not know is
     * dropped, and with the store disabled ({@code max_exemplars: 0}) none is logged.
     */
    @Override
    public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
        if (guards.exemplars().enabled()
                && appender.appendExemplar(ref, series, exemplarLabels, timestampMs, value)) {
            exemplars.add(series, exemplarLabels, value, timestampMs);
            return true;
        }
        return false;
    }

    /**
     * Commits the samples, then stores the exemplars. The appender may refuse the whole batch at commit with a
     * {@link dev.sightline.core.ValidationException} (TOO_OLD_SAMPLE when head persistence raced it): then nothing,
     * exemplars included, is stored and the exception passes on. A tenant over its ingestion rate gets the quota's
     * exception before anything is committed, and the batch is rolled back.
     */
    @Override
    public void commit() throws IOException {
        long n = samples;
        samples = 0;
        try {
            guards.admitSamples(n, protocol);
        } catch (RuntimeException e) {
            rollback();
            throw e;
        }
        try {
            appender.commit();
        } catch (IOException | RuntimeException e) {
            exemplars.rollback();
            throw e;
        }
        exemplarsWritten = exemplars.commit();
    }

    @Override
    public void rollback() {
        samples = 0;
        exemplars.rollback();
        appender.rollback();
    }

    /** Exemplars stored by {@link #commit()} (duplicates, out-of-order and over-long ones are not). */
    public int exemplarsWritten() {
        return exemplarsWritten;
    }
}
