package dev.sightline.demo.sim;

import java.time.Duration;
import java.util.Optional;

/**
 * The incidents in turn, forever: the first starts at {@code firstStart}, each lasts {@code length}, the next starts
 * {@code gap} after the previous ended. {@link #NONE} is a quiet company (the backfilled week).
 */
public final class IncidentSchedule {
    public static final IncidentSchedule NONE = new IncidentSchedule(Long.MAX_VALUE, Duration.ofMinutes(1), Duration.ZERO);

    private final long firstStart;
    private final long length;
    private final long period;

    public IncidentSchedule(long firstStart, Duration length, Duration gap) {
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("incident length must be positive, got " + length);
        }
        if (gap.isNegative()) {
            throw new IllegalArgumentException("gap between incidents must not be negative, got " + gap);
        }
        this.firstStart = firstStart;
        this.length = length.toMillis();
        this.period = length.toMillis() + gap.toMillis();
    }

    /** The incident running at {@code millis}, if any. */
    public Optional<Incident> at(long millis) {
        if (millis < firstStart) {
            return Optional.empty();
        }
        long n = (millis - firstStart) / period;
        Incident i = occurrence(n);
        return i.activeAt(millis) ? Optional.of(i) : Optional.empty();
    }

    /** The n-th incident (from 0). */
    public Incident occurrence(long n) {
        IncidentKind[] kinds = IncidentKind.values();
        long start = firstStart + n * period;
        return new Incident((int) n + 1, kinds[(int) (n % kinds.length)], start, start + length);
    }

    /** True when an incident of this kind runs at {@code millis}. */
    public boolean active(IncidentKind kind, long millis) {
        return at(millis).filter(i -> i.kind() == kind).isPresent();
    }

    /** When the running incident of this kind started, or -1. */
    public long startOf(IncidentKind kind, long millis) {
        return at(millis).filter(i -> i.kind() == kind).map(Incident::startMillis).orElse(-1L);
    }
}
