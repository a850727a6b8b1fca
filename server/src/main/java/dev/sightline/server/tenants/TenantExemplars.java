package dev.sightline.server.tenants;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.metricstore.ExemplarAppender;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.metricstore.ExemplarStorage;
import dev.sightline.metricstore.TenantView;
import dev.sightline.tsdb.exemplar.ExemplarStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One tenant's exemplars: a circular buffer of its own ({@code max_global_exemplars_per_user} slots, as Mimir keeps
 * one per tenant), so another tenant's exemplars can never evict its. The buffer is made on the tenant's first
 * exemplar. Reads also see the tenant's share of the shared store, which holds what the WAL replayed at start (the
 * tsdb replays every exemplar there, tagged with its tenant). With a retention (the tenant's
 * {@code compactor_blocks_retention_period}), reads start no earlier than now minus it. Thread-safe.
 */
final class TenantExemplars implements ExemplarStorage {
    private final String tenant;
    private final int capacity;
    /** The tenant's view of the shared store: the replayed exemplars. */
    private final ExemplarStorage replayed;
    /** 0: none. */
    private final long retentionMs;
    private final LongSupplier wallMs;
    private volatile ExemplarStorage own;
    /** The buffer under {@link #own}: the tenant's exemplars tagged with its label. */
    private volatile ExemplarStore ownStore;

    TenantExemplars(ExemplarStorage shared, String tenant, int capacity, long retentionMs, LongSupplier wallMs) {
        this.tenant = tenant;
        this.capacity = capacity;
        this.replayed = TenantView.exemplars(shared, tenant);
        this.retentionMs = retentionMs;
        this.wallMs = wallMs;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    private ExemplarStorage own() {
        ExemplarStorage o = own;
        if (o == null) {
            synchronized (this) {
                o = own;
                if (o == null) {
                    ownStore = new ExemplarStore(capacity);
                    o = TenantView.exemplars(ownStore, tenant);
                    own = o;
                }
            }
        }
        return o;
    }

    @Override
    public ExemplarAppender appender() {
        // Most batches carry no exemplar: the buffer is made, and its appender taken, on the first one.
        return new ExemplarAppender() {
            private ExemplarAppender inner;

            @Override
            public void add(Labels seriesLabels, Labels labels, double value, long timestampMs) {
                if (inner == null) {
                    inner = own().appender();
                }
                inner.add(seriesLabels, labels, value, timestampMs);
            }

            @Override
            public int commit() {
                return inner == null ? 0 : inner.commit();
            }

            @Override
            public void rollback() {
                if (inner != null) {
                    inner.rollback();
                }
            }
        };
    }

    /** Hands the tenant's own exemplars, tagged with its label, to {@code visitor}, oldest first. */
    void forEachOldestFirst(ExemplarStore.Visitor<RuntimeException> visitor) {
        ExemplarStore s = ownStore;
        if (s != null) {
            s.forEachOldestFirst(visitor);
        }
    }

    @Override
    public List<ExemplarSeries> select(long from, long endMs, List<List<LabelMatcher>> matcherSets) {
        long startMs = retentionMs > 0 ? Math.max(from, wallMs.getAsLong() - retentionMs) : from;
        if (startMs > endMs) {
            return List.of();
        }
        List<ExemplarSeries> old = replayed.select(startMs, endMs, matcherSets);
        ExemplarStorage o = own;
        List<ExemplarSeries> recent = o == null ? List.of() : o.select(startMs, endMs, matcherSets);
        if (old.isEmpty()) {
            return recent;
        }
        if (recent.isEmpty()) {
            return old;
        }
        // Both sorted by series labels: merge, joining a series found in both (replayed exemplars are the older).
        List<ExemplarSeries> out = new ArrayList<>(old.size() + recent.size());
        int i = 0;
        int j = 0;
        while (i < old.size() || j < recent.size()) {
            int c = i == old.size() ? 1 : j == recent.size() ? -1
                    : old.get(i).seriesLabels().compareTo(recent.get(j).seriesLabels());
            if (c < 0) {
                out.add(old.get(i++));
            } else if (c > 0) {
                out.add(recent.get(j++));
            } else {
                List<Exemplar> both = new ArrayList<>(old.get(i).exemplars());
                both.addAll(recent.get(j).exemplars());
                both.sort(Comparator.comparingLong(Exemplar::timestampMs));
                out.add(new ExemplarSeries(old.get(i++).seriesLabels(), both));
                j++;
            }
        }
        return out;
    }
}
