package dev.sightline.rules;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.ValueType;
import dev.sightline.promql.engine.Sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32;

/**
 * A rule group: its rules run in order at one timestamp, their output goes through one appender, and series a rule
 * wrote last time but not now get a staleness marker (as Prometheus does). Alert state is restored from
 * ALERTS_FOR_STATE once, right after the group's first evaluation.
 */
public final class RuleGroup {
    private static final Logger LOG = Logger.getLogger(RuleGroup.class.getName());

    private final RuleGroupConfig config;
    private final long intervalMs;
    private final List<Rule> rules;
    private final Map<Rule, Set<Labels>> previousSeries = new HashMap<>();
    private volatile long lastEvaluationMs;
    private volatile double evaluationSeconds;
    private boolean restored;
    /** Set when a reload handed this group's alerts to its successor: a late scheduled run must not touch them. */
    private boolean retired;

    public RuleGroup(RuleGroupConfig config, long defaultIntervalMs) {
        this.config = config;
        this.intervalMs = config.intervalMs() > 0 ? config.intervalMs() : defaultIntervalMs;
        List<Rule> list = new ArrayList<>();
        for (RuleConfig r : config.rules()) {
            list.add(r.isAlerting() ? new AlertingRule(r, config.limit()) : new RecordingRule(r, config.limit()));
        }
        this.rules = List.copyOf(list);
    }

    public RuleGroupConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public String file() {
        return config.file();
    }

    public long intervalMs() {
        return intervalMs;
    }

    public List<Rule> rules() {
        return rules;
    }

    public long lastEvaluationMs() {
        return lastEvaluationMs;
    }

    public double evaluationSeconds() {
        return evaluationSeconds;
    }

    /** Identity across reloads: Prometheus keys groups by file and name. */
    public String key() {
        return config.file() + ";" + config.name();
    }

    /**
     * The group's evaluation phase: a stable offset within the interval from a hash of its key, so groups spread out
     * and a group keeps its schedule across restarts.
     */
    public long offsetMs() {
        CRC32 crc = new CRC32();
        crc.update(key().getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % intervalMs;
    }

    /** The latest evaluation timestamp of this group's schedule at or before {@code nowMs}. */
    public long alignedTimestamp(long nowMs) {
        long offset = offsetMs();
        long adj = nowMs - offset;
        return adj - Math.floorMod(adj, intervalMs) + offset;
    }

    /** Takes alert state (and restore status) from the same group of the previous configuration. */
    void copyStateFrom(RuleGroup old) {
        // Under the old group's lock, so no evaluation of it runs while its alerts move here or after.
        synchronized (old) {
            Map<String, AlertingRule> byKey = new HashMap<>();
            for (Rule r : old.rules) {
                if (r instanceof AlertingRule a) {
                    byKey.putIfAbsent(a.config().alert() + "\u0000" + a.config().exprText(), a);
                }
            }
            for (Rule r : rules) {
                if (r instanceof AlertingRule a) {
                    AlertingRule prev = byKey.remove(a.config().alert() + "\u0000" + a.config().exprText());
                    if (prev != null) {
                        a.copyStateFrom(prev);
                    }
                }
            }
            restored = old.restored;
            lastEvaluationMs = old.lastEvaluationMs;
            old.retired = true;
        }
    }

    /** Evaluates every rule at {@code tsMs}, writes the results and hands due alerts to the notifier. */
    public synchronized void evaluate(long tsMs, RuleContext ctx, Storage storage, Notifier notifier,
                                      long outageToleranceMs, long resendDelayMs) {
        if (retired || tsMs <= lastEvaluationMs) {
            // Retired by a reload, or a scheduler tick that landed on an already evaluated timestamp.
            return;
        }
        long groupStart = System.nanoTime();
        // Like Prometheus, results are stamped with the time they were queried at: tsMs minus the query offset.
        long writeTs = tsMs - config.queryOffsetMs();
        for (Rule rule : rules) {
            long start = System.nanoTime();
            String error = null;
            Set<Labels> written = new HashSet<>();
            try {
                List<Sample> samples = rule.eval(tsMs, ctx);
                Appender app = storage.appender();
                int rejected = 0;
                for (Sample s : samples) {
                    written.add(s.labels());
                    try {
                        app.append(0, s.labels(), writeTs, s.f());
                    } catch (ValidationException e) {
                        rejected++;
                    }
                }
                for (Labels gone : previousSeries.getOrDefault(rule, Set.of())) {
                    if (!written.contains(gone)) {
                        try {
                            app.append(0, gone, writeTs, Staleness.STALE_NAN);
                        } catch (ValidationException e) {
                            rejected++;
                        }
                    }
                }
                app.commit();
                if (rejected > 0) {
                    LOG.warning("rule group " + name() + ", rule " + rule.config().name() + ": " + rejected
                            + " samples rejected by storage at " + tsMs);
                }
            } catch (RuntimeException | IOException e) {
                error = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.log(Level.WARNING, "rule group " + name() + " (" + file() + "), rule " + rule.config().name()
                        + ": evaluation failed: " + error);
            }
            if (error == null) {
                previousSeries.put(rule, written);
            }
            rule.recordEvaluation(tsMs, (System.nanoTime() - start) / 1e9, error);
        }
        if (!restored) {
            restored = true;
            restoreForState(tsMs, storage, outageToleranceMs);
        }
        List<Alert> due = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule instanceof AlertingRule a) {
                due.addAll(a.toSend(tsMs, resendDelayMs));
            }
        }
        if (!due.isEmpty()) {
            notifier.send(due);
        }
        lastEvaluationMs = tsMs;
        evaluationSeconds = (System.nanoTime() - groupStart) / 1e9;
    }

    /**
     * Simplified Prometheus outage tolerance: each alert's activeAt is the last ALERTS_FOR_STATE value written
     * within {@code outageToleranceMs} before now (before this evaluation), so pending time survives a restart and an
     * alert whose {@code for} has passed fires again at once. Unlike Prometheus, downtime is not added back and there
     * is no for-grace period.
     */
    private void restoreForState(long tsMs, Storage storage, long outageToleranceMs) {
        for (Rule rule : rules) {
            if (!(rule instanceof AlertingRule a) || a.config().forMs() == 0) {
                continue;
            }
            Map<Labels, Long> activeAt = new HashMap<>();
            // Only what was written before this evaluation's own samples (stamped tsMs - query offset).
            long maxt = tsMs - config.queryOffsetMs() - 1;
            long mint = maxt - outageToleranceMs;
            try (Querier q = storage.querier(mint, maxt)) {
                SeriesSet set = q.select(false, mint, maxt, LabelMatcher.eq(Labels.METRIC_NAME, "ALERTS_FOR_STATE"),
                        LabelMatcher.eq("alertname", a.config().alert()));
                SampleIterator reuse = null;
                while (set.next()) {
                    SampleIterator it = set.at().iterator(reuse);
                    reuse = it;
                    double last = Double.NaN;
                    while (it.next() != ValueType.NONE) {
                        double v = it.value();
                        if (!Staleness.isStaleMarker(v)) {
                            last = v;
                        } else {
                            last = Double.NaN;
                        }
                    }
                    if (!Double.isNaN(last)) {
                        activeAt.put(set.at().labels().without(Labels.METRIC_NAME), Math.round(last * 1000));
                    }
                }
            }
            a.restore(activeAt, tsMs);
        }
    }
}
