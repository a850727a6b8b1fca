package dev.sightline.alerting;

import dev.sightline.alerting.config.InhibitRuleConfig;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Alertmanager's inhibition: an alert matching a rule's target matchers is muted while another, firing alert
 * matches its source matchers and has the same value (a missing label counts as empty) for each {@code equal}
 * label. An alert never inhibits itself.
 */
final class Inhibitor {
    private record Rule(List<LabelMatcher> source, List<LabelMatcher> target, List<String> equal) {
    }

    private final List<Rule> rules = new ArrayList<>();

    Inhibitor(List<InhibitRuleConfig> configs) {
        for (InhibitRuleConfig c : configs) {
            rules.add(new Rule(c.sourceMatchers(), c.targetMatchers(), c.equal()));
        }
    }

    /** Fingerprints of the firing alerts that inhibit {@code target} (empty: not inhibited). */
    List<String> inhibitedBy(Alert target, Collection<Alert> all, long nowMs) {
        List<String> out = new ArrayList<>();
        long targetFp = target.fingerprint();
        for (Rule r : rules) {
            if (!Matchers.matchesAll(r.target, target.labels())) {
                continue;
            }
            // A target that also matches the source side is only inhibited by sources that are not targets too,
            // so two such alerts cannot mute each other (Alertmanager's excludeTwoSidedMatch).
            boolean twoSided = Matchers.matchesAll(r.source, target.labels());
            for (Alert source : all) {
                if (source.resolvedAt(nowMs) || source.fingerprint() == targetFp || !Matchers.matchesAll(r.source, source.labels())
                        || twoSided && Matchers.matchesAll(r.target, source.labels())) {
                    continue;
                }
                if (equalLabels(r.equal, source.labels(), target.labels())) {
                    out.add(source.fingerprintHex());
                }
            }
        }
        return out;
    }

    private static boolean equalLabels(List<String> names, Labels a, Labels b) {
        for (String n : names) {
            String va = a.get(n);
            String vb = b.get(n);
            if (!(va == null ? "" : va).equals(vb == null ? "" : vb)) {
                return false;
            }
        }
        return true;
    }
}
