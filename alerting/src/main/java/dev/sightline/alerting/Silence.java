package dev.sightline.alerting;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.util.List;

/** An Alertmanager silence: mutes alerts matching all its matchers between startsAt and endsAt (Unix ms). */
public record Silence(String id, List<LabelMatcher> matchers, long startsAtMs, long endsAtMs, long updatedAtMs,
                      String createdBy, String comment) {
    public enum State {
        PENDING, ACTIVE, EXPIRED;

        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Silence {
        matchers = List.copyOf(matchers);
        createdBy = createdBy == null ? "" : createdBy;
        comment = comment == null ? "" : comment;
    }

    public State state(long nowMs) {
        if (endsAtMs <= nowMs) {
            return State.EXPIRED;
        }
        return startsAtMs > nowMs ? State.PENDING : State.ACTIVE;
    }

    public boolean matches(Labels labels) {
        return Matchers.matchesAll(matchers, labels);
    }

    Silence with(String newId, long startsAt, long endsAt, long updatedAt) {
        return new Silence(newId, matchers, startsAt, endsAt, updatedAt, createdBy, comment);
    }
}
