package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.core.text.PromDurations;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus's {@code global:} section. Parsed and validated now; scraping and rule evaluation will read it once
 * they exist.
 */
public record GlobalConfig(
        @JsonProperty("scrape_interval") Duration scrapeInterval,
        @JsonProperty("scrape_timeout") Duration scrapeTimeout,
        @JsonProperty("evaluation_interval") Duration evaluationInterval,
        @JsonProperty("external_labels") Map<String, String> externalLabels) {

    public GlobalConfig {
        // Prometheus's defaults.
        scrapeInterval = scrapeInterval == null ? Duration.ofMinutes(1) : scrapeInterval;
        // An unset timeout is 10s, or the interval when that is shorter (Prometheus's GlobalConfig).
        scrapeTimeout = scrapeTimeout != null ? scrapeTimeout
                : Duration.ofSeconds(10).compareTo(scrapeInterval) > 0 ? scrapeInterval : Duration.ofSeconds(10);
        evaluationInterval = evaluationInterval == null ? Duration.ofMinutes(1) : evaluationInterval;
        externalLabels = externalLabels == null ? Map.of() : new TreeMap<>(externalLabels);
        if (scrapeInterval.isZero()) {
            throw new IllegalArgumentException("scrape_interval must be greater than 0");
        }
        if (evaluationInterval.isZero()) {
            throw new IllegalArgumentException("evaluation_interval must be greater than 0");
        }
        if (scrapeTimeout.compareTo(scrapeInterval) > 0) {
            throw new IllegalArgumentException("scrape_timeout (" + PromDurations.format(scrapeTimeout.toMillis())
                    + ") is greater than scrape_interval (" + PromDurations.format(scrapeInterval.toMillis()) + ")");
        }
        for (Map.Entry<String, String> e : externalLabels.entrySet()) {
            if (e.getKey().equals(Labels.METRIC_NAME) || !LabelLimits.isLegacyName(e.getKey(), false)) {
                throw new IllegalArgumentException("external_labels: invalid label name \"" + e.getKey() + "\"");
            }
            if (e.getValue() == null || !LabelLimits.isValidUtf8(e.getValue())) {
                throw new IllegalArgumentException("external_labels: label \"" + e.getKey() + "\" needs a UTF-8 string value");
            }
        }
        externalLabels = Map.copyOf(externalLabels);
    }

    public static GlobalConfig defaults() {
        return new GlobalConfig(null, null, null, null);
    }
}
