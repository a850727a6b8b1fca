package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.tsdb.exemplar.ExemplarStore;

/**
 * Sightline's {@code storage:} section: {@code tsdb:}, as in Prometheus's configuration {@code exemplars:}, and
 * {@code traces:} (the span store) and {@code logs:} (the log store).
 */
public record StorageConfig(@JsonProperty("tsdb") TsdbConfig tsdb, @JsonProperty("exemplars") Exemplars exemplars,
                            @JsonProperty("traces") TracesConfig traces, @JsonProperty("logs") LogsConfig logs) {
    public StorageConfig {
        tsdb = tsdb == null ? TsdbConfig.defaults() : tsdb;
        exemplars = exemplars == null ? new Exemplars(null) : exemplars;
        traces = traces == null ? TracesConfig.defaults() : traces;
        logs = logs == null ? LogsConfig.defaults() : logs;
    }

    public static StorageConfig defaults() {
        return new StorageConfig(null, null, null, null);
    }

    /** {@code storage: exemplars: max_exemplars:} — the exemplar buffer's size (Prometheus's default 100000; 0 = off). */
    public record Exemplars(@JsonProperty("max_exemplars") Integer maxExemplars) {
        public Exemplars {
            maxExemplars = maxExemplars == null ? ExemplarStore.DEFAULT_MAX_EXEMPLARS : maxExemplars;
            if (maxExemplars < 0) {
                throw new IllegalArgumentException("max_exemplars must not be negative, got " + maxExemplars);
            }
        }
    }
}
