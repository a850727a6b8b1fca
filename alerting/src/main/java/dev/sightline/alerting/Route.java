package dev.sightline.alerting;

import dev.sightline.alerting.config.RouteConfig;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * A node of the routing tree with its parent's settings inherited, as Alertmanager's dispatch.Route: an alert goes
 * to the deepest matching routes; siblings are tried in order and the first match stops the search unless it has
 * {@code continue: true}; a route none of whose children match takes the alert itself.
 */
public final class Route {
    private final List<LabelMatcher> matchers;
    private final String receiver;
    /** null: group by every label ('...'). */
    private final List<String> groupBy;
    private final boolean continueMatching;
    private final long groupWaitMs;
    private final long groupIntervalMs;
    private final long repeatIntervalMs;
    private final List<String> muteTimeIntervals;
    private final List<String> activeTimeIntervals;
    private final List<Route> children = new ArrayList<>();
    private final String key;

    private Route(Route parent, RouteConfig c) {
        this.matchers = c.allMatchers();
        this.receiver = c.receiver() != null ? c.receiver() : parent.receiver;
        List<String> gb = c.groupBy() != null ? c.groupBy() : parent == null ? List.of() : parent.groupBy;
        this.groupBy = gb != null && gb.contains("...") ? null : gb == null ? null : List.copyOf(gb);
        this.continueMatching = Boolean.TRUE.equals(c.continueMatching());
        this.groupWaitMs = ms(c.groupWait(), parent == null ? 30_000 : parent.groupWaitMs);
        this.groupIntervalMs = ms(c.groupInterval(), parent == null ? 300_000 : parent.groupIntervalMs);
        this.repeatIntervalMs = ms(c.repeatInterval(), parent == null ? 4 * 3_600_000 : parent.repeatIntervalMs);
        this.muteTimeIntervals = c.muteTimeIntervals();
        this.activeTimeIntervals = c.activeTimeIntervals();
        StringJoiner m = new StringJoiner(",", "{", "}");
        matchers.forEach(x -> m.add(x.toString()));
        this.key = parent == null ? m.toString() : parent.key + "/" + m;
        for (RouteConfig child : c.routes()) {
            children.add(new Route(this, child));
        }
    }

    private static long ms(Duration d, long inherited) {
        return d == null ? inherited : d.toMillis();
    }

    /** The tree of a configured root route (defaults: group_wait 30s, group_interval 5m, repeat_interval 4h). */
    public static Route tree(RouteConfig root) {
        return new Route(null, root);
    }

    /** The routes an alert with these labels goes to, in tree order; empty if the root does not match. */
    public List<Route> match(Labels labels) {
        if (!Matchers.matchesAll(matchers, labels)) {
            return List.of();
        }
        List<Route> all = new ArrayList<>();
        for (Route child : children) {
            List<Route> found = child.match(labels);
            all.addAll(found);
            if (!found.isEmpty() && !child.continueMatching) {
                break;
            }
        }
        return all.isEmpty() ? List.of(this) : all;
    }

    /** The labels this route groups an alert by. */
    public Labels groupLabels(Labels labels) {
        if (groupBy == null) {
            return labels;
        }
        Labels.Builder b = Labels.builder();
        for (String name : groupBy) {
            String v = labels.get(name);
            if (v != null) {
                b.set(name, v);
            }
        }
        return b.build();
    }

    /** Alertmanager's route key: the parents' keys and this route's matchers, e.g. {@code {}/{team="a"}}. */
    public String key() {
        return key;
    }

    public String receiver() {
        return receiver;
    }

    public long groupWaitMs() {
        return groupWaitMs;
    }

    public long groupIntervalMs() {
        return groupIntervalMs;
    }

    public long repeatIntervalMs() {
        return repeatIntervalMs;
    }

    /** Names of the intervals during which this route sends nothing (its own; not inherited). */
    public List<String> muteTimeIntervals() {
        return muteTimeIntervals;
    }

    /** Names of the intervals outside all of which this route sends nothing; empty: always active. */
    public List<String> activeTimeIntervals() {
        return activeTimeIntervals;
    }

    public List<Route> children() {
        return children;
    }
}
