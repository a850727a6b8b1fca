package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
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
        @JsonProperty("inhibit_rules") List<InhibitRuleConfig> inhibitRules) {

    public AlertmanagerConfig {
        global = global == null ? new Global(null) : global;
        receivers = receivers == null ? List.of() : List.copyOf(receivers);
        inhibitRules = inhibitRules == null ? List.of() : List.copyOf(inhibitRules);
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
