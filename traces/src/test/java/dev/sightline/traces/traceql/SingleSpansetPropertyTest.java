package dev.sightline.traces.traceql;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.StoredSpan;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A single spanset {@code { a && b }} selects exactly the spans that pass both conditions under the store's reference
 * semantics ({@link SpanCondition#matches}), whether the store's search answers it or the engine evaluates it (the
 * same query with a pipeline stage that keeps everything).
 */
class SingleSpansetPropertyTest {
    private record Atom(String text, SpanCondition condition) {
    }

    private static final String[] STRINGS = {"x", "y", "prod", "x.*", "(x|y)", ""};

    private static Atom atom(Random r) {
        String[] scopes = {"span.", "resource.", "."};
        SpanCondition.Scope[] scopeValues = {SpanCondition.Scope.SPAN, SpanCondition.Scope.RESOURCE,
            SpanCondition.Scope.ANY};
        SpanCondition.Op[] ordered = {SpanCondition.Op.EQ, SpanCondition.Op.NEQ, SpanCondition.Op.GT,
            SpanCondition.Op.GTE, SpanCondition.Op.LT, SpanCondition.Op.LTE};
        switch (r.nextInt(8)) {
            case 0, 1, 2 -> {
                int s = r.nextInt(3);
                String key = new String[]{"a", "b", "env"}[r.nextInt(3)];
                String field = scopes[s] + key;
                switch (r.nextInt(5)) {
                    case 0 -> {
                        SpanCondition.Op op = SpanCondition.Op.values()[r.nextInt(8)];
                        String v = STRINGS[r.nextInt(STRINGS.length)];
                        return new Atom(field + " " + op.symbol + " " + Ast.quote(v),
                                SpanCondition.attribute(scopeValues[s], key, op, v));
                    }
                    case 1 -> {
                        SpanCondition.Op op = ordered[r.nextInt(ordered.length)];
                        long v = r.nextInt(4);
                        return new Atom(field + " " + op.symbol + " " + v,
                                SpanCondition.attribute(scopeValues[s], key, op, v));
                    }
                    case 2 -> {
                        SpanCondition.Op op = ordered[r.nextInt(ordered.length)];
                        return new Atom(field + " " + op.symbol + " 1.5",
                                SpanCondition.attribute(scopeValues[s], key, op, 1.5));
                    }
                    case 3 -> {
                        boolean eq = r.nextBoolean();
                        return new Atom(field + (eq ? " = " : " != ") + "true",
                                SpanCondition.attribute(scopeValues[s], key, eq ? SpanCondition.Op.EQ
                                        : SpanCondition.Op.NEQ, true));
                    }
                    default -> {
                        return new Atom(field + " != nil",
                                SpanCondition.attribute(scopeValues[s], key, SpanCondition.Op.EXISTS, null));
                    }
                }
            }
            case 3 -> {
                SpanCondition.Op op = SpanCondition.Op.values()[r.nextInt(8)];
                String v = new String[]{"get", "post", "g.*", "get|put"}[r.nextInt(4)];
                return new Atom("name " + op.symbol + " " + Ast.quote(v),
                        SpanCondition.intrinsic(SpanCondition.Target.NAME, op, v));
            }
            case 4 -> {
                StatusCode c = StatusCode.values()[r.nextInt(3)];
                boolean eq = r.nextBoolean();
                return new Atom("status " + (eq ? "= " : "!= ") + Ast.literal(c), SpanCondition.intrinsic(
                        SpanCondition.Target.STATUS, eq ? SpanCondition.Op.EQ : SpanCondition.Op.NEQ, c));
            }
            case 5 -> {
                SpanKind k = SpanKind.values()[r.nextInt(SpanKind.values().length)];
                boolean eq = r.nextBoolean();
                return new Atom("kind " + (eq ? "= " : "!= ") + Ast.literal(k), SpanCondition.intrinsic(
                        SpanCondition.Target.KIND, eq ? SpanCondition.Op.EQ : SpanCondition.Op.NEQ, k));
            }
            default -> {
                SpanCondition.Op op = ordered[r.nextInt(ordered.length)];
                long ms = r.nextInt(6);
                return new Atom("duration " + op.symbol + " " + ms + "ms", SpanCondition.intrinsic(
                        SpanCondition.Target.DURATION, op, ms * 1_000_000L));
            }
        }
    }

    private static Object value(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> STRINGS[r.nextInt(STRINGS.length)];
            case 1 -> (long) r.nextInt(4);
            case 2 -> r.nextInt(5) * 0.75;
            case 3 -> r.nextBoolean();
            default -> null;
        };
    }

    @Property(tries = 300)
    void singleSpansetEqualsFilteringEverySpan(@ForAll long seed) {
        Random r = new Random(seed);
        TestTraces data = new TestTraces();
        List<StoredSpan> all = new ArrayList<>();
        int traces = 1 + r.nextInt(6);
        for (int t = 1; t <= traces; t++) {
            int spans = 1 + r.nextInt(6);
            for (int s = 1; s <= spans; s++) {
                List<Object> attrs = new ArrayList<>();
                for (String key : new String[]{"a", "b", "env"}) {
                    Object v = value(r);
                    if (v != null) {
                        attrs.add(key);
                        attrs.add(v);
                    }
                }
                String service = r.nextBoolean() ? "prod" : "x";
                data.span(t, s, s == 1 ? 0 : 1 + r.nextInt(s - 1), service,
                        new String[]{"get", "post", "put"}[r.nextInt(3)], SpanKind.values()[r.nextInt(6)],
                        StatusCode.values()[r.nextInt(3)], 1_000_000L * (t * 100 + s), 1_000_000L * r.nextInt(6),
                        attrs.toArray());
            }
        }
        data.store.querier().search(new dev.sightline.traces.SpanQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(),
                1000, 1000)).forEach(summary -> all.addAll(summary.matchedSpans()));
        Atom a = atom(r);
        Atom b = atom(r);
        Set<String> expected = new TreeSet<>();
        for (StoredSpan s : all) {
            if (a.condition().matches(s) && b.condition().matches(s)) {
                expected.add(s.traceId().lo() + ":" + s.span().spanId());
            }
        }
        TraceQLEngine engine = new TraceQLEngine(data.store.querier());
        String query = "{ " + a.text() + " && " + b.text() + " }";
        for (String q : List.of(query, query + " | count() > 0")) {
            Set<String> got = new TreeSet<>();
            engine.search(TraceQL.parse(q), Long.MIN_VALUE, Long.MAX_VALUE, 1000, 1000).traces()
                    .forEach(t -> t.spanSets().forEach(ss -> ss.spans().forEach(m ->
                            got.add(m.span().traceId().lo() + ":" + m.span().span().spanId()))));
            assertThat(got).as(q).isEqualTo(expected);
        }
    }
}
