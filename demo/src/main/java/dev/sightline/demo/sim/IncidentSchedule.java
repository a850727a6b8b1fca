package dev.sightline.demo.sim;

import java.time.Duration;
import java.util.List;
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
    private final List<IncidentKind> kinds;

    public IncidentSchedule(long firstStart, Duration length, Duration gap) {
        this(firstStart, length, gap, List.of(IncidentKind.values()));
    }

    /** One incident of {@code kind} at {@code start} and none after (a drill). */
    public static IncidentSchedule single(IncidentKind kind, long start, Duration length) {
        return new IncidentSchedule(start, length, Duration.ofDays(365_000), List.of(kind));
    }

    /** The incidents of {@code kinds}, in that order, forever. */
    public IncidentSchedule(long firstStart, Duration length, Duration gap, List<IncidentKind> kinds) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("at least one kind of incident expected");
        }
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("incident length must be positive, got " + length);
        }
        if (gap.isNegative()) {
            throw new IllegalArgumentException("gap between incidents must not be negative, got " + gap);
        }
        this.firstStart = firstStart;
        this.length = length.toMillis();
        this.period = length.toMillis() + gap.toMillis();
        this.kinds = List.copyOf(kinds);
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
        long start = firstStart + n * period;
        return new Incident((int) n + 1, kinds.get((int) (n % kinds.size())), start, start + length);
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
