package dev.sightline.server.traceapi;

import dev.sightline.server.traceapi.TraceParams.BadRequest;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanCondition.Op;
import dev.sightline.traces.SpanCondition.Scope;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tag searches as Jaeger and Tempo's legacy search take them: {@code key=value} pairs of text, where the stored
 * attribute may be a string, a number or a boolean. A span condition compares with one type, so each pair becomes
 * the alternatives its text can mean (the string, and the number or boolean it spells), and the search runs once per
 * combination, merged: the spans that would match the text under any reading.
 */
final class TagSearch {
    /** Combinations beyond this are refused rather than run (three typed tags give 8). */
    static final int MAX_COMBINATIONS = 64;

    private TagSearch() {
    }

    /**
     * The readings of {@code text} for attribute {@code key} in any scope: the string test {@code stringTest} makes,
     * and the integer, double or boolean equality the text spells.
     */
    static List<SpanCondition> readings(String key, String text, Function<String, SpanCondition> stringTest) {
        List<SpanCondition> out = new ArrayList<>();
        out.add(stringTest.apply(text));
        try {
            out.add(SpanCondition.attribute(Scope.ANY, key, Op.EQ, Long.parseLong(text)));
        } catch (NumberFormatException notLong) {
            try {
                double d = Double.parseDouble(text);
                if (Double.isFinite(d) && !text.isEmpty() && Character.isDigit(text.charAt(text.length() - 1))) {
                    out.add(SpanCondition.attribute(Scope.ANY, key, Op.EQ, d));
                }
            } catch (NumberFormatException notDouble) {
                // Only the string reading.
            }
        }
        if (text.equals("true") || text.equals("false")) {
            out.add(SpanCondition.attribute(Scope.ANY, key, Op.EQ, Boolean.parseBoolean(text)));
        }
        return out;
    }

    /**
     * Runs the search for every combination of one reading per tag (with the fixed conditions) and merges the
     * traces, newest first as a single search orders them, at most {@code limit}. A trace found by several readings
     * keeps the union of its matched spans; its matched count is then a lower bound when a reading capped its spans.
     */
    static List<TraceSummary> search(SpanQuerier querier, long fromNanos, long toNanos, List<SpanCondition> fixed,
                                     List<List<SpanCondition>> tags, int limit, int spansPerTrace) {
        long combinations = 1;
        for (List<SpanCondition> readings : tags) {
            combinations *= readings.size();
            if (combinations > MAX_COMBINATIONS) {
                throw new BadRequest("tags: more than " + MAX_COMBINATIONS
                        + " typed combinations of tag values to search; give fewer tags");
            }
        }
        List<List<SpanCondition>> queries = new ArrayList<>();
        queries.add(new ArrayList<>(fixed));
        for (List<SpanCondition> readings : tags) {
            List<List<SpanCondition>> next = new ArrayList<>();
            for (List<SpanCondition> q : queries) {
                for (SpanCondition c : readings) {
                    List<SpanCondition> extended = new ArrayList<>(q);
                    extended.add(c);
                    next.add(extended);
                }
            }
            queries = next;
        }
        if (queries.size() == 1) {
            return querier.search(new SpanQuery(fromNanos, toNanos, queries.get(0), limit, spansPerTrace));
        }
        Map<TraceId, TraceSummary> merged = new LinkedHashMap<>();
        for (List<SpanCondition> q : queries) {
            for (TraceSummary t : querier.search(new SpanQuery(fromNanos, toNanos, q, limit, spansPerTrace))) {
                merged.merge(t.traceId(), t, (a, b) -> union(a, b, spansPerTrace));
            }
        }
        List<TraceSummary> out = new ArrayList<>(merged.values());
        out.sort(Comparator.comparingLong((TraceSummary t) -> -t.matchedSpans().get(0).span().startUnixNano())
                .thenComparing(TraceSummary::traceId));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    private static TraceSummary union(TraceSummary a, TraceSummary b, int spansPerTrace) {
        Map<Long, StoredSpan> bySpanId = new LinkedHashMap<>();
        for (StoredSpan s : a.matchedSpans()) {
            bySpanId.put(s.span().spanId(), s);
        }
        for (StoredSpan s : b.matchedSpans()) {
            bySpanId.putIfAbsent(s.span().spanId(), s);
        }
        List<StoredSpan> spans = new ArrayList<>(bySpanId.values());
        spans.sort(Comparator.comparingLong((StoredSpan s) -> s.span().startUnixNano())
                .thenComparing(s -> s.span().spanId(), Long::compareUnsigned));
        int count = Math.max(Math.max(a.matchedCount(), b.matchedCount()), spans.size());
        return new TraceSummary(a.traceId(), a.rootServiceName(), a.rootSpanName(), a.startNanos(), a.endNanos(),
                spans.subList(0, Math.min(spansPerTrace, spans.size())), count);
    }
}
