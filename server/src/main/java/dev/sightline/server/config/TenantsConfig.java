package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.core.TenantScope;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code tenants:} — Mimir's multitenancy. With {@code multitenancy_enabled: true} every write and read names its
 * tenant in the {@code X-Scope-OrgID} header (a request without one is refused with 401, as Mimir does) and sees only
 * that tenant's series, spans and lines; off (the default), nothing is tagged and the header is ignored. Read at
 * start; {@code defaults} and {@code overrides} (per tenant id, keys left out take the defaults) set the
 * {@link TenantLimitsConfig limits}. {@code max_tenants} bounds the tenants without an override the server keeps (0: no
 * bound): a request naming a new one beyond it is refused with 429 naming the key, so a client cannot grow the
 * server's memory by inventing ids; tenants named in {@code overrides} are always let in and not counted.
 * {@code rules_dir} holds each tenant's rules and Alertmanager configuration, laid out
 * as Mimir's local ruler storage: {@code <rules_dir>/<tenant id>/*.yml} are Prometheus rule files evaluated over that
 * tenant's data only, and {@code <rules_dir>/<tenant id>/alertmanager.yml} (optional; the {@code alertmanager:}
 * section otherwise) routes its alerts; relative to the configuration file's folder, re-read at each reload.
 * <pre>
 * tenants:
 *   multitenancy_enabled: true
 *   defaults: {ingestion_rate: 10000, ingestion_burst_size: 200000, max_global_series_per_user: 150000}
 *   overrides:
 *     team-a: {ingestion_rate: 50000, max_total_query_length: 32d}
 *   rules_dir: tenant-rules
 * </pre>
 */
public record TenantsConfig(
        @JsonProperty("multitenancy_enabled") Boolean multitenancyEnabled,
        @JsonProperty("defaults") TenantLimitsConfig defaults,
        @JsonProperty("overrides") Map<String, TenantLimitsConfig> overrides,
        @JsonProperty("max_tenants") Integer maxTenants,
        @JsonProperty("rules_dir") String rulesDir) {

    public static final TenantsConfig DISABLED = new TenantsConfig(null, null, null, null, null);

    public TenantsConfig {
        multitenancyEnabled = multitenancyEnabled != null && multitenancyEnabled;
        defaults = defaults == null ? TenantLimitsConfig.NONE : defaults.over(TenantLimitsConfig.NONE);
        Map<String, TenantLimitsConfig> resolved = new LinkedHashMap<>();
        if (overrides != null) {
            for (Map.Entry<String, TenantLimitsConfig> e : overrides.entrySet()) {
                try {
                    TenantScope.validate(e.getKey());
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException("overrides: " + bad.getMessage());
                }
                resolved.put(e.getKey(), e.getValue() == null ? defaults : e.getValue().over(defaults));
            }
        }
        overrides = Map.copyOf(resolved);
        if (maxTenants != null && maxTenants < 0) {
            throw new IllegalArgumentException("max_tenants: must be 0 (no limit) or more, got " + maxTenants);
        }
        maxTenants = maxTenants == null ? 0 : maxTenants;
        if (rulesDir != null && rulesDir.isBlank()) {
            throw new IllegalArgumentException("rules_dir: empty directory name");
        }
        if (rulesDir != null && !multitenancyEnabled) {
            throw new IllegalArgumentException("rules_dir: per-tenant rules need multitenancy_enabled: true");
        }
    }

    /** The per-tenant rules directory resolved against the configuration file's folder; null when not set. */
    public Path rulesDir(Path configFile) {
        if (rulesDir == null) {
            return null;
        }
        return ConfigLoader.baseDir(configFile).resolve(rulesDir).normalize();
    }

    /** The limits of one tenant: its override, else the defaults. */
    public TenantLimitsConfig limitsOf(String tenant) {
        return overrides.getOrDefault(tenant, defaults);
    }

    /** The shortest positive value of {@code limit} over the defaults and the overrides, in ms; 0 when none sets one. */
    public long shortestMs(Function<TenantLimitsConfig, Duration> limit) {
        long min = 0;
        for (TenantLimitsConfig l : overrides.values()) {
            long m = limit.apply(l).toMillis();
            min = m > 0 && (min == 0 || m < min) ? m : min;
        }
        long d = limit.apply(defaults).toMillis();
        return d > 0 && (min == 0 || d < min) ? d : min;
    }
}
