package dev.sightline.tsdb.exemplar;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.metricstore.ExemplarAppender;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.metricstore.ExemplarStorage;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * In-memory exemplar storage with Prometheus's model: one circular buffer of {@code maxExemplars} slots shared by all
 * series, the newest exemplar overwriting the oldest; each series' exemplars chained oldest to newest through the
 * buffer. An exemplar equal to its series' newest is a duplicate and silently dropped; one not newer than the
 * series' newest is out of order and refused; labels over {@link #MAX_LABEL_CHARS} code points are refused.
 * {@code maxExemplars} 0 disables the store. The store itself is in memory; the head's appender logs exemplars in the
 * WAL with their samples and {@code Tsdb.open} replays them into the store, as Prometheus does. Thread-safe: appends take a write lock per batch, queries a read lock.
 */
public final class ExemplarStore implements ExemplarStorage {
    /** Prometheus's (and OpenMetrics') limit on an exemplar's label names and values together, in UTF-8 characters. */
    public static final int MAX_LABEL_CHARS = 128;
    /** Prometheus's {@code storage.exemplars.max_exemplars} default. */
    public static final int DEFAULT_MAX_EXEMPLARS = 100_000;

    public enum Outcome { ADDED, DUPLICATE, OUT_OF_ORDER, LABELS_TOO_LONG, DISABLED }

    /** A series' chain in the buffer. */
    private static final class SeriesEntry {
        final Labels labels;
        int oldest;
        int newest;

        SeriesEntry(Labels labels, int slot) {
            this.labels = labels;
            this.oldest = slot;
            this.newest = slot;
        }
    }

    private final Exemplar[] slots;
    private final SeriesEntry[] owners;
    /** Next slot of the same series, -1 at its newest. */
    private final int[] next;
    private final Map<Labels, SeriesEntry> index = new HashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private int nextSlot;
    private int stored;
    private long appended, outOfOrder, tooLong, duplicates;

    public ExemplarStore(int maxExemplars) {
        if (maxExemplars < 0) {
            throw new IllegalArgumentException("max_exemplars must not be negative, got " + maxExemplars);
        }
        this.slots = new Exemplar[maxExemplars];
        this.owners = new SeriesEntry[maxExemplars];
        this.next = new int[maxExemplars];
    }

    public int maxExemplars() {
        return slots.length;
    }

    @Override
    public boolean enabled() {
        return slots.length > 0;
    }

    /** Adds one exemplar of {@code series}. */
    public Outcome add(Labels series, Labels labels, double value, long timestampMs) {
        lock.writeLock().lock();
        try {
            return addLocked(series, labels, value, timestampMs);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Batch appender() {
        return new Batch();
    }

    /** Exemplars collected by one request; {@link #commit()} adds them under one lock. Used by one thread. */
    public final class Batch implements ExemplarAppender {
        private final List<Labels> series = new ArrayList<>();
        private final List<Exemplar> exemplars = new ArrayList<>();

        private Batch() {
        }

        @Override
        public void add(Labels seriesLabels, Labels labels, double value, long timestampMs) {
            if (slots.length == 0) {
                return;
            }
            series.add(seriesLabels);
            exemplars.add(new Exemplar(labels, value, timestampMs));
        }

        /** Adds the collected exemplars to the store and forgets them; returns how many were stored. */
        @Override
        public int commit() {
            if (exemplars.isEmpty()) {
                return 0;
            }
            int added = 0;
            lock.writeLock().lock();
            try {
                for (int i = 0; i < exemplars.size(); i++) {
                    Exemplar e = exemplars.get(i);
                    if (addLocked(series.get(i), e.labels(), e.value(), e.timestampMs()) == Outcome.ADDED) {
                        added++;
                    }
                }
            } finally {
                lock.writeLock().unlock();
            }
            rollback();
            return added;
        }

        @Override
        public void rollback() {
            series.clear();
            exemplars.clear();
        }
    }

    private Outcome addLocked(Labels series, Labels labels, double value, long ts) {
        if (slots.length == 0) {
            return Outcome.DISABLED;
        }
        if (labelChars(labels) > MAX_LABEL_CHARS) {
            tooLong++;
            return Outcome.LABELS_TOO_LONG;
        }
        SeriesEntry entry = index.get(series);
        if (entry != null) {
            Exemplar newest = slots[entry.newest];
            if (newest.sameAs(labels, value, ts)) {
                duplicates++;
                return Outcome.DUPLICATE;
            }
            if (ts <= newest.timestampMs()) {
                outOfOrder++;
                return Outcome.OUT_OF_ORDER;
            }
        }
        int slot = nextSlot;
        evict(slot);
        slots[slot] = new Exemplar(labels, value, ts);
        next[slot] = -1;
        // The eviction may have taken the series' only exemplar, and with it the series' entry.
        if (entry != null && index.get(series) == entry) {
            next[entry.newest] = slot;
            entry.newest = slot;
        } else {
            entry = new SeriesEntry(series, slot);
            index.put(series, entry);
        }
        owners[slot] = entry;
        nextSlot = slot + 1 == slots.length ? 0 : slot + 1;
        stored = Math.min(stored + 1, slots.length);
        appended++;
        return Outcome.ADDED;
    }

    /** Frees a slot before it is overwritten: it always holds the oldest exemplar overall, so its series' oldest. */
    private void evict(int slot) {
        SeriesEntry owner = owners[slot];
        if (owner == null) {
            return;
        }
        if (next[slot] == -1) {
            index.remove(owner.labels);
        } else {
            owner.oldest = next[slot];
        }
        owners[slot] = null;
        slots[slot] = null;
    }

    /** Receives one stored exemplar and its series' labels. */
    @FunctionalInterface
    public interface Visitor<E extends Exception> {
        void visit(Labels series, Exemplar exemplar) throws E;
    }

    /**
     * Hands every stored exemplar to {@code visitor}, oldest first across all series: adding them again in this
     * order to an empty store of the same size rebuilds this one. Holds the read lock meanwhile.
     */
    public <E extends Exception> void forEachOldestFirst(Visitor<E> visitor) throws E {
        lock.readLock().lock();
        try {
            for (int i = 0; i < slots.length; i++) {
                int slot = (nextSlot + i) % slots.length;
                if (slots[slot] != null) {
                    visitor.visit(owners[slot].labels, slots[slot]);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Code points of all label names and values, as Prometheus counts runes. */
    static int labelChars(Labels labels) {
        int n = 0;
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i), value = labels.value(i);
            n += name.codePointCount(0, name.length()) + value.codePointCount(0, value.length());
        }
        return n;
    }

    @Override
    public List<ExemplarSeries> select(long startMs, long endMs, List<List<LabelMatcher>> matcherSets) {
        List<ExemplarSeries> out = new ArrayList<>();
        lock.readLock().lock();
        try {
            for (SeriesEntry e : index.values()) {
                if (!matchesAny(e.labels, matcherSets)) {
                    continue;
                }
                List<Exemplar> found = new ArrayList<>();
                for (int s = e.oldest; s != -1; s = next[s]) {
                    long ts = slots[s].timestampMs();
                    if (ts > endMs) {
                        break;
                    }
                    if (ts >= startMs) {
                        found.add(slots[s]);
                    }
                }
                if (!found.isEmpty()) {
                    out.add(new ExemplarSeries(e.labels, found));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        out.sort((a, b) -> a.seriesLabels().compareTo(b.seriesLabels()));
        return out;
    }

    private static boolean matchesAny(Labels labels, List<List<LabelMatcher>> matcherSets) {
        for (List<LabelMatcher> set : matcherSets) {
            boolean all = true;
            for (LabelMatcher m : set) {
                if (!m.matches(labels.get(m.name()))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** Registers {@code sightline_tsdb_exemplar_*} metrics, named after Prometheus's prometheus_tsdb_exemplar_*. */
    public void registerMetrics(PrometheusRegistry registry) {
        CounterWithCallback.builder().name("sightline_tsdb_exemplar_exemplars_appended_total")
                .help("Exemplars added to the exemplar store.")
                .callback(cb -> cb.call(read(() -> appended))).register(registry);
        CounterWithCallback.builder().name("sightline_tsdb_exemplar_rejected_total")
                .help("Exemplars not added, by reason: out_of_order, labels_too_long, duplicate.").labelNames("reason")
                .callback(cb -> {
                    cb.call(read(() -> outOfOrder), "out_of_order");
                    cb.call(read(() -> tooLong), "labels_too_long");
                    cb.call(read(() -> duplicates), "duplicate");
                }).register(registry);
        GaugeWithCallback.builder().name("sightline_tsdb_exemplar_exemplars_in_storage")
                .help("Exemplars held in the exemplar store.")
                .callback(cb -> cb.call(read(() -> stored))).register(registry);
        GaugeWithCallback.builder().name("sightline_tsdb_exemplar_series_with_exemplars_in_storage")
                .help("Series with at least one exemplar in the exemplar store.")
                .callback(cb -> cb.call(read(() -> index.size()))).register(registry);
        GaugeWithCallback.builder().name("sightline_tsdb_exemplar_max_exemplars")
                .help("Capacity of the exemplar store (storage.exemplars.max_exemplars).")
                .callback(cb -> cb.call(slots.length)).register(registry);
    }

    private long read(java.util.function.LongSupplier s) {
        lock.readLock().lock();
        try {
            return s.getAsLong();
        } finally {
            lock.readLock().unlock();
        }
    }
}
