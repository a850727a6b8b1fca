package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.alerting.Matchers;
import dev.sightline.core.LabelMatcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node of Alertmanager's {@code route} tree as written. Unset fields (null) are inherited from the parent
 * when the tree is built ({@link dev.sightline.alerting.Route}), except the time intervals, which apply to the
 * route that names them only, as in Alertmanager. {@code match}/{@code match_re} are the legacy
 * forms of {@code matchers}; all three are merged into {@link #allMatchers()}.
 */
public record RouteConfig(
        @JsonProperty("receiver") String receiver,
        @JsonProperty("group_by") List<String> groupBy,
        @JsonProperty("matchers") List<String> matchers,
        @JsonProperty("match") Map<String, String> match,
        @JsonProperty("match_re") Map<String, String> matchRe,
        @JsonProperty("continue") Boolean continueMatching,
        @JsonProperty("group_wait") Duration groupWait,
        @JsonProperty("group_interval") Duration groupInterval,
        @JsonProperty("repeat_interval") Duration repeatInterval,
        @JsonProperty("routes") List<RouteConfig> routes,
        @JsonProperty("mute_time_intervals") List<String> muteTimeIntervals,
        @JsonProperty("active_time_intervals") List<String> activeTimeIntervals) {

    public RouteConfig {
        groupBy = groupBy == null ? null : List.copyOf(groupBy);
        routes = routes == null ? List.of() : List.copyOf(routes);
        // Not inherited by child routes: Alertmanager takes them from the route itself only (dispatch/route.go).
        muteTimeIntervals = muteTimeIntervals == null ? List.of() : List.copyOf(muteTimeIntervals);
        activeTimeIntervals = activeTimeIntervals == null ? List.of() : List.copyOf(activeTimeIntervals);
        if (groupBy != null && groupBy.contains("...") && groupBy.size() > 1) {
            throw new IllegalArgumentException("group_by: cannot have \"...\" together with other labels");
        }
        if (groupBy != null) {
            for (int i = 0; i < groupBy.size(); i++) {
                String g = groupBy.get(i);
                if (!g.equals("...") && !g.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                    throw new IllegalArgumentException("group_by[" + i + "]: invalid label name \"" + g + "\"");
                }
            }
        }
        if (groupInterval != null && groupInterval.isZero()) {
            throw new IllegalArgumentException("group_interval: must be greater than 0");
        }
        if (repeatInterval != null && repeatInterval.isZero()) {
            throw new IllegalArgumentException("repeat_interval: must be greater than 0");
        }
        allMatchers(match, matchRe, matchers);
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i) == null) {
                throw new IllegalArgumentException("routes[" + i + "]: empty route");
            }
        }
    }

    /** The route's matchers from all three keys, sorted as Alertmanager sorts them (its route key depends on it). */
    public List<LabelMatcher> allMatchers() {
        return allMatchers(match, matchRe, matchers);
    }

    private static List<LabelMatcher> allMatchers(Map<String, String> match, Map<String, String> matchRe, List<String> matchers) {
        List<LabelMatcher> out = new ArrayList<>();
        if (match != null) {
            new TreeMap<>(match).forEach((k, v) -> out.add(at("match." + k, () -> new LabelMatcher(LabelMatcher.Type.EQ, k, v))));
        }
        if (matchRe != null) {
            new TreeMap<>(matchRe).forEach((k, v) -> out.add(at("match_re." + k, () -> new LabelMatcher(LabelMatcher.Type.RE, k, v))));
        }
        if (matchers != null) {
            for (int i = 0; i < matchers.size(); i++) {
                String m = matchers.get(i);
                out.add(at("matchers[" + i + "]", () -> Matchers.parse(m)));
            }
        }
        out.sort(Matchers.ORDER);
        return List.copyOf(out);
    }

    /** Runs a matcher constructor, prefixing its error with the key it came from. */
    static LabelMatcher at(String key, java.util.function.Supplier<LabelMatcher> m) {
        try {
            return m.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
