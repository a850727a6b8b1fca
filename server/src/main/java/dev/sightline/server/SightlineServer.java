package dev.sightline.server;

import dev.sightline.alerting.config.AlertmanagerConfig;
import dev.sightline.core.WritePriority;
import dev.sightline.metricstore.Storage;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.rules.Notifier;
import dev.sightline.rules.RuleLanguage;
import dev.sightline.server.alerting.AlertingService;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.LimitsConfig;
import dev.sightline.server.config.ServerConfig;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.config.TsdbConfig;
import dev.sightline.server.dashboards.DashboardStore;
import dev.sightline.server.dashboards.DashboardsApi;
import dev.sightline.server.http.CrossOrigin;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.logapi.PatternMiners;
import dev.sightline.server.logapi.PatternsEndpoint;
import dev.sightline.server.logapi.LiveLineHub;
import dev.sightline.server.logapi.LokiApi;
import dev.sightline.server.logapi.LokiDeletes;
import dev.sightline.logs.logql.LogQlEvaluator;
import dev.sightline.server.logs.patterns.PatternMetrics;
import dev.sightline.server.metadata.MetadataStore;
import dev.sightline.server.otlp.OtlpReceiver;
import dev.sightline.server.security.WebConfigException;
import dev.sightline.server.security.WebSecurity;
import dev.sightline.server.promapi.AdminApi;
import dev.sightline.server.promapi.PromApi;
import dev.sightline.server.promapi.StatusApi;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;
import dev.sightline.server.remotewrite.RemoteWriteEndpoint;
import dev.sightline.server.remotewrite.RemoteWriteMetrics;
import dev.sightline.metricstore.Queryable;
import dev.sightline.rules.AlertingRule;
import dev.sightline.rules.Rule;
import dev.sightline.rules.RuleConfig;
import dev.sightline.rules.RuleGroup;
import dev.sightline.server.runtime.HeapGovernor;
import dev.sightline.server.rules.LogQlRules;
import dev.sightline.server.rules.RuleLoadException;
import dev.sightline.server.rules.RulesService;
import dev.sightline.server.scrape.ScrapeService;
import dev.sightline.server.selfmetrics.SelfMetrics;
import dev.sightline.server.synthetics.JourneyService;
import dev.sightline.server.synthetics.CanaryService;
import dev.sightline.synthetics.SyntheticClock;
import dev.sightline.server.tenants.MetricRetentionSweeper;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.LogSpanRetentionSweeper;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.traces.metrics.GeneratorConfig;
import dev.sightline.traces.metrics.MetricsGenerator;
import dev.sightline.server.traces.SpanIngestMetrics;
import dev.sightline.server.traces.SpanIngester;
import dev.sightline.server.traces.TenantSpanMetrics;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.patterns.PatternMiner;
import dev.sightline.logs.store.LuceneLogStore;
import dev.sightline.server.logs.LogIngestMetrics;
import dev.sightline.server.logs.LogIngester;
import dev.sightline.server.logs.LogPushEndpoint;
import dev.sightline.server.traceapi.TraceApi;
import dev.sightline.server.services.Drills;
import dev.sightline.server.services.DrillsApi;
import dev.sightline.server.services.Maturity;
import dev.sightline.server.services.MaturityApi;
import dev.sightline.server.services.ServicesApi;
import dev.sightline.server.traceapi.TraceQlEngineBackend;
import dev.sightline.server.traces.ZipkinEndpoint;
import dev.sightline.server.ui.UiEndpoint;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.store.LuceneSpanStore;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running Sightline: HTTP serves at once (health, readiness, self-metrics) while storage opens on its own
 * thread; /-/ready turns 200 when the WAL has been replayed and scraping and the rule groups have started. {@link #close()} stops accepting HTTP, waits for
 * requests in flight, then closes storage so nothing acknowledged is lost.
 */
public final class SightlineServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SightlineServer.class.getName());
    private static final long HTTP_DRAIN_SECONDS = 5;
    /** How often the log pattern counters are written: a scrape interval, so rate() over them works as over scraped ones. */
    private static final Duration PATTERN_METRICS_INTERVAL = Duration.ofSeconds(15);

    /**
     * Where to keep data and where to listen; port 0 picks a free port; {@code configFile} (or null) is re-read at
     * reload; {@code webConfigFile} (or null: open, plain HTTP) sets TLS and credentials on every listener;
     * {@code synthetics} is the time canaries and journeys run on (the wall clock, or a drill's).
     */
    public record Settings(Path dataDir, String listenAddress, int httpPort, SightlineConfig config, Path configFile,
                           Path webConfigFile, SyntheticClock synthetics) {
        public Settings {
            synthetics = synthetics == null ? SyntheticClock.WALL : synthetics;
        }

        public Settings(Path dataDir, String listenAddress, int httpPort, SightlineConfig config, Path configFile,
                        Path webConfigFile) {
            this(dataDir, listenAddress, httpPort, config, configFile, webConfigFile, null);
        }

        public Settings(Path dataDir, String listenAddress, int httpPort, SightlineConfig config, Path configFile) {
            this(dataDir, listenAddress, httpPort, config, configFile, null);
        }

        public Settings(Path dataDir, String listenAddress, int httpPort, SightlineConfig config) {
            this(dataDir, listenAddress, httpPort, config, null, null);
        }
    }

    private final Settings settings;
    private final SelfMetrics metrics;
    private final Vertx vertx;
    private final ScrapeService scrape;
    private final RulesService rules;
    private final AlertingService alerting;
    /** Series limit, metadata store and limit-breach counters shared by remote-write, OTLP and scraping. */
    private final IngestGuards guards;
    /** Who a request writes and reads as (X-Scope-OrgID), with multitenancy on; the single tenant otherwise. */
    private final Tenants tenants;
    /** The exemplar store the storage replays its WAL's exemplars into; the endpoints see it as the guards' ExemplarStorage. */
    private final ExemplarStore exemplars;
    private final CompletableFuture<Tsdb> storage = new CompletableFuture<>();
    /** Deletes tenants' samples past their metric retention; null until storage is open, or when none has one. */
    private volatile MetricRetentionSweeper retentionSweeper;
    /**
     * Where every API query runs (PromQL, LogQL, TraceQL, services), bounded by limits.query_max_concurrency and
     * query_max_queue; its own threads, so queries take neither the event loop nor the worker pool ingestion needs.
     */
    private final QueryGate queries;
    /** Ingestion in progress, which API queries give way to (the ingest endpoints mark it, the query threads read it). */
    private final WritePriority writes;
    /** Span metrics and the service graph (metrics_generator), written into storage once it is open. */
    private final MetricsGenerator spanMetrics;
    /** With multitenancy on, the generators per tenant (spanMetrics the one of spans of no tenant). */
    private final TenantSpanMetrics tenantSpanMetrics;
    /** Where every span endpoint appends (OTLP, Zipkin). */
    private final SpanStore spans;
    private final LogStore logs;
    /** Deletes log lines and spans past each tenant's retention_period / block_retention; null without tenants. */
    private final LogSpanRetentionSweeper logSpanRetention;
    /** Where every log endpoint goes through (OTLP, Loki push, NDJSON); live tail and patterns listen to it. */
    private final LogIngester logIngester;
    /** Committed lines as they arrive, for Loki's live tail. */
    private final LiveLineHub liveLines = new LiveLineHub();
    /** Log patterns mined from committed lines, and their counters written into storage once it is open. */
    private final PatternMiner logPatterns = new PatternMiner(PatternMiner.Options.DEFAULTS);
    /** The untenanted miner above and one per tenant, fed by every commit. */
    private final PatternMiners logPatternMiners = new PatternMiners(logPatterns);
    private final PatternMetrics logPatternMetrics;
    /** Synthetic journeys on their schedules and blackbox_exporter's /probe. */
    private final JourneyService journeys;
    /** Freshness canaries (canaries:), written into storage once it is open. */
    private final CanaryService canaries;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private HttpServer http;
    private OtlpReceiver otlp;
    /** The web config (--web.config.file) in force on the three listeners. */
    private WebSecurity security;
    /** Every endpoint of the main listener, as "METHOD pattern". */
    private List<String> routes = List.of();
    private final long startedMs = System.currentTimeMillis();
    /** The dashboards directory's files; replaced when a reload names another directory. */
    private volatile DashboardStore dashboards;
    /** Null when off or the collector is not Serial. */
    private volatile HeapGovernor heapGovernor;

    private SightlineServer(Settings settings) throws IOException {
        this.settings = settings;
        // First, before anything is opened: a bad journey refuses the start with nothing to close. The stores are
        // read when a run ends, by then assigned.
        try {
            this.journeys = new JourneyService(settings.configFile(), settings.config(), settings.synthetics(),
                    () -> closing.get() ? null : spans(), () -> closing.get() ? null : logs());
        } catch (ConfigException e) {
            throw new IOException("invalid journeys:\n" + e.getMessage(), e);
        }
        this.metrics = new SelfMetrics(BuildInfo.current());
        String host = externalHost(settings.listenAddress());
        String externalUrl = settings.config().server().externalUrl();
        try {
            this.alerting = new AlertingService(settings.config(), settings.configFile(), settings.dataDir(),
                    metrics.registry(), externalUrl != null ? () -> externalUrl : () -> "http://" + host + ":" + httpPort(),
                    System::currentTimeMillis);
        } catch (ConfigException e) {
            throw new IOException("invalid tenant Alertmanager configuration:\n" + e.getMessage(), e);
        }
        this.vertx = Vertx.vertx();
        this.writes = settings.config().limits().newWritePriority();
        this.queries = settings.config().limits().newQueryGate(writes);
        this.exemplars = new ExemplarStore(settings.config().storage().exemplars().maxExemplars());
        exemplars.registerMetrics(metrics.registry());
        CounterWithCallback.builder().name("sightline_query_write_priority_pause_seconds")
                .help("Time API queries paused to give way to ingestion in progress (remote-write).")
                .callback(cb -> cb.call(writes.pausedNanos() / 1e9)).register(metrics.registry());
        this.guards = new IngestGuards(metrics.registry(), settings.config().limits().maxSeriesPerMetric(),
                new MetadataStore(), exemplars);
        this.tenants = Tenants.of(settings.config().tenants(), guards, metrics.registry(), System::nanoTime);
        this.spans = openSpanStore(settings.config(), settings.dataDir());
        this.logs = openLogStore(settings.config(), settings.dataDir());
        this.logSpanRetention = tenants.enabled() ? new LogSpanRetentionSweeper(settings.config().tenants(), logs, spans,
                System::currentTimeMillis).start() : null;
        this.logIngester = new LogIngester(() -> closing.get() ? null : logs, settings.config().limits().toLogLimits(),
                new LogIngestMetrics(metrics.registry()));
        logIngester.addListener(liveLines);
        logIngester.addListener(logPatternMiners);
        this.scrape = new ScrapeService(settings.configFile(), settings.config(), guards, tenants);
        GeneratorConfig generatorConfig = settings.config().metricsGenerator().toGeneratorConfig();
        this.spanMetrics = new MetricsGenerator(generatorConfig, System::currentTimeMillis);
        this.tenantSpanMetrics = new TenantSpanMetrics(spanMetrics,
                () -> new MetricsGenerator(generatorConfig, System::currentTimeMillis));
        this.logPatternMetrics = new PatternMetrics(logPatterns, PATTERN_METRICS_INTERVAL, System::currentTimeMillis);
        this.rules = new RulesService(settings.configFile(), settings.config(), settings.config().limits().toEngineOptions(),
                LogQlRules.languages(logs::querier), alerting.notifier(), new TenantRules(), System::currentTimeMillis);
        rules.registerMetrics(metrics.registry());
        scrape.onReload(next -> {
            // Rules and Alertmanagers are laid out per tenant or not at start (rule_files run only without tenants).
            if (next.tenants().multitenancyEnabled() != tenants.enabled()) {
                throw new ConfigException(String.valueOf(settings.configFile()),
                        "tenants.multitenancy_enabled: turning it on or off takes a restart", null);
            }
            // Every file read and checked before anything is applied: a bad one leaves rules and alerting as they were.
            Map<String, AlertmanagerConfig> tenantAlertmanagers = alerting.tenantConfigs(next);
            try {
                rules.reload(next);
            } catch (RuleLoadException e) {
                throw new ConfigException("rule_files", e.getMessage(), e);
            }
            alerting.reload(next, tenantAlertmanagers);
        });
        scrape.onReload(journeys::reload);
        scrape.onReload(next -> switchDashboards(next.dashboards().resolve(settings.configFile())));
        this.canaries = new CanaryService(settings.config(), settings.synthetics(),
                () -> isReady() ? guards.begin(storage.getNow(null).appender(), "canaries") : null,
                () -> closing.get() ? null : spans, () -> closing.get() ? null : logs);
        scrape.onReload(canaries::reload);
    }

    /** What a tenant's rules run with: its views of the stores, its query limits and its Alertmanager. */
    private final class TenantRules implements RulesService.PerTenant {
        @Override
        public Storage storage(String tenant, Storage shared) {
            return tenants.of(tenant).storage(shared);
        }

        @Override
        public EngineOptions engineOptions(String tenant, EngineOptions base) {
            return tenants.of(tenant).engineOptions(base);
        }

        @Override
        public Map<String, RuleLanguage> languages(String tenant) {
            return LogQlRules.languages(() -> tenants.of(tenant).logs(logs).querier());
        }

        @Override
        public Notifier notifier(String tenant) {
            return alerting.notifier(tenant);
        }
    }

    /** Watches {@code directory} instead of the current one (nothing when it is the same). */
    private synchronized void switchDashboards(Path directory) {
        DashboardStore old = dashboards;
        if (old != null && Objects.equals(old.directory(), directory)) {
            return;
        }
        DashboardStore next = new DashboardStore(directory);
        next.start();
        dashboards = next;
        if (old != null) {
            old.close();
        }
    }

    /**
     * The one place the span store is made; everything else takes a SpanStore: the durable Lucene store under
     * {@code dataDir/traces} (storage.traces), replaying its WAL before the server listens, so nothing acknowledged
     * before a crash is missing from the first answer.
     */
    static SpanStore openSpanStore(SightlineConfig config, Path dataDir) throws IOException {
        Path dir = dataDir.resolve("traces");
        Files.createDirectories(dir);
        return LuceneSpanStore.open(dir, config.storage().traces().toOptions());
    }

    /**
     * The one place the log store is made; everything else takes a LogStore: the durable Lucene store under
     * {@code dataDir/logs} (storage.logs), replaying its WAL before the server listens, so nothing acknowledged
     * before a crash is missing from the first answer.
     */
    static LogStore openLogStore(SightlineConfig config, Path dataDir) throws IOException {
        Path dir = dataDir.resolve("logs");
        Files.createDirectories(dir);
        return LuceneLogStore.open(dir, config.storage().logs().toOptions());
    }

    /** The command line's effective values, as /api/v1/status/flags lists Prometheus's. */
    private static Map<String, String> flags(Settings s) {
        return Map.of("config", s.configFile() == null ? "" : s.configFile().toString(),
                "data-dir", s.dataDir().toString(), "http-port", Integer.toString(s.httpPort()),
                "listen-address", s.listenAddress());
    }

    /**
     * The host notifications link back to (Alertmanager's external URL) when server.external_url is not set: the
     * listen address, or this host's name.
     */
    private static String externalHost(String listenAddress) {
        if (!listenAddress.equals("0.0.0.0") && !listenAddress.equals("::")) {
            return listenAddress.contains(":") ? "[" + listenAddress + "]" : listenAddress;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Starts listening (returns once the port is bound) and begins opening storage in the background. */
    public static SightlineServer start(Settings settings) throws IOException {
        SightlineServer server = new SightlineServer(settings);
        server.switchDashboards(settings.config().dashboards().resolve(settings.configFile()));
        try {
            server.rules.validate();
        } catch (RuleLoadException e) {
            server.vertx.close();
            server.queries.close();
            server.alerting.close();
            server.dashboards.close();
            throw new IOException("invalid rule files:\n" + e.getMessage(), e);
        }
        try {
            server.listen();
        } catch (IOException | RuntimeException e) {
            server.vertx.close();
            server.queries.close();
            server.alerting.close();
            server.dashboards.close();
            throw e;
        }
        if (settings.configFile() != null) {
            server.scrape.handleSighup();
        }
        server.alerting.start();
        server.canaries.start();
        server.openStorage();
        server.heapGovernor = HeapGovernor.start();
        return server;
    }

    private void listen() throws IOException {
        try {
            security = WebSecurity.load(vertx, settings.webConfigFile());
        } catch (WebConfigException e) {
            throw new IOException("invalid web config file " + settings.webConfigFile() + ": " + e.getMessage(), e);
        }
        if (settings.webConfigFile() != null) {
            LOG.info("web config " + settings.webConfigFile() + ": " + WebSecurity.describe(security.config()));
        }
        HttpApi api = new HttpApi(vertx, metrics, BuildInfo.current(), this::isReady);
        api.trustOrigins(settings.config().cors().toCrossOrigin());
        // Read per request by both listeners, so a reload's cors.origin applies at once.
        scrape.onReload(next -> api.trustOrigins(next.cors().toCrossOrigin()));
        LimitsConfig limits = settings.config().limits();
        RangeLimits ranges = limits.toRangeLimits();
        new PromApi(() -> isReady() ? storage.getNow(null) : null, limits.toEngineOptions(), System::currentTimeMillis,
                tenants, queries, ranges).register(api);
        new AdminApi(() -> isReady() ? storage.getNow(null) : null, tenants).register(api);
        new RemoteWriteEndpoint(() -> isReady() ? storage.getNow(null) : null, new RemoteWriteMetrics(metrics.registry()),
                settings.config().limits().toDecoderLimits(), guards, tenants, writes).register(api);
        scrape.register(api);
        new StatusApi(scrape::config, flags(settings), () -> isReady() ? storage.getNow(null) : null, scrape::reloadStatus,
                startedMs, tenants).register(api);
        rules.register(api, tenants);
        alerting.register(api, tenants);
        canaries.register(api);
        SpanIngester spanIngester = new SpanIngester(() -> closing.get() ? null : spans,
                tenants.enabled() ? tenantSpanMetrics : spanMetrics::wrap,
                new SpanIngestMetrics(metrics.registry()));
        otlp = new OtlpReceiver(() -> isReady() ? storage.getNow(null) : null, metrics.registry(),
                settings.config().limits().toDecoderLimits(), guards, spanIngester, settings.config().limits().toSpanLimits(),
                logIngester, tenants, writes);
        otlp.register(api);
        new LogPushEndpoint(logIngester, settings.config().limits().maxRequestBodyBytes(), tenants, writes).register(api);
        new ZipkinEndpoint(spanIngester, settings.config().limits().toSpanLimits(),
                settings.config().limits().maxRequestBodyBytes(), tenants, writes).register(api);
        new TraceApi(() -> closing.get() ? null : spans, () -> closing.get() ? null : logs, new TraceQlEngineBackend(),
                () -> System.currentTimeMillis() * 1_000_000L, BuildInfo.current(), tenants, queries, ranges).register(api);
        new PatternsEndpoint(logPatternMiners, () -> System.currentTimeMillis() * 1_000_000L, tenants, queries, ranges)
                .register(api);
        new LokiApi(() -> closing.get() ? null : logs, LogQlEvaluator::new, liveLines,
                () -> System.currentTimeMillis() * 1_000_000L, BuildInfo.current(), tenants, queries, ranges).register(api);
        new LokiDeletes(() -> closing.get() ? null : logs, tenants, () -> System.currentTimeMillis() * 1_000_000L)
                .register(api);
        new ServicesApi(() -> isReady() ? storage.getNow(null) : null, limits.toEngineOptions(),
                System::currentTimeMillis, queries, tenants).register(api);
        new MaturityApi(() -> isReady() ? storage.getNow(null) : null, this::holdings,
                limits.toEngineOptions(), System::currentTimeMillis, queries, tenants).register(api);
        new DrillsApi(settings.dataDir(), tenants).register(api);
        journeys.register(api);
        new DashboardsApi(() -> dashboards).register(api);
        new UiEndpoint().register(api);
        routes = api.routes();
        try {
            HttpServerOptions options = security.configure(HttpApi.serverOptions().setHost(settings.listenAddress())
                    .setPort(settings.httpPort()), WebSecurity.Listener.HTTP);
            http = vertx.createHttpServer(options).requestHandler(CrossOrigin.wrap(api::trustedOrigins,
                    security.guard(WebSecurity.Listener.HTTP, api.router())))
                    .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            security.attach(http, WebSecurity.Listener.HTTP);
        } catch (WebConfigException e) {
            throw new IOException("invalid web config file " + settings.webConfigFile() + ": " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new IOException("cannot listen on " + settings.listenAddress() + ":" + settings.httpPort() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IOException("cannot listen on " + settings.listenAddress() + ":" + settings.httpPort() + ": " + e, e);
        }
        LOG.info("HTTP listening on " + settings.listenAddress() + ":" + http.actualPort());
        ServerConfig sc = settings.config().server();
        // An HTTP port of 0 (tests) means free ports for OTLP too, so servers side by side do not collide.
        boolean free = settings.httpPort() == 0;
        otlp.listen(vertx, settings.listenAddress(), free && sc.otlpGrpcPort() > 0 ? 0 : sc.otlpGrpcPort(),
                free && sc.otlpHttpPort() > 0 ? 0 : sc.otlpHttpPort(), security, api::trustedOrigins);
        security.watch(WebSecurity.DEFAULT_CHECK_MS);
    }

    /** The web config in force (TLS, credentials); reloads itself when its files change. */
    public WebSecurity security() {
        return security;
    }

    /** Every endpoint of the main HTTP listener as {@code "GET /api/v1/query"}: what the scope table classifies. */
    public List<String> routes() {
        return routes;
    }

    private void openStorage() {
        Path dir = settings.dataDir();
        TsdbOptions options = tsdbOptions(settings.config(), metrics);
        // A platform thread of its own: WAL replay may take long, and Vert.x would flag a worker blocked that long.
        Thread.ofPlatform().name("sightline-storage-open").daemon(false).start(() -> {
            long start = System.nanoTime();
            Tsdb db;
            try {
                Files.createDirectories(dir);
                db = Tsdb.open(dir, options, exemplars);
            } catch (Throwable e) {
                String msg = "cannot open storage in " + dir.toAbsolutePath() + ": " + e.getMessage();
                // An I/O error (directory locked, unreadable) says all in its message; anything else is a bug.
                if (e instanceof IOException) {
                    LOG.severe(msg);
                } else {
                    LOG.log(Level.SEVERE, msg, e);
                }
                storage.completeExceptionally(e);
                return;
            }
            // Started before storage is announced, so that ready (and storage()) means the rule groups are loaded
            // and listed, as Prometheus turns ready only once its first configuration load has handed the rule
            // manager its files. One that fails to start is logged; the server still opens (and closes) storage.
            try {
                startOver(db);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "cannot start what runs over storage: " + e.getMessage(), e);
            }
            // Logged before completing, so it cannot follow the log lines of a close waiting on it.
            LOG.info(String.format("storage opened in %s in %.1f s; Sightline is ready", dir.toAbsolutePath(),
                    (System.nanoTime() - start) / 1e9));
            storage.complete(db);
        });
    }

    /** What writes into or evaluates over storage: span and pattern metrics, scraping, rules, journeys. */
    private void startOver(Tsdb db) {
        // Through the ingest guards, as any write: the series limit applies, exemplars reach the exemplar store.
        // A tenant's generator writes into its share, through its guards (its series limits apply).
        tenantSpanMetrics.start(tenant -> {
            if (tenant == null) {
                return () -> guards.begin(db.appender(), "spanmetrics");
            }
            Tenant t = tenants.of(tenant);
            return () -> t.guards().begin(t.storage(db).appender(), "spanmetrics");
        });
        logPatternMetrics.start(() -> guards.begin(db.appender(), "logpatterns"));
        if (MetricRetentionSweeper.needed(settings.config().tenants())) {
            retentionSweeper = new MetricRetentionSweeper(db, db, settings.config().tenants(), System::currentTimeMillis);
            retentionSweeper.start(MetricRetentionSweeper.DEFAULT_PERIOD_MS);
        }
        startScraping(db);
        startRules(db);
        journeys.start(() -> guards.begin(db.appender(), "journeys"));
    }

    private void startScraping(Tsdb db) {
        try {
            scrape.start(db);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot start scraping: " + e.getMessage(), e);
        }
    }

    private void startRules(Tsdb db) {
        try {
            rules.start(db);
        } catch (RuleLoadException e) {
            LOG.severe("cannot start rule evaluation: " + e.getMessage());
        }
    }

    /** Rules: groups, alerts. */
    public RulesService rules() {
        return rules;
    }

    /** Built-in alerting: dispatcher, silences. */
    public AlertingService alerting() {
        return alerting;
    }

    /**
     * Span metrics and the service graph: the span ingest path hands it each request's committed spans
     * ({@code spanMetrics().wrap(store.appender())}, or {@code consume} per span after the commit).
     */
    public MetricsGenerator spanMetrics() {
        return spanMetrics;
    }

    /**
     * Log patterns: the log ingest path hands it each request's committed lines ({@code observe}); the patterns
     * endpoint and the pattern metrics read it.
     */
    public PatternMiner logPatterns() {
        return logPatterns;
    }

    /**
     * What the maturity assessment reads besides the metrics: the tenant's running alerting rules, stores and drill
     * results, and the synthetics. Canaries and journeys write outside every tenant's share and are configured by the
     * operator, not a tenant, so with multitenancy on they count for no tenant's services (a service name alone could
     * credit one tenant with a check on another's service of the same name).
     */
    private Maturity.Holdings holdings(Tenant tenant, Queryable metrics) {
        List<RuleConfig> alerting = new ArrayList<>();
        for (RuleGroup g : rules.groups(tenant.id())) {
            for (Rule r : g.rules()) {
                if (r instanceof AlertingRule a) {
                    alerting.add(a.config());
                }
            }
        }
        boolean shared = tenant.id() == null;
        return new Maturity.Holdings(metrics, alerting, closing.get() ? null : tenant.spans(spans),
                closing.get() ? null : tenant.logs(logs), shared ? canaries.status() : List.of(),
                shared ? journeys.journeys() : List.of(), Drills.read(settings.dataDir(), tenant.id()));
    }

    /** Freshness canaries: their state; a drill waits on them for the results of its step's rounds. */
    public CanaryService canaries() {
        return canaries;
    }

    /** Journeys: their schedules and last runs. */
    public JourneyService journeys() {
        return journeys;
    }

    /** Scraping: targets, reload. */
    public ScrapeService scrape() {
        return scrape;
    }

    static TsdbOptions tsdbOptions(SightlineConfig config, SelfMetrics metrics) {
        TsdbConfig t = config.storage().tsdb();
        return TsdbOptions.defaults()
                .withFsyncPolicy(t.walFsync())
                .withBlockDurationMs(t.blockDuration().toMillis())
                .withRetentionMs(t.retentionTime().toMillis())
                .withRetentionBytes(t.retentionSize())
                .withOutOfOrderWindowMs(t.outOfOrderTimeWindow().toMillis())
                .withHeadSnapshotOnShutdown(t.headSnapshotOnShutdown())
                .withLabelLimits(config.limits().toLabelLimits())
                .withRegistry(metrics.registry());
    }

    /** The bound HTTP port (the real one when 0 was asked for). */
    public int httpPort() {
        return http.actualPort();
    }

    /** True once storage has opened (WAL replayed) and what runs over it started, until shutdown begins. */
    public boolean isReady() {
        return storage.isDone() && !storage.isCompletedExceptionally() && !closing.get();
    }

    /**
     * Completes when storage has opened and what runs over it (scraping, rule groups) has started, or exceptionally
     * with the reason storage could not open.
     */
    public CompletableFuture<Tsdb> storage() {
        return storage;
    }

    /** The span store the OTLP and Zipkin endpoints append to. */
    public SpanStore spans() {
        return spans;
    }

    /** The log store the OTLP, Loki push and NDJSON endpoints append to. */
    public LogStore logs() {
        return logs;
    }

    /** What every log endpoint goes through: add a listener here to see each commit's lines. */
    public LogIngester logIngester() {
        return logIngester;
    }

    /** What every telemetry write path marks its requests on, and API queries give way to. */
    public WritePriority writePriority() {
        return writes;
    }

    /** OTLP metrics, traces and logs ingestion (its bound gRPC and HTTP ports). */
    public OtlpReceiver otlp() {
        return otlp;
    }

    public SelfMetrics metrics() {
        return metrics;
    }

    /** Completes when {@link #close()} has finished. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** Stops accepting HTTP, drains requests in flight, closes storage. Idempotent; later callers wait for the first. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            closed.join();
            return;
        }
        try {
            LOG.info("stopping: no longer accepting HTTP requests");
            try {
                http.shutdown(HTTP_DRAIN_SECONDS, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture()
                        .get(HTTP_DRAIN_SECONDS + 5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "HTTP server did not stop cleanly: " + e, e);
            }
            otlp.close();
            security.close();
            queries.close();
            dashboards.close();
            // Before storage closes, so the stale markers of every target are written.
            scrape.close();
            rules.close();
            journeys.close();
            alerting.close();
            canaries.close();
            // Its last collection goes into storage, so before storage closes.
            tenantSpanMetrics.close();
            logPatternMetrics.close();
            Tsdb db = null;
            try {
                // Storage still opening: let it finish so its WAL and lock are released properly.
                db = storage.get();
            } catch (ExecutionException e) {
                // Opening failed and was logged; nothing to close.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            MetricRetentionSweeper sweeper = retentionSweeper;
            if (sweeper != null) {
                sweeper.close();
            }
            if (db != null) {
                try {
                    // The tenants' exemplar buffers into the store the head snapshot keeps.
                    tenants.keepExemplarsIn(exemplars);
                    db.close();
                    LOG.info("storage closed");
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.SEVERE, "closing storage failed: " + e.getMessage(), e);
                }
            }
            if (logSpanRetention != null) {
                logSpanRetention.close();
            }
            try {
                spans.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "closing the span store failed: " + e.getMessage(), e);
            }
            try {
                logs.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "closing the log store failed: " + e.getMessage(), e);
            }
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Vert.x did not stop cleanly: " + e, e);
            }
            HeapGovernor governor = heapGovernor;
            if (governor != null) {
                governor.close();
            }
            LOG.info("Sightline stopped");
        } finally {
            closed.complete(null);
        }
    }
}
