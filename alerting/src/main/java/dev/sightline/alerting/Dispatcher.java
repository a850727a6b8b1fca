package dev.sightline.alerting;

import dev.sightline.alerting.config.AlertmanagerConfig;
import dev.sightline.alerting.config.ReceiverConfig;
import dev.sightline.alerting.config.TimeIntervalConfig;
import dev.sightline.core.Labels;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Alertmanager's dispatcher: holds the alerts, routes each to its aggregation groups (route x group labels), and
 * flushes a group group_wait after it was created, then every group_interval. A flush drops inhibited and silenced
 * alerts, sends nothing while the route's mute_time_intervals (or lack of an active_time_interval) mute it, and
 * notifies each integration of the receiver unless the notification log says nothing changed since its
 * last notification and repeat_interval has not passed (deduplication). A resolved alert leaves its group once its
 * resolution was delivered; a group without alerts ends. The notification log survives restarts
 * ({@link NotificationLog}).
 * <p>
 * Time comes from {@code clockMs}; {@link #tick()} does what is due now, so tests step a manual clock and call it.
 * {@link #start()} runs ticks on a thread of its own, woken when alerts arrive. Deliveries run on virtual threads.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    /** How long notification log entries are kept (Alertmanager's --data.retention). */
    private static final long NFLOG_RETENTION_MS = Silences.RETENTION_MS;
    /** Upper bound on the sleep of the dispatching thread, so clock changes and GC are seen. */
    private static final long MAX_SLEEP_MS = 1_000;
    /** Delivery attempts kept for the notification history (GET /api/v1/notifications). */
    static final int HISTORY_CAPACITY = 1_000;

    /** Told about every delivery attempt's outcome (self-metrics). */
    public interface DeliveryListener {
        void delivered(String receiver, String integration, boolean ok, String failureReason);
    }

    /** An alert as the API shows it: whom it routes to and what mutes it. */
    public record AlertStatus(Alert alert, List<String> receivers, List<String> silencedBy, List<String> inhibitedBy) {
        public boolean muted() {
            return !silencedBy.isEmpty() || !inhibitedBy.isEmpty();
        }
    }

    private record Setup(AlertmanagerConfig config, Route tree, Inhibitor inhibitor, Map<String, List<Integration>> integrations,
                         Map<String, TimeIntervalConfig> timeIntervals) {
    }

    private static final class Group {
        final Route route;
        final Labels labels;
        final String key;
        final Map<Long, Alert> alerts = new LinkedHashMap<>();
        long nextFlushMs;
        boolean flushed;

        Group(Route route, Labels labels, long nextFlushMs) {
            this.route = route;
            this.labels = labels;
            this.key = route.key() + ":" + labels;
            this.nextFlushMs = nextFlushMs;
        }
    }

    private final LongSupplier clockMs;
    private final Silences silences;
    private final Function<ReceiverConfig, List<Integration>> integrationFactory;
    private final DeliveryListener listener;
    private final Supplier<String> externalUrl;
    private final Executor senders;
    private final Map<Long, Alert> alerts = new HashMap<>();
    private final Map<Route, Map<Labels, Group>> groups = new IdentityHashMap<>();
    private final NotificationLog nflog;
    private final Set<String> inFlight = new HashSet<>();
    private final NotificationHistory history = new NotificationHistory(HISTORY_CAPACITY);
    private Setup setup;
    private Thread thread;
    private boolean closed;

    /**
     * {@code config} null: alerts are kept and listed but routed nowhere. {@code integrationFactory} builds the
     * integrations of a receiver (webhooks in production, recording fakes in tests); {@code externalUrl} is the
     * address notifications link back to (Alertmanager's --web.external-url).
     */
    public Dispatcher(AlertmanagerConfig config, Silences silences, NotificationLog nflog,
                      Function<ReceiverConfig, List<Integration>> integrationFactory, DeliveryListener listener,
                      Supplier<String> externalUrl, LongSupplier clockMs) {
        this(config, silences, nflog, integrationFactory, listener, externalUrl, clockMs, Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * As above, deliveries run by {@code senders} (shut down by {@link #close()} when it is an ExecutorService): tests
     * pass one they drain themselves, so they know every delivery a tick started has run.
     */
    Dispatcher(AlertmanagerConfig config, Silences silences, NotificationLog nflog,
               Function<ReceiverConfig, List<Integration>> integrationFactory, DeliveryListener listener,
               Supplier<String> externalUrl, LongSupplier clockMs, Executor senders) {
        this.senders = senders;
        this.clockMs = clockMs;
        this.silences = silences;
        this.nflog = nflog;
        this.integrationFactory = integrationFactory;
        this.listener = listener;
        this.externalUrl = externalUrl;
        this.setup = setup(config);
    }

    private Setup setup(AlertmanagerConfig config) {
        if (config == null) {
            return new Setup(null, null, new Inhibitor(List.of()), Map.of(), Map.of());
        }
        Map<String, List<Integration>> integrations = new HashMap<>();
        for (ReceiverConfig r : config.receivers()) {
            integrations.put(r.name(), integrationFactory.apply(r));
        }
        return new Setup(config, Route.tree(config.route()), new Inhibitor(config.inhibitRules()), integrations,
                config.timeIntervalsByName());
    }

    /**
     * Applies a new configuration as Alertmanager's reload does: groups are rebuilt from the held alerts (new
     * groups wait group_wait again), while the notification log survives, so nothing unchanged is sent twice.
     */
    public synchronized void reload(AlertmanagerConfig config) {
        setup = setup(config);
        groups.clear();
        long now = clockMs.getAsLong();
        for (Alert a : alerts.values()) {
            route(a, now);
        }
        notifyAll();
    }

    public synchronized AlertmanagerConfig config() {
        return setup.config;
    }

    /** Receives alerts (from rules or the API): merged into held ones by fingerprint and routed. */
    public synchronized void put(List<Alert> incoming) {
        long now = clockMs.getAsLong();
        long resolveTimeoutMs = setup.config == null ? 300_000 : setup.config.global().resolveTimeout().toMillis();
        for (Alert in : incoming) {
            long start = in.startsAtMs() == 0 ? now : in.startsAtMs();
            long end = in.endsAtMs() == 0 ? now + resolveTimeoutMs : in.endsAtMs();
            Alert a = new Alert(in.labels(), in.annotations(), start, end, in.generatorUrl(), now);
            Alert held = alerts.get(a.fingerprint());
            Alert merged = held == null ? a : held.merge(a);
            alerts.put(merged.fingerprint(), merged);
            route(merged, now);
        }
        notifyAll();
    }

    private void route(Alert a, long now) {
        if (setup.tree == null) {
            return;
        }
        for (Route r : setup.tree.match(a.labels())) {
            Labels gl = r.groupLabels(a.labels());
            Group g = groups.computeIfAbsent(r, x -> new HashMap<>()).computeIfAbsent(gl,
                    x -> new Group(r, gl, now + r.groupWaitMs()));
            // An alert older than group_wait needs no more waiting (Alertmanager flushes such a new group at once).
            if (!g.flushed && a.startsAtMs() + r.groupWaitMs() < now) {
                g.nextFlushMs = Math.min(g.nextFlushMs, now);
            }
            g.alerts.put(a.fingerprint(), a);
        }
    }

    /** Flushes every group that is due; returns when the next one is due. */
    public synchronized long tick() {
        long now = clockMs.getAsLong();
        long next = now + MAX_SLEEP_MS;
        Inhibitor.Sources sources = null;
        for (Map<Labels, Group> byLabels : groups.values()) {
            for (var it = byLabels.values().iterator(); it.hasNext(); ) {
                Group g = it.next();
                if (g.nextFlushMs <= now) {
                    if (sources == null) {
                        sources = setup.inhibitor.sources(alerts.values(), now);
                    }
                    Set<Long> unsettled = flush(g, sources, now);
                    g.flushed = true;
                    g.nextFlushMs = now + g.route.groupIntervalMs();
                    g.alerts.values().removeIf(a -> a.resolvedAt(now) && !unsettled.contains(a.fingerprint()));
                    if (g.alerts.isEmpty()) {
                        it.remove();
                        continue;
                    }
                }
                next = Math.min(next, g.nextFlushMs);
            }
        }
        groups.values().removeIf(Map::isEmpty);
        alerts.values().removeIf(a -> a.resolvedAt(now) && !inAnyGroup(a));
        nflog.gc(now, NFLOG_RETENTION_MS);
        nflog.saveIfChanged();
        return next;
    }

    private boolean inAnyGroup(Alert a) {
        for (Map<Labels, Group> byLabels : groups.values()) {
            for (Group g : byLabels.values()) {
                if (g.alerts.containsKey(a.fingerprint())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Notifies what needs it; returns the resolved alerts whose resolution some integration (with send_resolved)
     * has not yet been told of successfully: they stay in the group so a failed resolved notification is retried at
     * the next flush, as Alertmanager keeps them until the notification succeeded.
     */
    private Set<Long> flush(Group g, Inhibitor.Sources sources, long now) {
        if (timeMuted(g.route, now)) {
            // As Alertmanager's time mute stages: nothing is sent nor logged, so a still-firing alert goes out at the
            // first flush after the interval ends; resolved alerts leave the group unnotified.
            return Set.of();
        }
        List<Alert> kept = new ArrayList<>();
        for (Alert a : g.alerts.values()) {
            if (sources.inhibitedBy(a).isEmpty() && silences.silencedBy(a.labels()).isEmpty()) {
                kept.add(a);
            }
        }
        kept.sort(Dispatcher::alertOrder);
        Set<Long> firing = new HashSet<>();
        Set<Long> resolved = new HashSet<>();
        for (Alert a : kept) {
            (a.resolvedAt(now) ? resolved : firing).add(a.fingerprint());
        }
        String receiver = g.route.receiver();
        List<Integration> integrations = setup.integrations.getOrDefault(receiver, List.of());
        for (int i = 0; i < integrations.size(); i++) {
            Integration integration = integrations.get(i);
            String logKey = logKey(g, integration, i);
            if (inFlight.contains(logKey)
                    || !needsUpdate(nflog.get(logKey), firing, resolved, integration.sendResolved(), g.route.repeatIntervalMs(), now)) {
                continue;
            }
            List<Alert> send = integration.sendResolved() ? kept : kept.stream().filter(a -> !a.resolvedAt(now)).toList();
            NotificationLog.Entry entry = new NotificationLog.Entry(Set.copyOf(firing), Set.copyOf(resolved), now);
            if (send.isEmpty()) {
                // Everything resolved and send_resolved is off: nothing to send, but the log forgets the firing set.
                nflog.put(logKey, entry);
                continue;
            }
            Notification n = new Notification(receiver, g.key, g.labels, List.copyOf(send), now, externalUrl.get());
            inFlight.add(logKey);
            senders.execute(() -> deliver(integration, n, logKey, entry));
        }
        Set<Long> unsettled = new HashSet<>();
        for (int i = 0; i < integrations.size(); i++) {
            Integration integration = integrations.get(i);
            String logKey = logKey(g, integration, i);
            NotificationLog.Entry last = nflog.get(logKey);
            for (long fp : resolved) {
                if (integration.sendResolved() && (inFlight.contains(logKey)
                        || last != null && last.firing().contains(fp) && !last.resolved().contains(fp))) {
                    unsettled.add(fp);
                }
            }
        }
        return unsettled;
    }

    /** Whether the route is in one of its mute_time_intervals, or outside all of its active_time_intervals. */
    private boolean timeMuted(Route r, long now) {
        Instant at = Instant.ofEpochMilli(now);
        if (r.muteTimeIntervals().stream().anyMatch(name -> setup.timeIntervals.get(name).contains(at))) {
            return true;
        }
        return !r.activeTimeIntervals().isEmpty()
                && r.activeTimeIntervals().stream().noneMatch(name -> setup.timeIntervals.get(name).contains(at));
    }

    /** The notification log's key: one entry per group and integration of its receiver. */
    private static String logKey(Group g, Integration integration, int index) {
        return g.key + "|" + g.route.receiver() + "|" + integration.name() + "|" + index;
    }

    /**
     * Alertmanager's order of alerts in a notification: by job, then instance (an alert having the label first),
     * then by all labels.
     */
    static int alertOrder(Alert x, Alert y) {
        for (String key : new String[] {"job", "instance"}) {
            String a = x.labels().get(key);
            String b = y.labels().get(key);
            if (a == null && b == null) {
                continue;
            }
            if (a == null || b == null) {
                return a == null ? 1 : -1;
            }
            if (!a.equals(b)) {
                return a.compareTo(b);
            }
        }
        return x.labels().compareTo(y.labels());
    }

    /** Alertmanager's DedupStage: notify on new firing alerts, on newly resolved ones (if sent), or after repeat_interval. */
    private static boolean needsUpdate(NotificationLog.Entry last, Set<Long> firing, Set<Long> resolved, boolean sendResolved,
                                       long repeatMs, long now) {
        if (last == null) {
            return !firing.isEmpty();
        }
        if (!last.firing().containsAll(firing)) {
            return true;
        }
        if (firing.isEmpty()) {
            // All resolved: tell once (also clears the firing set from the log when resolved ones are not sent).
            return !last.firing().isEmpty();
        }
        if (sendResolved && !last.resolved().containsAll(resolved)) {
            return true;
        }
        return last.atMs() + repeatMs <= now;
    }

    private void deliver(Integration integration, Notification n, String logKey, NotificationLog.Entry entry) {
        boolean ok = false;
        String reason = "";
        String error = "";
        try {
            integration.send(n);
            ok = true;
        } catch (WebhookIntegration.DeliveryException e) {
            reason = e.reason();
            error = e.getMessage();
            LOG.warning("notifying receiver " + n.receiver() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted";
            error = "interrupted";
        } catch (Exception e) {
            reason = "error";
            error = String.valueOf(e);
            LOG.log(Level.WARNING, "notifying receiver " + n.receiver() + " failed", e);
        }
        history.add(new NotificationHistory.Attempt(n, integration.name(), clockMs.getAsLong(), ok, reason, error));
        synchronized (this) {
            inFlight.remove(logKey);
            if (ok) {
                nflog.put(logKey, entry);
            }
        }
        nflog.saveIfChanged();
        listener.delivered(n.receiver(), integration.name(), ok, reason);
    }

    /** The held alerts that have not resolved, with their receivers and what mutes them. */
    public synchronized List<AlertStatus> alerts() {
        long now = clockMs.getAsLong();
        List<AlertStatus> out = new ArrayList<>();
        Inhibitor.Sources sources = setup.inhibitor.sources(alerts.values(), now);
        for (Alert a : alerts.values()) {
            if (!a.resolvedAt(now)) {
                out.add(status(a, sources));
            }
        }
        out.sort((x, y) -> x.alert().labels().compareTo(y.alert().labels()));
        return out;
    }

    private AlertStatus status(Alert a, Inhibitor.Sources sources) {
        List<String> receivers = new ArrayList<>();
        if (setup.tree != null) {
            for (Route r : setup.tree.match(a.labels())) {
                if (!receivers.contains(r.receiver())) {
                    receivers.add(r.receiver());
                }
            }
        }
        return new AlertStatus(a, receivers, silences.silencedBy(a.labels()), sources.inhibitedBy(a));
    }

    /** An aggregation group as the API's alerts/groups shows it. */
    public record GroupStatus(Labels labels, String receiver, List<AlertStatus> alerts) {
    }

    /** The aggregation groups with their alerts that have not resolved (groups left with none are not listed). */
    public synchronized List<GroupStatus> groups() {
        long now = clockMs.getAsLong();
        List<GroupStatus> out = new ArrayList<>();
        Inhibitor.Sources sources = setup.inhibitor.sources(alerts.values(), now);
        for (Map<Labels, Group> byLabels : groups.values()) {
            for (Group g : byLabels.values()) {
                List<AlertStatus> live = new ArrayList<>();
                for (Alert a : g.alerts.values()) {
                    if (!a.resolvedAt(now)) {
                        live.add(status(a, sources));
                    }
                }
                if (!live.isEmpty()) {
                    live.sort((x, y) -> alertOrder(x.alert(), y.alert()));
                    out.add(new GroupStatus(g.labels, g.route.receiver(), live));
                }
            }
        }
        out.sort((x, y) -> x.labels().compareTo(y.labels()) != 0 ? x.labels().compareTo(y.labels())
                : x.receiver().compareTo(y.receiver()));
        return out;
    }

    /** The recent delivery attempts, newest first (not synchronized on the dispatcher: the history locks itself). */
    public NotificationHistory history() {
        return history;
    }

    /** Number of aggregation groups (for tests and metrics). */
    public synchronized int groupCount() {
        return groups.values().stream().mapToInt(Map::size).sum();
    }

    /** Runs {@link #tick()} on a thread of its own until {@link #close()}. */
    public synchronized void start() {
        thread = Thread.ofPlatform().name("sightline-alert-dispatcher").daemon(true).start(this::loop);
    }

    private synchronized void loop() {
        while (!closed) {
            try {
                long next = tick();
                long wait = Math.max(1, Math.min(MAX_SLEEP_MS, next - clockMs.getAsLong()));
                wait(wait);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "alert dispatching failed", e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        if (thread != null) {
            thread.interrupt();
        }
        if (senders instanceof ExecutorService s) {
            s.shutdownNow();
        }
    }
}
