package dev.sightline.traces.traceql;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;
import dev.sightline.traces.traceql.Ast.FieldExpr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Runs TraceQL over a {@link SpanQuerier}.
 *
 * <p>Each spanset filter's conditions go to {@link SpanQuerier#search} so the store's index picks the candidate
 * traces (a filter with {@code ||} becomes one search per disjunct, at most 16; what a condition cannot express, such
 * as arithmetic or trace intrinsics, widens the search rather than narrowing it). The whole query is then evaluated
 * on every candidate trace fetched by id. A query that is one filter of plain conditions with no pipeline is answered
 * by the store's search alone.
 *
 * <p>Limits: a search that asks the store for {@code n} traces and then drops some in evaluation could return fewer
 * than exist. So the engine asks for more and repeats with four times the limit until it has {@code limit} matches
 * or the store returned fewer traces than asked (so nothing was left out), up to {@code maxTraces} candidates; a
 * search cut there says so ({@link SearchResult#truncated()}). Metrics and tag values need every match: a query of
 * one filter without stages is split into time windows that each fit; any other loops as search does and fails with
 * a clear message past {@code maxTraces} instead of answering from part of the data.
 *
 * <p>Time: only spans starting in the query's range match a filter; the trace's other spans still count for structure
 * ({@code >>} walks through ancestors outside the range), the root intrinsics and {@code traceDuration}.
 */
public final class TraceQLEngine {
    /** The default bound on candidate traces one query may evaluate. */
    public static final int DEFAULT_MAX_TRACES = 200_000;
    private static final int FIRST_FETCH = 1_000;
    /** Matched spans asked per trace when every match is needed; a trace with more is fetched whole. */
    private static final int SPANS_PER_TRACE = 1_000;

    private final SpanQuerier querier;
    private final int maxTraces;

    public TraceQLEngine(SpanQuerier querier) {
        this(querier, DEFAULT_MAX_TRACES);
    }

    public TraceQLEngine(SpanQuerier querier, int maxTraces) {
        if (maxTraces <= 0) {
            throw new IllegalArgumentException("maxTraces must be positive: " + maxTraces);
        }
        this.querier = querier;
        this.maxTraces = maxTraces;
    }

    // ---------------------------------------------------------------- results

    /** A name and value on a span or spanset: String, Long, Double, Boolean or Duration; null for nil. */
    public record Attribute(String name, Object value) {
    }

    /** A matched span and the attributes the query named (in its filters and select()). */
    public record SpanMatch(StoredSpan span, List<Attribute> attributes) {
    }

    /**
     * One spanset of a trace: its first spans (at most spansPerSpanSet, earliest first), how many spans it has, and
     * what the pipeline attached (Tempo's spanSet.attributes: {@code by(...)} values, {@code count()}, ...).
     */
    public record SpanSetMatch(List<SpanMatch> spans, int matched, List<Attribute> attributes) {
    }

    /** A trace that matched, with its root span's service and name ("" when the root is not stored). */
    public record TraceMatch(TraceId traceId, String rootServiceName, String rootSpanName, long startNanos,
                             long durationNanos, List<SpanSetMatch> spanSets) {
    }

    /**
     * The traces found, in the store's order (newest matching span first). {@code truncated}: the engine stopped at
     * its candidate bound before it had {@code limit} traces, so more may match. {@code inspectedTraces}: traces
     * fetched and evaluated (0 when the store's search answered alone).
     */
    public record SearchResult(List<TraceMatch> traces, boolean truncated, int inspectedTraces) {
    }

    /** A series label; the value is String, Long, Double or Boolean, null for nil. */
    public record Label(String name, Object value) {
    }

    /** A metrics series: labels, and its samples (unix nanosecond timestamps, values); steps without data left out. */
    public record Series(List<Label> labels, long[] timestampsNanos, double[] values) {
        /** Prometheus-style text of the labels as Tempo prints them: nil reads {@code <nil>}, "" {@code <empty>}. */
        public String promLabels() {
            return promLabels(labels);
        }

        static String promLabels(List<Label> labels) {
            return labels.stream().map(l -> l.name() + "=\"" + promValue(l.value()).replace("\\", "\\\\")
                    .replace("\"", "\\\"") + "\"").collect(Collectors.joining(", ", "{", "}"));
        }

        /** The labels as a map of their Prometheus-style values. */
        public Map<String, String> labelMap() {
            Map<String, String> out = new LinkedHashMap<>();
            labels.forEach(l -> out.put(l.name(), promValue(l.value())));
            return out;
        }

        private static String promValue(Object v) {
            if (v == null) {
                return "<nil>";
            }
            if (v instanceof String s) {
                return s.isEmpty() ? "<empty>" : s;
            }
            return v instanceof Double d ? Values.formatFloat(d) : v.toString();
        }
    }

    /** Where {@link #tagValues} looks: span or resource attributes, both, or an intrinsic (name, status, ...). */
    public enum TagScope { SPAN, RESOURCE, ANY, INTRINSIC }

    // ---------------------------------------------------------------- search

    /** The traces matching a (non-metrics) query, at most {@code limit}, newest first. */
    public SearchResult search(TraceQLQuery query, long fromNanos, long toNanos, int limit, int spansPerSpanSet) {
        if (query.isMetrics()) {
            throw new TraceQLException("a metrics query (" + query.metrics().fn().text + "()) runs through "
                    + "query_range or an instant query, not search");
        }
        if (limit <= 0 || spansPerSpanSet <= 0) {
            throw new IllegalArgumentException("limit and spans per spanset must be positive: " + limit + ", "
                    + spansPerSpanSet);
        }
        checkRange(fromNanos, toNanos);
        Evaluator ev = new Evaluator();
        List<FieldExpr> named = namedAttributes(query.pipeline());
        List<SpanCondition> exact = exactFilter(query.pipeline(), ev);
        if (exact != null) {
            List<TraceMatch> out = new ArrayList<>();
            for (TraceSummary s : querier.search(new SpanQuery(fromNanos, toNanos, exact, limit, spansPerSpanSet))) {
                TraceView t = new TraceView(s.traceId(), s.matchedSpans(), fromNanos, toNanos);
                List<SpanMatch> spans = new ArrayList<>();
                for (int i = 0; i < t.size(); i++) {
                    spans.add(new SpanMatch(t.spans[i], spanAttributes(t, i, named)));
                }
                out.add(new TraceMatch(s.traceId(), s.rootServiceName(), s.rootSpanName(), s.startNanos(),
                        s.durationNanos(), List.of(new SpanSetMatch(spans, s.matchedCount(), List.of()))));
            }
            return new SearchResult(out, false, 0);
        }
        Map<TraceId, Optional<TraceMatch>> evaluated = new HashMap<>();
        int fetch = (int) Math.min(maxTraces, Math.max(FIRST_FETCH, limit * 4L));
        while (true) {
            Candidates c = candidates(query.pipeline(), ev, fromNanos, toNanos, fetch);
            List<TraceMatch> found = new ArrayList<>();
            for (TraceId id : c.ids()) {
                Optional<TraceMatch> m = evaluated.computeIfAbsent(id, k -> evaluate(k, query, ev, named, fromNanos,
                        toNanos, spansPerSpanSet));
                m.ifPresent(found::add);
                if (found.size() == limit) {
                    break;
                }
            }
            if (found.size() >= limit || c.complete()) {
                return new SearchResult(found, false, evaluated.size());
            }
            if (fetch >= maxTraces) {
                return new SearchResult(found, true, evaluated.size());
            }
            fetch = (int) Math.min(maxTraces, fetch * 4L);
        }
    }

    private Optional<TraceMatch> evaluate(TraceId id, TraceQLQuery query, Evaluator ev, List<FieldExpr> named,
                                          long fromNanos, long toNanos, int spansPerSpanSet) {
        TraceView t = fetch(id, fromNanos, toNanos);
        if (t == null) {
            return Optional.empty();
        }
        List<Evaluator.Spanset> sets = ev.pipeline(query.pipeline(), t);
        if (sets.isEmpty()) {
            return Optional.empty();
        }
        List<SpanSetMatch> out = new ArrayList<>();
        for (Evaluator.Spanset s : sets) {
            List<FieldExpr> fields = new ArrayList<>(named);
            s.selected.stream().filter(f -> !fields.contains(f)).forEach(fields::add);
            List<SpanMatch> spans = new ArrayList<>();
            for (int i = s.spans.nextSetBit(0); i >= 0 && spans.size() < spansPerSpanSet; i = s.spans.nextSetBit(i + 1)) {
                spans.add(new SpanMatch(t.spans[i], spanAttributes(t, i, fields)));
            }
            List<Attribute> attrs = new ArrayList<>();
            s.attributes.forEach((k, v) -> attrs.add(new Attribute(k, resultValue(v))));
            out.add(new SpanSetMatch(spans, s.spans.cardinality(), attrs));
        }
        String rootService = t.root < 0 ? "" : t.spans[t.root].serviceName();
        String rootName = t.root < 0 ? "" : t.spans[t.root].span().name();
        return Optional.of(new TraceMatch(id, rootService, rootName, t.startNanos, t.endNanos - t.startNanos, out));
    }

    /** The whole trace (so structure and root intrinsics see every stored span), filters limited to the range. */
    private TraceView fetch(TraceId id, long fromNanos, long toNanos) {
        List<StoredSpan> spans = querier.trace(id, Long.MIN_VALUE, Long.MAX_VALUE);
        return spans.isEmpty() ? null : new TraceView(id, spans, fromNanos, toNanos);
    }

    private static List<Attribute> spanAttributes(TraceView t, int i, List<FieldExpr> fields) {
        List<Attribute> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (FieldExpr f : fields) {
            Object v = Evaluator.value(f, t, i);
            String name = f instanceof Ast.AttrRef a ? a.name() : f.toString();
            if (v != Ast.Nil.NIL && seen.add(name)) {
                out.add(new Attribute(name, resultValue(v)));
            }
        }
        return out;
    }

    static Object resultValue(Object v) {
        return switch (v) {
            case Ast.Nil n -> null;
            case Ast.Dur d -> Duration.ofNanos(d.nanos());
            case StatusCode c -> c.name().toLowerCase(Locale.ROOT);
            case SpanKind k -> k.name().toLowerCase(Locale.ROOT);
            case Evaluator.Opaque o -> o.text();
            default -> v;
        };
    }

    /**
     * The attributes a query's filters and by() name (select() adds its own per spanset), shown on each matched span
     * as Tempo shows them.
     */
    private static List<FieldExpr> namedAttributes(Ast.Pipeline p) {
        List<FieldExpr> out = new ArrayList<>();
        collectNamed(p, out);
        return out;
    }

    private static void collectNamed(Object node, List<FieldExpr> out) {
        switch (node) {
            case Ast.Pipeline p -> {
                if (p.source() != null) {
                    collectNamed(p.source(), out);
                }
                p.stages().forEach(s -> collectNamed(s, out));
            }
            case Ast.SpansetOp op -> {
                collectNamed(op.left(), out);
                collectNamed(op.right(), out);
            }
            case Ast.Filter f when f.expr() != null -> collectNamed(f.expr(), out);
            case Ast.FilterStage f -> collectNamed(f.expr(), out);
            case Ast.By b -> collectNamed(b.expr(), out);
            case Ast.Binary b -> {
                collectNamed(b.left(), out);
                collectNamed(b.right(), out);
            }
            case Ast.Unary u -> collectNamed(u.operand(), out);
            case Ast.AttrRef a when !out.contains(a) && !Ast.multiValued(a) -> out.add(a);
            default -> {
            }
        }
    }

    /** The conditions when the query is one filter the store's search answers exactly, else null. */
    private static List<SpanCondition> exactFilter(Ast.Pipeline p, Evaluator ev) {
        if (!p.stages().isEmpty() || !(p.source() instanceof Ast.Filter f)) {
            return null;
        }
        return Compiler.exactConjunction(ev.predicate(f));
    }

    // ---------------------------------------------------------------- candidates

    /** Candidate traces in the store's order; {@code complete} when they hold every trace that can match. */
    private record Candidates(List<TraceId> ids, boolean complete) {
    }

    private record Keyed(Map<TraceId, Long> newestMatch, boolean complete) {
    }

    private Candidates candidates(Ast.Pipeline p, Evaluator ev, long fromNanos, long toNanos, int fetch) {
        Keyed k = keyed(p, ev, fromNanos, toNanos, fetch);
        List<TraceId> ids = k.newestMatch().entrySet().stream()
                .sorted(Map.Entry.<TraceId, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
        return new Candidates(ids, k.complete());
    }

    private Keyed keyed(Ast.SpansetExpr e, Evaluator ev, long fromNanos, long toNanos, int fetch) {
        return switch (e) {
            case Ast.Filter f -> {
                Map<TraceId, Long> out = new HashMap<>();
                boolean complete = true;
                for (List<SpanCondition> conj : Compiler.plan(ev.predicate(f))) {
                    List<TraceSummary> found = querier.search(new SpanQuery(fromNanos, toNanos, conj, fetch, 1));
                    complete &= found.size() < fetch;
                    for (TraceSummary s : found) {
                        out.merge(s.traceId(), s.matchedSpans().get(0).span().startUnixNano(), Math::max);
                    }
                }
                yield new Keyed(out, complete);
            }
            case Ast.Pipeline p -> keyed(p.source() == null ? new Ast.Filter(null) : p.source(), ev, fromNanos, toNanos,
                    fetch);
            case Ast.SpansetOp op -> {
                if (op.op().negated()) {
                    yield keyed(op.right(), ev, fromNanos, toNanos, fetch); // the left side may be empty
                }
                Keyed l = keyed(op.left(), ev, fromNanos, toNanos, fetch);
                Keyed r = keyed(op.right(), ev, fromNanos, toNanos, fetch);
                if (op.op() == Ast.SpansetOpKind.OR) {
                    Map<TraceId, Long> out = new HashMap<>(l.newestMatch());
                    r.newestMatch().forEach((id, t) -> out.merge(id, t, Math::max));
                    yield new Keyed(out, l.complete() && r.complete());
                }
                // Both sides must match in the trace: a complete side bounds the candidates.
                if (l.complete() && r.complete()) {
                    Map<TraceId, Long> out = new HashMap<>(l.newestMatch());
                    out.keySet().retainAll(r.newestMatch().keySet());
                    yield new Keyed(out, true);
                }
                if (l.complete() || r.complete()) {
                    yield l.complete() ? l : r;
                }
                yield l.newestMatch().size() <= r.newestMatch().size() ? l : r;
            }
        };
    }

    // ---------------------------------------------------------------- every match (metrics, tag values)

    private interface SpanSink {
        void accept(TraceView t, int span);
    }

    /**
     * Every span in the final spansets of every matching trace. A query of one filter and no stages is split into
     * time windows until each holds fewer than {@code maxTraces} matching traces: whether a span matches does not
     * depend on which other spans are in range, so each span counts once, in the window of its start (its trace is
     * still fetched whole, for the root and the tree). Any other query fails past {@code maxTraces} candidate traces
     * rather than answer from part of them.
     */
    private void forEachMatchingSpan(Ast.Pipeline p, long fromNanos, long toNanos, boolean needsTree, SpanSink sink) {
        Evaluator ev = new Evaluator();
        int first = Math.min(FIRST_FETCH, maxTraces);
        if (p.stages().isEmpty() && p.source() instanceof Ast.Filter) {
            forEachInWindows(p, ev, needsTree ? null : exactFilter(p, ev), fromNanos, toNanos, first, sink);
            return;
        }
        for (int fetch = first; ; fetch = (int) Math.min(maxTraces, fetch * 4L)) {
            if (emitAll(p, ev, null, fromNanos, toNanos, fetch, sink)) {
                return;
            }
            if (fetch >= maxTraces) {
                throw new TraceQLException("the query matches more than " + maxTraces + " traces in the range; "
                        + "narrow the time range or the filter");
            }
        }
    }

    /** {@code exact}: the filter's conditions when the store's search answers it and no field needs the trace. */
    private void forEachInWindows(Ast.Pipeline p, Evaluator ev, List<SpanCondition> exact, long fromNanos,
                                  long toNanos, int firstFetch, SpanSink sink) {
        for (int fetch = firstFetch; ; fetch = (int) Math.min(maxTraces, fetch * 4L)) {
            if (emitAll(p, ev, exact, fromNanos, toNanos, fetch, sink)) {
                return;
            }
            if (fetch >= maxTraces) {
                break;
            }
        }
        if (fromNanos == toNanos) {
            throw new TraceQLException("more than " + maxTraces + " traces have a matching span starting at "
                    + fromNanos + "; narrow the filter");
        }
        long mid = (fromNanos >> 1) + (toNanos >> 1) + (fromNanos & toNanos & 1); // floor of the mean, no overflow
        forEachInWindows(p, ev, exact, fromNanos, mid, maxTraces, sink);
        forEachInWindows(p, ev, exact, mid + 1, toNanos, maxTraces, sink);
    }

    /**
     * One attempt with the store asked for {@code fetch} traces: when that found them all, hands every matching span
     * to the sink and returns true; else returns false having handed over nothing. {@code exact}: the store's search
     * answers the query alone (its matched spans are the answer), null to evaluate candidate traces.
     */
    private boolean emitAll(Ast.Pipeline p, Evaluator ev, List<SpanCondition> exact, long fromNanos, long toNanos,
                            int fetch, SpanSink sink) {
        if (exact == null) {
            Candidates c = candidates(p, ev, fromNanos, toNanos, fetch);
            if (c.complete()) {
                for (TraceId id : c.ids()) {
                    emit(p, ev, fetch(id, fromNanos, toNanos), sink);
                }
            }
            return c.complete();
        }
        List<TraceSummary> found = querier.search(new SpanQuery(fromNanos, toNanos, exact, fetch, SPANS_PER_TRACE));
        if (found.size() >= fetch) {
            return false;
        }
        for (TraceSummary s : found) {
            if (s.matchedCount() > s.matchedSpans().size()) {
                emit(p, ev, fetch(s.traceId(), fromNanos, toNanos), sink);
            } else {
                TraceView t = new TraceView(s.traceId(), s.matchedSpans(), fromNanos, toNanos);
                for (int i = 0; i < t.size(); i++) {
                    sink.accept(t, i);
                }
            }
        }
        return true;
    }

    private static void emit(Ast.Pipeline p, Evaluator ev, TraceView t, SpanSink sink) {
        if (t == null) {
            return;
        }
        BitSet all = new BitSet(t.size());
        for (Evaluator.Spanset s : ev.pipeline(p, t)) {
            all.or(s.spans);
        }
        for (int i = all.nextSetBit(0); i >= 0; i = all.nextSetBit(i + 1)) {
            sink.accept(t, i);
        }
    }

    /** Whether evaluating these fields needs the whole trace (root, parent links, child counts). */
    private static boolean needsTree(List<FieldExpr> fields) {
        for (FieldExpr f : fields) {
            boolean tree = switch (f) {
                case Ast.IntrinsicRef in -> in.intrinsic().needsTree();
                case Ast.Binary b -> needsTree(List.of(b.left(), b.right()));
                case Ast.Unary u -> needsTree(List.of(u.operand()));
                default -> false;
            };
            if (tree) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- metrics

    /**
     * A metrics query over {@code [from, to]} in steps: the range is widened to whole steps plus one leading step, as
     * Tempo's frontend aligns it, and each step {@code (t - step, t]} is stamped with its end {@code t}.
     */
    public List<Series> queryRange(TraceQLQuery query, long fromNanos, long toNanos, long stepNanos) {
        if (!query.isMetrics()) {
            throw new TraceQLException("not a metrics query: end it with rate(), count_over_time(), "
                    + "quantile_over_time(...), histogram_over_time(...), min|max|avg|sum_over_time(...) or "
                    + "compare(...)");
        }
        if (stepNanos <= 0) {
            throw new IllegalArgumentException("step must be positive: " + stepNanos);
        }
        if (toNanos <= fromNanos) {
            throw new IllegalArgumentException("end " + toNanos + " must be after start " + fromNanos);
        }
        boolean instant = toNanos - fromNanos == stepNanos;
        long start = fromNanos;
        long end = toNanos;
        if (!instant) {
            start = Math.floorDiv(fromNanos, stepNanos) * stepNanos;
            end = -Math.floorDiv(-toNanos, stepNanos) * stepNanos;
            if (start > stepNanos) {
                start -= stepNanos;
            }
            if ((end - start) / stepNanos > 11_000) {
                throw new IllegalArgumentException("too many steps: " + (end - start) / stepNanos
                        + " (at most 11000); raise the step");
            }
        }
        Ast.Metrics m = query.metrics();
        MetricsAccumulator acc = new MetricsAccumulator(m, start, end, stepNanos, instant);
        List<FieldExpr> fields = new ArrayList<>(m.by());
        if (m.field() != null) {
            fields.add(m.field());
        }
        if (m.compare() != null && m.compare().selection().expr() != null) {
            fields.add(m.compare().selection().expr());
        }
        forEachMatchingSpan(query.pipeline(), instant ? start : start + 1, end, needsTree(fields), acc::observe);
        return acc.series();
    }

    /** A metrics query as one value per series over the whole range (Tempo's instant query). */
    public List<Series> queryInstant(TraceQLQuery query, long fromNanos, long toNanos) {
        return queryRange(query, fromNanos, toNanos, toNanos - fromNanos);
    }

    // ---------------------------------------------------------------- tag values

    /**
     * A tag value with Tempo's type name ("string", "int", "float", "bool", "duration", "keyword" for status and
     * kind) and its text as the query editor inserts it.
     */
    public record TagValue(String type, String text) {
    }

    private static final java.util.Comparator<TagValue> BY_TEXT = java.util.Comparator.comparing(TagValue::text)
            .thenComparing(TagValue::type);

    /**
     * The distinct values (sorted by text, at most {@code limit}) of an attribute or intrinsic among the spans a
     * query matches ({@code filter} null: every span), typed, for the query editor's autocomplete.
     */
    public List<TagValue> tagValues(TagScope scope, String key, TraceQLQuery filter, long fromNanos, long toNanos,
                                    int limit) {
        Ast.Pipeline p = filterPipeline(filter, fromNanos, toNanos);
        List<SpanCondition> exact = exactFilter(p, new Evaluator());
        FieldExpr field;
        if (scope == TagScope.INTRINSIC) {
            Ast.Intrinsic in = Parser.intrinsic(key);
            if (in == null) {
                throw new TraceQLException("unknown intrinsic \"" + key + "\"");
            }
            if (exact != null && exact.isEmpty()) {
                if (in == Ast.Intrinsic.STATUS || in == Ast.Intrinsic.KIND) {
                    Enum<?>[] all = in == Ast.Intrinsic.STATUS ? StatusCode.values() : SpanKind.values();
                    return java.util.Arrays.stream(all).map(e -> new TagValue("keyword", Ast.literal(e)))
                            .sorted(BY_TEXT).limit(limit).toList();
                }
                if (in == Ast.Intrinsic.NAME) {
                    return querier.operations("", fromNanos, toNanos).stream().map(SpanQuerier.Operation::name)
                            .distinct().sorted().limit(limit).map(n -> new TagValue("string", n)).toList();
                }
            }
            field = new Ast.IntrinsicRef(in, key);
        } else {
            if (exact != null) {
                return storeValues(SpanCondition.Scope.valueOf(scope.name()), key, exact, fromNanos, toNanos, limit);
            }
            field = null;
        }
        TreeSet<TagValue> out = new TreeSet<>(BY_TEXT);
        FieldExpr f = field;
        forEachMatchingSpan(p, fromNanos, toNanos, f != null && needsTree(List.of(f)), (t, i) -> {
            if (f != null) {
                Object v = Evaluator.value(f, t, i);
                if (v instanceof Values.Multi m) {
                    m.values().forEach(x -> out.add(typed(x)));
                } else if (v != Ast.Nil.NIL) {
                    out.add(typed(v));
                }
                return;
            }
            StoredSpan s = t.spans[i];
            if (scope != TagScope.RESOURCE) {
                addTyped(s.span().attributes(), key, out);
            }
            if (scope != TagScope.SPAN) {
                addTyped(s.resource().attributes(), key, out);
            }
        });
        return out.stream().limit(limit).toList();
    }

    /**
     * The attribute names of span or resource attributes (sorted, at most {@code limit}) on the spans a query
     * matches, for the query editor's autocomplete.
     */
    public List<String> tagNames(TagScope scope, TraceQLQuery filter, long fromNanos, long toNanos, int limit) {
        if (scope == TagScope.INTRINSIC) {
            throw new IllegalArgumentException("intrinsic names do not depend on the spans");
        }
        Ast.Pipeline p = filterPipeline(filter, fromNanos, toNanos);
        TreeSet<String> out = new TreeSet<>();
        forEachMatchingSpan(p, fromNanos, toNanos, false, (t, i) -> {
            StoredSpan s = t.spans[i];
            if (scope != TagScope.RESOURCE) {
                addKeys(s.span().attributes(), out);
            }
            if (scope != TagScope.SPAN) {
                addKeys(s.resource().attributes(), out);
            }
        });
        return out.stream().limit(limit).toList();
    }

    /** The pipeline of a tag filter: {@code {}} when null; a metrics query is refused. */
    private static Ast.Pipeline filterPipeline(TraceQLQuery filter, long fromNanos, long toNanos) {
        if (filter != null && filter.isMetrics()) {
            throw new TraceQLException("a metrics query cannot filter tags");
        }
        checkRange(fromNanos, toNanos);
        return filter == null ? new Ast.Pipeline(new Ast.Filter(null), List.of()) : filter.pipeline();
    }

    /**
     * Values the store's index answers: it lists them as text, so each type is asked for apart (a condition only a
     * value of that type passes): strings, numbers (int or float by their text), then booleans, each in the store's
     * order.
     */
    private List<TagValue> storeValues(SpanCondition.Scope scope, String key, List<SpanCondition> exact,
                                       long fromNanos, long toNanos, int limit) {
        Set<TagValue> out = new LinkedHashSet<>();
        for (String v : querier.attributeValues(scope, key, with(exact, SpanCondition.attribute(scope, key,
                SpanCondition.Op.REGEX, ".*")), fromNanos, toNanos, limit)) {
            out.add(new TagValue("string", v));
        }
        for (String v : querier.attributeValues(scope, key, with(exact, SpanCondition.attribute(scope, key,
                SpanCondition.Op.GTE, Double.NEGATIVE_INFINITY)), fromNanos, toNanos, limit)) {
            boolean integer = v.chars().allMatch(c -> c == '-' || Character.isDigit(c));
            out.add(new TagValue(integer ? "int" : "float", v));
        }
        for (boolean b : new boolean[]{false, true}) {
            if (!querier.attributeValues(scope, key, with(exact, SpanCondition.attribute(scope, key,
                    SpanCondition.Op.EQ, b)), fromNanos, toNanos, 1).isEmpty()) {
                out.add(new TagValue("bool", Boolean.toString(b)));
            }
        }
        return out.stream().limit(limit).toList();
    }

    private static List<SpanCondition> with(List<SpanCondition> conditions, SpanCondition more) {
        List<SpanCondition> out = new ArrayList<>(conditions);
        out.add(more);
        return out;
    }

    /** A value the evaluator made, with Tempo's type name. */
    private static TagValue typed(Object v) {
        String type = switch (v) {
            case Long l -> "int";
            case Double d -> "float";
            case Boolean b -> "bool";
            case Ast.Dur d -> "duration";
            case StatusCode c -> "keyword";
            case SpanKind k -> "keyword";
            default -> "string";
        };
        String text = switch (v) {
            case String s -> s;
            case Evaluator.Opaque o -> o.text();
            case Ast.Dur d -> TraceQL.formatDuration(d.nanos());
            default -> Values.text(v);
        };
        return new TagValue(type, text);
    }

    private static void addTyped(dev.sightline.core.span.Attributes a, String key, TreeSet<TagValue> out) {
        int i = a.indexOf(key);
        if (i >= 0) {
            String type = switch (a.type(i)) {
                case LONG -> "int";
                case DOUBLE -> "float";
                case BOOL -> "bool";
                default -> "string";
            };
            out.add(new TagValue(type, a.valueText(i)));
        }
    }

    private static void addKeys(dev.sightline.core.span.Attributes a, TreeSet<String> out) {
        for (int i = 0; i < a.size(); i++) {
            out.add(a.key(i));
        }
    }

    private static void checkRange(long fromNanos, long toNanos) {
        if (fromNanos > toNanos) {
            throw new IllegalArgumentException("start " + fromNanos + " is after end " + toNanos);
        }
    }

    @Override
    public String toString() {
        return "TraceQLEngine[maxTraces=" + maxTraces + "]";
    }
}
