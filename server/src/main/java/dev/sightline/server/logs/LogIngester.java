package dev.sightline.server.logs;

import dev.sightline.core.Deadline;
import dev.sightline.ingest.logs.LogBatch;
import dev.sightline.ingest.logs.LogLimits;
import dev.sightline.ingest.logs.LogResult;
import dev.sightline.ingest.logs.LogSink;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogAppenders;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogStore;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.tenants.Tenant;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every log endpoint (OTLP, Loki push, NDJSON) shares: one store appender per request, the decoder writing
 * through a {@link LogBatch} (Loki's completions and per-entry limits) into it, and a commit before the answer, so an
 * acknowledged line is stored. A decoder that fails rolls the request back: nothing of a malformed body is kept.
 * After each commit the committed entries go to the listeners (live tail, the pattern miner). Runs on a worker thread.
 */
public final class LogIngester {
    private static final Logger LOG = Logger.getLogger(LogIngester.class.getName());
    /** Refusal messages kept for one answer. */
    private static final int MAX_REPORTED_ERRORS = 10;

    /** A decoder run over one request body, handing its lines to the sink; lines without a time get {@code nowNanos}. */
    @FunctionalInterface
    public interface Decoding<E extends Exception> {
        void decode(LogSink sink, long nowNanos) throws E;
    }

    private final Supplier<? extends LogStore> store;
    private final LogLimits limits;
    private final LogIngestMetrics metrics;
    private final LongSupplier nowNanos;
    private final List<Consumer<List<LogEntry>>> listeners = new CopyOnWriteArrayList<>();

    /** {@code store} yields null while the log store is not open (answered as retryable). */
    public LogIngester(Supplier<? extends LogStore> store, LogLimits limits, LogIngestMetrics metrics) {
        this(store, limits, metrics, LogIngester::wallClockNanos);
    }

    /** As above with the clock the age limits and missing times read (tests). */
    public LogIngester(Supplier<? extends LogStore> store, LogLimits limits, LogIngestMetrics metrics, LongSupplier nowNanos) {
        this.store = store;
        this.limits = limits;
        this.metrics = metrics;
        this.nowNanos = nowNanos;
    }

    private static long wallClockNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public LogIngestMetrics metrics() {
        return metrics;
    }

    /**
     * Adds a listener that gets the entries of each commit (as stored: stream and metadata completed), in append order,
     * on the ingest thread right after the commit and before the client's answer: it must be quick and must not
     * block. A listener that throws is logged and never fails the ingest.
     */
    public void addListener(Consumer<List<LogEntry>> l) {
        listeners.add(l);
    }

    public <E extends Exception> LogResult ingest(Decoding<E> decoding) throws E, StorageUnavailableException {
        return ingest(null, decoding);
    }

    /**
     * As above, into {@code tenant}'s share of the store (null: the store as it is), each line held to the tenant's
     * line and label limits, the request to its ingestion rate (a {@link dev.sightline.server.tenants.TenantException}
     * with nothing stored when over). The listeners get the entries as stored: a tenant's with the tenant label
     * ({@code TenantScope.LABEL}), so each listener can keep tenants apart.
     */
    public <E extends Exception> LogResult ingest(Tenant tenant, Decoding<E> decoding)
            throws E, StorageUnavailableException {
        LogStore s = store.get();
        if (s == null) {
            throw new StorageUnavailableException("the log store is not open", null);
        }
        // Entries are kept for the listeners only when there are any, as the tenant's share hands them to the store.
        List<LogEntry> committed = listeners.isEmpty() ? null : new ArrayList<>();
        LogStore under = committed == null ? s : recording(s, committed);
        LogAppender appender = (tenant == null ? under : tenant.logs(under)).appender();
        long now = nowNanos.getAsLong();
        LogBatch batch = new LogBatch(tenant == null ? limits : tenant.logLimits(limits), now, MAX_REPORTED_ERRORS,
                appender::append);
        LogResult result;
        try {
            decoding.decode(batch, now);
            result = batch.result();
            if (tenant != null) {
                tenant.admitLogs(result);
            }
        } catch (Exception e) {
            appender.rollback();
            throw e;
        }
        try {
            appender.commit();
        } catch (IOException e) {
            throw new StorageUnavailableException("log store commit failed, nothing was stored: " + e.getMessage(), e);
        }
        if (committed != null && !committed.isEmpty()) {
            notify(Collections.unmodifiableList(committed));
        }
        return result;
    }

    /** {@code store} whose appenders also add each line, as stored, to {@code committed}. */
    private static LogStore recording(LogStore store, List<LogEntry> committed) {
        return new LogStore() {
            @Override
            public LogAppender appender() {
                LogAppender inner = store.appender();
                return LogAppenders.around(inner, (stream, t, line, metadata) -> {
                    inner.append(stream, t, line, metadata);
                    committed.add(new LogEntry(t, stream, metadata, line));
                });
            }

            @Override
            public LogQuerier querier() {
                return store.querier();
            }

            @Override
            public LogQuerier querier(Deadline deadline) {
                return store.querier(deadline);
            }

            @Override
            public void close() {
                // Lives for one request; the store outlives it.
            }
        };
    }

    private void notify(List<LogEntry> entries) {
        for (Consumer<List<LogEntry>> l : listeners) {
            try {
                l.accept(entries);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.log(Level.WARNING, "log listener " + l + " failed; the ingest went on", e);
            }
        }
    }
}
