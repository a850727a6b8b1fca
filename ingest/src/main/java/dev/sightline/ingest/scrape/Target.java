package dev.sightline.ingest.scrape;

import dev.sightline.core.Labels;
import dev.sightline.core.text.PromDurations;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A target after relabeling: its discovered (pre-relabel) labels, its full label set with the {@code __}-prefixed
 * ones that steer the scrape, and the scrape health the loop updates. Identity (equals/hashCode) is the final
 * public labels and URL, so a target rediscovered unchanged keeps its loop.
 */
public final class Target {
    public enum Health {
        UNKNOWN("unknown"), UP("up"), DOWN("down");

        private final String text;

        Health(String text) {
            this.text = text;
        }

        /** As Prometheus's API writes it. */
        public String text() {
            return text;
        }
    }

    private final String scrapePool;
    private final Labels discoveredLabels;
    private final Labels allLabels;
    private final Labels labels;
    private final String url;
    private final Duration interval;
    private final Duration timeout;

    private volatile Health health = Health.UNKNOWN;
    private volatile String lastError = "";
    private volatile Instant lastScrape;
    private volatile double lastScrapeDurationSeconds;

    Target(String scrapePool, Labels discoveredLabels, Labels allLabels, Map<String, List<String>> params) {
        this.scrapePool = scrapePool;
        this.discoveredLabels = discoveredLabels;
        this.allLabels = allLabels;
        Labels.Builder b = Labels.builder();
        allLabels.forEach((n, v) -> {
            if (!n.startsWith("__")) {
                b.set(n, v);
            }
        });
        this.labels = b.build();
        this.url = buildUrl(allLabels, params);
        this.interval = Duration.ofMillis(parseDurationLabel(allLabels, "__scrape_interval__"));
        this.timeout = Duration.ofMillis(parseDurationLabel(allLabels, "__scrape_timeout__"));
    }

    private static String buildUrl(Labels all, Map<String, List<String>> configParams) {
        TreeMap<String, List<String>> params = new TreeMap<>();
        configParams.forEach((k, v) -> params.put(k, new ArrayList<>(v)));
        all.forEach((n, v) -> {
            if (n.startsWith("__param_")) {
                List<String> vs = params.computeIfAbsent(n.substring("__param_".length()), k -> new ArrayList<>());
                if (vs.isEmpty()) {
                    vs.add(v);
                } else {
                    vs.set(0, v);
                }
            }
        });
        StringBuilder sb = new StringBuilder();
        sb.append(all.get("__scheme__")).append("://").append(all.get("__address__")).append(all.get("__metrics_path__"));
        char sep = '?';
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            for (String v : e.getValue()) {
                sb.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return sb.toString();
    }

    static long parseDurationLabel(Labels all, String name) {
        String v = all.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing label " + name);
        }
        return PromDurations.parseMillis(v);
    }

    public String scrapePool() {
        return scrapePool;
    }

    public Labels discoveredLabels() {
        return discoveredLabels;
    }

    /** The labels attached to scraped samples (no {@code __} labels). */
    public Labels labels() {
        return labels;
    }

    /** All labels after relabeling, {@code __address__}, {@code __scheme__} etc. included. */
    public Labels allLabels() {
        return allLabels;
    }

    public String url() {
        return url;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public Health health() {
        return health;
    }

    public String lastError() {
        return lastError;
    }

    /** Start of the last scrape, null before the first. */
    public Instant lastScrape() {
        return lastScrape;
    }

    public double lastScrapeDurationSeconds() {
        return lastScrapeDurationSeconds;
    }

    void report(Instant start, double durationSeconds, String error) {
        lastScrape = start;
        lastScrapeDurationSeconds = durationSeconds;
        lastError = error == null ? "" : error;
        health = error == null ? Health.UP : Health.DOWN;
    }

    /** Copies health from the loop this target replaces at a reload, so the API does not flicker to "unknown". */
    void inheritHealth(Target previous) {
        health = previous.health;
        lastError = previous.lastError;
        lastScrape = previous.lastScrape;
        lastScrapeDurationSeconds = previous.lastScrapeDurationSeconds;
    }

    /** FNV-1a over labels and URL: a stable per-target number that spreads scrape start times. */
    long hash() {
        long h = 0xcbf29ce484222325L;
        String s = allLabels.toString() + url;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** As Prometheus's target hash: public labels and URL, so a new interval or timeout keeps the target (and its loop state). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && t.labels.equals(labels) && t.url.equals(url) && t.scrapePool.equals(scrapePool);
    }

    @Override
    public int hashCode() {
        return labels.hashCode() * 31 + url.hashCode();
    }

    @Override
    public String toString() {
        return scrapePool + " " + url;
    }
}
