package dev.sightline.tsdb.head;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The head's index statistics Prometheus's /api/v1/status/tsdb answers: series and label pairs in the head, and
 * the top {@code limit} metric names by series, label names by distinct values and by bytes of their values, and
 * label pairs by series. Read from the index's postings without touching any series.
 */
public record HeadCardinality(long numSeries, long numLabelPairs, long chunkCount, long minTimeMs, long maxTimeMs,
                              List<Count> seriesCountByMetricName, List<Count> labelValueCountByLabelName,
                              List<Count> memoryInBytesByLabelName, List<Count> seriesCountByLabelValuePair) {

    /** One entry of a top list: a name (or name=value pair) and its count, largest first. */
    public record Count(String name, long value) {
    }

    private static final Comparator<Count> LARGEST_FIRST = Comparator.comparingLong(Count::value).reversed()
            .thenComparing(Count::name);

    static HeadCardinality of(Head head, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: must be at least 1, got " + limit);
        }
        Top byMetric = new Top(limit);
        Top pairs = new Top(limit);
        Map<String, long[]> byName = new HashMap<>();
        long[] numPairs = {0};
        head.postings().forEachPair((name, value, series) -> {
            numPairs[0]++;
            if (name.equals("__name__")) {
                byMetric.offer(value, series);
            }
            pairs.offer(name + "=" + value, series);
            long[] n = byName.computeIfAbsent(name, k -> new long[2]);
            n[0]++;
            // As Prometheus: the length of a label's values times the series holding each (chars; bytes for ASCII).
            n[1] += (long) value.length() * series;
        });
        Top values = new Top(limit);
        Top memory = new Top(limit);
        byName.forEach((name, n) -> {
            values.offer(name, n[0]);
            memory.offer(name, n[1]);
        });
        long min = head.minTime();
        long max = head.maxTime();
        return new HeadCardinality(head.numSeries(), numPairs[0], head.stats().chunks(), min == Long.MAX_VALUE ? 0 : min,
                max == Long.MIN_VALUE ? 0 : max, byMetric.sorted(), values.sorted(), memory.sorted(), pairs.sorted());
    }

    /** The {@code limit} largest counts offered (ties by name), kept in a heap of that size. */
    private static final class Top {
        private final int limit;
        private final PriorityQueue<Count> heap = new PriorityQueue<>(LARGEST_FIRST.reversed());

        Top(int limit) {
            this.limit = limit;
        }

        void offer(String name, long value) {
            Count c = new Count(name, value);
            if (heap.size() < limit) {
                heap.add(c);
            } else if (LARGEST_FIRST.compare(c, heap.peek()) < 0) {
                heap.poll();
                heap.add(c);
            }
        }

        List<Count> sorted() {
            List<Count> out = new ArrayList<>(heap);
            out.sort(LARGEST_FIRST);
            return out;
        }
    }
}
