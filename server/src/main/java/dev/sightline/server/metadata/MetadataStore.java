package dev.sightline.server.metadata;

import dev.sightline.ingest.MetricType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metric family → the distinct (type, help, unit) seen for it, as Prometheus's /api/v1/metadata lists them (one
 * family may be described differently by two targets). Fed by every ingest path through
 * {@code IngestContext.metadata}; kept in memory only, like Prometheus's scrape-cache metadata. Lives in the server,
 * not in ingest: ingest only decodes, and this is state that the query API reads.
 *
 * <p>Bounded: at most {@code maxFamilies} families (new families beyond that are dropped and counted) and
 * {@code maxPerFamily} descriptions per family (the oldest gives way, so a changed help text shows up).
 */
public final class MetadataStore {
    /** One description of a metric family; type in Prometheus's lower-case spelling. */
    public record Entry(String type, String help, String unit) {
    }

    public static final int DEFAULT_MAX_FAMILIES = 20_000;
    public static final int DEFAULT_MAX_PER_FAMILY = 10;

    private final int maxFamilies;
    private final int maxPerFamily;
    private final ConcurrentHashMap<String, List<Entry>> families = new ConcurrentHashMap<>();
    private volatile long droppedFamilies;

    public MetadataStore(int maxFamilies, int maxPerFamily) {
        if (maxFamilies <= 0 || maxPerFamily <= 0) {
            throw new IllegalArgumentException("maxFamilies and maxPerFamily must be > 0, got " + maxFamilies + ", " + maxPerFamily);
        }
        this.maxFamilies = maxFamilies;
        this.maxPerFamily = maxPerFamily;
    }

    public MetadataStore() {
        this(DEFAULT_MAX_FAMILIES, DEFAULT_MAX_PER_FAMILY);
    }

    /** Records a description; null help or unit count as empty. An empty family name is ignored. */
    public void put(String family, MetricType type, String help, String unit) {
        if (family == null || family.isEmpty()) {
            return;
        }
        Entry e = new Entry((type == null ? MetricType.UNKNOWN : type).name().toLowerCase(Locale.ROOT),
                help == null ? "" : help, unit == null ? "" : unit);
        List<Entry> list = families.get(family);
        if (list == null) {
            // The size check races with other new families by at most a few; the bound stays approximate by that few.
            if (families.size() >= maxFamilies) {
                synchronized (this) {
                    droppedFamilies++;
                }
                return;
            }
            list = families.computeIfAbsent(family, f -> new ArrayList<>(1));
        }
        synchronized (list) {
            int i = list.indexOf(e);
            if (i == list.size() - 1 && i >= 0) {
                return;
            }
            if (i >= 0) {
                list.remove(i);
            } else if (list.size() >= maxPerFamily) {
                list.remove(0);
            }
            list.add(e);
        }
    }

    /**
     * Families in name order with their descriptions, as /api/v1/metadata answers: only {@code metric} when it is
     * non-empty, at most {@code limit} families (negative = all; 0 = none, as Prometheus) and {@code limitPerMetric}
     * descriptions each (0 or negative = all).
     */
    public Map<String, List<Entry>> query(String metric, int limit, int limitPerMetric) {
        Map<String, List<Entry>> out = new LinkedHashMap<>();
        Map<String, List<Entry>> source;
        if (metric != null && !metric.isEmpty()) {
            List<Entry> l = families.get(metric);
            source = l == null ? Map.of() : Map.of(metric, l);
        } else {
            source = new TreeMap<>(families);
        }
        for (Map.Entry<String, List<Entry>> f : source.entrySet()) {
            if (limit >= 0 && out.size() >= limit) {
                break;
            }
            List<Entry> copy;
            synchronized (f.getValue()) {
                copy = new ArrayList<>(f.getValue());
            }
            if (limitPerMetric > 0 && copy.size() > limitPerMetric) {
                copy = copy.subList(0, limitPerMetric);
            }
            out.put(f.getKey(), List.copyOf(copy));
        }
        return out;
    }

    public int families() {
        return families.size();
    }

    /** Descriptions of new families refused because the store was full. */
    public long droppedFamilies() {
        return droppedFamilies;
    }
}
