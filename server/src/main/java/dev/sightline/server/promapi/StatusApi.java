package dev.sightline.server.promapi;

import dev.sightline.core.TenantScope;
import dev.sightline.core.text.PromDurations;
import dev.sightline.server.config.ConfigYaml;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.scrape.ScrapeService;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.head.HeadCardinality;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Prometheus's /api/v1/status endpoints besides buildinfo (served by HttpApi): {@code config} (the running
 * configuration as YAML, secrets masked), {@code flags} (the command line's effective values), {@code runtimeinfo}
 * (start and reload times, working directory, retention, and the JVM's threads, processors and heap in place of
 * Go's runtime) and {@code tsdb} (head statistics and top cardinalities, {@code limit} entries, default 10; with
 * multitenancy on, of the request's tenant's series only, as Mimir's cardinality API).
 */
public final class StatusApi {
    private static final String JSON = "application/json";
    /** Prometheus's default and a bound, so one request cannot ask for every label pair. */
    private static final int DEFAULT_LIMIT = 10;
    private static final int MAX_LIMIT = 10_000;

    private final Supplier<SightlineConfig> config;
    private final Map<String, String> flags;
    private final Supplier<Tsdb> storage;
    private final Supplier<ScrapeService.ReloadStatus> reloads;
    private final long startedMs;
    private final Tenants tenants;

    /** {@code storage} gives null while the storage is not open (tsdb then answers 503, as Prometheus does). */
    public StatusApi(Supplier<SightlineConfig> config, Map<String, String> flags, Supplier<Tsdb> storage,
                     Supplier<ScrapeService.ReloadStatus> reloads, long startedMs) {
        this(config, flags, storage, reloads, startedMs, null);
    }

    /** As above; tsdb's statistics are of the series of the request's tenant ({@code tenants} null: of all). */
    public StatusApi(Supplier<SightlineConfig> config, Map<String, String> flags, Supplier<Tsdb> storage,
                     Supplier<ScrapeService.ReloadStatus> reloads, long startedMs, Tenants tenants) {
        this.config = config;
        this.flags = new TreeMap<>(flags);
        this.storage = storage;
        this.reloads = reloads;
        this.startedMs = startedMs;
        this.tenants = tenants;
    }

    public void register(HttpApi api) {
        api.get("/api/v1/status/config", ctx -> success(ctx, new JsonObject().put("yaml", ConfigYaml.write(config.get()))));
        api.get("/api/v1/status/flags", ctx -> success(ctx, new JsonObject(Map.copyOf(flags))));
        api.get("/api/v1/status/runtimeinfo", this::runtimeInfo);
        api.get("/api/v1/status/tsdb", this::tsdb);
    }

    private void runtimeInfo(RoutingContext ctx) {
        ScrapeService.ReloadStatus r = reloads.get();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        success(ctx, new JsonObject()
                .put("startTime", Instant.ofEpochMilli(startedMs).toString())
                .put("CWD", Path.of("").toAbsolutePath().toString())
                .put("reloadConfigSuccess", r.lastReloadOk())
                .put("lastConfigTime", Instant.ofEpochMilli(r.configLoadedAtMs()).toString())
                .put("storageRetention", retention(config.get()))
                .put("javaVersion", Runtime.version().toString())
                .put("threadCount", ManagementFactory.getThreadMXBean().getThreadCount())
                .put("availableProcessors", Runtime.getRuntime().availableProcessors())
                .put("heapUsedBytes", heap.getUsed())
                .put("heapMaxBytes", heap.getMax()));
    }

    /** As Prometheus words it, "2w1d", or "2w1d or 1073741824B" when a size bounds the storage too. */
    private static String retention(SightlineConfig c) {
        String time = PromDurations.format(c.storage().tsdb().retentionTime().toMillis());
        long bytes = c.storage().tsdb().retentionSize();
        return bytes > 0 ? time + " or " + bytes + "B" : time;
    }

    private void tsdb(RoutingContext ctx) {
        String tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request()).id();
        } catch (TenantException e) {
            ApiError err = ApiError.of(e);
            HttpApi.respond(ctx, err.httpStatus, JSON, PromApiJsonWriter.error(err));
            return;
        }
        int limit = HttpApi.boundedParam(ctx, "limit", DEFAULT_LIMIT, MAX_LIMIT);
        if (limit < 0) {
            return;
        }
        Tsdb db = storage.get();
        if (db == null) {
            HttpApi.respond(ctx, 503, JSON, new JsonObject().put("status", "error").put("errorType", "unavailable")
                    .put("error", "TSDB not ready").toBuffer());
            return;
        }
        // A tenant's series carry its reserved label: the statistics are of those, the label itself not listed.
        HeadCardinality c = tenant == null ? db.headCardinality(limit) : db.headCardinality(limit, TenantScope.LABEL, tenant);
        success(ctx, new JsonObject()
                .put("headStats", new JsonObject().put("numSeries", c.numSeries()).put("numLabelPairs", c.numLabelPairs())
                        .put("chunkCount", c.chunkCount()).put("minTime", c.minTimeMs()).put("maxTime", c.maxTimeMs()))
                .put("seriesCountByMetricName", counts(c.seriesCountByMetricName()))
                .put("labelValueCountByLabelName", counts(c.labelValueCountByLabelName()))
                .put("memoryInBytesByLabelName", counts(c.memoryInBytesByLabelName()))
                .put("seriesCountByLabelValuePair", counts(c.seriesCountByLabelValuePair())));
    }

    private static JsonArray counts(List<HeadCardinality.Count> list) {
        JsonArray out = new JsonArray();
        list.forEach(c -> out.add(new JsonObject().put("name", c.name()).put("value", c.value())));
        return out;
    }

    private static void success(RoutingContext ctx, JsonObject data) {
        HttpApi.respond(ctx, 200, JSON, new JsonObject().put("status", "success").put("data", data).toBuffer());
    }
}
