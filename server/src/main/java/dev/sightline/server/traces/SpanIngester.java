package dev.sightline.server.traces;

import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.ingest.spans.SpanSink;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanStore;

import java.io.IOException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What every span endpoint (OTLP/gRPC, OTLP/HTTP, Zipkin) shares: one store appender per request, the decoder
 * writing into it, and a commit before the answer, so an acknowledged span is stored (durably, per the store's
 * policy). A decoder that fails rolls the request back: nothing of a malformed body is kept. Runs on a worker thread.
 */
public final class SpanIngester {
    /** A decoder run over one request body, handing its accepted spans to the sink. */
    @FunctionalInterface
    public interface Decoding<E extends Exception> {
        SpanResult decode(SpanSink sink) throws E;
    }

    private final Supplier<? extends SpanStore> store;
    private final UnaryOperator<SpanAppender> consumers;
    private final SpanIngestMetrics metrics;

    /**
     * {@code store} yields null while the span store is not open (answered as retryable). {@code consumers} wraps
     * each request's store appender with what else takes the committed spans (span metrics, the service graph).
     */
    public SpanIngester(Supplier<? extends SpanStore> store, UnaryOperator<SpanAppender> consumers,
                        SpanIngestMetrics metrics) {
        this.store = store;
        this.consumers = consumers;
        this.metrics = metrics;
    }

    public SpanIngestMetrics metrics() {
        return metrics;
    }

    public <E extends Exception> SpanResult ingest(Decoding<E> decoding) throws E, StorageUnavailableException {
        return ingest(null, 0, decoding);
    }

    /**
     * As above, into {@code tenant}'s share of the store (null: the store as it is), the request of
     * {@code requestBytes} (its decompressed body) held to the tenant's span limits: over one, a
     * {@link dev.sightline.server.tenants.TenantException} and nothing stored. The consumers get the spans as stored:
     * a tenant's with the tenant attribute on their resource, so each consumer can keep tenants apart.
     */
    public <E extends Exception> SpanResult ingest(Tenant tenant, long requestBytes, Decoding<E> decoding)
            throws E, StorageUnavailableException {
        SpanStore s = store.get();
        if (s == null) {
            throw new StorageUnavailableException("the span store is not open", null);
        }
        // The one place accepted spans leave the ingest path, for every protocol: under the share, as stored.
        SpanAppender appender = (tenant == null ? consumed(s) : tenant.spans(consumed(s))).appender();
        Tenant.SpanQuota quota = tenant == null ? null : tenant.spanQuota();
        SpanResult result;
        try {
            if (quota == null) {
                result = decoding.decode(appender::append);
            } else {
                result = decoding.decode((resource, scope, span) -> {
                    quota.add(span);
                    appender.append(resource, scope, span);
                });
                quota.admit(requestBytes);
            }
        } catch (Exception e) {
            appender.rollback();
            throw e;
        }
        try {
            appender.commit();
        } catch (IOException e) {
            throw new StorageUnavailableException("span store commit failed, nothing was stored: " + e.getMessage(), e);
        }
        return result;
    }

    /** {@code store} whose appenders hand what they store to the consumers too. */
    private SpanStore consumed(SpanStore store) {
        return new SpanStore() {
            @Override
            public SpanAppender appender() {
                return consumers.apply(store.appender());
            }

            @Override
            public SpanQuerier querier() {
                return store.querier();
            }

            @Override
            public void close() {
                // Lives for one request; the store outlives it.
            }
        };
    }
}
