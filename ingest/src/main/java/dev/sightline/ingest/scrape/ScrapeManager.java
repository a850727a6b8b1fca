package dev.sightline.ingest.scrape;

import dev.sightline.core.Labels;

import java.io.IOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs one scrape pool per job. {@link #apply} swaps in a new configuration: unchanged jobs keep running untouched,
 * changed ones continue their surviving targets' loops (no stale markers, no gap), removed jobs and targets get
 * their series marked stale.
 */
public final class ScrapeManager implements AutoCloseable {
    private final Function<ScrapeConfig, ScrapeStorage> storages;
    private final long jitterSeed;
    private Map<String, ScrapePool> pools = new LinkedHashMap<>();

    /** {@code jitterSeed} spreads start offsets differently per instance (Prometheus hashes external labels and host). */
    public ScrapeManager(ScrapeStorage storage, long jitterSeed) {
        this(c -> storage, jitterSeed);
    }

    /** Each job writes where {@code storages} says for its configuration (its {@link ScrapeConfig#tenant()}). */
    public ScrapeManager(Function<ScrapeConfig, ScrapeStorage> storages, long jitterSeed) {
        this.storages = storages;
        this.jitterSeed = jitterSeed;
    }

    /**
     * Applies job configurations whose interval and timeout are already set ({@link ScrapeConfig#withDefaults}).
     * Validates everything first (duplicate job names, TLS files), so a failure leaves the running jobs untouched.
     */
    public synchronized void apply(List<ScrapeConfig> configs) throws IOException {
        Set<String> names = new HashSet<>();
        Map<String, HttpClient> clients = new LinkedHashMap<>();
        for (ScrapeConfig c : configs) {
            if (c.scrapeInterval() == null || c.scrapeTimeout() == null) {
                throw new IllegalArgumentException("job " + c.jobName() + ": interval and timeout must be resolved");
            }
            if (!names.add(c.jobName())) {
                throw new IllegalArgumentException("found multiple scrape configs with job name \"" + c.jobName() + "\"");
            }
            ScrapePool old = pools.get(c.jobName());
            if (old == null || !old.config().equals(c)) {
                try {
                    clients.put(c.jobName(), HttpClients.forConfig(c));
                } catch (IOException e) {
                    throw new IOException("job \"" + c.jobName() + "\": " + e.getMessage(), e);
                }
            }
        }
        Map<String, ScrapePool> next = new LinkedHashMap<>();
        for (ScrapeConfig c : configs) {
            ScrapePool old = pools.get(c.jobName());
            if (old != null && old.config().equals(c)) {
                next.put(c.jobName(), old);
                continue;
            }
            if (old != null && !Objects.equals(old.config().tenant(), c.tenant())) {
                // Moved to another tenant: its series are marked stale in the old one, and nothing is handed over.
                old.close();
                old = null;
            }
            ScrapePool pool = new ScrapePool(c, clients.get(c.jobName()), storages.apply(c), jitterSeed);
            if (old != null) {
                old.stopDiscovery();
            }
            pool.start(old);
            if (old != null) {
                old.releaseClient(); // its loops were taken over or stopped by start
            }
            next.put(c.jobName(), pool);
        }
        for (Map.Entry<String, ScrapePool> e : pools.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                e.getValue().close();
            }
        }
        pools = next;
    }

    /** Active targets of every job, in configuration order. */
    public synchronized List<Target> activeTargets() {
        List<Target> out = new ArrayList<>();
        pools.values().forEach(p -> out.addAll(p.activeTargets()));
        return out;
    }

    /** Discovered labels of targets relabeling dropped, by job. */
    public synchronized Map<String, List<Labels>> droppedTargets() {
        Map<String, List<Labels>> out = new LinkedHashMap<>();
        pools.forEach((k, p) -> out.put(k, p.droppedTargets()));
        return out;
    }

    public synchronized List<ScrapeConfig> configs() {
        return pools.values().stream().map(ScrapePool::config).toList();
    }

    /** Stops every job; all scraped series are marked stale. */
    @Override
    public synchronized void close() {
        pools.values().forEach(ScrapePool::close);
        pools = new LinkedHashMap<>();
    }
}
