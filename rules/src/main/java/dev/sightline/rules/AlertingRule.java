package dev.sightline.rules;

import dev.sightline.core.Labels;
import dev.sightline.promql.engine.Sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An alerting rule and its alerts' state machine, as Prometheus's rules/alerting.go runs it: a new result is
 * PENDING and becomes FIRING once it has been active for {@code for}; when it disappears a pending alert is dropped
 * and a firing one is resolved (INACTIVE, kept 15 minutes for notifications) unless keep_firing_for still holds it.
 * Each evaluation writes {@code ALERTS{alertname, alertstate, ...}} = 1 and {@code ALERTS_FOR_STATE{...}} =
 * activeAt in seconds for every pending or firing alert.
 */
public final class AlertingRule extends RuleHealth implements Rule {
    static final long RESOLVED_RETENTION_MS = 15 * 60_000;

    private static final class Active {
        Labels labels;
        Labels annotations;
        AlertState state = AlertState.PENDING;
        double value;
        long activeAt;
        long firedAt;
        long resolvedAt;
        long keepFiringSince;
        long lastSentAt;

        Alert snapshot() {
            return new Alert(labels, annotations, state, value, activeAt, firedAt, resolvedAt, keepFiringSince);
        }
    }

    private final RuleConfig config;
    private final int limit;
    private final Map<Labels, Active> active = new LinkedHashMap<>();

    public AlertingRule(RuleConfig config, int limit) {
        this.config = config;
        this.limit = limit;
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    @Override
    public synchronized List<Sample> eval(long tsMs, RuleContext ctx) {
        List<Sample> result = ctx.query(config.expr(), tsMs, detectorCache(ctx));
        Map<Labels, Active> current = new HashMap<>();
        for (Sample s : result) {
            Template.Data data = new Template.Data(s.labels().without(Labels.METRIC_NAME), s.f(), ctx.externalLabels(),
                    promql -> ctx.templateQuery(promql, tsMs));
            Labels.Builder b = s.labels().toBuilder().remove(Labels.METRIC_NAME);
            for (Map.Entry<String, Template> l : config.labels().entrySet()) {
                String v = expand(l.getValue(), data);
                if (v.isEmpty()) {
                    b.remove(l.getKey());
                } else {
                    b.set(l.getKey(), v);
                }
            }
            b.set("alertname", config.alert());
            Labels labels = b.build();
            Labels.Builder ann = Labels.builder();
            for (Map.Entry<String, Template> a : config.annotations().entrySet()) {
                ann.set(a.getKey(), expand(a.getValue(), data));
            }
            if (current.containsKey(labels)) {
                throw new IllegalStateException("vector contains metrics with the same labelset after applying alert labels");
            }
            Active a = new Active();
            a.labels = labels;
            a.annotations = ann.build();
            a.value = s.f();
            a.activeAt = tsMs;
            current.put(labels, a);
        }
        for (Active a : current.values()) {
            Active old = active.get(a.labels);
            if (old != null && old.state != AlertState.INACTIVE) {
                old.value = a.value;
                old.annotations = a.annotations;
            } else {
                active.put(a.labels, a);
            }
        }
        List<Sample> out = new ArrayList<>();
        int numActive = 0;
        var it = active.values().iterator();
        while (it.hasNext()) {
            Active a = it.next();
            if (!current.containsKey(a.labels)) {
                boolean keepFiring = false;
                if (a.state == AlertState.FIRING && config.keepFiringForMs() > 0) {
                    if (a.keepFiringSince == 0) {
                        a.keepFiringSince = tsMs;
                    }
                    keepFiring = tsMs - a.keepFiringSince < config.keepFiringForMs();
                }
                if (a.state == AlertState.PENDING
                        || (a.resolvedAt != 0 && tsMs - a.resolvedAt > RESOLVED_RETENTION_MS)) {
                    it.remove();
                }
                if (a.state != AlertState.INACTIVE && !keepFiring) {
                    a.state = AlertState.INACTIVE;
                    a.resolvedAt = tsMs;
                }
                if (!keepFiring) {
                    continue;
                }
            } else {
                a.keepFiringSince = 0;
            }
            numActive++;
            if (a.state == AlertState.PENDING && tsMs - a.activeAt >= config.forMs()) {
                a.state = AlertState.FIRING;
                a.firedAt = tsMs;
            }
            Labels.Builder alerts = a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS")
                    .set("alertstate", a.state.apiName());
            out.add(new Sample(alerts.build(), tsMs, 1));
            out.add(new Sample(a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS_FOR_STATE").build(), tsMs,
                    a.activeAt / 1000.0));
        }
        if (limit > 0 && numActive > limit) {
            active.clear();
            throw new IllegalStateException("exceeded limit of " + limit + " with " + numActive + " alerts");
        }
        return out;
    }

    private static String expand(Template t, Template.Data data) {
        try {
            return t.render(data);
        } catch (Template.TemplateException e) {
            // Prometheus puts the error text in place of the value instead of failing the rule.
            return "<error expanding template: " + e.getMessage() + ">";
        }
    }

    /**
     * Restores activeAt of the current pending alerts from ALERTS_FOR_STATE (label set -> activeAt in ms, as last
     * written before a restart), promoting to FIRING those whose {@code for} has elapsed since then.
     */
    public synchronized void restore(Map<Labels, Long> activeAtByLabels, long tsMs) {
        if (config.forMs() == 0) {
            return;
        }
        for (Active a : active.values()) {
            Long restored = activeAtByLabels.get(a.labels);
            if (restored == null || a.state != AlertState.PENDING || restored >= a.activeAt) {
                continue;
            }
            a.activeAt = restored;
            if (tsMs - a.activeAt >= config.forMs()) {
                a.state = AlertState.FIRING;
                a.firedAt = tsMs;
            }
        }
    }

    /** Copies alert state from the same rule of the previous configuration (reload keeps alerts). */
    synchronized void copyStateFrom(AlertingRule old) {
        synchronized (old) {
            active.putAll(old.active);
        }
    }

    /** Pending and firing alerts (and resolved ones still retained), in first-seen order. */
    public synchronized List<Alert> alerts() {
        return active.values().stream().map(Active::snapshot).toList();
    }

    /** The rule's state for the API: the most severe state of its alerts. */
    public synchronized AlertState state() {
        AlertState max = AlertState.INACTIVE;
        for (Active a : active.values()) {
            if (a.state.ordinal() > max.ordinal()) {
                max = a.state;
            }
        }
        return max;
    }

    /** Alerts due for the notifier: firing ones every {@code resendDelayMs}, and resolved ones once. */
    synchronized List<Alert> toSend(long tsMs, long resendDelayMs) {
        List<Alert> out = new ArrayList<>();
        for (Active a : active.values()) {
            if (a.state == AlertState.PENDING) {
                continue;
            }
            boolean due = (a.resolvedAt != 0 && a.resolvedAt > a.lastSentAt)
                    || (a.state == AlertState.FIRING && a.lastSentAt + resendDelayMs <= tsMs);
            if (due) {
                a.lastSentAt = tsMs;
                out.add(a.snapshot());
            }
        }
        return out;
    }
}
