package dev.sightline.demo.sim;

import java.util.Map;

/**
 * One time series the company writes: the service that owns it (its OpenTelemetry {@code service.name}, so the
 * server's {@code job} label), the instrument name as the application names it, and its attributes.
 */
public record Series(String service, String name, Kind kind, String description, Map<String, String> labels) {
    public enum Kind {
        /** Monotonic sum; the server names it {@code <name>_total}. */
        COUNTER,
        GAUGE,
        /** Exponential histogram; the server stores it as a native histogram. */
        HISTOGRAM
    }

    public Series {
        labels = Map.copyOf(labels);
    }

    /** This series' own random stream. */
    public long stream() {
        return Noise.stream(service + '\u0000' + name + '\u0000' + new java.util.TreeMap<>(labels));
    }
}
