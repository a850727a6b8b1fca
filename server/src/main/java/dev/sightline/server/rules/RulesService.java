package dev.sightline.server.rules;

import dev.sightline.metricstore.Storage;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.rules.AlertState;
import dev.sightline.rules.AlertingRule;
import dev.sightline.rules.Notifier;
import dev.sightline.rules.Rule;
import dev.sightline.rules.RuleError;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleGroup;
import dev.sightline.rules.RuleGroupConfig;
import dev.sightline.rules.RuleLanguage;
import dev.sightline.rules.RuleManager;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.TenantRuleDir;
import dev.sightline.server.tenants.Tenants;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The server's side of rules: resolves {@code rule_files} globs relative to the configuration file, loads them at
 * start, reloads them with the configuration (a bad file keeps the running rules and the error names FILE:LINE),
 * and serves {@code /api/v1/rules} and {@code /api/v1/alerts}. Alerts go to the given notifier (server.alerting).
 * With multitenancy on, each tenant's rule files ({@code tenants.rules_dir/<tenant>/}) run on a manager of their own
 * over that tenant's view of the storage, its alerts going to that tenant's Alertmanager.
 */
public final class RulesService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RulesService.class.getName());

    private final Path configFile;
    private final EngineOptions engineOptions;
    private final Notifier notifier;
    private final LongSupplier clockMs;
    /** Checkers and evaluators of groups in other query languages (LogQL), by {@code query_language}. */
    private final Map<String, RuleLanguage> languages;
    private final PerTenant perTenant;
    private SightlineConfig config;
    private volatile RuleManager manager;
    /** The running managers of the tenants with rule files, by tenant id. */
    private volatile Map<String, RuleManager> tenantManagers = Map.of();
    /** What the managers write to and read from, once started. */
    private Storage storage;

    /**
     * What a tenant's rules run with: its share of the storage (every read and write scoped to it), its query
     * limits, the other query languages reading its data only, and the notifier of its Alertmanager.
     */
    public interface PerTenant {
        Storage storage(String tenant, Storage shared);

        EngineOptions engineOptions(String tenant, EngineOptions base);

        Map<String, RuleLanguage> languages(String tenant);

        Notifier notifier(String tenant);
    }

    public RulesService(Path configFile, SightlineConfig config, EngineOptions engineOptions, Notifier notifier,
                        LongSupplier clockMs) {
        this(configFile, config, engineOptions, Map.of(), notifier, clockMs);
    }

    public RulesService(Path configFile, SightlineConfig config, EngineOptions engineOptions,
                        Map<String, RuleLanguage> languages, Notifier notifier, LongSupplier clockMs) {
        this(configFile, config, engineOptions, languages, notifier, null, clockMs);
    }

    /** With {@code perTenant} (null: no per-tenant rules) for the rules of {@code tenants.rules_dir}. */
    public RulesService(Path configFile, SightlineConfig config, EngineOptions engineOptions,
                        Map<String, RuleLanguage> languages, Notifier notifier, PerTenant perTenant, LongSupplier clockMs) {
        this.perTenant = perTenant;
        this.languages = Map.copyOf(languages);
        this.configFile = configFile;
        this.config = config;
        this.engineOptions = engineOptions;
        this.notifier = notifier;
        this.clockMs = clockMs;
    }

    /** Checks the configured rule files without running them, so a server can refuse to start on a bad one. */
    public synchronized void validate() throws RuleLoadException {
        loadAll(config);
    }

    /** Loads the configured rule files and starts evaluating them against {@code storage}. */
    public synchronized void start(Storage storage) throws RuleLoadException {
        Loaded loaded = loadAll(config);
        RuleManager m = new RuleManager(storage, new Engine(engineOptions), languages, notifier, options(config), clockMs);
        m.update(loaded.global());
        m.start();
        manager = m;
        this.storage = storage;
        applyTenants(loaded.tenants());
        LOG.info("loaded " + loaded.global().size() + " rule groups from " + config.ruleFiles()
                + (loaded.tenants().isEmpty() ? "" : " and the rule files of " + loaded.tenants().size() + " tenants"));
    }

    /**
     * Applies the rule files of a newly loaded configuration; on any error (of any tenant's files too) all the
     * running rules stay. Changes to the evaluation interval or external labels take effect at the next restart.
     */
    public synchronized void reload(SightlineConfig next) throws RuleLoadException {
        Loaded loaded = loadAll(next);
        config = next;
        if (manager != null) {
            manager.update(loaded.global());
            applyTenants(loaded.tenants());
        }
    }

    /** The rule_files' groups and each tenant's. */
    private record Loaded(List<RuleGroupConfig> global, Map<String, List<RuleGroupConfig>> tenants) {
    }

    /** Parses rule_files and every tenant's rule files; all errors of all files are reported together. */
    private Loaded loadAll(SightlineConfig c) throws RuleLoadException {
        List<RuleError> errors = new ArrayList<>();
        List<RuleGroupConfig> global = List.of();
        try {
            global = load(configFile, c.ruleFiles(), languages);
        } catch (RuleLoadException e) {
            errors.addAll(e.errors());
        }
        Map<String, List<RuleGroupConfig>> tenants = new HashMap<>();
        TenantRuleDir dir = TenantRuleDir.scan(c.tenants().rulesDir(configFile));
        errors.addAll(dir.errors());
        for (String tenant : dir.tenants().keySet()) {
            tenants.put(tenant, parse(dir.ruleFiles(tenant, errors), languages, errors));
        }
        if (!errors.isEmpty()) {
            throw new RuleLoadException(errors);
        }
        return new Loaded(global, tenants);
    }

    /**
     * Gives each tenant its groups: a tenant seen before keeps its manager (and its alerts' state), a new one gets
     * one, and the manager of a tenant whose folder is gone is stopped.
     */
    private void applyTenants(Map<String, List<RuleGroupConfig>> groups) {
        if (perTenant == null) {
            return;
        }
        Map<String, RuleManager> next = new HashMap<>();
        for (Map.Entry<String, List<RuleGroupConfig>> e : groups.entrySet()) {
            String tenant = e.getKey();
            RuleManager m = tenantManagers.get(tenant);
            if (m == null) {
                m = new RuleManager(perTenant.storage(tenant, storage),
                        new Engine(perTenant.engineOptions(tenant, engineOptions)), perTenant.languages(tenant),
                        perTenant.notifier(tenant), options(config), clockMs);
                m.start();
            }
            m.update(e.getValue());
            next.put(tenant, m);
        }
        tenantManagers.forEach((tenant, m) -> {
            if (!next.containsKey(tenant)) {
                m.close();
            }
        });
        tenantManagers = Map.copyOf(next);
    }

    private static RuleManager.Options options(SightlineConfig c) {
        return RuleManager.Options.defaults()
                .withDefaultIntervalMs(c.global().evaluationInterval().toMillis())
                .withExternalLabels(c.global().externalLabels())
                .withOutOfOrderWindowMs(c.storage().tsdb().outOfOrderTimeWindow().toMillis());
    }

    /** The running manager, or null before start. */
    public RuleManager manager() {
        return manager;
    }

    /** The running groups of rule_files (empty before start). */
    public List<RuleGroup> groups() {
        RuleManager m = manager;
        return m == null ? List.of() : m.groups();
    }

    /** The running groups of a tenant; {@code tenant} null (multitenancy off): those of rule_files. */
    public List<RuleGroup> groups(String tenant) {
        if (tenant == null) {
            return groups();
        }
        RuleManager m = tenantManagers.get(tenant);
        return m == null ? List.of() : m.groups();
    }

    /** The running manager of a tenant's rules, or null when it has none. */
    public RuleManager manager(String tenant) {
        return tenantManagers.get(tenant);
    }

    /** Every running group: rule_files' and every tenant's (the self-metrics). */
    private List<RuleGroup> allGroups() {
        List<RuleGroup> all = new ArrayList<>(groups());
        tenantManagers.values().forEach(m -> all.addAll(m.groups()));
        return all;
    }

    /**
     * Self-metrics, read from the running groups at scrape time (so a reload never leaves stale series):
     * per group its last evaluation time and duration and its rule count, and alerts by state (every tenant's
     * groups too: an operator's view, as Mimir's ruler metrics are).
     */
    public void registerMetrics(PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("sightline_rule_group_last_evaluation_timestamp_seconds")
                .help("When the rule group was last evaluated (0: not yet).").labelNames("rule_group")
                .callback(cb -> allGroups().forEach(g -> cb.call(g.lastEvaluationMs() / 1000.0, g.key())))
                .register(registry);
        GaugeWithCallback.builder().name("sightline_rule_group_last_duration_seconds")
                .help("How long the rule group's last evaluation took.").labelNames("rule_group")
                .callback(cb -> allGroups().forEach(g -> cb.call(g.evaluationSeconds(), g.key())))
                .register(registry);
        GaugeWithCallback.builder().name("sightline_rule_group_rules")
                .help("Rules in the rule group.").labelNames("rule_group")
                .callback(cb -> allGroups().forEach(g -> cb.call(g.rules().size(), g.key())))
                .register(registry);
        GaugeWithCallback.builder().name("sightline_rule_alerts")
                .help("Alerts by state (pending, firing).").labelNames("state")
                .callback(cb -> {
                    long[] byState = new long[AlertState.values().length];
                    for (RuleGroup g : allGroups()) {
                        for (Rule r : g.rules()) {
                            if (r instanceof AlertingRule a) {
                                a.alerts().forEach(al -> byState[al.state().ordinal()]++);
                            }
                        }
                    }
                    cb.call(byState[AlertState.PENDING.ordinal()], "pending");
                    cb.call(byState[AlertState.FIRING.ordinal()], "firing");
                }).register(registry);
    }

    /** The rules and alerts APIs; with multitenancy on, each request sees its tenant's rules only. */
    public void register(HttpApi api, Tenants tenants) {
        RulesApi handlers = new RulesApi(tenants, this::groups);
        api.get("/api/v1/rules", handlers::rules);
        api.get("/api/v1/alerts", handlers::alerts);
    }

    /**
     * Parses every file the globs match, expressions of other query languages checked by {@code languages}; all
     * errors of all files are reported together.
     */
    public static List<RuleGroupConfig> load(Path configFile, List<String> globs, Map<String, RuleLanguage> languages)
            throws RuleLoadException {
        List<RuleError> errors = new ArrayList<>();
        List<RuleGroupConfig> groups = new ArrayList<>();
        Path base = ConfigLoader.baseDir(configFile);
        for (String glob : globs) {
            List<Path> files;
            try {
                files = expand(base, glob);
            } catch (IOException | IllegalArgumentException e) {
                errors.add(new RuleError(glob, 0, "cannot expand rule_files pattern: " + e.getMessage()));
                continue;
            }
            groups.addAll(parse(files, languages, errors));
        }
        if (!errors.isEmpty()) {
            throw new RuleLoadException(errors);
        }
        return groups;
    }

    /** The groups of {@code files}; their errors go to {@code errors}. */
    private static List<RuleGroupConfig> parse(List<Path> files, Map<String, RuleLanguage> languages,
                                               List<RuleError> errors) {
        List<RuleGroupConfig> groups = new ArrayList<>();
        for (Path f : files) {
            RuleFileParser.Result r = RuleFileParser.parseFile(f, languages);
            errors.addAll(r.errors());
            groups.addAll(r.groups());
        }
        return groups;
    }

    /** Files matching {@code glob} (relative to {@code base} unless absolute), sorted; a plain name must exist. */
    public static List<Path> expand(Path base, String glob) throws IOException {
        Path pattern = base.resolve(glob).normalize();
        Path root = pattern.getRoot() == null ? Path.of("") : pattern.getRoot();
        int literal = 0;
        while (literal < pattern.getNameCount() && !hasMeta(pattern.getName(literal).toString())) {
            root = root.resolve(pattern.getName(literal));
            literal++;
        }
        if (literal == pattern.getNameCount()) {
            if (!Files.isRegularFile(pattern)) {
                throw new IOException("no such file: " + pattern);
            }
            return List.of(pattern);
        }
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern.toString().replace("\\", "\\\\"));
        try (Stream<Path> s = Files.walk(root, pattern.getNameCount() - literal)) {
            return s.filter(Files::isRegularFile).filter(matcher::matches).sorted().toList();
        }
    }

    private static boolean hasMeta(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    @Override
    public synchronized void close() {
        if (manager != null) {
            manager.close();
        }
        tenantManagers.values().forEach(RuleManager::close);
    }
}
