package dev.sightline.server.alerting;

import dev.sightline.alerting.Alert;
import dev.sightline.alerting.Dispatcher;
import dev.sightline.alerting.Integration;
import dev.sightline.alerting.NotificationLog;
import dev.sightline.alerting.Silence;
import dev.sightline.alerting.Silences;
import dev.sightline.alerting.WebhookIntegration;
import dev.sightline.alerting.config.AlertmanagerConfig;
import dev.sightline.alerting.config.ReceiverConfig;
import dev.sightline.core.Labels;
import dev.sightline.rules.Notifier;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.TenantRuleDir;
import dev.sightline.server.tenants.Tenants;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's side of alerting: the rules' {@link Notifier} feeds the built-in dispatcher (the
 * {@code alertmanager:} section) and the external Alertmanagers (the {@code alerting:} section); silences live in
 * {@code <data>/alerting/silences.json}; the Alertmanager API v2 subset is served; a reload applies both sections.
 * With multitenancy on, each tenant has an Alertmanager of its own, as Mimir's multi-tenant Alertmanager: its alerts,
 * silences and notification log (kept in {@code <data>/alerting/tenants/<tenant>/}), routed by its
 * {@code tenants.rules_dir/<tenant>/alertmanager.yml} or else by the {@code alertmanager:} section (Mimir's fallback
 * configuration); a silence of one tenant never mutes another's alerts.
 */
public final class AlertingService implements AutoCloseable {
    /** How long a firing alert stays valid without being re-sent: 4 x the rules' resend delay, as Prometheus sets endsAt. */
    private static final long RESEND_DELAY_MS = 60_000;

    private final LongSupplier clockMs;
    private final Path configFile;
    private final Path dataDir;
    /** The one Alertmanager with multitenancy off; null when on. */
    private final Instance single;
    /** The tenants' Alertmanagers, made on first use (an alert, a silence, a read) and kept for the server's life. */
    private final ConcurrentHashMap<String, Instance> tenants = new ConcurrentHashMap<>();
    private final ExternalAlertmanagers external;
    private final String userAgent = "Sightline/" + BuildInfo.current().version();
    private final long startedMs;
    private final Supplier<String> externalUrl;
    private final Counter notifications;
    private final Counter failures;
    private final Counter received;
    private final Counter externalSent;
    private final Counter externalErrors;
    private final Counter externalDropped;
    /** The tenants' own alertmanager.yml by tenant id (the others take the alertmanager: section). */
    private volatile Map<String, AlertmanagerConfig> tenantConfigs;
    private volatile boolean started;
    private volatile SightlineConfig config;

    /**
     * Opens the silences kept in {@code dataDir}; {@code externalUrl} gives the address notifications link to;
     * {@code configFile} (or null) is where {@code tenants.rules_dir} is relative to. A tenant's alertmanager.yml that
     * cannot be read refuses the start with a ConfigException naming its FILE:LINE:COL.
     */
    public AlertingService(SightlineConfig config, Path configFile, Path dataDir, PrometheusRegistry registry,
                           Supplier<String> externalUrl, LongSupplier clockMs) throws IOException, ConfigException {
        this.config = config;
        this.configFile = configFile;
        this.dataDir = dataDir;
        this.tenantConfigs = tenantConfigs(config);
        this.clockMs = clockMs;
        this.startedMs = clockMs.getAsLong();
        this.externalUrl = externalUrl;
        this.notifications = Counter.builder().name("sightline_alerting_notifications_total")
                .help("Notifications delivered, by receiver and integration.").labelNames("receiver", "integration")
                .register(registry);
        this.failures = Counter.builder().name("sightline_alerting_notifications_failed_total")
                .help("Notifications that failed after their retries, by receiver, integration and reason "
                        + "(client_error, server_error, connection).").labelNames("receiver", "integration", "reason")
                .register(registry);
        this.received = Counter.builder().name("sightline_alerting_alerts_received_total")
                .help("Alerts received from rules and the API, by status.").labelNames("status").register(registry);
        this.externalSent = Counter.builder().name("sightline_alerting_external_alerts_sent_total")
                .help("Alerts sent to external Alertmanagers.").labelNames("alertmanager").register(registry);
        this.externalErrors = Counter.builder().name("sightline_alerting_external_errors_total")
                .help("Batches external Alertmanagers did not accept.").labelNames("alertmanager").register(registry);
        this.externalDropped = Counter.builder().name("sightline_alerting_external_dropped_total")
                .help("Alerts dropped because the queue to external Alertmanagers was full.").register(registry);
        this.single = config.tenants().multitenancyEnabled() ? null
                : new Instance(dataDir.resolve("alerting"), config.alertmanager());
        this.external = new ExternalAlertmanagers(config.alerting(), new ExternalAlertmanagers.Listener() {
            @Override
            public void sent(String alertmanager, int alerts, boolean ok) {
                (ok ? externalSent : externalErrors).labelValues(alertmanager).inc(ok ? alerts : 1);
            }

            @Override
            public void dropped(int alerts) {
                externalDropped.inc(alerts);
            }
        }, userAgent);
        GaugeWithCallback.builder().name("sightline_alerting_alerts")
                .help("Alerts held by the built-in Alertmanager, by state (active, suppressed).").labelNames("state")
                .callback(cb -> {
                    long all = 0;
                    long muted = 0;
                    for (Instance i : instances()) {
                        List<Dispatcher.AlertStatus> alerts = i.dispatcher.alerts();
                        all += alerts.size();
                        muted += alerts.stream().filter(Dispatcher.AlertStatus::muted).count();
                    }
                    cb.call(all - muted, "active");
                    cb.call(muted, "suppressed");
                }).register(registry);
        GaugeWithCallback.builder().name("sightline_alerting_silences")
                .help("Silences by state (active, pending, expired).").labelNames("state")
                .callback(cb -> {
                    long now = clockMs.getAsLong();
                    long[] n = new long[Silence.State.values().length];
                    instances().forEach(i -> i.silences.list().forEach(s -> n[s.state(now).ordinal()]++));
                    for (Silence.State st : Silence.State.values()) {
                        cb.call(n[st.ordinal()], st.apiName());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sightline_alerting_aggregation_groups")
                .help("Aggregation groups (route x group labels) holding alerts.")
                .callback(cb -> cb.call(instances().stream().mapToInt(i -> i.dispatcher.groupCount()).sum()))
                .register(registry);
    }

    /**
     * One Alertmanager's state: silences and notification log in {@code dir}, and the dispatcher routing its alerts.
     */
    public final class Instance {
        private final Silences silences;
        private final Dispatcher dispatcher;

        private Instance(Path dir, AlertmanagerConfig routing) throws IOException {
            this.silences = new Silences(dir.resolve("silences.json"), clockMs);
            this.dispatcher = new Dispatcher(routing, silences, new NotificationLog(dir.resolve("nflog.json")),
                    AlertingService.this::integrations, AlertingService.this::delivered, externalUrl, clockMs);
        }

        public Dispatcher dispatcher() {
            return dispatcher;
        }

        public Silences silences() {
            return silences;
        }
    }

    /**
     * The Alertmanager of a tenant, made (its silences and notification log read back from its folder, dispatching
     * started) on first use; {@code tenant} null with multitenancy off: the one Alertmanager.
     */
    public Instance instance(String tenant) {
        if (tenant == null) {
            return single;
        }
        Instance known = tenants.get(tenant);
        return known != null ? known : open(tenant);
    }

    /** Under the lock start and close take, so a new tenant's dispatcher is started exactly when the service runs. */
    private synchronized Instance open(String tenant) {
        return tenants.computeIfAbsent(tenant, id -> {
            try {
                Instance i = new Instance(dataDir.resolve("alerting").resolve("tenants").resolve(id), routing(id));
                if (started) {
                    i.dispatcher.start();
                }
                return i;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the Alertmanager state of tenant " + id + ": "
                        + e.getMessage(), e);
            }
        });
    }

    private List<Instance> instances() {
        List<Instance> all = new ArrayList<>(tenants.values());
        if (single != null) {
            all.add(single);
        }
        return all;
    }

    /** The routing of a tenant: its own alertmanager.yml, else the alertmanager: section. */
    private AlertmanagerConfig routing(String tenant) {
        return tenantConfigs.getOrDefault(tenant, config.alertmanager());
    }

    /**
     * The tenants' own alertmanager.yml files of {@code c}, read as the alertmanager: section is; a bad one is a
     * ConfigException naming its FILE:LINE:COL. Nothing is applied.
     */
    public Map<String, AlertmanagerConfig> tenantConfigs(SightlineConfig c) throws ConfigException {
        TenantRuleDir dir = TenantRuleDir.scan(c.tenants().rulesDir(configFile));
        Map<String, AlertmanagerConfig> out = new HashMap<>();
        ConfigLoader loader = new ConfigLoader();
        for (String tenant : dir.tenants().keySet()) {
            Path f = dir.alertmanagerFile(tenant);
            if (f == null) {
                continue;
            }
            byte[] content;
            try {
                content = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new ConfigException(f.toString(), "cannot read the tenant's Alertmanager configuration: "
                        + e.getMessage(), e);
            }
            AlertmanagerConfig am = loader.parseSection(f.toString(), content, f.getParent(), "alertmanager",
                    AlertmanagerConfig.class);
            if (am == null) {
                throw new ConfigException(f.toString(), "empty Alertmanager configuration (remove the file to use"
                        + " the alertmanager: section)", null);
            }
            out.put(tenant, am);
        }
        return Map.copyOf(out);
    }

    private List<Integration> integrations(ReceiverConfig r) {
        return r.webhookConfigs().stream()
                .<Integration>map(w -> new WebhookIntegration(w, AlertHttpClient.get(), WebhookIntegration.Backoff.DEFAULT, userAgent))
                .toList();
    }

    private void delivered(String receiver, String integration, boolean ok, String reason) {
        if (ok) {
            notifications.labelValues(receiver, integration).inc();
        } else {
            failures.labelValues(receiver, integration, reason).inc();
        }
    }

    /** Starts dispatching and sending to external Alertmanagers. */
    public synchronized void start() {
        started = true;
        instances().forEach(i -> i.dispatcher.start());
        external.start();
    }

    /**
     * Applies the alerting sections of a configuration that has already been parsed and checked, and the tenants'
     * alertmanager.yml files read from it by {@link #tenantConfigs}.
     */
    public void reload(SightlineConfig next, Map<String, AlertmanagerConfig> nextTenantConfigs) {
        config = next;
        tenantConfigs = nextTenantConfigs;
        if (single != null) {
            single.dispatcher.reload(next.alertmanager());
        }
        tenants.forEach((id, i) -> i.dispatcher.reload(routing(id)));
        external.update(next.alerting());
    }

    /**
     * The rules' notifier: alerts go to the dispatcher and the external Alertmanagers with the global external
     * labels added, a firing one valid for 4 x max(resend delay, evaluation interval) as Prometheus sends them, and
     * a generatorURL that opens the alert in the UI's Alerts page.
     */
    public Notifier notifier() {
        return notifier(null);
    }

    /**
     * The notifier of a tenant's rules: as {@link #notifier()}, into the tenant's Alertmanager, and to the external
     * Alertmanagers with the tenant's {@code X-Scope-OrgID} (as Mimir's ruler sends to its Alertmanager).
     */
    public Notifier notifier(String tenant) {
        return alerts -> {
            long now = clockMs.getAsLong();
            SightlineConfig c = config;
            long validMs = 4 * Math.max(RESEND_DELAY_MS, c.global().evaluationInterval().toMillis());
            List<Alert> out = new ArrayList<>(alerts.size());
            for (dev.sightline.rules.Alert a : alerts) {
                Labels.Builder b = a.labels().toBuilder();
                for (Map.Entry<String, String> e : c.global().externalLabels().entrySet()) {
                    if (b.get(e.getKey()) == null) {
                        b.set(e.getKey(), e.getValue());
                    }
                }
                long end = a.resolvedAtMs() != 0 ? a.resolvedAtMs() : now + validMs;
                out.add(new Alert(b.build(), a.annotations(), a.activeAtMs(), end, generatorUrl(externalUrl.get(), a.labels()), now));
            }
            receive(instance(tenant), out);
            external.send(tenant, out);
        };
    }

    /**
     * Where an alert of a rule links to: the Alerts page focused on its alertname ({@code <external url>/alerts?alert=}),
     * which shows the rule, its expression's graph around the firing time, silences and notifications. Prometheus
     * links to {@code /graph?g0.expr=}; nothing here reads that form, and the page links on to /explore with the
     * expression.
     */
    static String generatorUrl(String externalUrl, Labels labels) {
        String name = labels.get("alertname");
        return externalUrl.replaceAll("/+$", "") + "/alerts"
                + (name == null ? "" : "?alert=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    /** Alerts from rules or POST /api/v2/alerts, into an Alertmanager. */
    void receive(Instance into, List<Alert> alerts) {
        long now = clockMs.getAsLong();
        for (Alert a : alerts) {
            received.labelValues(a.resolvedAt(now) ? "resolved" : "firing").inc();
        }
        into.dispatcher.put(alerts);
    }

    /** The dispatcher of the one Alertmanager (multitenancy off; null when on: see {@link #instance}). */
    public Dispatcher dispatcher() {
        return single == null ? null : single.dispatcher;
    }

    /** The silences of the one Alertmanager (multitenancy off; null when on: see {@link #instance}). */
    public Silences silences() {
        return single == null ? null : single.silences;
    }

    long startedMs() {
        return startedMs;
    }

    /** The Alertmanager API; with multitenancy on, each request reads and changes its tenant's Alertmanager. */
    public void register(HttpApi api, Tenants tenantsOfRequests) {
        new AlertmanagerApi(this, tenantsOfRequests, clockMs, config.limits().maxRequestBodyBytes()).register(api);
    }

    @Override
    public synchronized void close() {
        started = false;
        external.close();
        instances().forEach(i -> i.dispatcher.close());
    }
}
