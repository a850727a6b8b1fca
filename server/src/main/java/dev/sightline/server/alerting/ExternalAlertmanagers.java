package dev.sightline.server.alerting;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.alerting.Alert;
import dev.sightline.alerting.AlertmanagerJson;
import dev.sightline.server.tenants.Tenants;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Sends alerts to external Alertmanagers as Prometheus's notifier does: a bounded queue (the oldest alerts are
 * dropped when it is full), batches of at most {@link #MAX_BATCH} POSTed as JSON to every Alertmanager's
 * {@code /api/v2/alerts}. There is no retry: the rules re-send firing alerts every minute anyway. A tenant's alerts
 * are sent in batches of their own with its {@code X-Scope-OrgID}, as Mimir's ruler sends to a multi-tenant
 * Alertmanager.
 */
final class ExternalAlertmanagers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExternalAlertmanagers.class.getName());
    static final int QUEUE_CAPACITY = 10_000;
    static final int MAX_BATCH = 256;

    /** Outcome of one batch to one Alertmanager, for the self-metrics. */
    interface Listener {
        void sent(String alertmanager, int alerts, boolean ok);

        void dropped(int alerts);
    }

    private record Target(URI url, Duration timeout) {
    }

    /** An alert waiting, with its tenant (null: none). */
    private record Queued(String tenant, Alert alert) {
    }

    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final Listener listener;
    private final String userAgent;
    private volatile List<Target> targets;
    private Thread thread;
    private boolean closed;

    ExternalAlertmanagers(AlertingConfig config, Listener listener, String userAgent) {
        this.listener = listener;
        this.userAgent = userAgent;
        update(config);
    }

    void update(AlertingConfig config) {
        List<Target> t = new ArrayList<>();
        for (AlertingConfig.Endpoint e : config.alertmanagers()) {
            new AlertingConfig(List.of(e)).alertsUrls().forEach(u -> t.add(new Target(u, e.timeout())));
        }
        targets = List.copyOf(t);
    }

    synchronized void start() {
        thread = Thread.ofPlatform().name("sightline-alertmanager-sender").daemon(true).start(this::loop);
    }

    /** Queues alerts for every configured Alertmanager; a no-op when none is configured. */
    void send(List<Alert> alerts) {
        send(null, alerts);
    }

    /** Queues a tenant's alerts (tenant null: of none) for every configured Alertmanager. */
    synchronized void send(String tenant, List<Alert> alerts) {
        if (targets.isEmpty() || closed) {
            return;
        }
        alerts.forEach(a -> queue.add(new Queued(tenant, a)));
        int over = queue.size() - QUEUE_CAPACITY;
        for (int i = 0; i < over; i++) {
            queue.pollFirst();
        }
        if (over > 0) {
            listener.dropped(over);
        }
        notifyAll();
    }

    private void loop() {
        while (true) {
            List<Alert> batch = new ArrayList<>();
            String tenant;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                // One tenant's alerts per batch: the header names a single tenant.
                tenant = queue.peekFirst().tenant();
                while (!queue.isEmpty() && batch.size() < MAX_BATCH && Objects.equals(queue.peekFirst().tenant(), tenant)) {
                    batch.add(queue.pollFirst().alert());
                }
            }
            post(tenant, batch);
        }
    }

    private void post(String tenant, List<Alert> batch) {
        ArrayNode body = AlertmanagerJson.MAPPER.createArrayNode();
        for (Alert a : batch) {
            ObjectNode o = body.addObject();
            o.set("labels", AlertmanagerJson.labels(a.labels()));
            o.set("annotations", AlertmanagerJson.labels(a.annotations()));
            o.put("startsAt", AlertmanagerJson.apiTime(a.startsAtMs()));
            o.put("endsAt", AlertmanagerJson.apiTime(a.endsAtMs()));
            o.put("generatorURL", a.generatorUrl());
        }
        byte[] bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Target t : targets) {
            boolean ok = false;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(t.url()).timeout(t.timeout())
                        .header("Content-Type", "application/json").header("User-Agent", userAgent);
                if (tenant != null) {
                    request.header(Tenants.HEADER, tenant);
                }
                HttpResponse<String> r = AlertHttpClient.get().send(request.POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                        HttpResponse.BodyHandlers.ofString());
                ok = r.statusCode() / 100 == 2;
                if (!ok) {
                    LOG.warning("sending " + batch.size() + " alerts to " + t.url() + " failed: " + r.statusCode() + " " + r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warning("sending " + batch.size() + " alerts to " + t.url() + " failed: " + e);
            }
            listener.sent(t.url().getAuthority(), batch.size(), ok);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
