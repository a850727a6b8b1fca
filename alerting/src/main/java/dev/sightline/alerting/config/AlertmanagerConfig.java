package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code alertmanager:} section of sightline.yml: Alertmanager's own configuration keys. Checks across the
 * section (receivers defined once, every route's receiver defined, the root route's shape) throw
 * IllegalArgumentException whose message starts with the relative key path, e.g. {@code route.routes[1].receiver: ...}.
 */
public record AlertmanagerConfig(
        @JsonProperty("global") Global global,
        @JsonProperty("route") RouteConfig route,
        @JsonProperty("receivers") List<ReceiverConfig> receivers,
        @JsonProperty("inhibit_rules") List<InhibitRuleConfig> inhibitRules,
        @JsonProperty("time_intervals") List<TimeIntervalConfig> timeIntervals,
        @JsonProperty("mute_time_intervals") List<TimeIntervalConfig> muteTimeIntervals) {

    public AlertmanagerConfig {
        global = global == null ? new Global(null) : global;
        receivers = receivers == null ? List.of() : List.copyOf(receivers);
        inhibitRules = inhibitRules == null ? List.of() : List.copyOf(inhibitRules);
        timeIntervals = timeIntervals == null ? List.of() : List.copyOf(timeIntervals);
        muteTimeIntervals = muteTimeIntervals == null ? List.of() : List.copyOf(muteTimeIntervals);
        if (route == null) {
            throw new IllegalArgumentException("route: missing (Alertmanager needs a root route)");
        }
        if (route.receiver() == null) {
            throw new IllegalArgumentException("route.receiver: the root route must name a receiver");
        }
        if (!route.allMatchers().isEmpty()) {
            throw new IllegalArgumentException("route: the root route must not have any matchers");
        }
        if (Boolean.TRUE.equals(route.continueMatching())) {
            throw new IllegalArgumentException("route.continue: cannot be set on the root route");
        }
        if (!route.muteTimeIntervals().isEmpty()) {
            throw new IllegalArgumentException("route.mute_time_intervals: the root route must not have any mute time intervals");
        }
        if (!route.activeTimeIntervals().isEmpty()) {
            throw new IllegalArgumentException("route.active_time_intervals: the root route must not have any active time intervals");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < receivers.size(); i++) {
            ReceiverConfig r = receivers.get(i);
            if (r == null) {
                throw new IllegalArgumentException("receivers[" + i + "]: empty receiver");
            }
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("receivers[" + i + "].name: notification config name \"" + r.name()
                        + "\" is not unique");
            }
        }
        checkReceivers("route", route, names);
        Set<String> intervals = new HashSet<>();
        checkIntervalNames("mute_time_intervals", muteTimeIntervals, intervals);
        checkIntervalNames("time_intervals", timeIntervals, intervals);
        checkIntervals("route", route, intervals);
        for (int i = 0; i < inhibitRules.size(); i++) {
            if (inhibitRules.get(i) == null) {
                throw new IllegalArgumentException("inhibit_rules[" + i + "]: empty inhibit rule");
            }
        }
    }

    private static void checkReceivers(String path, RouteConfig r, Set<String> names) {
        if (r.receiver() != null && !names.contains(r.receiver())) {
            throw new IllegalArgumentException(path + ".receiver: undefined receiver \"" + r.receiver() + "\" used in route");
        }
        for (int i = 0; i < r.routes().size(); i++) {
            checkReceivers(path + ".routes[" + i + "]", r.routes().get(i), names);
        }
    }

    private static void checkIntervalNames(String key, List<TimeIntervalConfig> list, Set<String> names) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(key + "[" + i + "]: empty time interval");
            }
            if (!names.add(list.get(i).name())) {
                throw new IllegalArgumentException(key + "[" + i + "].name: time interval \"" + list.get(i).name() + "\" is not unique");
            }
        }
    }

    private static void checkIntervals(String path, RouteConfig r, Set<String> names) {
        for (String key : List.of("mute_time_intervals", "active_time_intervals")) {
            List<String> used = key.startsWith("mute") ? r.muteTimeIntervals() : r.activeTimeIntervals();
            for (int i = 0; i < used.size(); i++) {
                if (!names.contains(used.get(i))) {
                    throw new IllegalArgumentException(path + "." + key + "[" + i + "]: undefined time interval \"" + used.get(i) + "\" used in route");
                }
            }
        }
        for (int i = 0; i < r.routes().size(); i++) {
            checkIntervals(path + ".routes[" + i + "]", r.routes().get(i), names);
        }
    }

    /** The named time intervals from {@code time_intervals} and the legacy {@code mute_time_intervals}. */
    public Map<String, TimeIntervalConfig> timeIntervalsByName() {
        Map<String, TimeIntervalConfig> out = new HashMap<>();
        muteTimeIntervals.forEach(t -> out.put(t.name(), t));
        timeIntervals.forEach(t -> out.put(t.name(), t));
        return Map.copyOf(out);
    }

    public ReceiverConfig receiver(String name) {
        return receivers.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** Alertmanager's {@code global:} keys that apply here: how long an alert without endsAt stays firing. */
    public record Global(@JsonProperty("resolve_timeout") Duration resolveTimeout) {
        public Global {
            resolveTimeout = resolveTimeout == null ? Duration.ofMinutes(5) : resolveTimeout;
        }
    }
}
