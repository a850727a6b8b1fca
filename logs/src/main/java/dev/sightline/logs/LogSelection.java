package dev.sightline.logs;

import dev.sightline.core.LabelMatcher;

import java.util.List;

/**
 * What a store is asked for: lines with a time in {@code [fromNanos, toNanos]} (both inclusive), of streams meeting
 * every stream matcher, whose line passes every line filter and which meet every field condition; in
 * {@code direction}'s time order, at most {@code limit} ({@link Integer#MAX_VALUE} for all). {@link #matches} is
 * the reference semantics.
 */
public record LogSelection(long fromNanos, long toNanos, List<LabelMatcher> streamMatchers,
                           List<LineFilter> lineFilters, List<FieldCondition> fieldConditions,
                           Direction direction, int limit) {
    public enum Direction {
        /** Oldest first. */
        FORWARD,
        /** Newest first (Loki's default for log queries). */
        BACKWARD
    }

    public LogSelection {
        if (fromNanos > toNanos) {
            throw new IllegalArgumentException("selection range: start " + fromNanos + " is after end " + toNanos);
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("selection limit must be positive, got " + limit);
        }
        streamMatchers = List.copyOf(streamMatchers);
        lineFilters = List.copyOf(lineFilters);
        fieldConditions = List.copyOf(fieldConditions);
    }

    /** Every line of the matching streams in the range, oldest first. */
    public static LogSelection streams(long fromNanos, long toNanos, List<LabelMatcher> streamMatchers) {
        return new LogSelection(fromNanos, toNanos, streamMatchers, List.of(), List.of(), Direction.FORWARD,
                Integer.MAX_VALUE);
    }

    public LogSelection withLineFilters(List<LineFilter> filters) {
        return new LogSelection(fromNanos, toNanos, streamMatchers, filters, fieldConditions, direction, limit);
    }

    public LogSelection withFieldConditions(List<FieldCondition> conditions) {
        return new LogSelection(fromNanos, toNanos, streamMatchers, lineFilters, conditions, direction, limit);
    }

    public LogSelection withOrder(Direction d, int max) {
        return new LogSelection(fromNanos, toNanos, streamMatchers, lineFilters, fieldConditions, d, max);
    }

    /** Whether the stream's labels meet every stream matcher (a missing label reads as ""). */
    public boolean matchesStream(dev.sightline.core.Labels stream) {
        for (LabelMatcher m : streamMatchers) {
            if (!m.matches(stream.get(m.name()))) {
                return false;
            }
        }
        return true;
    }

    /** The reference semantics of everything but order and limit. */
    public boolean matches(LogEntry e) {
        if (e.timeNanos() < fromNanos || e.timeNanos() > toNanos || !matchesStream(e.stream())) {
            return false;
        }
        for (LineFilter f : lineFilters) {
            if (!f.matches(e.line())) {
                return false;
            }
        }
        for (FieldCondition c : fieldConditions) {
            if (!c.matches(e)) {
                return false;
            }
        }
        return true;
    }
}
