package dev.sightline.ingest.scrape;

import dev.sightline.core.Labels;
import dev.sightline.core.text.PromDurations;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns discovered targets into scrape targets as Prometheus's populateLabels does. */
final class TargetBuilder {
    private TargetBuilder() {
    }

    /** A target, or a dropped one (target null) with its discovered labels, or an error for an unusable target. */
    record Result(Labels discoveredLabels, Target target, String error) {
    }

    static Result build(ScrapeConfig cfg, Map<String, String> targetLabels, Map<String, String> groupLabels) {
        TreeMap<String, String> m = new TreeMap<>();
        groupLabels.forEach((k, v) -> put(m, k, v));
        targetLabels.forEach((k, v) -> put(m, k, v));
        putIfAbsent(m, "job", cfg.jobName());
        putIfAbsent(m, "__scrape_interval__", PromDurations.format(cfg.scrapeInterval().toMillis()));
        putIfAbsent(m, "__scrape_timeout__", PromDurations.format(cfg.scrapeTimeout().toMillis()));
        putIfAbsent(m, "__metrics_path__", cfg.metricsPath());
        putIfAbsent(m, "__scheme__", cfg.scheme());
        for (Map.Entry<String, List<String>> p : cfg.params().entrySet()) {
            if (!p.getValue().isEmpty()) {
                putIfAbsent(m, "__param_" + p.getKey(), p.getValue().get(0));
            }
        }
        Labels discovered = Labels.fromMap(m);
        if (!Relabeler.apply(m, cfg.relabelConfigs())) {
            return new Result(discovered, null, null);
        }
        String addr = m.get("__address__");
        if (addr == null || addr.isEmpty()) {
            return new Result(discovered, null, "no address");
        }
        if (addr.contains("/")) {
            return new Result(discovered, null, "invalid address \"" + addr + "\": contains a slash");
        }
        addr = withPort(addr, m.get("__scheme__"));
        m.put("__address__", addr);
        for (String l : new String[] {"__scrape_interval__", "__scrape_timeout__"}) {
            try {
                if (PromDurations.parseMillis(m.getOrDefault(l, "")) == 0 && l.equals("__scrape_interval__")) {
                    return new Result(discovered, null, "scrape interval cannot be 0");
                }
            } catch (IllegalArgumentException e) {
                return new Result(discovered, null, "error parsing " + l.replace("_", " ").trim() + ": " + e.getMessage());
            }
        }
        if (PromDurations.parseMillis(m.get("__scrape_timeout__")) > PromDurations.parseMillis(m.get("__scrape_interval__"))) {
            return new Result(discovered, null, "scrape timeout cannot be greater than scrape interval");
        }
        m.keySet().removeIf(k -> k.startsWith("__meta_"));
        m.putIfAbsent("instance", addr);
        return new Result(discovered, new Target(cfg.jobName(), discovered, Labels.fromMap(m), cfg.params()), null);
    }

    private static void put(TreeMap<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    private static void putIfAbsent(TreeMap<String, String> m, String k, String v) {
        if (!m.containsKey(k)) {
            put(m, k, v);
        }
    }

    /** Prometheus 2.x adds the scheme's default port to an address without one (it becomes the instance label). */
    static String withPort(String addr, String scheme) {
        boolean hasPort;
        if (addr.startsWith("[")) {
            hasPort = addr.lastIndexOf("]:") > 0;
        } else {
            int c = addr.indexOf(':');
            hasPort = c >= 0 && c == addr.lastIndexOf(':');
        }
        if (hasPort) {
            return addr;
        }
        return addr + ("https".equals(scheme) ? ":443" : ":80");
    }
}
