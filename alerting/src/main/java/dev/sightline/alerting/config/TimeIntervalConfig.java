package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;

/**
 * Alertmanager's named {@code time_interval} (also read from the legacy top-level {@code mute_time_intervals}):
 * routes name it in {@code mute_time_intervals} or {@code active_time_intervals}. It contains an instant when any
 * of its entries does.
 */
public record TimeIntervalConfig(
        @JsonProperty("name") String name,
        @JsonProperty("time_intervals") List<TimeInterval> timeIntervals) {

    public TimeIntervalConfig {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name: missing (time interval name must not be empty)");
        }
        timeIntervals = timeIntervals == null ? List.of() : List.copyOf(timeIntervals);
        for (int i = 0; i < timeIntervals.size(); i++) {
            if (timeIntervals.get(i) == null) {
                throw new IllegalArgumentException("time_intervals[" + i + "]: empty time interval");
            }
        }
    }

    public boolean contains(Instant at) {
        return timeIntervals.stream().anyMatch(t -> t.contains(at));
    }
}
