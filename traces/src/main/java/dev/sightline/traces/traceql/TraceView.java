package dev.sightline.traces.traceql;

import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One trace as the evaluator sees it: its spans by start time (a spanset is a {@link BitSet} of their indexes), each
 * span's parent index, child count, the root, the trace's start and end over all its stored spans, and which spans
 * start in the query's range (only those can match a filter; the rest still give structure and the trace intrinsics).
 */
final class TraceView {
    final TraceId traceId;
    final StoredSpan[] spans;
    /** Index of each span's parent among the stored spans, -1 for a root or a parent not stored. */
    final int[] parent;
    final int[] childCount;
    /** The root span's index, -1 when the root is not stored. */
    final int root;
    final long startNanos;
    final long endNanos;
    final BitSet inRange;

    TraceView(TraceId traceId, List<StoredSpan> sorted, long fromNanos, long toNanos) {
        this.traceId = traceId;
        this.spans = sorted.toArray(new StoredSpan[0]);
        int n = spans.length;
        Map<Long, Integer> byId = new HashMap<>(n * 2);
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        int r = -1;
        inRange = new BitSet(n);
        for (int i = 0; i < n; i++) {
            var s = spans[i].span();
            byId.putIfAbsent(s.spanId(), i);
            start = Math.min(start, s.startUnixNano());
            end = Math.max(end, s.endUnixNano());
            if (r < 0 && s.isRoot()) {
                r = i;
            }
            if (s.startUnixNano() >= fromNanos && s.startUnixNano() <= toNanos) {
                inRange.set(i);
            }
        }
        parent = new int[n];
        childCount = new int[n];
        for (int i = 0; i < n; i++) {
            var s = spans[i].span();
            Integer p = s.isRoot() ? null : byId.get(s.parentSpanId());
            parent[i] = p == null || p == i ? -1 : p;
            if (parent[i] >= 0) {
                childCount[parent[i]]++;
            }
        }
        root = r;
        startNanos = n == 0 ? 0 : start;
        endNanos = n == 0 ? 0 : end;
    }

    int size() {
        return spans.length;
    }

    private int[] nestedLeft;
    private int[] nestedRight;

    /**
     * Tempo's nested set numbers, from a depth-first walk of each tree in start order counting from 1 (a span's
     * left number on the way down, its right on the way up, so a descendant's numbers lie inside its ancestor's).
     */
    int nestedSetLeft(int i) {
        numberNestedSets();
        return nestedLeft[i];
    }

    int nestedSetRight(int i) {
        numberNestedSets();
        return nestedRight[i];
    }

    /** The parent's left number; -1 for a root (Grafana's "root spans" are {@code nestedSetParent < 0}), 0 for a
     * span whose parent is not stored. */
    int nestedSetParent(int i) {
        numberNestedSets();
        return spans[i].span().isRoot() ? -1 : parent[i] >= 0 ? nestedLeft[parent[i]] : 0;
    }

    private void numberNestedSets() {
        if (nestedLeft != null) {
            return;
        }
        int n = spans.length;
        int[] firstChild = new int[n];
        int[] nextSibling = new int[n];
        int[] lastChild = new int[n];
        java.util.Arrays.fill(firstChild, -1);
        java.util.Arrays.fill(nextSibling, -1);
        for (int i = 0; i < n; i++) { // in start order, so children are walked earliest first
            int p = parent[i];
            if (p >= 0) {
                if (firstChild[p] < 0) {
                    firstChild[p] = i;
                } else {
                    nextSibling[lastChild[p]] = i;
                }
                lastChild[p] = i;
            }
        }
        int[] left = new int[n];
        int[] right = new int[n];
        int[] stack = new int[n];
        int[] cursor = new int[n];
        int counter = 1;
        for (int r = 0; r < n; r++) {
            if (parent[r] >= 0) {
                continue;
            }
            int depth = 0;
            stack[depth] = r;
            cursor[depth] = firstChild[r];
            left[r] = counter++;
            while (depth >= 0) {
                int c = cursor[depth];
                if (c < 0) {
                    right[stack[depth--]] = counter++;
                } else {
                    cursor[depth] = nextSibling[c];
                    left[c] = counter++;
                    stack[++depth] = c;
                    cursor[depth] = firstChild[c];
                }
            }
        }
        nestedLeft = left;
        nestedRight = right;
    }

    /** Whether any proper ancestor of {@code i} is in {@code set}; bounded by the span count against cycles. */
    boolean hasAncestorIn(int i, BitSet set) {
        int p = parent[i];
        for (int steps = 0; p >= 0 && steps < spans.length; steps++) {
            if (set.get(p)) {
                return true;
            }
            p = parent[p];
        }
        return false;
    }

    /** Every proper ancestor of the spans in {@code set}. */
    BitSet ancestorsOf(BitSet set) {
        BitSet out = new BitSet(spans.length);
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
            int p = parent[i];
            for (int steps = 0; p >= 0 && steps < spans.length && !out.get(p); steps++) {
                out.set(p);
                p = parent[p];
            }
        }
        return out;
    }

    /** Siblings share a stored or unstored parent span id; roots are nobody's siblings. */
    boolean siblings(int a, int b) {
        long pa = spans[a].span().parentSpanId();
        return a != b && pa != 0 && pa == spans[b].span().parentSpanId();
    }
}
