package dev.sightline.rules;

import dev.sightline.core.Labels;
import dev.sightline.promql.engine.Sample;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Writes its expression's result as the series named {@code record}, with the rule's (static) labels applied. */
public final class RecordingRule extends RuleHealth implements Rule {
    private final RuleConfig config;
    private final int limit;

    public RecordingRule(RuleConfig config, int limit) {
        this.config = config;
        this.limit = limit;
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    @Override
    public List<Sample> eval(long tsMs, RuleContext ctx) {
        List<Sample> result = ctx.query(config.expr(), tsMs, detectorCache(ctx));
        List<Sample> out = new ArrayList<>(result.size());
        Set<Labels> seen = new HashSet<>();
        for (Sample s : result) {
            if (s.isHistogram()) {
                throw new IllegalStateException("recording native histograms is not supported yet");
            }
            Labels.Builder b = s.labels().toBuilder().set(Labels.METRIC_NAME, config.record());
            for (Map.Entry<String, Template> l : config.labels().entrySet()) {
                String v = l.getValue().source();
                if (v.isEmpty()) {
                    b.remove(l.getKey());
                } else {
                    b.set(l.getKey(), v);
                }
            }
            Labels labels = b.build();
            if (!seen.add(labels)) {
                throw new IllegalStateException("vector contains metrics with the same labelset after applying rule labels");
            }
            out.add(new Sample(labels, tsMs, s.f()));
        }
        if (limit > 0 && out.size() > limit) {
            throw new IllegalStateException("exceeded limit of " + limit + " with " + out.size() + " series");
        }
        return out;
    }
}
