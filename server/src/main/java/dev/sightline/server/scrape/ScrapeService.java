package dev.sightline.server.scrape;

import dev.sightline.core.Labels;
import dev.sightline.ingest.scrape.ScrapeConfig;
import dev.sightline.ingest.scrape.ScrapeManager;
import dev.sightline.ingest.scrape.ScrapeStorage;
import dev.sightline.ingest.scrape.Target;
import dev.sightline.metricstore.Storage;
import dev.sightline.server.Signals;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Scraping inside the server: runs the scrape manager on the storage once it is open, serves {@code /api/v1/targets}
 * as Prometheus does, and reloads {@code scrape_configs} (and {@code global}) on SIGHUP and {@code POST /-/reload}.
 * A reload that fails (bad file, with FILE:LINE:COL) keeps the running configuration. Other sections (storage,
 * limits, server) take effect at restart only.
 */
public final class ScrapeService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ScrapeService.class.getName());

    private final Path configFile;
    private final ConfigLoader loader = new ConfigLoader();
    private SightlineConfig config;
    private ScrapeManager manager;
    private boolean closed;
    private final IngestGuards guards;
    /** Null: no job writes to a tenant. */
    private final Tenants tenants;
    private final List<ReloadListener> reloadListeners = new CopyOnWriteArrayList<>();
    private volatile ReloadStatus reloadStatus = new ReloadStatus(true, System.currentTimeMillis());

    /** Another part configured by the same file (rules); it may refuse the new configuration, keeping the old. */
    @FunctionalInterface
    public interface ReloadListener {
        void reloaded(SightlineConfig next) throws ConfigException;
    }

    /** Called on every reload, before the scrape configuration is applied. */
    public void onReload(ReloadListener listener) {
        reloadListeners.add(listener);
    }

    /** {@code configFile} null: nothing to reload from (reload answers 500 saying so). */
    public ScrapeService(Path configFile, SightlineConfig initial) {
        this(configFile, initial, IngestGuards.none());
    }

    /** As above, with the series limit and metadata store shared with the other ingest paths. */
    public ScrapeService(Path configFile, SightlineConfig initial, IngestGuards guards) {
        this(configFile, initial, guards, null);
    }

    /** As above; a job with a {@code tenant} writes into that tenant's share through its guards ({@code tenants}). */
    public ScrapeService(Path configFile, SightlineConfig initial, IngestGuards guards, Tenants tenants) {
        this.configFile = configFile;
        this.config = initial;
        this.guards = guards;
        this.tenants = tenants;
    }

    /** Starts scraping into the opened storage with the current configuration. */
    public synchronized void start(Storage storage) throws IOException {
        if (closed || manager != null) {
            return;
        }
        manager = new ScrapeManager(c -> storageOf(c, storage), jitterSeed(config));
        manager.apply(config.scrapeConfigs());
        LOG.info("scraping " + config.scrapeConfigs().size() + " jobs");
    }

    /** Where a job writes: its tenant's share (the config refuses a tenant with multitenancy off), else the storage. */
    private ScrapeStorage storageOf(ScrapeConfig job, Storage storage) {
        if (job.tenant() == null || tenants == null) {
            return new TsdbScrapeStorage(storage, guards);
        }
        Tenant t = tenants.of(job.tenant());
        return new TsdbScrapeStorage(t.storage(storage), t.guards());
    }

    /** Prometheus seeds target offsets with the host name and external labels, so replicas do not scrape in step. */
    static long jitterSeed(SightlineConfig c) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "";
        }
        return ((long) host.hashCode() << 32) ^ new TreeMap<>(c.global().externalLabels()).toString().hashCode();
    }

    /** Whether the last reload succeeded (true before any), and when the running configuration was loaded. */
    public record ReloadStatus(boolean lastReloadOk, long configLoadedAtMs) {
    }

    /** What /api/v1/status/runtimeinfo tells of reloads. */
    public ReloadStatus reloadStatus() {
        return reloadStatus;
    }

    /** Re-reads the configuration file and applies its scrape configuration; throws (and keeps the old one) if invalid. */
    public synchronized void reload() throws ConfigException, IOException {
        try {
            apply();
            reloadStatus = new ReloadStatus(true, System.currentTimeMillis());
        } catch (ConfigException | IOException | RuntimeException e) {
            reloadStatus = new ReloadStatus(false, reloadStatus.configLoadedAtMs());
            throw e;
        }
    }

    private void apply() throws ConfigException, IOException {
        if (configFile == null) {
            throw new ConfigException("(none)", "no configuration file was given (--config), nothing to reload", null);
        }
        SightlineConfig next = loader.load(configFile);
        for (ReloadListener l : reloadListeners) {
            l.reloaded(next);
        }
        if (manager != null) {
            try {
                manager.apply(next.scrapeConfigs());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(configFile.toString(), e.getMessage(), e);
            }
        }
        config = next;
        LOG.info("configuration reloaded from " + configFile + ": " + next.scrapeConfigs().size() + " scrape jobs");
    }

    /** Reloads and logs; for SIGHUP, where there is nobody to answer. */
    private void reloadLogged() {
        try {
            reload();
        } catch (ConfigException | IOException e) {
            LOG.severe("reloading the configuration failed, the previous one keeps running: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "reloading the configuration failed, the previous one keeps running", e);
        }
    }

    /** SIGHUP reloads the configuration, as Prometheus does (instead of the JVM's default of exiting). */
    public void handleSighup() {
        Signals.handle("HUP", () -> Thread.ofPlatform().name("sightline-reload").start(this::reloadLogged));
    }

    public void register(HttpApi api) {
        api.get("/api/v1/targets", this::targets);
        api.post("/-/reload", 0, this::reloadEndpoint);
    }

    private void reloadEndpoint(RoutingContext ctx) {
        ctx.vertx().executeBlocking(() -> {
            reload();
            return null;
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                HttpApi.respond(ctx, 200, "text/plain; charset=utf-8", Buffer.buffer());
            } else {
                Throwable e = ar.cause();
                LOG.severe("reloading the configuration failed, the previous one keeps running: " + e.getMessage());
                HttpApi.respond(ctx, 500, "text/plain; charset=utf-8",
                        Buffer.buffer("failed to reload config: " + e.getMessage() + "\n"));
            }
        });
    }

    private void targets(RoutingContext ctx) {
        String state = ctx.request().getParam("state", "").toLowerCase(Locale.ROOT);
        String pool = ctx.request().getParam("scrapePool", "");
        boolean active = state.isEmpty() || state.equals("any") || state.equals("active");
        boolean dropped = state.isEmpty() || state.equals("any") || state.equals("dropped");
        // On a worker: a reload in progress holds the manager while it stops loops, which must not stall the event loop.
        ctx.vertx().executeBlocking(() -> {
            List<Target> targets;
            Map<String, List<Labels>> drops;
            synchronized (this) {
                targets = manager == null ? List.of() : manager.activeTargets();
                drops = manager == null ? Map.of() : manager.droppedTargets();
            }
            return targetsJson(targets, drops, active, dropped, pool);
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                HttpApi.respond(ctx, 200, "application/json",
                        new JsonObject().put("status", "success").put("data", ar.result()).toBuffer());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }

    /** Prometheus's TargetDiscovery shape; pools sorted by name as Prometheus lists them. */
    static JsonObject targetsJson(List<Target> targets, Map<String, List<Labels>> drops, boolean showActive,
                                  boolean showDropped, String pool) {
        JsonArray activeJson = new JsonArray();
        if (showActive) {
            List<Target> sorted = new ArrayList<>(targets);
            sorted.sort((a, b) -> a.scrapePool().compareTo(b.scrapePool()));
            for (Target t : sorted) {
                if (!pool.isEmpty() && !pool.equals(t.scrapePool())) {
                    continue;
                }
                activeJson.add(new JsonObject()
                        .put("discoveredLabels", labels(t.discoveredLabels()))
                        .put("labels", labels(t.labels()))
                        .put("scrapePool", t.scrapePool())
                        .put("scrapeUrl", t.url())
                        .put("globalUrl", globalUrl(t.url()))
                        .put("lastError", t.lastError())
                        .put("lastScrape", rfc3339(t.lastScrape()))
                        .put("lastScrapeDuration", t.lastScrapeDurationSeconds())
                        .put("health", t.health().text())
                        .put("scrapeInterval", t.allLabels().get("__scrape_interval__"))
                        .put("scrapeTimeout", t.allLabels().get("__scrape_timeout__")));
            }
        }
        JsonArray droppedJson = new JsonArray();
        if (showDropped) {
            new TreeMap<>(drops).forEach((name, list) -> {
                if (pool.isEmpty() || pool.equals(name)) {
                    list.forEach(l -> droppedJson.add(new JsonObject().put("discoveredLabels", labels(l))));
                }
            });
        }
        return new JsonObject().put("activeTargets", activeJson).put("droppedTargets", droppedJson);
    }

    private static JsonObject labels(Labels l) {
        JsonObject o = new JsonObject();
        l.forEach(o::put);
        return o;
    }

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Go's time.Time JSON: never scraped is the zero time. */
    static String rfc3339(Instant t) {
        return t == null ? "0001-01-01T00:00:00Z" : RFC3339.format(t);
    }

    /** Prometheus's globalUrl: a loopback host is replaced by this machine's name, so the link works elsewhere. */
    static String globalUrl(String url) {
        URI u = URI.create(url);
        String host = u.getHost();
        if (host == null || !(host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"))) {
            return url;
        }
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return url.replaceFirst("://" + java.util.regex.Pattern.quote(u.getRawAuthority()),
                    java.util.regex.Matcher.quoteReplacement("://" + name + (u.getPort() >= 0 ? ":" + u.getPort() : "")));
        } catch (UnknownHostException e) {
            return url;
        }
    }

    public synchronized SightlineConfig config() {
        return config;
    }

    /** Stops scraping; every scraped series is marked stale. */
    @Override
    public synchronized void close() {
        closed = true;
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }
}
