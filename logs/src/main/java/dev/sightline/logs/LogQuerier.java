package dev.sightline.logs;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.util.List;

/**
 * Reads a log store. Times are unix nanoseconds, ranges inclusive at both ends; {@code Long.MIN_VALUE,
 * Long.MAX_VALUE} asks for everything kept. Stream matchers that are empty select every stream.
 */
public interface LogQuerier {
    /**
     * The lines meeting the selection, in its direction's time order (equal times: by stream labels, then append
     * order; backward reverses all of it), at most its limit. Stops early when the sink returns false.
     */
    void select(LogSelection selection, EntrySink sink);

    /**
     * The same lines as {@link #select} gives, without their text: what metric queries ({@code count_over_time},
     * {@code bytes_rate}, volume) need, so a store can answer from its index without reading lines. Order: time
     * order within each stream, streams in any order. Stops early when the sink returns false.
     */
    void samples(LogSelection selection, SampleSink sink);

    /** The distinct stream label names of streams with lines in the range meeting the matchers, sorted. */
    List<String> labelNames(long fromNanos, long toNanos, List<LabelMatcher> matchers);

    /** The distinct values of one stream label among such streams, sorted. */
    List<String> labelValues(String name, long fromNanos, long toNanos, List<LabelMatcher> matchers);

    /** The distinct streams with lines in the range meeting the matchers, sorted. */
    List<Labels> series(long fromNanos, long toNanos, List<LabelMatcher> matchers);

    /** Counts over such streams, as Loki's {@code index/stats}. */
    Stats stats(long fromNanos, long toNanos, List<LabelMatcher> matchers);

    @FunctionalInterface
    interface EntrySink {
        /** Takes one line; false to stop. */
        boolean accept(LogEntry entry);
    }

    @FunctionalInterface
    interface SampleSink {
        /** Takes one line's stream, metadata, time and length of its text in UTF-8 bytes; false to stop. */
        boolean accept(Labels stream, Labels metadata, long timeNanos, int lineBytes);
    }

    /**
     * Streams, chunks (the store's unit of storage a query opens: a partition's share of a stream), lines and UTF-8
     * bytes of line text.
     */
    record Stats(long streams, long chunks, long entries, long bytes) {
    }
}
