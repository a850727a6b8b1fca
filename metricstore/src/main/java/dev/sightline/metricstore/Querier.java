package dev.sightline.metricstore;

import dev.sightline.core.LabelMatcher;

import java.util.Arrays;
import java.util.List;

/**
 * Reads series over a time range fixed when the querier was opened. Every storage implementation (head, block,
 * merged database) passes the same read conformance suite. Times are milliseconds since the epoch, both ends
 * inclusive. Samples read back bit-exact, including NaN payloads (staleness markers). Label names and values are
 * listed sorted and distinct.
 */
public interface Querier extends AutoCloseable {
    /**
     * Series whose labels satisfy all matchers, with samples in [mint, maxt] (clamped to the querier's range); a
     * series without a sample there may be listed (with an empty iterator) or left out. A matcher that accepts the
     * empty string also selects series lacking its label. At least one matcher must not match the empty string, as
     * in Prometheus: otherwise this throws IllegalArgumentException (see {@link #requireRestrictingMatcher}).
     * Series come sorted by labels when {@code sorted}, and each at most once.
     */
    SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers);

    /** Sorted label names of the series that match (all series when no matcher is given). */
    List<String> labelNames(LabelMatcher... matchers);

    /** Sorted distinct values of a label over the series that match (all series when no matcher is given). */
    List<String> labelValues(String name, LabelMatcher... matchers);

    @Override
    void close();

    /**
     * The check every {@link #select} makes first: throws IllegalArgumentException when no matcher restricts the
     * selection (each accepts the empty string, or there are none), since such a selector would select every series.
     */
    static void requireRestrictingMatcher(LabelMatcher... matchers) {
        for (LabelMatcher m : matchers) {
            if (!m.matchesEmpty()) {
                return;
            }
        }
        throw new IllegalArgumentException("vector selector must contain at least one non-empty matcher: "
                + Arrays.toString(matchers));
    }
}
