package dev.sightline.traces.traceql;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On random span trees, each structural operator returns what its definition says, checked by walking parent links
 * span by span; and a search with a small limit returns the first matches of the unlimited one, never fewer.
 */
class StructuralPropertyTest {
    /** One random forest: per trace, the parent index of each span (-1 for a root) and its label "p" or "q". */
    private record Forest(List<int[]> parents, List<boolean[]> isP) {
    }

    private static Forest build(Random r, TestTraces data) {
        List<int[]> parents = new ArrayList<>();
        List<boolean[]> isP = new ArrayList<>();
        int traces = 1 + r.nextInt(8);
        for (int t = 0; t < traces; t++) {
            int n = 1 + r.nextInt(9);
            int[] parent = new int[n];
            boolean[] p = new boolean[n];
            for (int i = 0; i < n; i++) {
                parent[i] = i == 0 ? -1 : r.nextInt(5) == 0 ? -1 : r.nextInt(i);
                p[i] = r.nextBoolean();
                data.span(t + 1, i + 1, parent[i] < 0 ? 0 : parent[i] + 1, "s", p[i] ? "p" : "q", SpanKind.INTERNAL,
                        StatusCode.OK, 1_000L * (t * 10 + i + 1), 10, "i", i);
            }
            parents.add(parent);
            isP.add(p);
        }
        return new Forest(parents, isP);
    }

    private static boolean ancestor(int[] parent, int a, int i) {
        for (int p = parent[i]; p >= 0; p = parent[p]) {
            if (p == a) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code rel(a, b)} holds: b is a child / parent / descendant / ancestor / sibling of a. */
    private static boolean related(String op, int[] parent, int a, int b) {
        return switch (op) {
            case ">" -> parent[b] == a;
            case "<" -> parent[a] == b;
            case ">>" -> ancestor(parent, a, b);
            case "<<" -> ancestor(parent, b, a);
            case "~" -> a != b && parent[a] >= 0 && parent[a] == parent[b];
            default -> throw new IllegalArgumentException(op);
        };
    }

    @Property(tries = 300)
    void structuralOperatorsMatchTheirDefinition(@ForAll long seed) {
        Random r = new Random(seed);
        TestTraces data = new TestTraces();
        Forest f = build(r, data);
        TraceQLEngine engine = new TraceQLEngine(data.store.querier());
        String[] relations = {">", "<", ">>", "<<", "~"};
        String rel = relations[r.nextInt(relations.length)];
        String flavour = new String[]{"", "!", "&"}[r.nextInt(3)];
        Set<String> expected = new TreeSet<>();
        for (int t = 0; t < f.parents().size(); t++) {
            int[] parent = f.parents().get(t);
            boolean[] p = f.isP().get(t);
            Set<String> spans = new TreeSet<>();
            for (int b = 0; b < parent.length; b++) {
                if (p[b]) {
                    continue; // the right side is { name = "q" }, the left { name = "p" }
                }
                boolean any = false;
                for (int a = 0; a < parent.length; a++) {
                    any |= p[a] && related(rel, parent, a, b);
                }
                if (any != flavour.equals("!")) {
                    spans.add((t + 1) + ":" + b);
                }
                if (flavour.equals("&") && any) {
                    for (int a = 0; a < parent.length; a++) {
                        if (p[a] && related(rel, parent, a, b)) {
                            spans.add((t + 1) + ":" + a);
                        }
                    }
                }
            }
            expected.addAll(spans);
        }
        String q = "{ name = \"p\" } " + flavour + rel + " { name = \"q\" }";
        TraceQLEngine.SearchResult all = engine.search(TraceQL.parse(q), 0, Long.MAX_VALUE, 1000, 1000);
        Set<String> got = new TreeSet<>();
        all.traces().forEach(t -> t.spanSets().forEach(ss -> ss.spans().forEach(m -> got.add(
                m.span().traceId().lo() + ":" + m.span().span().attributes().longValue(0)))));
        assertThat(got).as(q).isEqualTo(expected);

        // A smaller limit returns the first matches of the unlimited search, as many as the limit allows.
        int limit = 1 + r.nextInt(3);
        List<Long> first = engine.search(TraceQL.parse(q), 0, Long.MAX_VALUE, limit, 10).traces().stream()
                .map(t -> t.traceId().lo()).toList();
        List<Long> every = all.traces().stream().map(t -> t.traceId().lo()).toList();
        assertThat(first).as(q + " limit " + limit).isEqualTo(every.subList(0, Math.min(limit, every.size())));
    }
}
