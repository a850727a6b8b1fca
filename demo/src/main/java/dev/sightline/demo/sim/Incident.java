package dev.sightline.demo.sim;

/** One occurrence of an incident: {@code [startMillis, endMillis)}. {@code number} counts occurrences from 1. */
public record Incident(int number, IncidentKind kind, long startMillis, long endMillis) {
    public boolean activeAt(long millis) {
        return millis >= startMillis && millis < endMillis;
    }
}
