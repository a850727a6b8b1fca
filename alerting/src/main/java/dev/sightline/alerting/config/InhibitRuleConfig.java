package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.alerting.Matchers;
import dev.sightline.core.LabelMatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alertmanager's inhibit rule: while an alert matching the source matchers fires, alerts matching the target
 * matchers that carry the same values for the {@code equal} labels are muted. The legacy
 * {@code source_match(_re)}/{@code target_match(_re)} maps are accepted too.
 */
public record InhibitRuleConfig(
        @JsonProperty("source_matchers") List<String> sourceMatchersText,
        @JsonProperty("source_match") Map<String, String> sourceMatch,
        @JsonProperty("source_match_re") Map<String, String> sourceMatchRe,
        @JsonProperty("target_matchers") List<String> targetMatchersText,
        @JsonProperty("target_match") Map<String, String> targetMatch,
        @JsonProperty("target_match_re") Map<String, String> targetMatchRe,
        @JsonProperty("equal") List<String> equal) {

    public InhibitRuleConfig {
        equal = equal == null ? List.of() : List.copyOf(equal);
        matchers("source", sourceMatch, sourceMatchRe, sourceMatchersText);
        matchers("target", targetMatch, targetMatchRe, targetMatchersText);
    }

    public List<LabelMatcher> sourceMatchers() {
        return matchers("source", sourceMatch, sourceMatchRe, sourceMatchersText);
    }

    public List<LabelMatcher> targetMatchers() {
        return matchers("target", targetMatch, targetMatchRe, targetMatchersText);
    }

    private static List<LabelMatcher> matchers(String side, Map<String, String> eq, Map<String, String> re, List<String> text) {
        List<LabelMatcher> out = new ArrayList<>();
        if (eq != null) {
            new TreeMap<>(eq).forEach((k, v) -> out.add(RouteConfig.at(side + "_match." + k, () -> new LabelMatcher(LabelMatcher.Type.EQ, k, v))));
        }
        if (re != null) {
            new TreeMap<>(re).forEach((k, v) -> out.add(RouteConfig.at(side + "_match_re." + k, () -> new LabelMatcher(LabelMatcher.Type.RE, k, v))));
        }
        if (text != null) {
            for (int i = 0; i < text.size(); i++) {
                String m = text.get(i);
                out.add(RouteConfig.at(side + "_matchers[" + i + "]", () -> Matchers.parse(m)));
            }
        }
        return List.copyOf(out);
    }
}
