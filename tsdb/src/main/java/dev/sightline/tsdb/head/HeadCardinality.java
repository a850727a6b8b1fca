package dev.sightline.tsdb.head;

import dev.sightline.core.Labels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

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
        checkLimit(limit);
        long min = head.minTime();
        long max = head.maxTime();
        return of(limit, head.postings()::forEachPair, head.numSeries(), head.stats().chunks(), min, max);
    }

    /**
     * The statistics of the head's series holding the label pair {@code name=value} (a tenant's, by its reserved
     * label), that label left out of every list: read series by series, so the cost is the pair's series, not the
     * head's. A series removed meanwhile is skipped.
     */
    static HeadCardinality of(Head head, int limit, String name, String value) {
        checkLimit(limit);
        Map<String, Map<String, int[]>> pairs = new HashMap<>();
        long series = 0;
        long chunks = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long ref : head.postings().get(name, value)) {
            MemSeries s = head.series(ref);
            if (s == null) {
                continue;
            }
            series++;
            chunks += s.numChunks();
            min = Math.min(min, s.minTime());
            max = Math.max(max, s.maxTime());
            Labels labels = head.labels(s);
            for (int i = 0; i < labels.size(); i++) {
                if (!labels.name(i).equals(name)) {
                    pairs.computeIfAbsent(labels.name(i), k -> new HashMap<>())
                            .computeIfAbsent(labels.value(i), k -> new int[1])[0]++;
                }
            }
        }
        return of(limit, v -> pairs.forEach((n, values) -> values.forEach((val, c) -> v.visit(n, val, c[0]))),
                series, chunks, min, max);
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: must be at least 1, got " + limit);
        }
    }

    /** The top lists of the pairs {@code source} visits, with the given head figures (min/max as the head keeps them). */
    private static HeadCardinality of(int limit, Consumer<MemPostings.PairVisitor> source, long numSeries, long chunks,
                                      long min, long max) {
        Top byMetric = new Top(limit);
        Top pairs = new Top(limit);
        Map<String, long[]> byName = new HashMap<>();
        long[] numPairs = {0};
        source.accept((name, value, series) -> {
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
        return new HeadCardinality(numSeries, numPairs[0], chunks, min == Long.MAX_VALUE ? 0 : min,
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
