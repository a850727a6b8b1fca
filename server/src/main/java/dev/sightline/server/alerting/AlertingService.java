package dev.sightline.server.alerting;

import dev.sightline.alerting.Alert;
import dev.sightline.alerting.Dispatcher;
import dev.sightline.alerting.Integration;
import dev.sightline.alerting.NotificationLog;
import dev.sightline.alerting.Silence;
import dev.sightline.alerting.Silences;
import dev.sightline.alerting.WebhookIntegration;
import dev.sightline.alerting.config.ReceiverConfig;
import dev.sightline.core.Labels;
import dev.sightline.rules.Notifier;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's side of alerting: the rules' {@link Notifier} feeds the built-in dispatcher (the
 * {@code alertmanager:} section) and the external Alertmanagers (the {@code alerting:} section); silences live in
 * {@code <data>/alerting/silences.json}; the Alertmanager API v2 subset is served; a reload applies both sections.
 */
public final class AlertingService implements AutoCloseable {
    /** How long a firing alert stays valid without being re-sent: 4 x the rules' resend delay, as Prometheus sets endsAt. */
    private static final long RESEND_DELAY_MS = 60_000;

    private final LongSupplier clockMs;
    private final Silences silences;
    private final Dispatcher dispatcher;
    private final ExternalAlertmanagers external;
    private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String userAgent = "Sightline/" + BuildInfo.current().version();
    private final long startedMs;
    private final Supplier<String> externalUrl;
    private final Counter notifications;
    private final Counter failures;
    private final Counter received;
    private final Counter externalSent;
    private final Counter externalErrors;
    private final Counter externalDropped;
    private volatile SightlineConfig config;

    /** Opens the silences kept in {@code dataDir}; {@code externalUrl} gives the address notifications link to. */
    public AlertingService(SightlineConfig config, Path dataDir, PrometheusRegistry registry, Supplier<String> externalUrl,
                           LongSupplier clockMs) throws IOException {
        this.config = config;
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
        this.silences = new Silences(dataDir.resolve("alerting").resolve("silences.json"), clockMs);
        this.dispatcher = new Dispatcher(config.alertmanager(), silences,
                new NotificationLog(dataDir.resolve("alerting").resolve("nflog.json")), this::integrations, this::delivered,
                externalUrl, clockMs);
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
                    List<Dispatcher.AlertStatus> all = dispatcher.alerts();
                    long muted = all.stream().filter(Dispatcher.AlertStatus::muted).count();
                    cb.call(all.size() - muted, "active");
                    cb.call(muted, "suppressed");
                }).register(registry);
        GaugeWithCallback.builder().name("sightline_alerting_silences")
                .help("Silences by state (active, pending, expired).").labelNames("state")
                .callback(cb -> {
                    long now = clockMs.getAsLong();
                    long[] n = new long[Silence.State.values().length];
                    silences.list().forEach(s -> n[s.state(now).ordinal()]++);
                    for (Silence.State st : Silence.State.values()) {
                        cb.call(n[st.ordinal()], st.apiName());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sightline_alerting_aggregation_groups")
                .help("Aggregation groups (route x group labels) holding alerts.")
                .callback(cb -> cb.call(dispatcher.groupCount())).register(registry);
    }

    private List<Integration> integrations(ReceiverConfig r) {
        return r.webhookConfigs().stream()
                .<Integration>map(w -> new WebhookIntegration(w, webhookClient, WebhookIntegration.Backoff.DEFAULT, userAgent))
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
    public void start() {
        dispatcher.start();
        external.start();
    }

    /** Applies the alerting sections of a configuration that has already been parsed and checked. */
    public void reload(SightlineConfig next) {
        config = next;
        dispatcher.reload(next.alertmanager());
        external.update(next.alerting());
    }

    /**
     * The rules' notifier: alerts go to the dispatcher and the external Alertmanagers with the global external
     * labels added, a firing one valid for 4 x max(resend delay, evaluation interval) as Prometheus sends them, and
     * a generatorURL that opens the alert in the UI's Alerts page.
     */
    public Notifier notifier() {
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
            receive(out);
            external.send(out);
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

    /** Alerts from rules or POST /api/v2/alerts. */
    void receive(List<Alert> alerts) {
        long now = clockMs.getAsLong();
        for (Alert a : alerts) {
            received.labelValues(a.resolvedAt(now) ? "resolved" : "firing").inc();
        }
        dispatcher.put(alerts);
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public Silences silences() {
        return silences;
    }

    long startedMs() {
        return startedMs;
    }

    public void register(HttpApi api) {
        new AlertmanagerApi(this, clockMs, config.limits().maxRequestBodyBytes()).register(api);
    }

    @Override
    public void close() {
        external.close();
        dispatcher.close();
    }
}
