package dev.sightline.alerting;

import dev.sightline.alerting.config.InhibitRuleConfig;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's inhibition: an alert matching a rule's target matchers is muted while another, firing alert
 * matches its source matchers and has the same value (a missing label counts as empty) for each {@code equal}
 * label. An alert never inhibits itself.
 */
final class Inhibitor {
    private record Rule(List<LabelMatcher> source, List<LabelMatcher> target, List<String> equal) {
        /** The values of the equal labels, the key under which sources and targets meet. */
        List<String> key(Labels labels) {
            List<String> key = new ArrayList<>(equal.size());
            for (String name : equal) {
                String v = labels.get(name);
                key.add(v == null ? "" : v);
            }
            return key;
        }
    }

    private final List<Rule> rules = new ArrayList<>();

    Inhibitor(List<InhibitRuleConfig> configs) {
        for (InhibitRuleConfig c : configs) {
            rules.add(new Rule(c.sourceMatchers(), c.targetMatchers(), c.equal()));
        }
    }

    /** The firing source alerts of every rule at one moment, indexed by their equal-label values. */
    Sources sources(Collection<Alert> all, long nowMs) {
        List<Map<List<String>, List<Alert>>> byRule = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            Map<List<String>, List<Alert>> index = new HashMap<>();
            for (Alert a : all) {
                if (!a.resolvedAt(nowMs) && Matchers.matchesAll(r.source, a.labels())) {
                    index.computeIfAbsent(r.key(a.labels()), k -> new ArrayList<>()).add(a);
                }
            }
            byRule.add(index);
        }
        return new Sources(byRule);
    }

    final class Sources {
        private final List<Map<List<String>, List<Alert>>> byRule;

        private Sources(List<Map<List<String>, List<Alert>>> byRule) {
            this.byRule = byRule;
        }

        /** Fingerprints of the firing alerts that inhibit {@code target} (empty: not inhibited). */
        List<String> inhibitedBy(Alert target) {
            List<String> out = new ArrayList<>();
            long targetFp = target.fingerprint();
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                if (!Matchers.matchesAll(r.target, target.labels())) {
                    continue;
                }
                // A target that also matches the source side is only inhibited by sources that are not targets too,
                // so two such alerts cannot mute each other (Alertmanager's excludeTwoSidedMatch).
                boolean twoSided = Matchers.matchesAll(r.source, target.labels());
                for (Alert source : byRule.get(i).getOrDefault(r.key(target.labels()), List.of())) {
                    if (source.fingerprint() != targetFp && !(twoSided && Matchers.matchesAll(r.target, source.labels()))) {
                        out.add(source.fingerprintHex());
                    }
                }
            }
            return out;
        }
    }
}
